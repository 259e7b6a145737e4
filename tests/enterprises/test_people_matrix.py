"""Persona matrix of the people and registry pages and API: every new page and endpoint,
asked by each persona. Outside the reading scope → 404; inside it without the right → 403;
with the right → the page or the change.

Objects asked about: an invitation of Amata's park manager for a colleague of enterprise A
(``inv_a``), the enterprise B user (``enterprise_b``), Amata, enterprise A.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from enterprises.models import Invitation, Role
from enterprises.services_people import invitation_create

from ..conftest import PASSWORD, PERSONAS, by_persona


@pytest.fixture
def world(personas):
    """The personas plus ``inv_a``: Amata's manager invited a colleague of enterprise A."""
    personas.inv_a, _token = invitation_create(
        user=personas.park_manager,
        email="new.colleague@a.example",
        role=Role.ENTERPRISE,
        target=personas.ent_a,
    )
    return personas


def _client(user) -> APIClient:
    client = APIClient()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def _ids(w) -> dict:
    return {
        "amata": w.catalogue.amata.pk,
        "ent_a": w.ent_a.pk,
        "inv_a": w.inv_a.pk,
        "user_b": w.enterprise_b.pk,
    }


#: (name, method, url template, body, expected status per persona); ``by_persona`` takes
#: them in the order ministry, board, other_board, park_manager, enterprise_a, enterprise_b,
#: other_enterprise
CASES = [
    (
        "people page",
        "get",
        "/people/",
        None,
        dict.fromkeys(PERSONAS, 200),
    ),
    ("audit page", "get", "/people/audit/", None, dict.fromkeys(PERSONAS, 200)),
    ("profile page", "get", "/accounts/profile/", None, dict.fromkeys(PERSONAS, 200)),
    (
        "resend an invitation (page)",
        "post",
        "/people/invitations/{inv_a}/resend/",
        {},
        by_persona(403, 403, 404, 302, 302, 404, 404),
    ),
    (
        "revoke an invitation (page)",
        "post",
        "/people/invitations/{inv_a}/revoke/",
        {},
        by_persona(403, 403, 404, 302, 302, 404, 404),
    ),
    (
        "deactivate enterprise B's user (page)",
        "post",
        "/people/users/{user_b}/deactivate/",
        {},
        # enterprise_b: themself, refused with a message
        by_persona(403, 403, 404, 302, 404, 302, 404),
    ),
    (
        "registry park list",
        "get",
        "/registry/parks/",
        None,
        dict.fromkeys(PERSONAS, 200),
    ),
    (
        "Amata's tenants",
        "get",
        "/registry/parks/{amata}/",
        None,
        by_persona(200, 200, 404, 200, 200, 200, 404),
    ),
    (
        "new park form",
        "get",
        "/registry/parks/new/",
        None,
        by_persona(200, 200, 200, 403, 403, 403, 403),
    ),
    (
        "edit Amata",
        "get",
        "/registry/parks/{amata}/edit/",
        None,
        by_persona(200, 200, 404, 403, 403, 403, 404),
    ),
    (
        "add a tenant to Amata",
        "get",
        "/registry/parks/{amata}/enterprises/new/",
        None,
        by_persona(200, 200, 404, 200, 403, 403, 404),
    ),
    (
        "edit enterprise A",
        "get",
        "/registry/enterprises/{ent_a}/edit/",
        None,
        by_persona(200, 200, 404, 200, 403, 404, 404),
    ),
    (
        "deactivate enterprise A",
        "post",
        "/registry/enterprises/{ent_a}/active/",
        {"active": "0"},
        by_persona(302, 302, 404, 302, 403, 404, 404),
    ),
    (
        "import Amata's tenants",
        "get",
        "/registry/parks/{amata}/import/",
        None,
        by_persona(200, 200, 404, 200, 403, 403, 404),
    ),
    (
        "tenants workbook",
        "get",
        "/registry/parks/{amata}/template.xlsx",
        None,
        by_persona(200, 200, 404, 200, 200, 200, 404),
    ),
    (
        "API: read an invitation",
        "get",
        "/api/v1/invitations/{inv_a}/",
        None,
        by_persona(200, 200, 404, 200, 200, 404, 404),
    ),
    (
        "API: resend an invitation",
        "post",
        "/api/v1/invitations/{inv_a}/resend/",
        {},
        by_persona(403, 403, 404, 200, 200, 404, 404),
    ),
    (
        "API: revoke an invitation",
        "post",
        "/api/v1/invitations/{inv_a}/revoke/",
        {},
        by_persona(403, 403, 404, 200, 200, 404, 404),
    ),
    (
        "API: invite a colleague of enterprise A",
        "post",
        "/api/v1/invitations/",
        {"email": "x@a.example", "role": "enterprise", "enterprise": "{ent_a}"},
        by_persona(
            403, 403, 400, 201, 201, 400, 400
        ),  # other_board: an enterprise it cannot see is unknown
    ),
    (
        "API: read enterprise B's user",
        "get",
        "/api/v1/users/{user_b}/",
        None,
        by_persona(200, 200, 404, 200, 404, 200, 404),
    ),
    (
        "API: deactivate enterprise B's user",
        "post",
        "/api/v1/users/{user_b}/deactivate/",
        {},
        by_persona(403, 403, 404, 200, 404, 400, 404),  # enterprise_b: themself
    ),
    (
        "API: edit Amata",
        "patch",
        "/api/v1/parks/{amata}/",
        {"area_ha": "500.00"},
        by_persona(200, 200, 404, 403, 403, 403, 404),
    ),
    (
        "API: edit enterprise A",
        "patch",
        "/api/v1/enterprises/{ent_a}/",
        {"employees": 120},
        by_persona(200, 200, 404, 200, 403, 404, 404),
    ),
    (
        "API: deactivate enterprise A",
        "post",
        "/api/v1/enterprises/{ent_a}/deactivate/",
        {},
        by_persona(200, 200, 404, 200, 403, 404, 404),
    ),
    (
        "API: add a tenant to Amata",
        "post",
        "/api/v1/enterprises/",
        {"name": "New tenant", "tax_code": "5260181597", "park": "{amata}"},
        by_persona(
            201, 201, 400, 201, 403, 403, 400
        ),  # other_board: a park it cannot see is unknown
    ),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name,method,url,body,expected", CASES, ids=[c[0] for c in CASES])
def test_each_persona_gets_the_status_the_policy_gives(
    world, persona, name, method, url, body, expected
):
    ids = _ids(world)
    client = _client(getattr(world, persona))
    path = url.format(**ids)
    if body is not None:
        body = {k: (v.format(**ids) if isinstance(v, str) else v) for k, v in body.items()}
    if method == "get":
        answer = client.get(path)
    elif path.startswith("/api/"):
        answer = getattr(client, method)(path, body, format="json")
    else:
        answer = getattr(client, method)(path, body)
    assert answer.status_code == expected[persona], (name, persona, answer.content[:300])


def test_the_matrix_changes_only_what_the_allowed_persona_asked(world, client):
    """The refused calls changed nothing: the invitation is still sent, B still active."""
    for persona in ("ministry", "board", "other_board", "enterprise_b", "other_enterprise"):
        c = _client(getattr(world, persona))
        c.post(f"/api/v1/invitations/{world.inv_a.pk}/revoke/")
        c.post(reverse("user_deactivate", args=[world.enterprise_b.pk]))
    world.inv_a.refresh_from_db()
    world.enterprise_b.refresh_from_db()
    assert world.inv_a.state == Invitation.State.SENT
    assert world.enterprise_b.is_active
