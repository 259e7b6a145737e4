"""Who may be named in a symbiosis exchange: a park's developer outside the user's scope is
refused exactly as an enterprise outside it is (enterprises/policy.py, nameable parks)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from enterprises.models import Park
from enterprises.policy import nameable_parks
from registers.models import SymbiosisExchange
from registers.services import ParticipantSpec, exchange_save

from .test_registers_api import api

pytestmark = pytest.mark.usefixtures("keep_language")


def _post(user, park, participants):
    return api(user).post(
        "/api/v1/symbiosis-exchanges/",
        {
            "park": park.pk,
            "kind": "water",
            "title": "Treated water to the neighbour",
            "status": "proposed",
            "participants": participants,
        },
        format="json",
    )


def test_amatas_manager_cannot_name_a_park_outside_its_scope_as_developer_participant(personas):
    c = personas.catalogue
    elsewhere = Park.objects.exclude(province=c.dong_nai).order_by("pk").last()
    r = _post(
        personas.park_manager,
        c.amata,
        [
            {"kind": "enterprise", "role": "provides", "enterprise": personas.ent_a.pk},
            {"kind": "developer", "role": "receives", "park": elsewhere.pk},
        ],
    )
    assert r.status_code == 400, r.json()
    assert "participants" in r.json()["errors"]
    assert not SymbiosisExchange.objects.exists()
    # its own park's developer is fine
    r = _post(
        personas.park_manager,
        c.amata,
        [
            {"kind": "enterprise", "role": "provides", "enterprise": personas.ent_a.pk},
            {"kind": "developer", "role": "receives", "park": c.amata.pk},
        ],
    )
    assert r.status_code == 201, r.json()


def test_the_service_refuses_it_for_a_tenant_too_and_names_the_reason(personas):
    c = personas.catalogue
    with translation.override("vi"), pytest.raises(ValidationError) as exc:
        exchange_save(
            user=personas.enterprise_a,
            park=c.amata,
            data={"kind": "water", "title": "x", "status": "proposed"},
            participants=[
                ParticipantSpec(kind="enterprise", role="provides", enterprise=personas.ent_a),
                ParticipantSpec(kind="developer", role="receives", park=c.dinh_vu),
            ],
        )
    assert exc.value.message_dict["participants"] == [
        "Bạn không được nêu tên nhà đầu tư hạ tầng của KCN này."
    ]


def test_nameable_parks_are_the_exchanges_park_and_the_parks_the_user_reads(personas):
    c = personas.catalogue
    assert set(nameable_parks(personas.park_manager, c.amata)) == {c.amata}
    assert set(nameable_parks(personas.enterprise_a, c.amata)) == {c.amata}
    board = set(nameable_parks(personas.board, c.amata))
    assert c.amata in board and c.dinh_vu not in board
    assert len(board) == Park.objects.filter(province=c.dong_nai).count()
