"""Dashboard pages: national, province, park and enterprise views.

Numbers on the pages are those of the snapshots the tests store (worked out by hand below) or
of a real recompute of answers the tests give. Query counts are compared between 5 and 100
parks and between 5 and 200 enterprises.
"""

from __future__ import annotations

import datetime
import gzip
import re
from decimal import Decimal

import pytest
from django.contrib import messages
from django.contrib.messages.storage import default_storage
from django.db import connection, transaction
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from dashboards import stamps
from dashboards.models import CriterionResult, ScoreSnapshot
from dashboards.selectors import benchmark_of, histogram_bins
from dashboards.services import park_recompute
from demo.demo import demo_tax_code
from enterprises.models import Enterprise, Park, Province, Role, Sector
from indicators.models import Criterion, DataElement
from surveys.forms import AnswerValue
from surveys.models import Answer, Campaign, Response
from surveys.services import response_elements, response_save_answers, response_submit

from ..conftest import PASSWORD, clear_caches, make_user, open_dates, run_pending_on_commit


def login(client, user, lang: str | None = None):
    assert client.login(username=user.username, password=PASSWORD)
    if lang:
        client.cookies["django_language"] = lang
    return client


def text_of(response) -> str:
    """The page as text with tags removed and whitespace collapsed."""
    html = response.content.decode()
    html = re.sub(r"<script.*?</script>", " ", html, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def row_of(response, attr: str, value) -> str:
    """The text of the table row carrying ``attr="value"``."""
    html = response.content.decode()
    m = re.search(rf'<tr {attr}="{value}">(.*?)</tr>', html, flags=re.S)
    assert m, f"no row {attr}={value}"
    return " ".join(re.sub(r"<[^>]+>", " ", m.group(1)).split())


def make_campaign(version, period: int, name: str | None = None) -> Campaign:
    return Campaign.objects.create(
        name=name or f"Campaign {period} (test)",
        period=period,
        framework_version=version,
        scope=Campaign.Scope.PARKS,
        opens_on=datetime.date(period + 1, 1, 1),
        closes_on=datetime.date(period + 1, 3, 31),
    )


def add_responses(campaign, parks, enterprises=(), status="draft"):
    Response.objects.bulk_create(
        [Response(campaign=campaign, park=p, status=status) for p in parks]
        + [Response(campaign=campaign, park_id=e.park_id, enterprise=e) for e in enterprises]
    )


def make_snapshot(
    campaign,
    park,
    *,
    index,
    met,
    applicable,
    enterprise=None,
    mandatory=(0, 0),
    eligible=False,
    reported=None,
    population=None,
    states=None,
):
    """A snapshot as the recompute would store it, with ``states`` {criterion code: (state,
    value, gap)}."""
    snap = ScoreSnapshot.objects.create(
        campaign=campaign,
        framework_version=campaign.framework_version,
        park=park,
        enterprise=enterprise,
        computed_at=timezone.now(),
        fingerprint="test",
        index=None if index is None else Decimal(str(index)),
        criteria_met=met,
        criteria_applicable=applicable,
        mandatory_met=mandatory[0],
        mandatory_total=mandatory[1],
        eligible=eligible,
        reported=reported,
        population=population,
    )
    for code, (state, value, gap) in (states or {}).items():
        CriterionResult.objects.create(
            snapshot=snap,
            criterion=Criterion.objects.get(version=campaign.framework_version, code=code),
            state=state,
            value=value,
            gap=gap,
        )
    return snap


def set_answers(response, values: dict) -> None:
    """Store answers as the form would (yes/no as booleans, numbers in canonical units)."""
    version = response.campaign.framework_version
    for code, value in values.items():
        element = DataElement.objects.get(version=version, code=code)
        defaults = {"raw": str(value)}
        if isinstance(value, bool):
            defaults.update(value_bool=value, raw="")
        else:
            defaults.update(value_number=Decimal(str(value)))
        Answer.objects.update_or_create(response=response, data_element=element, defaults=defaults)


def score(campaign, park, values: dict, *, enterprise_values: dict | None = None) -> None:
    """Answer and submit the park's response (and its tenants'), then recompute."""
    response = Response.objects.get(campaign=campaign, park=park, enterprise__isnull=True)
    set_answers(response, values)
    Response.objects.filter(pk=response.pk).update(status=Response.Status.SUBMITTED)
    for ent, ent_values in (enterprise_values or {}).items():
        r = Response.objects.get(campaign=campaign, enterprise=ent)
        set_answers(r, ent_values)
        Response.objects.filter(pk=r.pk).update(status=Response.Status.SUBMITTED)
    park_recompute(campaign_id=campaign.pk, park_id=park.pk)


@pytest.fixture
def two_periods(personas):
    """Campaigns 2024 and 2025 (VN-2022 v1) for Amata and Đình Vũ, with snapshots:

    Amata 2024 index 40.00; 2025 index 55.50, 5/9 met, mandatory 3/8, not eligible, 2 of 3
    enterprises reported. Đình Vũ 2025 index 80.00, 8/10 met, eligible, no earlier result.
    """
    c = personas.catalogue
    c2024 = make_campaign(c.vn2022, 2024)
    c2025 = make_campaign(c.vn2022, 2025)
    for camp in (c2024, c2025):
        add_responses(camp, [c.amata, c.dinh_vu], [personas.ent_a, personas.ent_b, personas.ent_c])
    make_snapshot(c2024, c.amata, index=40, met=4, applicable=10)
    make_snapshot(
        c2025,
        c.amata,
        index="55.50",
        met=5,
        applicable=9,
        mandatory=(3, 8),
        reported=2,
        population=3,
        states={"VN35-EIP-E2": ("not_met", 0.0, 1.0), "VN35-EIP-I2": ("met", 1.0, None)},
    )
    make_snapshot(c2025, c.dinh_vu, index=80, met=8, applicable=10, mandatory=(8, 8), eligible=True)
    return c2024, c2025


# --- pure helpers ----------------------------------------------------------------------------


def test_histogram_puts_each_index_in_its_ten_point_band_and_100_in_the_last():
    bins = histogram_bins([0, 9.99, 10, 55.5, 100])
    assert [b.parks for b in bins] == [2, 1, 0, 0, 0, 1, 0, 0, 0, 1]
    assert bins[0].label == "0–10" and bins[9].label == "90–100"


def test_benchmark_percentile_is_the_mean_rank_of_the_index_in_its_group():
    # group 10, 20, 30 with own 20: 1 below, 2 at or below → 100 * (1 + 2) / (2 * 3) = 50
    b = benchmark_of(group="park", name="x", own=20.0, indices=[10.0, 20.0, 30.0])
    assert (b.withheld, b.size, b.percentile, b.median) == (False, 3, 50.0, 20.0)
    # own 30 of 10, 20, 30, 40: 2 below, 3 at or below → 100 * 5 / 8 = 62.5; median 25
    b = benchmark_of(group="park", name="x", own=30.0, indices=[10.0, 20.0, 30.0, 40.0])
    assert (b.percentile, b.median) == (62.5, 25.0)


def test_a_benchmark_group_of_two_enterprises_is_withheld_with_no_figures():
    b = benchmark_of(group="sector", name="x", own=50.0, indices=[50.0, 70.0])
    assert b.withheld and b.reason == "small_group"
    assert b.percentile is None and b.median is None


# --- home and permissions --------------------------------------------------------------------


@pytest.mark.parametrize(
    "persona, target",
    [
        ("ministry", lambda p: reverse("dashboards:national")),
        ("board", lambda p: reverse("dashboards:province", args=[p.catalogue.dong_nai.code])),
        ("park_manager", lambda p: reverse("dashboards:park", args=[p.catalogue.amata.pk])),
        ("enterprise_a", lambda p: reverse("dashboards:enterprise", args=[p.ent_a.pk])),
    ],
)
def test_home_sends_each_role_to_its_own_dashboard(client, personas, persona, target):
    login(client, getattr(personas, persona))
    r = client.get(reverse("home"))
    assert r.status_code == 302 and r["Location"] == target(personas)


@pytest.mark.parametrize("persona", ["board", "park_manager", "enterprise_a"])
def test_national_dashboard_and_its_export_are_for_the_ministry_only(
    client, personas, two_periods, persona
):
    login(client, getattr(personas, persona))
    assert client.get(reverse("dashboards:national")).status_code == 404
    assert client.get(reverse("dashboards:national-export")).status_code == 404


def test_province_dashboard_is_for_its_board_and_the_ministry_only(client, personas, two_periods):
    dong_nai = personas.catalogue.dong_nai.code
    url = reverse("dashboards:province", args=[dong_nai])
    for persona, status in [
        ("board", 200),
        ("ministry", 200),
        ("other_board", 404),
        ("park_manager", 404),
        ("enterprise_a", 404),
    ]:
        login(client, getattr(personas, persona))
        assert client.get(url).status_code == status, persona
        assert client.get(reverse("dashboards:province-export", args=[dong_nai])).status_code == (
            status
        )
        client.logout()


def test_enterprise_page_is_refused_outside_the_scope(client, personas, two_periods):
    url = reverse("dashboards:enterprise", args=[personas.ent_b.pk])
    for persona, status in [
        ("enterprise_a", 404),  # a neighbour
        ("other_enterprise", 404),
        ("other_board", 404),
        ("enterprise_b", 200),
        ("park_manager", 200),
        ("board", 200),
        ("ministry", 200),
    ]:
        login(client, getattr(personas, persona))
        assert client.get(url).status_code == status, persona
        client.logout()


def test_an_unknown_or_malformed_campaign_is_named_and_the_newest_is_shown(
    client, personas, two_periods
):
    c2024, c2025 = two_periods
    amata = personas.catalogue.amata
    login(client, personas.park_manager, lang="en")
    url = reverse("dashboards:park", args=[amata.pk])
    for bad in ("abc", "999999", "-5"):
        r = client.get(url, {"campaign": bad})
        assert r.status_code == 200
        html = r.content.decode()
        assert f"Campaign: “{bad}” is not a campaign of this page; the newest one is shown." in html
        assert 'id="park-index">55.5<' in html  # 2025, the newest
    assert 'id="campaign-error"' not in client.get(url, {"campaign": c2024.pk}).content.decode()
    login(client, personas.enterprise_a, lang="en")
    r = client.get(reverse("dashboards:enterprise", args=[personas.ent_a.pk]), {"campaign": "x1"})
    assert r.status_code == 200 and "Campaign: “x1” is not a campaign" in r.content.decode()


def test_an_export_with_a_bad_filter_is_refused_with_the_field_named(client, personas, two_periods):
    c2024, c2025 = two_periods
    amata = personas.catalogue.amata
    login(client, personas.park_manager, lang="en")
    r = client.get(reverse("dashboards:park-export", args=[amata.pk]), {"campaign": "abc"})
    assert r.status_code == 400 and r["Content-Type"].startswith("text/html")
    assert "Campaign: “abc” is not a campaign of this page" in r.content.decode()
    r = client.get(reverse("dashboards:park-report", args=[amata.pk]), {"campaign": "999999"})
    assert r.status_code == 400
    ok = client.get(reverse("dashboards:park-export", args=[amata.pk]), {"campaign": c2024.pk})
    assert ok.status_code == 200 and ok["Content-Type"].startswith("application/vnd.openxml")
    login(client, personas.ministry, lang="en")
    r = client.get(reverse("dashboards:national-export"), {"province": "XX"})
    assert r.status_code == 400
    assert "Province: Select a valid choice. XX is not one of the available choices." in (
        r.content.decode()
    )
    r = client.get(reverse("dashboards:national-export"), {"campaign": "abc"})
    assert r.status_code == 400 and "Campaign:" in r.content.decode()
    assert client.get(reverse("dashboards:national-export")).status_code == 200


# --- national and province -------------------------------------------------------------------


def test_national_table_shows_each_parks_snapshot_trend_and_coverage(client, personas, two_periods):
    login(client, personas.ministry, lang="en")
    r = client.get(reverse("dashboards:national"), {"page": "all"})
    assert r.status_code == 200
    amata = row_of(r, "data-park", personas.catalogue.amata.pk)
    # index 55.50; 5 of 9 met; not eligible; +15.5 since 2024 (55.50 - 40.00); 2 of 3 reported
    assert "55.5" in amata and "5/9" in amata and " no " in f" {amata} "
    assert "+15.5" in amata and "since 2024" in amata and "2/3" in amata
    dinh_vu = row_of(r, "data-park", personas.catalogue.dinh_vu.pk)
    assert "80.0" in dinh_vu and "8/10" in dinh_vu and " yes " in f" {dinh_vu} "
    assert "first result" in dinh_vu
    html = r.content.decode()
    assert 'id="count-eligible">1<' in html and 'id="count-results">2<' in html
    assert "© OpenStreetMap contributors (ODbL)" in html
    assert 'id="map-figure"' in html and 'id="histogram-figure"' in html


def test_the_national_page_leads_the_ministry_to_recompute_the_campaign_shown(
    client, personas, two_periods
):
    c2024, c2025 = two_periods
    login(client, personas.ministry, lang="en")
    newest = client.get(reverse("dashboards:national")).content.decode()
    assert f'href="{reverse("dashboards:campaign-recompute", args=[c2025.pk])}"' in newest
    earlier = client.get(reverse("dashboards:national"), {"campaign": c2024.pk}).content.decode()
    assert f'href="{reverse("dashboards:campaign-recompute", args=[c2024.pk])}"' in earlier
    # a provincial board's page shows the same table, without the ministry's action
    login(client, personas.board, lang="en")
    province = reverse("dashboards:province", args=[personas.catalogue.dong_nai.code])
    assert 'id="recompute-link"' not in client.get(province).content.decode()


def test_national_numbers_follow_the_vietnamese_locale_by_default(client, personas, two_periods):
    login(client, personas.ministry)
    amata = row_of(
        client.get(reverse("dashboards:national")), "data-park", personas.catalogue.amata.pk
    )
    assert "55,5" in amata and "+15,5" in amata


def test_province_summary_and_histogram_count_the_listed_parks(client, personas, two_periods):
    login(client, personas.ministry, lang="en")
    r = client.get(reverse("dashboards:national"))
    dong_nai = row_of(r, "data-province", personas.catalogue.dong_nai.code)
    parks_in_dong_nai = Park.objects.filter(province=personas.catalogue.dong_nai).count()
    # Đồng Nai: all its parks listed, Amata in the campaign with a result (mean 55.5),
    # none eligible, 2 of 3 enterprises reported
    assert dong_nai.split()[:2] == ["Đồng", "Nai"]
    assert f"Nai {parks_in_dong_nai} 1 1 55.5 0 0 2/3" in dong_nai
    html = r.content.decode()
    hist = re.search(r'<table class="data" id="histogram-table">(.*?)</table>', html, re.S).group(1)
    counts = re.findall(r'<th scope="row">(\d+)–(\d+)</th><td class="num">(\d+)</td>', hist)
    by_band = {int(lo): int(n) for lo, _hi, n in counts}
    assert by_band[50] == 1 and by_band[80] == 1 and sum(by_band.values()) == 2


def test_national_filters_restrict_the_parks_and_report_bad_values(client, personas, two_periods):
    login(client, personas.ministry, lang="en")
    hp = personas.catalogue.hai_phong
    r = client.get(reverse("dashboards:national"), {"province": hp.code})
    listed = set(map(int, re.findall(r'<tr data-park="(\d+)">', r.content.decode())))
    assert listed == set(Park.objects.filter(province=hp).values_list("pk", flat=True))
    assert personas.catalogue.dinh_vu.pk in listed

    pilots = set(Park.objects.filter(eip_pilot=True).values_list("pk", flat=True))
    r = client.get(reverse("dashboards:national"), {"pilot": "yes", "page": "all"})
    assert set(map(int, re.findall(r'<tr data-park="(\d+)">', r.content.decode()))) == pilots

    r = client.get(
        reverse("dashboards:national"), {"province": "99", "kind": "spaceport", "page": "all"}
    )
    assert r.status_code == 200
    text = text_of(r)
    assert "Province: Select a valid choice" in text and "Kind: Select a valid choice" in text
    everything = re.findall(r'<tr data-park="(\d+)">', r.content.decode())
    assert len(everything) == Park.objects.count()  # bad filters are ignored, not guessed


def test_board_sees_the_responses_waiting_for_its_approval(client, personas, two_periods):
    c2024, c2025 = two_periods
    amata = Response.objects.get(campaign=c2025, park=personas.catalogue.amata, enterprise=None)
    Response.objects.filter(pk=amata.pk).update(
        status=Response.Status.SUBMITTED, submitted_at=timezone.now()
    )
    Response.objects.filter(campaign=c2025, park=personas.catalogue.dinh_vu).update(
        status=Response.Status.SUBMITTED, submitted_at=timezone.now()
    )  # Hải Phòng: not this board's
    Response.objects.filter(campaign=c2024, park=personas.catalogue.amata).update(
        status=Response.Status.APPROVED
    )
    login(client, personas.board, lang="en")
    r = client.get(reverse("dashboards:province", args=[personas.catalogue.dong_nai.code]))
    html = r.content.decode()
    waiting = re.search(r'id="waiting-table">(.*?)</table>', html, re.S).group(1)
    assert reverse("surveys:response", args=[amata.pk]) in waiting
    assert waiting.count("<tr>") == 2  # header + Amata 2025 only
    assert "Khu công nghiệp Đình Vũ" not in html and "Dinh Vu" not in html
    listed = set(map(int, re.findall(r'<tr data-park="(\d+)">', html)))
    assert listed == set(
        Park.objects.filter(province=personas.catalogue.dong_nai).values_list("pk", flat=True)
    )


# --- park ------------------------------------------------------------------------------------


@pytest.fixture
def amata_scored(personas, campaign_2025):
    """Amata 2025 scored for real: basic services yes (I2 met), developer compliant yes
    (I1 no data: 2023 and 2024 missing), 0 symbioses (E2 not met, gap 1), I3 unanswered."""
    c = personas.catalogue
    score(
        campaign_2025,
        c.amata,
        {"basic_services_provided": True, "developer_compliant": True, "symbioses_operating": 0},
        enterprise_values={
            personas.ent_a: {"compliant": True, "cleaner_production_applied": True},
        },
    )
    return campaign_2025


def test_park_page_shows_value_threshold_gap_and_the_path_to_certification(
    client, personas, amata_scored
):
    login(client, personas.park_manager, lang="en")
    r = client.get(reverse("dashboards:park", args=[personas.catalogue.amata.pk]))
    assert r.status_code == 200
    e2 = row_of(r, "data-code", "VN35-EIP-E2")
    assert "≥ 1" in e2 and "not met" in e2 and "Decree 35/2022/ND-CP, Art. 37(2)(b)" in e2
    assert re.search(r"not met\s+1\s", e2)  # the gap: 1 - 0
    assert "research: verified" in e2
    html = r.content.decode()
    path = re.search(r'<ol class="path" id="path-list">(.*?)</ol>', html, re.S).group(1)
    assert "Current value 0; required ≥ 1. Gap: 1." in path
    assert (
        "A coordinated mechanism monitors the park&#x27;s inputs and outputs of materials, water, "
        "energy, chemicals, waste and scrap" in path
    )  # I3: which data element is unanswered
    assert "(missing for 2023, 2024)" in path  # I1: the 3-year look-back
    assert 'data-code="VN35-EIP-I2"' not in path  # met: not on the path
    snap = ScoreSnapshot.objects.get(
        campaign=amata_scored, park=personas.catalogue.amata, enterprise=None
    )
    assert f'id="park-met">{snap.criteria_met}/{snap.criteria_applicable}<' in html
    assert f'id="park-mandatory">{snap.mandatory_met}/{snap.mandatory_total}<' in html
    assert 'id="category-figure"' in html and 'id="trend-figure"' in html


def test_park_page_gives_the_state_history_and_index_trend_over_periods(
    client, personas, two_periods
):
    c2024, c2025 = two_periods
    amata = personas.catalogue.amata
    ScoreSnapshot.objects.filter(campaign=c2024, park=amata).delete()
    make_snapshot(
        c2024,
        amata,
        index=40,
        met=4,
        applicable=10,
        states={"VN35-EIP-E2": ("no_data", None, None)},
    )
    login(client, personas.park_manager, lang="en")
    r = client.get(reverse("dashboards:park", args=[amata.pk]), {"campaign": c2025.pk})
    html = r.content.decode()
    trend = re.search(r'id="trend-table">(.*?)</table>', html, re.S).group(1)
    rows = re.findall(r'<th scope="row">(\d{4})</th><td class="num">([\d.]+)</td>', trend)
    assert rows == [("2024", "40.0"), ("2025", "55.5")]
    history = re.search(r'id="history-table">(.*?)</table>', html, re.S).group(1)
    e2 = re.search(r"VN35-EIP-E2</code></th>(.*?)</tr>", history, re.S).group(1)
    assert re.findall(r'class="state (\w+)"', e2) == ["no_data", "not_met"]


def test_tenants_and_their_status_are_shown_to_the_park_manager_never_to_an_enterprise(
    client, personas, two_periods
):
    c2024, c2025 = two_periods
    amata = personas.catalogue.amata
    make_snapshot(
        c2025, amata, enterprise=personas.ent_a, index=100, met=5, applicable=5, eligible=True
    )
    make_snapshot(c2025, amata, enterprise=personas.ent_b, index=20, met=1, applicable=5)
    login(client, personas.park_manager, lang="en")
    r = client.get(reverse("dashboards:park", args=[amata.pk]), {"campaign": c2025.pk})
    tenants = re.search(r'id="tenants-table">(.*?)</table>', r.content.decode(), re.S).group(1)
    a = re.search(r"Enterprise A \(test\).*?</tr>", tenants, re.S).group(0)
    b = re.search(r"Enterprise B \(test\).*?</tr>", tenants, re.S).group(0)
    assert "100.0" in a and "5/5" in a and 'state met">yes' in a
    assert "20.0" in b and "1/5" in b and 'state not_met">not yet' in b
    client.logout()

    login(client, personas.enterprise_a, lang="en")
    r = client.get(reverse("dashboards:park", args=[amata.pk]), {"campaign": c2025.pk})
    assert r.status_code == 200
    html = r.content.decode()
    assert "tenants-table" not in html
    assert "Enterprise B (test)" not in html and "Enterprise A (test)" not in html
    # the park's documents follow one rule (enterprises/policy.py, report): not a tenant's
    assert client.get(reverse("dashboards:park-export", args=[amata.pk])).status_code == 403
    assert "park-export" not in html


# --- enterprise ------------------------------------------------------------------------------


@pytest.fixture
def sector_groups(personas, two_periods):
    """In 2025: Amata has 3 enterprises with an index (A 60, B 20, a third 90); A and B share
    VSIC division 13, which holds only those 2 enterprises — too few for a benchmark."""
    c2024, c2025 = two_periods
    amata = personas.catalogue.amata
    textiles = Sector.objects.get(edition="VSIC2018", code="13")
    food = Sector.objects.get(edition="VSIC2018", code="10")
    Enterprise.objects.filter(pk__in=[personas.ent_a.pk, personas.ent_b.pk]).update(sector=textiles)
    third = Enterprise.objects.create(
        name="Enterprise D (test)", tax_code=demo_tax_code(901), park=amata, sector=food
    )
    add_responses(c2025, [], [third])
    make_snapshot(
        c2025,
        amata,
        enterprise=personas.ent_a,
        index=60,
        met=3,
        applicable=5,
        states={"VN35-ENT-1": ("met", 1.0, None)},
    )
    make_snapshot(c2025, amata, enterprise=personas.ent_b, index=20, met=1, applicable=5)
    make_snapshot(c2025, amata, enterprise=third, index=90, met=4, applicable=5)
    return c2025


def test_enterprise_benchmark_gives_the_park_percentile_and_withholds_a_sector_of_two(
    client, personas, sector_groups
):
    login(client, personas.enterprise_a, lang="en")
    r = client.get(reverse("dashboards:enterprise", args=[personas.ent_a.pk]))
    assert r.status_code == 200
    park = row_of(r, "data-group", "park")
    # park group 20, 60, 90 with own 60: 100 * (1 + 2) / (2 * 3) = 50.0; median 60.0
    assert re.search(r"\b3 50\.0 60\.0\b", park)
    sector = row_of(r, "data-group", "sector")
    assert "withheld: fewer than 3 enterprises" in sector
    assert not re.search(r"\d+\.\d", sector.split("withheld")[1])
    html = r.content.decode()
    assert 'id="enterprise-index">60.0<' in html
    e1 = row_of(r, "data-code", "VN35-ENT-1")
    assert "met" in e1
    for other in ("Enterprise B (test)", "Enterprise D (test)", "Enterprise C (test)"):
        assert other not in html  # no other enterprise is named


def test_enterprise_export_withholds_the_small_group_too(client, personas, sector_groups):
    from io import BytesIO

    from openpyxl import load_workbook

    login(client, personas.enterprise_a, lang="en")
    r = client.get(reverse("dashboards:enterprise-export", args=[personas.ent_a.pk]))
    wb = load_workbook(BytesIO(r.content))
    rows = list(wb["Benchmark"].iter_rows(values_only=True))
    assert rows[1][1:4] == (3, 50.0, 60.0)
    assert rows[2][1:4] == (None, None, None) and rows[2][4] == "withheld: fewer than 3 enterprises"
    names = {c for ws in wb for row in ws.iter_rows(values_only=True) for c in row if c}
    assert "Enterprise B (test)" not in names and "Enterprise D (test)" not in names


# --- cache -----------------------------------------------------------------------------------


def test_a_cached_page_is_served_until_a_new_snapshot_lands(client, personas, two_periods):
    c2024, c2025 = two_periods
    amata = personas.catalogue.amata
    run_pending_on_commit()  # the fixtures' changes are committed
    login(client, personas.ministry, lang="en")
    url = reverse("dashboards:national")
    with CaptureQueriesContext(connection) as cold:
        assert "55.5" in row_of(client.get(url), "data-park", amata.pk)
    with CaptureQueriesContext(connection) as warm:
        assert "55.5" in row_of(client.get(url), "data-park", amata.pk)
    assert len(warm) < len(cold)  # served from the cache
    # the write side replaces the park's snapshots: once that commits, the next request shows
    # the new numbers
    before = stamps.current()
    ScoreSnapshot.objects.filter(campaign=c2025, park=amata).delete()
    make_snapshot(c2025, amata, index="61.20", met=6, applicable=9)
    assert stamps.current() == before  # nothing moves before the commit
    run_pending_on_commit()
    assert stamps.current() == before + 1  # several changes in one transaction: one increment
    assert "61.2" in row_of(client.get(url), "data-park", amata.pk)
    park_url = reverse("dashboards:park", args=[amata.pk])
    assert 'id="park-index">61.2<' in client.get(park_url).content.decode()


def test_a_session_gets_its_whole_page_from_the_cache_gzipped_when_accepted(
    client, personas, two_periods
):
    c2024, c2025 = two_periods
    amata = personas.catalogue.amata
    run_pending_on_commit()
    login(client, personas.park_manager, lang="en")
    url = reverse("dashboards:park", args=[amata.pk])
    first = client.get(url)  # renders, sets the CSRF cookie the page's forms carry
    assert first.status_code == 200 and "t-amata" in first.content.decode()
    with CaptureQueriesContext(connection) as cold:
        plain = client.get(url)  # the body is cached; the page is rendered around it
    with CaptureQueriesContext(connection) as warm:
        again = client.get(url)
    assert again.content == plain.content
    # served whole: the session, the user with its scope, the stamp with the scope check
    assert len(warm) == 3 < len(cold)
    assert 'id="park-index">55.5<' in again.content.decode()
    zipped = client.get(url, headers={"accept-encoding": "gzip, deflate, br"})
    assert zipped["Content-Encoding"] == "gzip" and "Accept-Encoding" in zipped["Vary"]
    assert gzip.decompress(zipped.content) == plain.content
    assert len(zipped.content) < len(plain.content) / 3
    # another person (another session and CSRF cookie) never gets this page
    other = Client()
    login(other, personas.board, lang="en")
    html = other.get(url).content.decode()
    assert "t-board" in html and "t-amata" not in html
    # outside the scope: 404 even though the page is cached for someone else
    outsider = Client()
    login(outsider, personas.other_board, lang="en")
    assert outsider.get(url).status_code == 404


def test_a_message_waiting_to_be_shown_is_never_hidden_by_a_cached_page(
    client, personas, two_periods
):
    run_pending_on_commit()
    login(client, personas.ministry, lang="en")
    url = reverse("dashboards:national")
    client.get(url)
    client.get(url)  # now cached for this session
    session = client.session
    request = RequestFactory().get(url)
    request.session = session
    storage = default_storage(request)
    storage.add(messages.SUCCESS, "Campaign 2026 opened (test)")
    response = HttpResponse()
    storage.update(response)
    session.save()
    client.cookies.update(response.cookies)
    assert "Campaign 2026 opened (test)" in client.get(url).content.decode()
    assert "Campaign 2026 opened (test)" not in client.get(url).content.decode()


def test_the_registers_panel_of_a_cached_park_page_follows_a_new_roadmap_action(
    client, personas, two_periods
):
    from registers.services import action_save

    amata = personas.catalogue.amata
    run_pending_on_commit()
    login(client, personas.park_manager, lang="en")
    url = reverse("dashboards:park", args=[amata.pk])
    client.get(url)
    assert "Broker a water exchange (test)" not in client.get(url).content.decode()  # cached
    action_save(
        user=personas.park_manager,
        park=amata,
        criterion=Criterion.objects.get(version=personas.catalogue.vn2022, code="VN35-EIP-E2"),
        owner=personas.park_manager,
        data={
            "title": "Broker a water exchange (test)",
            "target_date": timezone.localdate() + datetime.timedelta(days=30),
        },
    )
    run_pending_on_commit()  # committed: the stamp moves
    assert "Broker a water exchange (test)" in client.get(url).content.decode()


def test_the_cache_stamp_moves_after_commit_once_per_transaction(catalogue):
    run_pending_on_commit()  # the fixtures' changes are committed
    before = stamps.current()
    stamps.bump()
    stamps.bump()
    assert stamps.current() == before  # nothing moves before the commit
    run_pending_on_commit()
    assert stamps.current() == before + 1
    # a bump inside a savepoint that is rolled back counts for nothing ...
    with pytest.raises(RuntimeError), transaction.atomic():
        stamps.bump()
        raise RuntimeError("rolled back")
    run_pending_on_commit()
    assert stamps.current() == before + 1
    # ... and does not swallow a later bump of the enclosing transaction
    with pytest.raises(RuntimeError), transaction.atomic():
        stamps.bump()
        raise RuntimeError("rolled back")
    stamps.bump()
    run_pending_on_commit()
    assert stamps.current() == before + 2
    # a bump inside a released savepoint is the transaction's
    with transaction.atomic():
        stamps.bump()
    stamps.bump()
    run_pending_on_commit()
    assert stamps.current() == before + 3


def test_the_cache_stamp_follows_what_the_pages_show_not_autosaves(personas, two_periods):
    c2024, c2025 = two_periods
    Campaign.objects.filter(pk=c2025.pk).update(**open_dates())  # answers may be saved today
    amata = personas.catalogue.amata
    response = Response.objects.get(campaign=c2025, park=amata, enterprise__isnull=True)
    run_pending_on_commit()  # the fixtures' changes are committed
    element = next(
        e
        for e in response_elements(response)
        if e.value_type in (DataElement.ValueType.DECIMAL, DataElement.ValueType.INTEGER)
    )
    before = stamps.current()
    # an answer saved in a draft (autosave) leaves the cached pages alone
    response_save_answers(
        response=response,
        values={element: AnswerValue(number=Decimal("12"), raw="12")},
        user=personas.park_manager,
        expected_version=response.version,
    )
    run_pending_on_commit()
    assert stamps.current() == before
    # submitting it changes the status the pages show, marks the park stale and (eager
    # Celery, after commit) recomputes it: the stamp moves
    response_submit(response=Response.objects.get(pk=response.pk), user=personas.park_manager)
    assert stamps.current() == before
    run_pending_on_commit()
    after_submit = stamps.current()
    assert after_submit == before + 1
    # a recompute that writes a snapshot moves it again
    park_recompute(campaign_id=c2025.pk, park_id=amata.pk, force=True)
    run_pending_on_commit()
    assert stamps.current() == after_submit + 1
    # so does a park renamed in the admin
    amata.name_en = "Amata renamed (test)"
    amata.save()
    run_pending_on_commit()
    assert stamps.current() == after_submit + 2


def test_a_submission_in_dong_nai_leaves_hai_phongs_pages_and_earlier_campaigns_cached(
    client, personas, two_periods
):
    """The ministry has every page cached; Amata (Đồng Nai) is recomputed in the 2025
    campaign. Đình Vũ's park page and Hải Phòng's board page are still served from the cache,
    and so is the national page of 2024; Amata's page, Đồng Nai's and the national page of
    2025 are rebuilt."""
    c2024, c2025 = two_periods
    amata, dinh_vu = personas.catalogue.amata, personas.catalogue.dinh_vu
    run_pending_on_commit()
    login(client, personas.ministry, lang="en")
    national = reverse("dashboards:national")
    pages = {
        "dinh_vu": reverse("dashboards:park", args=[dinh_vu.pk]),
        "hai_phong": reverse("dashboards:province", args=[dinh_vu.province.code]),
        "national_2024": f"{national}?campaign={c2024.pk}",
        "amata": reverse("dashboards:park", args=[amata.pk]),
        "dong_nai": reverse("dashboards:province", args=[amata.province.code]),
        "national_2025": f"{national}?campaign={c2025.pk}",
    }
    warm = {}
    for name, url in pages.items():
        assert client.get(url).status_code == 200
        with CaptureQueriesContext(connection) as hit:
            assert client.get(url).status_code == 200
        warm[name] = len(hit)
    park_recompute(campaign_id=c2025.pk, park_id=amata.pk, force=True)
    run_pending_on_commit()
    for name, url in pages.items():
        with CaptureQueriesContext(connection) as after:
            assert client.get(url).status_code == 200
        if name in ("dinh_vu", "hai_phong", "national_2024"):  # a hit: the stamps' read only
            assert len(after) <= warm[name], f"{name}: rebuilt, but nothing it shows changed"
        else:  # rebuilt: the page's own queries
            assert len(after) > warm[name] + 3, f"{name}: served from the cache after the change"


def test_a_park_renamed_rebuilds_every_page(client, personas, two_periods):
    c2024, c2025 = two_periods
    dinh_vu = personas.catalogue.dinh_vu
    run_pending_on_commit()
    login(client, personas.ministry, lang="en")
    url = reverse("dashboards:park", args=[dinh_vu.pk])
    client.get(url)
    national = f"{reverse('dashboards:national')}?campaign={c2024.pk}"
    client.get(national)
    dinh_vu.name_en = "Dinh Vu renamed (test)"
    dinh_vu.save()
    run_pending_on_commit()
    assert "Dinh Vu renamed (test)" in client.get(url).content.decode()
    assert "Dinh Vu renamed (test)" in client.get(national).content.decode()


# --- constant number of queries --------------------------------------------------------------


def _synthetic_parks(n: int, provinces, c_prev, c_now, start: int = 0) -> list[Park]:
    parks = Park.objects.bulk_create(
        [
            Park(
                name_vi=f"KCN tổng hợp {i} (test)",
                name_en=f"Synthetic park {i} (test)",
                kind=Park.Kind.INDUSTRIAL_PARK,
                province=provinces[i % len(provinces)],
                latitude=Decimal("10.5") + Decimal(i % 12),
                longitude=Decimal("105.5") + Decimal(i % 4),
                eip_pilot=i % 3 == 0,
            )
            for i in range(start, start + n)
        ]
    )
    add_responses(c_prev, parks)
    add_responses(c_now, parks)
    now = timezone.now()
    snaps = []
    for camp in (c_prev, c_now):
        for i, p in enumerate(parks):
            snaps.append(
                ScoreSnapshot(
                    campaign=camp,
                    framework_version=camp.framework_version,
                    park=p,
                    computed_at=now,
                    fingerprint="test",
                    index=Decimal((start + i) % 100),
                    criteria_met=i % 9,
                    criteria_applicable=9,
                    mandatory_total=8,
                    reported=i % 5,
                    population=5,
                )
            )
    ScoreSnapshot.objects.bulk_create(snaps)
    return parks


def _count(client, url, params=None) -> int:
    clear_caches()
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params or {}).status_code == 200
    return len(ctx)


