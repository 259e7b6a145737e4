"""Persona matrix: every survey page and endpoint × ministry, board (Đồng Nai),
other board (Hải Phòng), park manager (Amata), enterprise A and B (Amata), other enterprise
(Đình Vũ), each with the status worked out by hand, including guessed ids of Đình Vũ objects
and of objects that do not exist (both answer 404: nothing tells them apart).

Objects: the 2025 campaign for Amata and Đình Vũ (responses ``amata`` park, ``a``, ``b``,
``dinh_vu`` park, ``c``), and a Hải Phòng campaign opened by the Hải Phòng board (``hp``,
responses for its 13 parks and enterprise C) — ``hp_dv`` is Đình Vũ's park response in it.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from surveys.models import Response
from surveys.services import campaign_open

from ..conftest import PASSWORD, PERSONAS, open_dates

RESPONSES = ["amata", "a", "b", "dinh_vu", "c", "hp_dv", "missing"]

# GET /surveys/responses/{id}/ and GET /api/v1/responses/{id}/
#                    amata  a    b    dinh_vu c   hp_dv missing
RESPONSE_READ = {
    "ministry":         (200, 200, 200, 200, 200, 200, 404),
    "board":            (200, 200, 200, 404, 404, 404, 404),
    "other_board":      (404, 404, 404, 200, 200, 200, 404),
    "park_manager":     (200, 200, 200, 404, 404, 404, 404),
    "enterprise_a":     (404, 200, 404, 404, 404, 404, 404),
    "enterprise_b":     (404, 404, 200, 404, 404, 404, 404),
    "other_enterprise": (404, 404, 404, 404, 200, 404, 404),
}  # fmt: skip

# POST approve on each response, all drafts. Page: a reviewer gets the page back with the
# "only a submitted response…" message (200); API: 409. Visible but not theirs to review: 403.
# Ministry reads everything and reviews nothing; a park manager does not review its own park.
#                    amata  a    b    dinh_vu c   hp_dv missing
APPROVE_PAGE = {
    "ministry":         (403, 403, 403, 403, 403, 403, 404),
    "board":            (200, 200, 200, 404, 404, 404, 404),
    "other_board":      (404, 404, 404, 200, 200, 200, 404),
    "park_manager":     (403, 200, 200, 404, 404, 404, 404),
    "enterprise_a":     (404, 403, 404, 404, 404, 404, 404),
    "enterprise_b":     (404, 404, 403, 404, 404, 404, 404),
    "other_enterprise": (404, 404, 404, 404, 403, 404, 404),
}  # fmt: skip
APPROVE_API = {
    persona: tuple(409 if s == 200 else s for s in row) for persona, row in APPROVE_PAGE.items()
}

# POST reopen through the API on each (draft) response: only a board may reopen (then 409:
# not approved); others in scope 403.
#                    amata  a    b    dinh_vu c   hp_dv missing
REOPEN_API = {
    "ministry":         (403, 403, 403, 403, 403, 403, 404),
    "board":            (409, 409, 409, 404, 404, 404, 404),
    "other_board":      (404, 404, 404, 409, 409, 409, 404),
    "park_manager":     (403, 403, 403, 404, 404, 404, 404),
    "enterprise_a":     (404, 403, 404, 404, 404, 404, 404),
    "enterprise_b":     (404, 404, 403, 404, 404, 404, 404),
    "other_enterprise": (404, 404, 404, 404, 403, 404, 404),
}  # fmt: skip

# PATCH /api/v1/responses/{id}/ with a stale-free version and no answer: the respondent 200,
# others in scope 403.
#                    amata  a    b    dinh_vu c   hp_dv missing
PATCH_API = {
    "ministry":         (403, 403, 403, 403, 403, 403, 404),
    "board":            (403, 403, 403, 404, 404, 404, 404),
    "other_board":      (404, 404, 404, 403, 403, 403, 404),
    "park_manager":     (200, 403, 403, 404, 404, 404, 404),
    "enterprise_a":     (404, 200, 404, 404, 404, 404, 404),
    "enterprise_b":     (404, 404, 200, 404, 404, 404, 404),
    "other_enterprise": (404, 404, 404, 404, 200, 404, 404),
}  # fmt: skip

CAMPAIGNS = ["c2025", "hp", "missing"]
# GET /surveys/campaigns/{id}/ (reviewers' page: completion, bulk approval) and
# POST /surveys/campaigns/{id}/approve/ with nothing ticked (reviewers: back to the page, 302)
#                    c2025 hp  missing
CAMPAIGN_PAGE = {
    "ministry":         (200, 200, 404),
    "board":            (200, 404, 404),
    "other_board":      (200, 200, 404),
    "park_manager":     (200, 404, 404),
    "enterprise_a":     (404, 404, 404),
    "enterprise_b":     (404, 404, 404),
    "other_enterprise": (404, 404, 404),
}  # fmt: skip
# GET /api/v1/campaigns/{id}/: campaigns with a response in the caller's scope
#                    c2025 hp  missing
CAMPAIGN_API = {
    "ministry":         (200, 200, 404),
    "board":            (200, 404, 404),
    "other_board":      (200, 200, 404),
    "park_manager":     (200, 404, 404),
    "enterprise_a":     (200, 404, 404),
    "enterprise_b":     (200, 404, 404),
    "other_enterprise": (200, 200, 404),
}  # fmt: skip

# Pages without an id: inbox, campaign list, opening form
#                    inbox campaigns new
PLAIN_PAGES = {
    "ministry":         (200, 200, 200),
    "board":            (200, 200, 200),
    "other_board":      (200, 200, 200),
    "park_manager":     (200, 200, 404),
    "enterprise_a":     (200, 200, 404),
    "enterprise_b":     (200, 200, 404),
    "other_enterprise": (200, 200, 404),
}  # fmt: skip

# GET /api/v1/responses/?campaign=<2025>: which responses each persona lists
LISTED_2025 = {
    "ministry": {"amata", "a", "b", "dinh_vu", "c"},
    "board": {"amata", "a", "b"},
    "other_board": {"dinh_vu", "c"},
    "park_manager": {"amata", "a", "b"},
    "enterprise_a": {"a"},
    "enterprise_b": {"b"},
    "other_enterprise": {"c"},
}


@pytest.fixture
def world(personas, campaign_2025):
    c = personas.catalogue
    hp = campaign_open(
        name="Hải Phòng 2025",
        period=2025,
        framework_version=c.vn2022,
        **open_dates(),
        province=c.hai_phong,
        user=personas.other_board,
    )
    in_2025 = Response.objects.filter(campaign=campaign_2025)
    responses = {
        "amata": in_2025.get(park=c.amata, enterprise=None).pk,
        "a": in_2025.get(enterprise=personas.ent_a).pk,
        "b": in_2025.get(enterprise=personas.ent_b).pk,
        "dinh_vu": in_2025.get(park=c.dinh_vu, enterprise=None).pk,
        "c": in_2025.get(enterprise=personas.ent_c).pk,
        "hp_dv": Response.objects.get(campaign=hp, park=c.dinh_vu, enterprise=None).pk,
        "missing": Response.objects.order_by("-pk").first().pk + 1000,
    }
    campaigns = {"c2025": campaign_2025.pk, "hp": hp.pk, "missing": hp.pk + 1000}
    return responses, campaigns


def _client(client, personas, persona):
    assert client.login(username=getattr(personas, persona).username, password=PASSWORD)
    return client


def _api(personas, persona):
    api = APIClient()
    api.force_authenticate(user=getattr(personas, persona))
    return api


def _compare(expected: dict, got: dict) -> None:
    wrong = {k: (expected[k], got[k]) for k in expected if expected[k] != got[k]}
    assert not wrong, f"(expected, got) by object: {wrong}"


def _expect(names, row, objects: dict, status_of) -> None:
    """``status_of(pk)`` for each of ``objects`` (name → id) is ``row``, the expected
    statuses in the order of ``names`` (:data:`RESPONSES` or :data:`CAMPAIGNS`)."""
    _compare(dict(zip(names, row, strict=True)), {k: status_of(pk) for k, pk in objects.items()})


@pytest.mark.parametrize("persona", PERSONAS)
def test_response_page_and_api_read(client, personas, world, persona):
    responses, _ = world
    c = _client(client, personas, persona)
    api = _api(personas, persona)
    expected = RESPONSE_READ[persona]
    _expect(
        RESPONSES,
        expected,
        responses,
        lambda pk: c.get(reverse("surveys:response", args=[pk])).status_code,
    )
    _expect(
        RESPONSES, expected, responses, lambda pk: api.get(f"/api/v1/responses/{pk}/").status_code
    )


@pytest.mark.parametrize("persona", PERSONAS)
def test_response_review_page_approve(client, personas, world, persona):
    responses, _ = world
    c = _client(client, personas, persona)
    _expect(
        RESPONSES,
        APPROVE_PAGE[persona],
        responses,
        lambda pk: (
            c.post(reverse("surveys:response_review", args=[pk]), {"action": "approve"}).status_code
        ),
    )
    if 200 in APPROVE_PAGE[persona]:  # a reviewer is told why nothing happened
        k = RESPONSES[APPROVE_PAGE[persona].index(200)]
        page = c.post(
            reverse("surveys:response_review", args=[responses[k]]), {"action": "approve"}
        )
        assert 'id="review-errors"' in page.content.decode()
    assert not Response.objects.filter(status="approved").exists()


@pytest.mark.parametrize("persona", PERSONAS)
def test_response_api_steps(personas, world, persona):
    responses, _ = world
    api = _api(personas, persona)
    steps = [
        (APPROVE_API, lambda pk: api.post(f"/api/v1/responses/{pk}/approve/")),
        (
            REOPEN_API,
            lambda pk: api.post(f"/api/v1/responses/{pk}/reopen/", {"reason": "x"}, format="json"),
        ),
        (
            PATCH_API,
            lambda pk: api.patch(
                f"/api/v1/responses/{pk}/", {"version": 1, "answers": []}, format="json"
            ),
        ),
        # submit: only the respondent (the response then leaves draft); others in scope 403
        (PATCH_API, lambda pk: api.post(f"/api/v1/responses/{pk}/submit/")),
    ]
    for table, step in steps:
        _expect(RESPONSES, table[persona], responses, lambda pk, step=step: step(pk).status_code)


@pytest.mark.parametrize("persona", PERSONAS)
def test_campaign_pages_and_api(client, personas, world, persona):
    _, campaigns = world
    c = _client(client, personas, persona)
    api = _api(personas, persona)
    page = CAMPAIGN_PAGE[persona]
    _expect(
        CAMPAIGNS,
        page,
        campaigns,
        lambda pk: c.get(reverse("surveys:campaign", args=[pk])).status_code,
    )
    _expect(
        CAMPAIGNS,
        tuple(302 if s == 200 else s for s in page),
        campaigns,
        lambda pk: c.post(reverse("surveys:campaign_approve", args=[pk]), {}).status_code,
    )
    _expect(
        CAMPAIGNS,
        CAMPAIGN_API[persona],
        campaigns,
        lambda pk: api.get(f"/api/v1/campaigns/{pk}/").status_code,
    )
    listed = {x["id"] for x in api.get("/api/v1/campaigns/").json()["results"]}
    assert listed == {
        pk
        for k, pk in campaigns.items()
        if k != "missing" and CAMPAIGN_API[persona][CAMPAIGNS.index(k)] == 200
    }


@pytest.mark.parametrize("persona", PERSONAS)
def test_plain_pages_and_the_response_list(client, personas, world, persona):
    responses, campaigns = world
    c = _client(client, personas, persona)
    got = tuple(
        c.get(reverse(name)).status_code
        for name in ("surveys:responses", "surveys:campaigns", "surveys:campaign_new")
    )
    assert got == PLAIN_PAGES[persona]
    api = _api(personas, persona)
    listed = {
        x["id"]
        for x in api.get(f"/api/v1/responses/?campaign={campaigns['c2025']}").json()["results"]
    }
    assert listed == {responses[k] for k in LISTED_2025[persona]}


def test_anonymous_is_sent_to_login_and_refused_by_the_api(client, world):
    responses, campaigns = world
    for url in (
        reverse("surveys:responses"),
        reverse("surveys:campaigns"),
        reverse("surveys:campaign_new"),
        reverse("surveys:campaign", args=[campaigns["c2025"]]),
        reverse("surveys:response", args=[responses["a"]]),
    ):
        page = client.get(url)
        assert page.status_code == 302 and page["Location"].startswith("/accounts/login/"), url
    api = APIClient()
    for url in (
        "/api/v1/campaigns/",
        "/api/v1/responses/",
        f"/api/v1/responses/{responses['a']}/",
    ):
        # basic authentication comes first: 401 with the header telling how to log in
        answer = api.get(url)
        assert answer.status_code == 401, url
        assert answer["WWW-Authenticate"] == 'Basic realm="api"', url
