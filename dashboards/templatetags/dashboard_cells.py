"""Template filters that write the repeated cells of the dashboards' tables in Python: one
filter call per row instead of an included template per row (``{% include %}`` costs a
template render with its own context per row)."""

from __future__ import annotations

from django import template
from django.template.defaultfilters import floatformat
from django.templatetags.l10n import unlocalize
from django.utils.formats import localize
from django.utils.html import format_html

register = template.Library()


@register.filter
def reporting_cells(rate) -> str:
    """The four cells of a reporting-rate row (``surveys.selectors.ReportingRate``): reports
    expected, on time, late and not submitted, each share with one decimal in the active
    language and the raw number in ``data-sort`` for the column sort
    (``static/js/sortable.js``); used by ``dashboards/_reporting_rates.html``."""
    return format_html(
        '<td class="num" data-sort="{}">{}</td>'
        '<td class="num on-time" data-sort="{}">{} ({} %)</td>'
        '<td class="num late" data-sort="{}">{} ({} %)</td>'
        '<td class="num missing" data-sort="{}">{} ({} %)</td>',
        unlocalize(rate.expected),
        localize(rate.expected),
        unlocalize(rate.on_time_share),
        localize(rate.on_time),
        floatformat(rate.on_time_share, 1),
        unlocalize(rate.late_share),
        localize(rate.late),
        floatformat(rate.late_share, 1),
        unlocalize(rate.not_submitted_share),
        localize(rate.not_submitted),
        floatformat(rate.not_submitted_share, 1),
    )
