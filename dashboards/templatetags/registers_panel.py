"""Template tag of the registers panel, shown on the park dashboard and on the park's
register page: totals, the Sankey of exchanges, RECP savings by area and year, and the
roadmap. Reads go through the scoped selectors of :mod:`registers.selectors`."""

from __future__ import annotations

import datetime
import hashlib

from django import template
from django.conf import settings
from django.core.cache import caches
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import mark_safe

from common.formats import format_amount
from enterprises.policy import Action, can, scope_key
from registers import selectors
from registers.models import RECPMeasure, RoadmapAction

from .. import stamps
from ..figures_registers import exchanges_sankey_figure, recp_savings_figure

register = template.Library()

#: seconds a rendered panel stays cached (its key changes anyway when a register entry does)
PANEL_CACHE_SECONDS = getattr(settings, "ECOPARK_DASHBOARD_CACHE_SECONDS", 300)


@register.simple_tag(takes_context=True)
def registers_park_panel(context, park=None, period=None) -> str:
    """The panel of ``park`` and ``period``, rendered from ``dashboards/_registers_park_body.html``
    with :func:`panel_context`.

    Without arguments (the park dashboard), the park is the page's ``park`` (or ``d.park``)
    and the period its ``campaign``'s (default: last year). The HTML is kept in the
    process-local "pages" cache under the park, period, the reader's scope, the day (overdue
    flags), the language and the park's cache stamp (:mod:`dashboards.stamps`), which
    moves whenever one of its register entries changes; ``park.dashboard_stamp`` is used when the page
    loaded it, otherwise one query reads it."""
    request = context["request"]
    today = timezone.localdate()
    holder = context.get("d")
    if park is None:
        park = context.get("park") or getattr(holder, "park", None)
    if period is None:
        campaign = context.get("campaign") or getattr(holder, "campaign", None)
        period = getattr(campaign, "period", None)
    period = int(period or today.year - 1)
    stamp = getattr(park, "dashboard_stamp", None)  # the park page's park_stamp
    if stamp is None:
        stamp = stamps.key([stamps.SHARED, stamps.park(park.pk)])
    who = scope_key(request.user)
    raw = f"{translation.get_language()}|{park.pk}|{period}|{who}|{today}|{stamp}"
    key = "registers-panel:" + hashlib.sha256(raw.encode()).hexdigest()
    pages = caches["pages"]
    html = pages.get(key)
    if html is None:
        html = render_to_string(
            "dashboards/_registers_park_body.html",
            panel_context(request, park=park, period=period, today=today),
            request=request,
        )
        pages.set(key, html, PANEL_CACHE_SECONDS)
    return mark_safe(html)  # rendered by the template engine, which escaped its values


def panel_context(request, *, park, period: int, today) -> dict:
    """Context of the panel for ``park`` and ``period``: ``totals``
    (:class:`registers.selectors.ParkTotals`), ``sankey``/``savings`` figure JSON (or None)
    with their tables, ``actions`` (open first, each with ``overdue`` on ``today``), ``gaps``
    (each enterprise of an operating exchange without an ISO certificate valid on 31 December
    of ``period``, with the criterion it makes fail), ``can_plan``. Reads go through the
    scoped selectors of :mod:`registers.selectors`."""
    user = request.user
    overview = selectors.park_overview(park=park, period=period, user=user)
    totals, flows, savings = overview.totals, overview.flows, overview.savings
    area_labels = dict(RECPMeasure.Area.choices)
    area_labels = {k: str(v) for k, v in area_labels.items()}
    years = sorted({r["year"] for r in savings})
    areas = [a for a in area_labels if any(r["area"] == a for r in savings)]
    cell = {(r["year"], r["area"]): r for r in savings}
    savings_table = [
        {
            "year": y,
            "values": [
                format_amount(cell[(y, a)]["money_vnd"] / 1_000_000, 1) if (y, a) in cell else "—"
                for a in areas
            ],
            "tco2e": format_amount(
                sum((cell[(y, a)]["tco2e"] for a in areas if (y, a) in cell), 0), 1
            ),
        }
        for y in years
    ]
    actions = list(
        selectors.actions_visible(user)
        .filter(park=park)
        .order_by("status", "target_date", "pk")[:50]
    )
    for a in actions:
        a.overdue = a.is_overdue(today)
    actions.sort(key=lambda a: (a.status not in a.OPEN_STATUSES, a.target_date, a.pk))
    year_end = datetime.date(period, 12, 31)
    gaps = selectors.iso_gaps(
        selectors.exchanges_visible(user).filter(park=park), reference_date=year_end
    )
    criteria = selectors.iso_criteria() if gaps else []
    return {
        "gaps": [selectors.gap_text(g, criteria, on=year_end) for g in gaps],
        "request": request,
        "park": park,
        "period": period,
        "totals": totals,
        "savings_units": [
            (unit, format_amount(value)) for unit, value in sorted(totals.savings.items())
        ],
        "money": format_amount(totals.money_vnd),
        "tco2e": format_amount(totals.tco2e, 1),
        "sankey": exchanges_sankey_figure(flows),
        "flows": flows,
        "savings": recp_savings_figure(savings, area_labels),
        "areas": [area_labels[a] for a in areas],
        "savings_table": savings_table,
        "actions": actions,
        "can_plan": can(user, Action.CHANGE, RoadmapAction(park=park))
        or selectors.editable_enterprises(user).filter(park=park).exists(),
        "demo": overview.demo,
    }
