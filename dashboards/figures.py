"""Plotly figures of the dashboards, built server-side as JSON and drawn by the plotly.js
served from ``static/`` (no CDN). Colours: the Okabe–Ito colour-blind-safe palette."""

from __future__ import annotations

import plotly.graph_objects as go
from django.utils.translation import get_language
from django.utils.translation import gettext as _

#: Okabe & Ito (2008) colour-universal-design palette
MET_COLOUR = "#009E73"
NOT_MET_COLOUR = "#D55E00"
NO_DATA_COLOUR = "#999999"


def category_share_figure(categories) -> str:
    """Horizontal bar chart of the share of applicable criteria met per category (0–100 %).

    ``categories``: CategoryScore rows (with ``category`` loaded). Returns the figure as JSON.
    """
    english = (get_language() or "vi").startswith("en")
    names = [c.category.name_en if english else c.category.name_vi for c in categories]
    shares = [None if c.share is None else round(100 * c.share, 1) for c in categories]
    labels = [f"{c.met}/{c.applicable}" for c in categories]
    fig = go.Figure(
        go.Bar(
            x=[s or 0 for s in shares],
            y=names,
            orientation="h",
            text=labels,
            textposition="auto",
            marker_color=MET_COLOUR,
            hovertemplate="%{y}: %{x}%<extra></extra>",
        )
    )
    fig.update_layout(
        xaxis={"title": _("share of applicable criteria met (%)"), "range": [0, 100]},
        yaxis={"autorange": "reversed", "automargin": True},
        margin={"l": 10, "r": 10, "t": 10, "b": 40},
        height=max(220, 48 * len(names) + 80),
        paper_bgcolor="rgba(0,0,0,0)",
        template="none",
    )
    return fig.to_json()
