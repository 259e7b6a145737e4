"""Reporting rates worked by hand (surveys/periods.py, surveys.selectors.reporting_rates).

A campaign open 01/04/2026–30/06/2026 for Amata (Đồng Nai: its park response, enterprises
A, B and D) and Đình Vũ (Hải Phòng: its park response, enterprise C), six reports:

- on time (3): Amata's park report, A and C, submitted on 15/06/2026;
- late (1): B, granted an extension to 15/07/2026 and submitted on 05/07/2026 (5 days late);
- not submitted (2): Đình Vũ's park report and D.

Nationally 3/6 = 50.0 %, 1/6 = 16.7 %, 2/6 = 33.3 %. Đồng Nai (4 reports): 2/4 = 50.0 %,
1/4 = 25.0 %, 1/4 = 25.0 %, so 75 % submitted; Hải Phòng (2): 1/2 = 50.0 %, 0, 1/2 = 50.0 %,
so 50 % submitted: Hải Phòng has the lowest rate and is listed first.
"""

from __future__ import annotations

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.urls import reverse
from freezegun import freeze_time
from rest_framework.test import APIClient

from dashboards import stamps
from enterprises.models import Enterprise, Role
from surveys.models import Response
from surveys.services import campaign_open, response_extend, response_submit

from ..conftest import PASSWORD, make_user, run_pending_on_commit

HCM = ZoneInfo("Asia/Ho_Chi_Minh")


def on(month: int, day: int):
    return freeze_time(datetime.datetime(2026, month, day, 10, tzinfo=HCM))


@pytest.fixture
def world(personas):
    """The campaign of the module docstring, with its six reports as described."""
    c = personas.catalogue
    ent_d = Enterprise.objects.create(
        name="Enterprise D (test)", tax_code="0301000003", park=c.amata
    )
    personas.ent_d = ent_d
    personas.enterprise_d = make_user("t-ent-d", Role.ENTERPRISE, enterprise=ent_d)
    campaign = campaign_open(
        name="Rates 2025",
        period=2025,
        framework_version=c.vn2022,
        opens_on=datetime.date(2026, 4, 1),
        closes_on=datetime.date(2026, 6, 30),
        parks=[c.amata, c.dinh_vu],
    )

    def response(enterprise=None, park=None):
        if enterprise is not None:
            return Response.objects.get(campaign=campaign, enterprise=enterprise)
        return Response.objects.get(campaign=campaign, park=park, enterprise__isnull=True)

    with on(6, 15):
        response_submit(response=response(park=c.amata), user=personas.park_manager)
        response_submit(response=response(personas.ent_a), user=personas.enterprise_a)
        response_submit(response=response(personas.ent_c), user=personas.other_enterprise)
    b = response(personas.ent_b)
    with on(7, 2):
        response_extend(
            response=b, user=personas.board, until=datetime.date(2026, 7, 15), reason="Asked."
        )
    with on(7, 5):
        response_submit(response=b, user=personas.enterprise_b)
    personas.campaign = campaign
    personas.response = response
    return personas


def page(client, user, url, campaign) -> str:
    assert client.login(username=user.username, password=PASSWORD)
    client.cookies["django_language"] = "en"
    reply = client.get(url, {"campaign": campaign.pk})
    assert reply.status_code == 200
    return reply.content.decode()


def figure(html: str, name: str) -> str:
    """The big figure with id ``rate-<name>``."""
    return re.search(rf'id="rate-{name}">([^<]*)<', html).group(1)


def rows(html: str, table: str, attr: str) -> list[tuple[str, list[str]]]:
    """``[(data-<attr>, [cell texts])]`` of the table with id ``table``, in order."""
    body = re.search(rf'<table[^>]*id="{table}".*?</table>', html, flags=re.S).group(0)
    out = []
    for key, cells in re.findall(rf'<tr {attr}="([^"]+)">(.*?)</tr>', body, flags=re.S):
        texts = [
            " ".join(re.sub(r"<[^>]+>", " ", c).split())
            for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", cells, flags=re.S)
        ]
        out.append((key, texts))
    return out


def test_the_late_report_records_how_many_days_after_the_close_it_came(world):
    late = world.response(world.ent_b)
    assert (late.days_late, late.due_on) == (5, datetime.date(2026, 7, 15))
    assert [world.response(e).days_late for e in (world.ent_a, world.ent_c)] == [0, 0]
    assert world.response(world.ent_d).days_late is None


