"""Report codes (surveys/codes.py): a park's response carries forms A.4 and A.5
(``EZ_A4_<id>``, ``EZ_A5_<id>``), an enterprise's B.4 and B.5; both codes show in the inbox,
on the response page and in the API, and a search by either finds the response, within the
searcher's scope only."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from surveys.codes import filter_by_code, parse_report_code, report_code, response_codes
from surveys.models import Response

from ..conftest import PASSWORD


@pytest.fixture
def amata(personas, campaign_2025):
    return Response.objects.get(
        campaign=campaign_2025, park=personas.catalogue.amata, enterprise__isnull=True
    )


@pytest.fixture
def ent_a(personas, campaign_2025):
    return Response.objects.get(campaign=campaign_2025, enterprise=personas.ent_a)


def test_a_park_response_carries_a4_and_a5_and_an_enterprise_response_b4_and_b5(amata, ent_a):
    assert response_codes(amata) == [f"EZ_A4_{amata.pk}", f"EZ_A5_{amata.pk}"]
    assert response_codes(ent_a) == [f"EZ_B4_{ent_a.pk}", f"EZ_B5_{ent_a.pk}"]
    assert report_code(amata, "A.5") == f"EZ_A5_{amata.pk}"
    with pytest.raises(ValueError):
        report_code(amata, "B4")


def test_codes_are_read_as_people_type_them():
    assert parse_report_code("EZ_A4_17") == ("A4", 17)
    assert parse_report_code(" ez-b5-9 ") == ("B5", 9)
    assert parse_report_code("EZ A5 120") == ("A5", 120)
    for text in ("EZ_C4_1", "A4_17", "EZ_A4_", "Amata", ""):
        assert parse_report_code(text) is None


def test_either_code_finds_the_response_and_a_code_of_the_other_subject_finds_nothing(amata, ent_a):
    everything = Response.objects.all()
    for code in response_codes(amata):
        assert list(filter_by_code(everything, code)) == [amata]
    assert list(filter_by_code(everything, f"ez_b5_{ent_a.pk}")) == [ent_a]
    assert not filter_by_code(everything, f"EZ_B4_{amata.pk}").exists()
    assert not filter_by_code(everything, f"EZ_A4_{ent_a.pk}").exists()


def test_the_park_manager_finds_a_tenants_report_by_code_in_the_inbox(
    client, personas, amata, ent_a
):
    assert client.login(username=personas.park_manager.username, password=PASSWORD)
    client.cookies["django_language"] = "en"
    html = client.get(reverse("surveys:responses"), {"q": f"EZ_B5_{ent_a.pk}"}).content.decode()
    found = html[html.index('id="inbox-found"') :]
    found = found[: found.index("</table>")]
    assert f'data-response="{ent_a.pk}"' in found and found.count("data-response=") == 1
    assert f"EZ_B4_{ent_a.pk}</code> · <code" in found
    # its own report's codes in its due list
    assert f'<code class="report-code">EZ_A4_{amata.pk}</code>' in html
    # by name
    html = client.get(reverse("surveys:responses"), {"q": "enterprise b"}).content.decode()
    assert "Enterprise B (test)" in html[html.index('id="inbox-found"') :]


def test_enterprise_a_does_not_find_another_subjects_report_by_its_code(client, personas, amata):
    assert client.login(username=personas.enterprise_a.username, password=PASSWORD)
    client.cookies["django_language"] = "en"
    html = client.get(reverse("surveys:responses"), {"q": f"EZ_A4_{amata.pk}"}).content.decode()
    assert 'id="found-none"' in html and 'id="inbox-found"' not in html


def test_the_response_page_shows_both_codes(client, personas, amata):
    assert client.login(username=personas.board.username, password=PASSWORD)
    html = client.get(reverse("surveys:response", args=[amata.pk])).content.decode()
    assert (
        f'<dd id="report-codes"><code class="report-code">EZ_A4_{amata.pk}</code> · '
        f'<code class="report-code">EZ_A5_{amata.pk}</code></dd>'
    ) in html


def test_the_api_gives_code_and_codes_and_filters_by_either(personas, amata, ent_a):
    api = APIClient()
    api.force_authenticate(personas.park_manager)
    body = api.get(f"/api/v1/responses/{amata.pk}/").json()
    assert (body["code"], body["codes"]) == (
        f"EZ_A4_{amata.pk}",
        [f"EZ_A4_{amata.pk}", f"EZ_A5_{amata.pk}"],
    )
    found = api.get("/api/v1/responses/", {"code": f"EZ_B5_{ent_a.pk}"}).json()
    rows = found["results"] if isinstance(found, dict) else found
    assert [(r["id"], r["code"]) for r in rows] == [(ent_a.pk, f"EZ_B4_{ent_a.pk}")]
    rows = api.get("/api/v1/responses/", {"code": f"EZ_A4_{ent_a.pk}"}).json()
    assert (rows["results"] if isinstance(rows, dict) else rows) == []
    # outside the caller's scope: enterprise A does not find Amata's park report
    api.force_authenticate(personas.enterprise_a)
    rows = api.get("/api/v1/responses/", {"code": f"EZ_A5_{amata.pk}"}).json()
    assert (rows["results"] if isinstance(rows, dict) else rows) == []
