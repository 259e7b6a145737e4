"""The survey API: campaigns, responses with answers and version, PATCH with 409
on a stale version, the workflow steps, bulk approval, filters and the OpenAPI schema."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from surveys.models import Answer, AnswerComment, Transition
from surveys.services import response_approve, response_submit

from .test_workflow import fresh, responses_by_name, save


@pytest.fixture
def api():
    client = APIClient()
    client.cookies["django_language"] = "en"  # messages in English (the language switch)
    return client


@pytest.fixture
def r(personas, campaign_2025):
    return responses_by_name(personas, campaign_2025)


def as_user(api, user):
    api.force_authenticate(user=user)
    return api


def patch(api, response, version, *answers):
    return api.patch(
        f"/api/v1/responses/{response.pk}/",
        {"version": version, "answers": list(answers)},
        format="json",
    )


def test_a_response_shows_its_answers_with_code_value_unit_raw_and_version(api, personas, r):
    save(r.amata, personas.park_manager, wastewater_total_m3="1234.5", basic_services_provided=True)
    body = as_user(api, personas.board).get(f"/api/v1/responses/{r.amata.pk}/").json()
    assert body["version"] == 2 and body["status"] == "draft" and body["enterprise"] is None
    answers = {a["data_element"]: a for a in body["answers"]}
    assert answers["wastewater_total_m3"]["value"] == 1234.5
    assert answers["wastewater_total_m3"]["unit"] == "m³"
    assert answers["wastewater_total_m3"]["raw"] == "1234.5"
    assert answers["basic_services_provided"]["value"] is True


def test_patch_changes_only_the_answers_sent_and_reads_plain_decimal_strings(api, personas, r):
    save(r.amata, personas.park_manager, symbioses_operating=3)
    api = as_user(api, personas.park_manager)
    res = patch(
        api,
        r.amata,
        2,
        {"data_element": "wastewater_total_m3", "value": "1234.5"},
        {"data_element": "wastewater_reused_m3", "value": 0.25, "unit": "ML"},  # 250 m³
        {"data_element": "io_monitoring_mechanism", "value": False},
    )
    assert res.status_code == 200, res.json()
    assert res.json()["version"] == 3
    stored = {
        a.data_element.code: a
        for a in Answer.objects.filter(response=r.amata).select_related("data_element")
    }
    assert stored["symbioses_operating"].value_number == 3  # not sent, not touched
    assert stored["wastewater_total_m3"].value_number == 1234.5
    assert stored["wastewater_reused_m3"].value_number == 250
    assert stored["wastewater_reused_m3"].unit_entered == "ML"
    assert stored["io_monitoring_mechanism"].value_bool is False
    # null clears an answer
    res = patch(api, r.amata, 3, {"data_element": "symbioses_operating", "value": None})
    assert res.status_code == 200
    assert not Answer.objects.filter(
        response=r.amata, data_element__code="symbioses_operating"
    ).exists()


def test_a_stale_patch_answers_409_with_the_current_version_and_answers(api, personas, r):
    save(r.amata, personas.park_manager, symbioses_operating=1)  # version 1 → 2
    res = patch(
        as_user(api, personas.park_manager),
        r.amata,
        1,
        {"data_element": "symbioses_operating", "value": 5},
    )
    assert res.status_code == 409
    body = res.json()
    assert body["code"] == "stale_version" and body["current_version"] == 2
    assert body["conflicts"] == [
        {"data_element": "symbioses_operating", "yours": "5", "saved": "1"}
    ]
    assert [(a["data_element"], a["value"]) for a in body["answers"]] == [
        ("symbioses_operating", 1)
    ]
    assert Answer.objects.get(response=r.amata).value_number == 1
    assert fresh(r.amata).version == 2


def test_patch_refuses_bad_values_unknown_questions_and_locked_responses(api, personas, r):
    api = as_user(api, personas.enterprise_a)
    res = patch(api, r.a, 1, {"data_element": "recp_share_reported_pct", "value": 120})
    assert res.status_code == 400 and "recp_share_reported_pct" in res.json()["errors"]
    res = patch(api, r.a, 1, {"data_element": "symbioses_operating", "value": 1})  # a park question
    assert res.status_code == 400 and res.json()["code"] == "unknown_element"
    assert fresh(r.a).version == 1 and not Answer.objects.filter(response=r.a).exists()
    response_submit(response=fresh(r.a), user=personas.enterprise_a)
    res = patch(api, r.a, 2, {"data_element": "compliant", "value": True})
    assert res.status_code == 409 and res.json()["code"] == "locked"


def test_only_the_respondent_patches_and_others_outside_scope_get_404(api, personas, r):
    body = {"data_element": "compliant", "value": True}
    assert patch(as_user(api, personas.park_manager), r.a, 1, body).status_code == 403
    assert patch(as_user(api, personas.board), r.a, 1, body).status_code == 403
    assert patch(as_user(api, personas.enterprise_b), r.a, 1, body).status_code == 404
    assert patch(as_user(api, personas.other_board), r.a, 1, body).status_code == 404
    assert patch(as_user(api, personas.enterprise_a), r.a, 1, body).status_code == 200


def test_the_workflow_runs_through_the_api(api, personas, r):
    save(r.a, personas.enterprise_a, symbioses_participating=2)
    base = f"/api/v1/responses/{r.a.pk}"
    res = as_user(api, personas.enterprise_a).post(f"{base}/submit/")
    assert res.status_code == 200 and res.json()["status"] == "submitted"
    res = as_user(api, personas.park_manager).post(
        f"{base}/return/",
        {
            "reason": "Check the count",
            "comments": [{"data_element": "symbioses_participating", "text": "Only one?"}],
        },
        format="json",
    )
    assert res.status_code == 200
    assert res.json()["status"] == "returned"
    assert res.json()["return_reason"] == "Check the count"
    assert res.json()["comments"] == [
        {"data_element": "symbioses_participating", "text": "Only one?"}
    ]
    seen = as_user(api, personas.enterprise_a).get(f"{base}/").json()
    assert seen["comments"][0]["text"] == "Only one?"
    res = patch(api, r.a, seen["version"], {"data_element": "symbioses_participating", "value": 1})
    assert res.status_code == 200
    assert api.post(f"{base}/submit/").status_code == 200
    res = as_user(api, personas.board).post(f"{base}/approve/")
    assert res.status_code == 200 and res.json()["status"] == "approved"
    res = as_user(api, personas.enterprise_a).patch(
        f"{base}/",
        {"version": res.json()["version"], "answers": [{"data_element": "compliant", "value": 1}]},
        format="json",
    )
    assert res.status_code == 409 and res.json()["code"] == "locked"
    res = as_user(api, personas.board).post(f"{base}/reopen/", {}, format="json")
    assert res.status_code == 400 and "reason" in res.json()["errors"]
    res = api.post(f"{base}/reopen/", {"reason": "Second meter found"}, format="json")
    assert res.status_code == 200 and res.json()["status"] == "returned"
    assert [
        (t["from_status"], t["to_status"], t["by"], t["reason"]) for t in res.json()["transitions"]
    ] == [
        ("draft", "submitted", "t-ent-a", ""),
        ("submitted", "returned", "t-amata", "Check the count"),
        ("returned", "submitted", "t-ent-a", ""),
        ("submitted", "approved", "t-board", ""),
        ("approved", "returned", "t-board", "Second meter found"),
    ]
    assert AnswerComment.objects.filter(response=r.a).count() == 1


def test_wrong_state_steps_answer_409_and_forbidden_ones_403(api, personas, r):
    base = f"/api/v1/responses/{r.a.pk}"
    res = as_user(api, personas.park_manager).post(f"{base}/approve/")
    assert res.status_code == 409 and res.json()["code"] == "wrong_status"
    assert as_user(api, personas.enterprise_a).post(f"{base}/approve/").status_code == 403
    assert as_user(api, personas.ministry).post(f"{base}/approve/").status_code == 403
    assert as_user(api, personas.other_board).post(f"{base}/approve/").status_code == 404
    assert Transition.objects.filter(response=r.a).count() == 0


def test_bulk_approve_through_the_api_is_all_or_nothing(api, personas, r):
    response_submit(response=fresh(r.a), user=personas.enterprise_a)
    response_submit(response=fresh(r.b), user=personas.enterprise_b)
    api = as_user(api, personas.park_manager)
    res = api.post("/api/v1/responses/approve/", {"ids": [r.a.pk, r.c_.pk]}, format="json")
    assert res.status_code == 400
    assert res.json()["failures"] == [{"id": r.c_.pk, "reason": "not found"}]
    assert fresh(r.a).status == "submitted"
    res = api.post("/api/v1/responses/approve/", {"ids": [r.a.pk, r.b.pk]}, format="json")
    assert res.status_code == 200
    assert [x["status"] for x in res.json()] == ["approved", "approved"]


def test_responses_filter_by_campaign_park_and_status(api, personas, r):
    response_submit(response=fresh(r.a), user=personas.enterprise_a)
    api = as_user(api, personas.ministry)
    ids = lambda url: sorted(x["id"] for x in api.get(url).json()["results"])  # noqa: E731
    assert ids("/api/v1/responses/?status=submitted") == [r.a.pk]
    assert ids(f"/api/v1/responses/?park={personas.catalogue.dinh_vu.pk}") == sorted(
        [r.dinh_vu.pk, r.c_.pk]
    )
    assert ids(f"/api/v1/responses/?campaign={r.a.campaign_id}&status=draft") == sorted(
        [r.amata.pk, r.dinh_vu.pk, r.b.pk, r.c_.pk]
    )
    assert ids(f"/api/v1/responses/?campaign={r.a.campaign_id + 1000}") == []
    # the board sees Đồng Nai only, whatever the filter
    api = as_user(api, personas.board)
    assert ids(f"/api/v1/responses/?park={personas.catalogue.dinh_vu.pk}") == []


def test_campaigns_are_listed_with_their_scope_and_reminders(api, personas, r):
    body = as_user(api, personas.enterprise_b).get("/api/v1/campaigns/").json()
    assert [c["name"] for c in body["results"]] == ["Test campaign 2025"]
    c = body["results"][0]
    assert c["scope"] == "parks" and c["reminder_days"] == [30, 7]
    assert sorted(c["parks"]) == sorted(
        [personas.catalogue.amata.pk, personas.catalogue.dinh_vu.pk]
    )
    assert c["framework_version_label"] == "VN-2022 v1"


def test_the_survey_endpoints_are_in_the_openapi_schema(api, personas):
    schema = as_user(api, personas.ministry).get("/api/v1/schema/?format=json").json()
    paths = schema["paths"]
    for path in (
        "/api/v1/campaigns/",
        "/api/v1/campaigns/{id}/",
        "/api/v1/responses/",
        "/api/v1/responses/{id}/",
        "/api/v1/responses/{id}/submit/",
        "/api/v1/responses/{id}/return/",
        "/api/v1/responses/{id}/approve/",
        "/api/v1/responses/{id}/reopen/",
        "/api/v1/responses/approve/",
    ):
        assert path in paths, path
    assert "patch" in paths["/api/v1/responses/{id}/"]
    assert "409" in paths["/api/v1/responses/{id}/"]["patch"]["responses"]
    params = {p["name"] for p in paths["/api/v1/responses/"]["get"]["parameters"]}
    assert {"campaign", "park", "status"} <= params


def test_a_response_approved_in_the_service_is_locked_in_the_api(api, personas, r):
    response_submit(response=fresh(r.b), user=personas.enterprise_b)
    response_approve(response=fresh(r.b), user=personas.board)
    res = patch(
        as_user(api, personas.enterprise_b),
        r.b,
        fresh(r.b).version,
        {"data_element": "compliant", "value": True},
    )
    assert res.status_code == 409
