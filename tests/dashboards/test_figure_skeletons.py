"""The map, histogram and trend figures fill their points into a figure built once per
language with plotly (dashboards/figures.py): the points are the page's, in each language, and
nothing of one page's points is left in the next figure."""

from __future__ import annotations

import json
from decimal import Decimal
from types import SimpleNamespace

from django.utils import translation

from dashboards import figures
from dashboards.selectors import HistogramBin


def _row(name_vi, name_en, lat, lon, index):
    park = SimpleNamespace(
        name_vi=name_vi, name_en=name_en, latitude=Decimal(lat), longitude=Decimal(lon)
    )
    return SimpleNamespace(park=park, index=None if index is None else Decimal(index))


def test_the_map_holds_the_pages_points_in_each_language():
    rows = [
        _row("KCN Đình Vũ", "Dinh Vu IP", "20.8333", "106.7667", "61.50"),
        _row("KCN Amata", "Amata IP", "10.9500", "106.8800", None),
    ]
    with translation.override("vi"):
        vi = json.loads(figures.park_map_figure(rows))
    with translation.override("en"):
        en = json.loads(figures.park_map_figure(rows))
    unscored, scored, islands = vi["data"]
    assert (unscored["lat"], unscored["lon"], unscored["text"]) == (
        [10.95],
        [106.88],
        ["KCN Amata"],
    )
    assert (scored["lat"], scored["lon"], scored["text"]) == (
        [20.8333],
        [106.7667],
        ["KCN Đình Vũ"],
    )
    assert scored["customdata"] == scored["marker"]["color"] == [61.5]
    assert scored["marker"]["colorscale"] and scored["marker"]["cmax"] == 100
    assert len(islands["lat"]) == 2  # Hoàng Sa and Trường Sa
    assert vi["layout"]["separators"] == ",." and en["layout"]["separators"] == ".,"
    assert en["data"][1]["text"] == ["Dinh Vu IP"] and en["data"][0]["name"] == "no result"
    # the next page's figure carries its own points only
    with translation.override("vi"):
        other = json.loads(figures.park_map_figure(rows[1:]))
    assert other["data"][1]["lat"] == [] and other["data"][1]["marker"]["color"] == []
    assert other["data"][0]["text"] == ["KCN Amata"]


def test_the_histogram_and_the_trend_hold_their_values():
    bins = [HistogramBin(0, 10, 3), HistogramBin(10, 20, 12), HistogramBin(20, 30, 0)]
    with translation.override("en"):
        bars = json.loads(figures.index_histogram_figure(bins))
        trend = json.loads(
            figures.index_trend_figure(
                [
                    (2024, SimpleNamespace(index=Decimal("40.26"))),
                    (2025, SimpleNamespace(index=None)),
                ]
            )
        )
    assert bars["data"][0]["x"] == ["0–10", "10–20", "20–30"]
    assert bars["data"][0]["y"] == [3, 12, 0] and bars["data"][0]["text"] == ["3", "12", "0"]
    assert bars["layout"]["yaxis"]["dtick"] == 3  # ceil(12 / 5)
    assert bars["layout"]["yaxis"]["title"]["text"] == "parks"
    with translation.override("en"):
        empty = json.loads(figures.index_histogram_figure([]))
    assert empty["data"][0]["x"] == [] and empty["layout"]["yaxis"]["dtick"] == 1
    assert trend["data"][0]["x"] == ["2024", "2025"]
    assert trend["data"][0]["y"] == [40.26, None]
    assert trend["data"][0]["text"] == ["40.3", ""]