@pytest.mark.django_db
def test_national_and_province_pages_cost_the_same_queries_for_5_and_100_parks(
    client, catalogue, django_assert_num_queries
):
    Park.objects.all().delete()  # only the synthetic parks below
    provinces = list(Province.objects.order_by("code")[:3])
    c_prev, c_now = make_campaign(catalogue.vn2022, 2024), make_campaign(catalogue.vn2022, 2025)
    ministry = make_user("q-ministry", Role.MINISTRY)
    board = make_user("q-board", Role.BOARD, province=provinces[0])
    _synthetic_parks(5, provinces, c_prev, c_now)
    pages = [
        (ministry, reverse("dashboards:national"), None),
        (ministry, reverse("dashboards:national-export"), None),
        (board, reverse("dashboards:province", args=[provinces[0].code]), {"pilot": "no"}),
        (ministry, reverse("national-scores"), None),
    ]
    small = {}
    for user, url, params in pages:
        login(client, user)
        small[url] = _count(client, url, params)
    _synthetic_parks(95, provinces, c_prev, c_now, start=5)
    assert Park.objects.count() == 100
    for user, url, params in pages:
        login(client, user)
        clear_caches()
        with django_assert_num_queries(small[url]):
            client.get(url, params or {})


def test_park_and_enterprise_pages_cost_the_same_queries_for_5_and_200_enterprises(
    client, personas, two_periods, django_assert_num_queries
):
    c2024, c2025 = two_periods
    amata = personas.catalogue.amata
    sector = Sector.objects.get(edition="VSIC2018", code="13")
    Enterprise.objects.filter(pk=personas.ent_a.pk).update(sector=sector)
    make_snapshot(c2025, amata, enterprise=personas.ent_a, index=50, met=2, applicable=5)

    def add(n, start):
        ents = Enterprise.objects.bulk_create(
            [
                Enterprise(
                    name=f"Tenant {i} (test)",
                    tax_code=demo_tax_code(1000 + i),
                    park=amata,
                    sector=sector,
                )
                for i in range(start, start + n)
            ]
        )
        add_responses(c2025, [], ents)
        ScoreSnapshot.objects.bulk_create(
            [
                ScoreSnapshot(
                    campaign=c2025,
                    framework_version=c2025.framework_version,
                    park=amata,
                    enterprise=e,
                    computed_at=timezone.now(),
                    fingerprint="t",
                    index=Decimal(i % 100),
                    criteria_met=1,
                    criteria_applicable=5,
                )
                for i, e in enumerate(ents)
            ]
        )

    pages = [
        (personas.park_manager, reverse("dashboards:park", args=[amata.pk])),
        (personas.park_manager, reverse("dashboards:park-export", args=[amata.pk])),
        (personas.enterprise_a, reverse("dashboards:enterprise", args=[personas.ent_a.pk])),
        (personas.enterprise_a, reverse("dashboards:enterprise-export", args=[personas.ent_a.pk])),
        (personas.park_manager, reverse("park-scores", args=[amata.pk])),
    ]
    add(3, 0)  # with A and B: 5 enterprises
    small = {}
    for user, url in pages:
        login(client, user)
        small[url] = _count(client, url, {"campaign": c2025.pk})
    add(195, 3)
    assert Enterprise.objects.filter(park=amata).count() == 200
    for user, url in pages:
        login(client, user)
        clear_caches()
        with django_assert_num_queries(small[url]):
            client.get(url, {"campaign": c2025.pk})


