"""The national page puts the summary and the map first and pages the park table (25 rows),
with a search by park or province name that ignores Vietnamese marks; "all" lists every park.
Plain links and a GET form: it works without script."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse

from dashboards.views import PARKS_PER_PAGE
from surveys.services import campaign_open

from ..conftest import PASSWORD

pytestmark = pytest.mark.usefixtures("keep_language")


@pytest.fixture
def national(personas):
    return campaign_open(
        name="National 2025",
        period=2025,
        framework_version=personas.catalogue.vn2022,
        opens_on=datetime.date(2026, 1, 1),
        closes_on=datetime.date(2026, 3, 31),
    )


def _rows(html: str) -> list[str]:
    table = re.search(r'id="parks-table">.*?</table>', html, re.S).group(0)
    return re.findall(r'<tr data-park="(\d+)">', table)


def test_summary_and_map_come_before_a_paged_park_table(client, personas, national):
    assert client.login(username=personas.ministry.username, password=PASSWORD)
    html = client.get(reverse("dashboards:national")).content.decode()
    order = [
        html.index(marker) for marker in ('id="count-parks"', 'id="map-chart"', 'id="parks-table"')
    ]
    assert order == sorted(order)
    assert len(_rows(html)) == PARKS_PER_PAGE == 25
    assert 'id="count-parks">97<' in html  # the summary still counts every park
    second = client.get(reverse("dashboards:national"), {"page": 2}).content.decode()
    assert len(_rows(second)) == 25 and set(_rows(second)).isdisjoint(_rows(html))
    last = client.get(reverse("dashboards:national"), {"page": 4}).content.decode()
    assert len(_rows(last)) == 97 - 75
    everything = client.get(reverse("dashboards:national"), {"page": "all"}).content.decode()
    assert len(_rows(everything)) == 97


def test_the_search_finds_a_park_without_its_marks_and_keeps_the_filters(
    client, personas, national
):
    assert client.login(username=personas.ministry.username, password=PASSWORD)
    html = client.get(reverse("dashboards:national"), {"q": "dinh vu"}).content.decode()
    assert _rows(html) == [str(personas.catalogue.dinh_vu.pk)]
    html = client.get(
        reverse("dashboards:national"), {"q": "amata", "province": personas.catalogue.dong_nai.code}
    ).content.decode()
    assert str(personas.catalogue.amata.pk) in _rows(html)
    form = re.search(r'<form method="get" class="filters park-search".*?</form>', html, re.S).group(
        0
    )
    assert f'name="province" value="{personas.catalogue.dong_nai.code}"' in form


def _filters_form(html: str) -> str:
    return re.search(r'<form method="get" class="filters" aria-label.*?</form>', html, re.S).group(
        0
    )


def test_applying_the_filters_keeps_the_search(client, personas, national):
    assert client.login(username=personas.ministry.username, password=PASSWORD)
    html = client.get(reverse("dashboards:national"), {"q": "dinh vu"}).content.decode()
    # the filters' form carries the search, so "Apply" keeps it (and drops the page)
    assert '<input type="hidden" name="q" value="dinh vu">' in _filters_form(html)
    html = client.get(
        reverse("dashboards:national"), {"q": "dinh vu", "kind": "industrial_park"}
    ).content.decode()
    assert _rows(html) == [str(personas.catalogue.dinh_vu.pk)]
    plain = client.get(reverse("dashboards:national")).content.decode()
    assert 'name="q"' not in _filters_form(plain)


def test_a_search_matching_nothing_says_so_instead_of_zero_to_zero(client, personas, national):
    assert client.login(username=personas.ministry.username, password=PASSWORD)
    html = client.get(reverse("dashboards:national"), {"q": "zzzz"}).content.decode()
    count = re.search(r'id="parks-count">(.*?)</p>', html).group(1)
    assert count == "Không có KCN nào phù hợp."
    assert _rows(html) == []
    client.cookies.load({"django_language": "en"})
    html = client.get(reverse("dashboards:national"), {"q": "zzzz"}).content.decode()
    assert re.search(r'id="parks-count">(.*?)</p>', html).group(1) == "No park matches."


def test_an_unknown_province_or_campaign_in_the_address_is_named_in_a_notice(
    client, personas, national
):
    assert client.login(username=personas.ministry.username, password=PASSWORD)
    html = client.get(reverse("dashboards:national"), {"province": "abc"}).content.decode()
    notice = re.search(r'id="filters-ignored">(.*?)</div>', html, re.S).group(1)
    assert "province=abc" in notice and "Tỉnh/thành phố" in notice
    assert 'id="count-parks">97<' in html  # shown without that filter
    html = client.get(reverse("dashboards:national"), {"campaign": "99999"}).content.decode()
    notice = re.search(r'id="filters-ignored">(.*?)</div>', html, re.S).group(1)
    assert "campaign=99999" in notice and "province" not in notice
    assert re.search(r'<p class="meta">(.*?) · ', html).group(1) == "National 2025"
    html = client.get(reverse("dashboards:national"), {"campaign": national.pk}).content.decode()
    assert 'id="filters-ignored"' not in html


def test_a_page_number_below_one_is_the_first_page(client, personas, national):
    assert client.login(username=personas.ministry.username, password=PASSWORD)
    first = _rows(client.get(reverse("dashboards:national")).content.decode())
    for page in ("-1", "0", "x"):
        html = client.get(reverse("dashboards:national"), {"page": page}).content.decode()
        assert _rows(html) == first, page
        assert "Trang 1 / 4" in html, page
    last = client.get(reverse("dashboards:national"), {"page": 99}).content.decode()
    assert len(_rows(last)) == 97 - 75  # beyond the last: the last
