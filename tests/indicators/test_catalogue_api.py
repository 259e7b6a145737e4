"""The catalogue API under /api/v1/frameworks/.

Thresholds are exact decimal strings with six places (``"20.000000"``), null where the
legal source gives none.
"""

import pytest

from indicators.models import FrameworkVersion
from indicators.services import version_new_draft

from ..conftest import PASSWORD

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_messages")]


def api(client, user, path, **params):
    client.login(username=user.username, password=PASSWORD)
    return client.get(f"/api/v1/{path}", params, HTTP_ACCEPT_LANGUAGE="en")


def test_the_framework_list_gives_codes_titles_and_versions(client, personas):
    r = api(client, personas.enterprise_a, "frameworks/")
    assert r.status_code == 200
    by_code = {f["code"]: f for f in r.json()}
    assert sorted(by_code) == ["VN-2018", "VN-2022"]
    vn22 = by_code["VN-2022"]
    assert vn22["title_en"] == "Decree 35/2022/ND-CP + Circular 05/2025/TT-BKHĐT"
    assert vn22["current_version"] == 1
    (v1,) = vn22["versions"]
    assert (v1["number"], v1["status"], v1["criteria_count"]) == (1, "published", 42)
    assert v1["effective_from"] == "2022-07-15" and v1["effective_to"] is None
    vn18 = by_code["VN-2018"]
    assert vn18["current_version"] is None  # retired, kept for comparison
    assert [(v["status"], v["criteria_count"]) for v in vn18["versions"]] == [("retired", 8)]


def test_a_framework_detail_lists_its_versions_and_an_unknown_code_is_404(client, personas):
    r = api(client, personas.board, "frameworks/VN-2022/")
    assert r.status_code == 200
    assert [v["number"] for v in r.json()["versions"]] == [1]
    assert api(client, personas.board, "frameworks/VN-1999/").status_code == 404


def test_the_criteria_of_vn_2022_default_to_the_published_version(client, personas):
    r = api(client, personas.park_manager, "frameworks/VN-2022/criteria/")
    assert r.status_code == 200
    body = r.json()
    assert (body["framework"], body["version"], body["status"]) == ("VN-2022", 1, "published")
    assert body["count"] == 42 and len(body["results"]) == 42
    rows = {c["code"]: c for c in body["results"]}
    e4 = rows["VN35-EIP-E4"]
    assert e4["threshold"] == "20.000000"
    assert (e4["rule"], e4["operator"], e4["unit"], e4["level"], e4["applies_to"]) == (
        "compare",
        ">=",
        "%",
        "mandatory",
        "park",
    )
    assert e4["title_vi"] == "≥20% DN áp dụng RECP"
    assert e4["legal_source"] == {
        "instrument": "Decree 35/2022/ND-CP",
        "article": "Art. 37(2) (point c by order; lettering inferred)",
        "instrument_vi": "Nghị định 35/2022/NĐ-CP",
        "article_vi": "Điều 37 khoản 2 (điểm c theo thứ tự; ký hiệu điểm là suy ra)",
    }
    assert e4["category"]["code"] == "ART37_2"
    assert e4["category"]["name_en"] == "Art. 37(2): enterprises in the park"
    assert e4["indicator"]["code"] == "VN35-EIP-E4"
    assert e4["indicator"]["formula"] == (
        "100 * share((cleaner_production_applied or resource_efficiency_applied) "
        "and recp_savings_demonstrated)"
    )
    assert e4["verification_status"] == "verified"
    env3 = rows["VN-C05-ENV3"]
    assert env3["threshold"] is None and env3["verification_status"] == "secondary"
    x1 = rows["VN35-EIP-X1"]
    assert (x1["rule"], x1["operator"], x1["indicator"], x1["verification_status"]) == (
        "none",
        None,
        None,
        "unverified",
    )
    e2 = rows["VN35-EIP-E2"]
    assert (e2["rule"], e2["threshold"]) == ("count", "1.000000")


def test_an_unknown_version_is_404_and_a_non_integer_version_is_400(client, personas):
    assert (
        api(client, personas.board, "frameworks/VN-2022/criteria/", version=99).status_code == 404
    )
    bad = api(client, personas.board, "frameworks/VN-2022/criteria/", version="two")
    assert bad.status_code == 400
    # Vietnamese first: the message is in the default language
    assert bad.json() == {
        "detail": "“two” không phải là số nguyên.",
        "code": "invalid",
        "errors": {"version": ["“two” không phải là số nguyên."]},
    }
    assert api(client, personas.board, "frameworks/VN-1999/criteria/").status_code == 404


def test_a_retired_framework_has_no_default_but_its_version_can_be_asked_for(client, personas):
    assert api(client, personas.board, "frameworks/VN-2018/criteria/").status_code == 404
    r = api(client, personas.board, "frameworks/VN-2018/criteria/", version=1)
    assert r.status_code == 200
    assert r.json()["status"] == "retired" and r.json()["count"] == 8


def test_drafts_are_visible_to_ministry_staff_only(client, personas):
    version_new_draft(version=FrameworkVersion.objects.get(framework__code="VN-2022", number=1))
    assert (
        api(client, personas.enterprise_a, "frameworks/VN-2022/criteria/", version=2).status_code
        == 404
    )
    client.logout()
    r = api(client, personas.ministry, "frameworks/VN-2022/criteria/", version=2)
    assert r.status_code == 200 and r.json()["status"] == "draft" and r.json()["count"] == 42
    # The default stays the published version while a draft is being edited.
    assert api(client, personas.ministry, "frameworks/VN-2022/criteria/").json()["version"] == 1


def test_anonymous_requests_are_refused(client, catalogue):
    for path in ("frameworks/", "frameworks/VN-2022/", "frameworks/VN-2022/criteria/"):
        assert client.get(f"/api/v1/{path}").status_code in (401, 403)


def test_the_endpoints_are_in_the_openapi_schema(client, personas):
    r = api(client, personas.board, "schema/", format="json")
    assert r.status_code == 200
    paths = r.json()["paths"]
    assert "/api/v1/frameworks/" in paths and "/api/v1/frameworks/{code}/" in paths
    criteria = paths["/api/v1/frameworks/{code}/criteria/"]["get"]
    assert [p["name"] for p in criteria["parameters"] if p["in"] == "query"] == ["version"]


def test_the_criteria_endpoint_uses_a_constant_number_of_queries(
    client, personas, django_assert_max_num_queries
):
    client.login(username=personas.board.username, password=PASSWORD)
    with django_assert_max_num_queries(8):
        assert client.get("/api/v1/frameworks/VN-2022/criteria/").status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get("/api/v1/frameworks/").status_code == 200