def test_park_page_compares_current_with_intended_performance_where_given(
    client, personas, two_periods
):
    c2024, c2025 = two_periods
    amata = personas.catalogue.amata
    snap = ScoreSnapshot.objects.get(campaign=c2025, park=amata, enterprise=None)
    ScoreSnapshot.objects.filter(pk=snap.pk).update(
        intended_values=2,
        index_intended=Decimal("77.70"),
        index_improvement=Decimal("22.20"),
        eligible_intended=False,
    )
    CriterionResult.objects.filter(snapshot=snap, criterion__code="VN35-EIP-E2").update(
        value_intended=2.0, state_intended="met", improvement=2.0
    )
    login(client, personas.park_manager, lang="en")
    r = client.get(reverse("dashboards:park", args=[amata.pk]), {"campaign": c2025.pk})
    html = r.content.decode()
    assert "Intended value" in html
    e2 = row_of(r, "data-code", "VN35-EIP-E2")
    assert "2 (+2)" in e2 and e2.count("met") == 2  # now not met; intended met
    intended = re.search(r'id="park-intended">(.*?)</p>', html, re.S).group(1)
    assert "77.7" in intended and "22.2" in intended and "still leave mandatory" in intended
    earlier = client.get(reverse("dashboards:park", args=[amata.pk]), {"campaign": c2024.pk})
    assert "Intended value" not in earlier.content.decode()  # no plan: no intended columns


