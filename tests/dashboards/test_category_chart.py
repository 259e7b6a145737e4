"""The category chart: no empty category (0/0, "Chưa xác minh"), an axis marked up to 100 %,
and names wrapped so that the bars keep the width of a phone."""

from __future__ import annotations

import json
import re
from types import SimpleNamespace

import pytest
from django.utils import translation

from dashboards.figures import category_share_figure

from ..conftest import PASSWORD
from .test_pages import score

pytestmark = pytest.mark.usefixtures("keep_language")


def _cat(name, met, applicable, share):
    return SimpleNamespace(
        category=SimpleNamespace(name_vi=name, name_en=name),
        met=met,
        applicable=applicable,
        share=share,
        share_intended=None,
    )


def test_an_empty_category_is_not_drawn_and_the_axis_reaches_100():
    with translation.override("vi"):
        figure = json.loads(
            category_share_figure(
                [
                    _cat("Điều 37(1): nhà đầu tư hạ tầng", 2, 5, 0.4),
                    _cat("Chưa xác minh", 0, 0, None),
                    _cat("Môi trường", 1, 4, 0.25),
                ]
            )
        )
    bars = figure["data"][0]
    assert bars["y"] == ["Điều 37(1): nhà<br>đầu tư hạ tầng", "Môi trường"]
    assert bars["text"] == ["2/5", "1/4"]
    axis = figure["layout"]["xaxis"]
    assert axis["range"] == [0, 100] and axis["tickvals"][-1] == 100
    assert axis["automargin"] is True
    assert all(len(line) <= 16 for name in bars["y"] for line in name.split("<br>"))


def test_the_park_page_table_leaves_empty_categories_out(client, personas, campaign_2025):
    score(campaign_2025, personas.catalogue.amata, {"symbioses_operating": 1})
    assert client.login(username=personas.park_manager.username, password=PASSWORD)
    html = client.get(f"/parks/{personas.catalogue.amata.pk}/").content.decode()
    table = re.search(r'id="category-table">.*?</table>', html, re.S).group(0)
    assert "Chưa xác minh" not in table and "0/0" not in html
    assert "Điều 37(1)" in table
