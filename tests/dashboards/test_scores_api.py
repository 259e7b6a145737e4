"""Score API: ``/api/v1/parks/{id}/scores/`` and ``/api/v1/scores/``."""

from __future__ import annotations

import pytest

from enterprises.models import Park

from .test_pages import login, two_periods  # noqa: F401


def test_park_scores_give_the_snapshot_and_each_criterion(client, personas, two_periods):  # noqa: F811
    c2024, c2025 = two_periods
    amata = personas.catalogue.amata
    login(client, personas.park_manager)
    body = client.get(f"/api/v1/parks/{amata.pk}/scores/", {"campaign": c2025.pk}).json()
    assert body["campaign"] == {
        "id": c2025.pk,
        "name": c2025.name,
        "period": 2025,
        "framework_version": "VN-2022 v1",
    }
    s = body["snapshot"]
    assert (s["index"], s["criteria_met"], s["criteria_applicable"]) == ("55.50", 5, 9)
    assert (s["mandatory_met"], s["mandatory_total"], s["eligible"]) == (3, 8, False)
    assert (s["reported"], s["population"]) == (2, 3)
    criteria = {c["code"]: c for c in body["criteria"]}
    e2 = criteria["VN35-EIP-E2"]
    assert (e2["state"], e2["value"], e2["gap"], e2["threshold"]) == (
        "not_met",
        0.0,
        1.0,
        "1.000000",
    )
    assert (e2["operator"], e2["article"], e2["verification_status"]) == (
        ">=",
        "Art. 37(2)(b)",
        "verified",
    )
    assert criteria["VN35-EIP-I2"]["state"] == "met"
    assert criteria["VN35-EIP-I3"]["state"] == "no_data"  # no result stored: never "not met"
    earlier = client.get(f"/api/v1/parks/{amata.pk}/scores/", {"campaign": c2024.pk}).json()
    assert earlier["snapshot"]["index"] == "40.00"


def test_park_scores_default_to_the_newest_campaign_and_check_the_parameter(
    client,
    personas,
    two_periods,  # noqa: F811
):
    amata = personas.catalogue.amata
    login(client, personas.board)
    assert client.get(f"/api/v1/parks/{amata.pk}/scores/").json()["campaign"]["period"] == 2025
    bad = client.get(f"/api/v1/parks/{amata.pk}/scores/", {"campaign": "2025a"})
    assert bad.status_code == 400 and "campaign" in bad.json()["errors"]
    assert client.get(f"/api/v1/parks/{amata.pk}/scores/", {"campaign": 999999}).status_code == 404


@pytest.mark.parametrize(
    "persona, status",
    [
        ("other_board", 404),
        ("other_enterprise", 404),
        ("enterprise_a", 200),  # its own park
        ("park_manager", 200),
        ("ministry", 200),
    ],
)
def test_park_scores_are_scoped_by_role(client, personas, two_periods, persona, status):  # noqa: F811
    login(client, getattr(personas, persona))
    r = client.get(f"/api/v1/parks/{personas.catalogue.amata.pk}/scores/")
    assert r.status_code == status


def test_anonymous_callers_get_no_scores(client, personas, two_periods):  # noqa: F811
    assert client.get("/api/v1/scores/").status_code in (401, 403)
    assert client.get(f"/api/v1/parks/{personas.catalogue.amata.pk}/scores/").status_code in (
        401,
        403,
    )


def test_national_table_is_scoped_by_role(client, personas, two_periods):  # noqa: F811
    c2024, c2025 = two_periods
    c = personas.catalogue
    cases = [
        ("ministry", set(Park.objects.values_list("pk", flat=True))),
        ("board", set(Park.objects.filter(province=c.dong_nai).values_list("pk", flat=True))),
        ("park_manager", {c.amata.pk}),
        ("enterprise_a", {c.amata.pk}),  # never beyond its own park
        ("other_enterprise", {c.dinh_vu.pk}),
    ]
    for persona, expected in cases:
        login(client, getattr(personas, persona))
        body = client.get("/api/v1/scores/", {"campaign": c2025.pk}).json()
        assert {row["park_id"] for row in body["results"]} == expected, persona
        assert body["count"] == len(expected)
        client.logout()