def test_path_to_certification_says_once_when_the_park_response_is_not_submitted(
    client, personas, two_periods
):
    c2024, c2025 = two_periods  # Amata's 2025 response is still a draft
    login(client, personas.park_manager, lang="en")
    r = client.get(reverse("dashboards:park", args=[personas.catalogue.amata.pk]))
    html = r.content.decode()
    assert html.count("is not submitted yet") == 1 and 'id="not-submitted"' in html
    path = re.search(r'<ol class="path" id="path-list">(.*?)</ol>', html, re.S).group(1)
    assert "Current value 0; required ≥ 1. Gap: 1." in path  # E2 judged: its gap is shown
    assert "Unanswered in the submitted responses" not in path


def test_the_national_map_shows_viet_nams_archipelagos_and_borders():
    import json

    from django.utils import translation

    from dashboards.figures import park_map_figure

    with translation.override("vi"):
        fig = json.loads(park_map_figure([]))
    labels = [t for trace in fig["data"] for t in (trace.get("text") or [])]
    assert "Quần đảo Hoàng Sa (Việt Nam)" in labels and "Quần đảo Trường Sa (Việt Nam)" in labels
    geo = fig["layout"]["geo"]
    assert geo["lonaxis"]["range"][1] >= 117 and geo["lataxis"]["range"][0] <= 7.5
    assert geo["showcountries"] is True
