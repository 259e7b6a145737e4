"""A park or enterprise without submitted answers has no result, even after the ministry
recomputes the whole campaign: "—" on the pages, an open marker on the map, left out of the
averages and the distribution, counted as "no result" — never index 0, 0 criteria met, "not
eligible" or "first result".
"""

from __future__ import annotations

import io
import json
import re
from types import SimpleNamespace

import pytest
from django.core.cache import caches
from openpyxl import load_workbook

from dashboards.models import ScoreSnapshot
from dashboards.selectors import park_table
from dashboards.services import campaign_recompute
from enterprises.models import Park
from surveys.models import Response

from ..conftest import PASSWORD
from .test_pages import row_of
from .test_recompute import amata_filled  # noqa: F401 (fixture)

pytestmark = pytest.mark.usefixtures("keep_language")


def _row(html: str, park_id: int) -> str:
    return row_of(SimpleNamespace(content=html.encode()), "data-park", park_id)


def test_recomputing_everything_gives_no_result_to_the_park_and_enterprise_that_never_reported(
    personas,
    amata_filled,  # noqa: F811
):
    c = personas.catalogue
    campaign_recompute(campaign_id=amata_filled.pk)
    amata = ScoreSnapshot.objects.get(campaign=amata_filled, park=c.amata, enterprise=None)
    dinh_vu = ScoreSnapshot.objects.get(campaign=amata_filled, park=c.dinh_vu, enterprise=None)
    ent_b = ScoreSnapshot.objects.get(campaign=amata_filled, enterprise=personas.ent_b)
    assert amata.index is not None  # Amata submitted: it has a result
    # Đình Vũ and enterprise B never submitted: no index, not "not eligible", not an eco-firm
    assert (dinh_vu.index, dinh_vu.eligible, dinh_vu.index_intended) == (None, False, None)
    assert (ent_b.index, ent_b.eligible, ent_b.eco_enterprise) == (None, False, None)
    assert not dinh_vu.has_result and amata.has_result and not ent_b.has_result
    # the roll-up still counts enterprise A only, and Amata's eco-enterprises are A's alone
    assert (amata.reported, amata.population) == (1, 2)


def test_the_national_page_counts_parks_without_submitted_answers_as_no_result(
    client,
    personas,
    amata_filled,  # noqa: F811
):
    c = personas.catalogue
    campaign_recompute(campaign_id=amata_filled.pk)
    table = park_table(
        parks=Park.objects.filter(pk__in=[c.amata.pk, c.dinh_vu.pk]), campaign=amata_filled
    )
    assert [r.park.pk for r in table.with_result] == [c.amata.pk]
    assert sum(b.parks for b in table.histogram) == 1  # Đình Vũ is not in the 0–10 band
    hai_phong = next(p for p in table.provinces if p.province == c.hai_phong)
    assert (hai_phong.with_result, hai_phong.mean_index, hai_phong.eligible) == (0, None, 0)

    assert client.login(username=personas.ministry.username, password=PASSWORD)
    html = client.get(
        "/parks/national/", {"campaign": amata_filled.pk, "page": "all"}
    ).content.decode()
    row = _row(html, c.dinh_vu.pk)
    # index, criteria met, eligible and trend are "no result"; the tenant coverage stays
    assert row.count("—") == 4 and "0/1" in row, row
    assert "0/25" not in row and "first result" not in row.lower() and "kết quả đầu" not in row
    assert 'id="count-results">1<' in html
    figure = json.loads(
        json.loads(
            re.search(
                r'<script id="map-figure" type="application/json">(.*?)</script>', html, re.S
            ).group(1)
        )
    )
    hollow = next(t for t in figure["data"] if t["marker"].get("symbol") == "circle-open")
    assert "Khu công nghiệp Đình Vũ" in hollow["text"]


def test_a_park_page_without_submitted_answers_says_no_result_instead_of_zero(
    client,
    personas,
    amata_filled,  # noqa: F811
):
    c = personas.catalogue
    campaign_recompute(campaign_id=amata_filled.pk)
    assert Response.objects.get(campaign=amata_filled, park=c.dinh_vu, enterprise=None).status == (
        Response.Status.DRAFT
    )
    assert client.login(username=personas.ministry.username, password=PASSWORD)
    html = client.get(f"/parks/{c.dinh_vu.pk}/").content.decode()
    # the reporting rate rightly says 0,0 % on time (nobody submitted): leave it out
    html = re.sub(r'<section class="reporting".*?</section>.*?</section>', "", html, flags=re.S)
    text = " ".join(
        re.sub(r"<[^>]+>", " ", re.sub(r"<script.*?</script>", "", html, flags=re.S)).split()
    )
    assert "0,0" not in text and "0.0" not in text
    assert "Chưa có kết quả" in text