def test_national_table_rows_carry_trend_coverage_and_eligibility(client, personas, two_periods):  # noqa: F811
    c2024, c2025 = two_periods
    login(client, personas.ministry)
    rows = {r["park_id"]: r for r in client.get("/api/v1/scores/").json()["results"]}
    amata = rows[personas.catalogue.amata.pk]
    assert (amata["index"], amata["previous_index"], amata["trend"]) == ("55.50", "40.00", "15.50")
    assert (amata["previous_period"], amata["reported"], amata["population"]) == (2024, 2, 3)
    assert amata["eligible"] is False and amata["response_status"] == "draft"
    dinh_vu = rows[personas.catalogue.dinh_vu.pk]
    assert dinh_vu["eligible"] is True and dinh_vu["trend"] is None
    elsewhere = next(
        r
        for pk, r in rows.items()
        if pk not in (personas.catalogue.amata.pk, personas.catalogue.dinh_vu.pk)
    )
    assert elsewhere["index"] is None and elsewhere["response_status"] is None


def test_both_score_endpoints_are_in_the_openapi_schema(admin_client):
    paths = admin_client.get("/api/v1/schema/?format=json").json()["paths"]
    park = paths["/api/v1/parks/{id}/scores/"]["get"]
    assert any(p["name"] == "campaign" for p in park["parameters"])
    assert "/api/v1/scores/" in paths
    assert any(p["name"] == "campaign" for p in paths["/api/v1/scores/"]["get"]["parameters"])


def test_park_scores_are_answered_from_the_cache_until_the_stamp_moves(
    client,
    personas,
    two_periods,  # noqa: F811
    django_assert_max_num_queries,
    django_capture_on_commit_callbacks,
):
    from dashboards import stamps
    from dashboards.models import ScoreSnapshot

    from ..conftest import run_pending_on_commit

    run_pending_on_commit()  # the fixtures' own stamp increments
    _c2024, c2025 = two_periods
    amata = personas.catalogue.amata
    login(client, personas.park_manager)
    url = f"/api/v1/parks/{amata.pk}/scores/"
    assert client.get(url, {"campaign": c2025.pk}).json()["snapshot"]["index"] == "55.50"
    with django_assert_max_num_queries(3):  # session, user with memberships, park with stamp
        again = client.get(url, {"campaign": c2025.pk}).json()
    assert again["snapshot"]["index"] == "55.50"
    with django_capture_on_commit_callbacks(execute=True):
        ScoreSnapshot.objects.filter(campaign=c2025, park=amata, enterprise__isnull=True).update(
            index="60.00"
        )
        stamps.bump()
    assert client.get(url, {"campaign": c2025.pk}).json()["snapshot"]["index"] == "60.00"
    # another reader of the park gets the same answer; a foreign park is still 404
    login(client, personas.board)
    assert client.get(url, {"campaign": c2025.pk}).json()["snapshot"]["index"] == "60.00"
    login(client, personas.other_board)
    assert client.get(url, {"campaign": c2025.pk}).status_code == 404


def test_the_ministrys_national_scores_come_from_the_cache_gzipped_until_a_snapshot_lands(
    client,
    personas,
    two_periods,  # noqa: F811
):
    import gzip
    import json

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from dashboards import stamps
    from dashboards.models import ScoreSnapshot

    from ..conftest import run_pending_on_commit

    c2024, c2025 = two_periods
    amata = personas.catalogue.amata
    run_pending_on_commit()
    login(client, personas.ministry)
    with CaptureQueriesContext(connection) as cold:
        first = client.get("/api/v1/scores/", HTTP_ACCEPT_ENCODING="gzip, br")
    with CaptureQueriesContext(connection) as warm:
        again = client.get("/api/v1/scores/", HTTP_ACCEPT_ENCODING="gzip, br")
    assert len(warm) < len(cold)
    assert again["Content-Encoding"] == "gzip" and "Accept-Encoding" in again["Vary"]
    body = json.loads(gzip.decompress(again.content))
    assert body == json.loads(gzip.decompress(first.content))
    row = next(r for r in body["results"] if r["park_id"] == amata.pk)
    assert row["index"] == "55.50"
    plain = client.get("/api/v1/scores/")  # a client that accepts no gzip gets plain JSON
    assert "Content-Encoding" not in plain and plain.json() == body
    # a board's answer is its own (its province's parks only), not the ministry's copy
    login(client, personas.board)
    board = client.get("/api/v1/scores/").json()
    assert board["count"] < body["count"]
    # Amata's snapshot rewritten in bulk (no signal): the cached answer stands until the
    # writer moves the park's and the campaign's stamps, as the recompute does after commit
    login(client, personas.ministry)
    ScoreSnapshot.objects.filter(campaign=c2025, park=amata, enterprise__isnull=True).update(
        index="61.20"
    )

    def amata_index():
        rows = client.get("/api/v1/scores/").json()["results"]
        return next(r["index"] for r in rows if r["park_id"] == amata.pk)

    assert amata_index() == "55.50"
    stamps.bump(parks=[amata.pk], campaigns=[c2025.pk])
    run_pending_on_commit()
    assert amata_index() == "61.20"
