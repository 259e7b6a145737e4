"""A park or enterprise without submitted answers has no result, even after the ministry
recomputes the whole campaign: "—" on the pages, an open marker on the map, left out of the
averages and the distribution, counted as "no result" — never index 0, 0 criteria met, "not
eligible" or "first result".
"""

from __future__ import annotations

import json
import re
from types import SimpleNamespace

import pytest

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