def test_the_ministry_sees_50_16_7_and_33_3_percent_and_the_lowest_province_first(client, world):
    html = page(client, world.ministry, reverse("dashboards:national"), world.campaign)
    assert (figure(html, "on-time"), figure(html, "late"), figure(html, "missing")) == (
        "50.0 %",
        "16.7 %",
        "33.3 %",
    )
    assert "on time (3 of 6)" in html and "late (1 of 6)" in html
    assert "not submitted (2 of 6)" in html
    assert rows(html, "reporting-provinces", "data-province") == [
        ("31", ["Hải Phòng", "2", "1 (50.0 %)", "0 (0.0 %)", "1 (50.0 %)"]),
        ("75", ["Đồng Nai", "4", "2 (50.0 %)", "1 (25.0 %)", "1 (25.0 %)"]),
    ]


def test_the_board_and_the_park_manager_see_their_four_reports(client, world):
    province = page(
        client,
        world.board,
        reverse("dashboards:province", args=[world.catalogue.dong_nai.code]),
        world.campaign,
    )
    assert (figure(province, "on-time"), figure(province, "late"), figure(province, "missing")) == (
        "50.0 %",
        "25.0 %",
        "25.0 %",
    )
    amata = world.catalogue.amata
    assert rows(province, "reporting-parks", "data-park") == [
        (
            str(amata.pk),
            ["Amata City Bien Hoa Industrial Park", "4", "2 (50.0 %)", "1 (25.0 %)", "1 (25.0 %)"],
        )
    ]
    client.logout()
    park = page(
        client, world.park_manager, reverse("dashboards:park", args=[amata.pk]), world.campaign
    )
    assert (figure(park, "on-time"), figure(park, "late"), figure(park, "missing")) == (
        "50.0 %",
        "25.0 %",
        "25.0 %",
    )


def test_the_vietnamese_page_writes_the_shares_with_a_decimal_comma(client, world):
    assert client.login(username=world.ministry.username, password=PASSWORD)
    client.cookies["django_language"] = "vi"
    html = client.get(
        reverse("dashboards:national"), {"campaign": world.campaign.pk}
    ).content.decode()
    assert (figure(html, "on-time"), figure(html, "late"), figure(html, "missing")) == (
        "50,0 %",
        "16,7 %",
        "33,3 %",
    )
    assert "đúng hạn (3 trên 6)" in html


def test_an_enterprise_sees_no_reporting_rate_of_its_park(client, world):
    html = page(
        client,
        world.enterprise_a,
        reverse("dashboards:park", args=[world.catalogue.amata.pk]),
        world.campaign,
    )
    assert 'id="reporting"' not in html


def test_the_api_carries_the_same_figures_in_each_callers_scope(world):
    api = APIClient()
    api.force_authenticate(world.ministry)
    body = api.get(f"/api/v1/campaigns/{world.campaign.pk}/reporting/").json()
    assert body["total"] == {
        "expected": 6,
        "on_time": 3,
        "late": 1,
        "not_submitted": 2,
        "on_time_share": 50.0,
        "late_share": 16.7,
        "not_submitted_share": 33.3,
        "submitted_share": 66.7,
    }
    assert [(p["province"], p["expected"], p["submitted_share"]) for p in body["provinces"]] == [
        ("31", 2, 50.0),
        ("75", 4, 75.0),
    ]
    api.force_authenticate(world.park_manager)
    body = api.get(f"/api/v1/campaigns/{world.campaign.pk}/reporting/").json()
    assert body["total"]["expected"] == 4
    assert (body["total"]["on_time_share"], body["total"]["late_share"]) == (50.0, 25.0)
    assert [p["park"] for p in body["parks"]] == [world.catalogue.amata.pk]
    api.force_authenticate(world.other_board)  # Hải Phòng's board: its park and C
    body = api.get(f"/api/v1/campaigns/{world.campaign.pk}/reporting/").json()
    assert (body["total"]["expected"], body["total"]["on_time"]) == (2, 1)


def test_a_cached_dashboard_follows_an_extension_and_a_late_submission(
    client, world, django_capture_on_commit_callbacks
):
    url = reverse("dashboards:national")
    html = page(client, world.ministry, url, world.campaign)  # the body is now cached
    assert figure(html, "missing") == "33.3 %"
    d = world.response(world.ent_d)
    while connection.run_on_commit:  # the fixture's changes (and the recomputes they ran)
        run_pending_on_commit()  # are committed
    before = stamps.current()
    with on(7, 2), django_capture_on_commit_callbacks(execute=True):
        response_extend(
            response=d, user=world.board, until=datetime.date(2026, 7, 20), reason="Asked."
        )
    assert stamps.current() > before  # an extension moves the dashboards' cache stamp
    with on(7, 10), django_capture_on_commit_callbacks(execute=True):
        response_submit(response=d, user=world.enterprise_d)
    html = client.get(url, {"campaign": world.campaign.pk}).content.decode()
    assert (figure(html, "on-time"), figure(html, "late"), figure(html, "missing")) == (
        "50.0 %",
        "33.3 %",
        "16.7 %",
    )