def _table_rows(html: str, table_id: str) -> dict[str, list[str]]:
    """``{row heading: [cell texts]}`` of the body of the table ``table_id``."""
    table = re.search(rf'<table[^>]*id="{table_id}".*?<tbody>(.*?)</tbody>', html, re.S)
    assert table, f"no {table_id}"
    rows = {}
    for tr in re.findall(r"<tr>(.*?)</tr>", table.group(1), re.S):
        cells = [
            " ".join(re.sub(r"<[^>]+>", " ", c).split())
            for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", tr, re.S)
        ]
        rows[cells[0]] = cells[1:]
    return rows


def test_a_park_without_its_own_submitted_response_shows_no_category_share_and_says_whose_figures(
    client,
    personas,
    amata_filled,  # noqa: F811
):
    """Amata's own response goes back to draft; enterprise A's stays submitted. The category
    shares are a result, so "—"; the criteria states (registers, tenants' roll-ups) are
    labelled as not the park's result; the tenants' roll-up coverage (A of A and B) stays."""
    c = personas.catalogue
    Response.objects.filter(campaign=amata_filled, park=c.amata, enterprise=None).update(
        status=Response.Status.DRAFT
    )
    campaign_recompute(campaign_id=amata_filled.pk)
    snap = ScoreSnapshot.objects.get(campaign=amata_filled, park=c.amata, enterprise=None)
    assert not snap.has_result
    e4 = snap.results.get(criterion__code="VN35-EIP-E4")  # A's roll-up: 1 of 1 → 100 %
    assert (e4.state, e4.value, e4.reported, e4.population) == ("met", 100.0, 1, 2)
    met_in_a_category = snap.categories.filter(met__gt=0)
    assert met_in_a_category.exists()  # the stored category counts E4 met…

    assert client.login(username=personas.park_manager.username, password=PASSWORD)
    html = client.get(f"/parks/{c.amata.pk}/").content.decode()
    assert "KCN chưa nộp phiếu trả lời của chính mình" in html
    assert "phiếu mà các doanh nghiệp trong KCN đã nộp" in html
    categories = _table_rows(html, "category-table")
    category = met_in_a_category.first()
    # …the page shows no share: met "—", applicable kept, share and intended share "—"
    assert categories[category.category.name_vi] == ["—", str(category.applicable), "—", "—"]
    assert all(cells[0] == "—" and cells[2:] == ["—", "—"] for cells in categories.values())
    assert 'id="category-chart"' not in html
    assert 'id="criteria-no-result"' in html and "Không phải kết quả của KCN" in html
    rollup = _table_rows(html, "rollup-table")
    assert rollup["VN35-EIP-E4"][1:] == ["1", "2"]  # the tenants' figures stay, headed as such
    # the workbook's category sheet says the same: met and share empty, applicable kept
    xlsx = client.get(f"/parks/{c.amata.pk}/export.xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content))["Nhóm tiêu chí"]
    rows = {r[0]: r[1:] for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows[category.category.name_vi] == (None, category.applicable, None)

    # with its response submitted the shares come back and the caption goes
    Response.objects.filter(campaign=amata_filled, park=c.amata, enterprise=None).update(
        status=Response.Status.SUBMITTED
    )
    campaign_recompute(campaign_id=amata_filled.pk)
    assert ScoreSnapshot.objects.get(
        campaign=amata_filled, park=c.amata, enterprise=None
    ).has_result
    caches["pages"].clear()  # the stamps move after commit, which this test never reaches
    html = client.get(f"/parks/{c.amata.pk}/").content.decode()
    assert 'id="criteria-no-result"' not in html and 'id="category-chart"' in html
    snap = ScoreSnapshot.objects.get(campaign=amata_filled, park=c.amata, enterprise=None)
    category = snap.categories.get(category=category.category)
    cells = _table_rows(html, "category-table")[category.category.name_vi]
    assert cells[:2] == [str(category.met), str(category.applicable)] and cells[2] != "—"


def test_an_enterprise_without_a_submitted_response_shows_no_category_share(
    client,
    personas,
    amata_filled,  # noqa: F811
):
    """Enterprise B never submitted: its categories show "—" and its criteria say they are
    not its result; the park benchmark is headed as its park's."""
    campaign_recompute(campaign_id=amata_filled.pk)
    snap = ScoreSnapshot.objects.get(campaign=amata_filled, enterprise=personas.ent_b)
    assert not snap.has_result and snap.categories.exists()
    assert client.login(username=personas.ministry.username, password=PASSWORD)
    html = client.get(f"/parks/enterprises/{personas.ent_b.pk}/").content.decode()
    assert "Chưa có kết quả" in html
    categories = _table_rows(html, "category-table")
    expected = {
        s.category.name_vi: ["—", str(s.applicable), "—"]
        for s in snap.categories.filter(applicable__gt=0).select_related("category")
    }
    assert expected and {k: v for k, v in categories.items() if k in expected} == expected
    assert 'id="category-chart"' not in html
    assert "Không phải kết quả của doanh nghiệp" in html
    benchmark = re.search(r'<tr data-group="park">(.*?)</tr>', html, re.S).group(1)
    assert "KCN của bạn" in benchmark and personas.catalogue.amata.name_vi in benchmark
