"""Plotly figures of the registers: a Sankey diagram of a park's symbiosis
exchanges and a chart of RECP savings by area and year. Built server-side as JSON, drawn by
the plotly.js served from ``static/`` (no CDN). Colours: the Okabe–Ito colour-blind-safe
palette (Okabe & Ito 2008). Every figure has a table with the same numbers next to it
(the templates show it), so nothing is told by colour or shape alone.

Inputs are plain rows from :mod:`registers.selectors` (``park_exchange_flows``,
``savings_by_area_and_year``): this module reads no database.
"""

from __future__ import annotations

import plotly.graph_objects as go
from django.utils.translation import gettext as _

from common.formats import format_quantity, plotly_separators

from .figures import wrap_label

#: Okabe–Ito palette, in its published order (black omitted)
OKABE_ITO = ["#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7"]
#: one colour per exchange kind (Circular 05/2025 Art. 2(1)) and per RECP area
KIND_COLOURS = {
    "material": "#E69F00",
    "waste": "#D55E00",
    "water": "#56B4E9",
    "energy": "#F0E442",
    "infrastructure": "#0072B2",
    "service": "#CC79A7",
}
AREA_COLOURS = {
    "energy": "#E69F00",
    "water": "#56B4E9",
    "materials": "#009E73",
    "chemicals": "#CC79A7",
    "waste": "#D55E00",
}


def _rgba(hex_colour: str, alpha: float) -> str:
    h = hex_colour.lstrip("#")
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


def exchanges_sankey_figure(flows: list[dict]) -> str | None:
    """Sankey of exchanges: one node per party, one link per (provider → receiver) of each
    exchange, coloured by kind; every link has width 1 (quantities of different units cannot
    be added; they are in the hover text and the table). Proposed and under-study exchanges
    are drawn paler than operating ones.

    ``flows``: rows with ``source``, ``target``, ``title``, ``kind``, ``kind_label``,
    ``status``, ``status_label``, ``quantity`` (Decimal or None), ``unit``. Returns the figure
    as JSON, or None when there is no flow.
    """
    if not flows:
        return None
    nodes: list[str] = []
    index: dict[str, int] = {}
    for f in flows:
        for name in (f["source"], f["target"]):
            if name not in index:
                index[name] = len(nodes)
                nodes.append(name)
    hover = []
    for f in flows:
        qty = (
            format_quantity(f["quantity"], f"{f['unit']}/{_('year')}".lstrip("/"))
            if f.get("quantity") is not None
            else _("quantity not given")
        )
        hover.append(f"{f['title']}<br>{f['kind_label']} · {f['status_label']}<br>{qty}")
    fig = go.Figure(
        go.Sankey(
            arrangement="snap",
            node={
                "label": [wrap_label(n) for n in nodes],
                "customdata": nodes,
                "hovertemplate": "%{customdata}<extra></extra>",
                "pad": 18,
                "thickness": 14,
                "color": "#5b6b64",
                "line": {"color": "#1d2a25", "width": 0.5},
            },
            link={
                "source": [index[f["source"]] for f in flows],
                "target": [index[f["target"]] for f in flows],
                "value": [1] * len(flows),
                "color": [
                    _rgba(
                        KIND_COLOURS.get(f["kind"], "#999999"),
                        0.85 if f["status"] == "operating" else 0.35,
                    )
                    for f in flows
                ],
                "customdata": hover,
                "hovertemplate": "%{customdata}<extra></extra>",
            },
        )
    )
    fig.update_layout(
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        height=max(300, 70 * len(nodes) + 60),
        paper_bgcolor="rgba(0,0,0,0)",
        font={"size": 12},
        template="none",
        separators=plotly_separators(),
    )
    return fig.to_json()


def recp_savings_figure(rows: list[dict], area_labels: dict[str, str]) -> str | None:
    """Stacked bars of yearly money savings of implemented or verified RECP measures, in
    million VND, by year (x) and area (colour, Okabe–Ito).

    ``rows``: ``{"year", "area", "money_vnd"}`` (Decimal VND); ``area_labels``: area code →
    label in the active language. Returns the figure as JSON, or None when no row has a money
    saving.
    """
    rows = [r for r in rows if r.get("money_vnd")]
    if not rows:
        return None
    years = sorted({r["year"] for r in rows})
    fig = go.Figure()
    for area, label in area_labels.items():
        values = {r["year"]: float(r["money_vnd"]) / 1e6 for r in rows if r["area"] == area}
        if not values:
            continue
        fig.add_trace(
            go.Bar(
                name=label,
                x=[str(y) for y in years],
                y=[round(values.get(y, 0.0), 1) for y in years],
                marker_color=AREA_COLOURS.get(area, "#999999"),
                hovertemplate=f"{label} %{{x}}: %{{y:,.1f}}<extra></extra>",
            )
        )
    fig.update_layout(
        separators=plotly_separators(),
        barmode="stack",
        xaxis={"title": _("year"), "type": "category"},
        yaxis={
            "title": _("million VND per year"),
            "rangemode": "tozero",
            "automargin": True,
        },
        legend={"orientation": "h", "y": -0.25},
        margin={"l": 10, "r": 10, "t": 10, "b": 60},
        height=320,
        paper_bgcolor="rgba(0,0,0,0)",
        template="none",
    )
    return fig.to_json()
