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
