"""Template filters of the official report forms' page (``surveys/_report_forms.html``)."""

from __future__ import annotations

import json
from decimal import Decimal

from django import template
from django.utils.translation import gettext as _

from indicators import units
from indicators.official_forms import Item, SourceKind, official_form, period_years

from ..reports import field_name, store_unit_choices

register = template.Library()


def _input_name(item: Item) -> str:
    return item.source.element if item.source.kind is SourceKind.ELEMENT else field_name(item)


@register.filter
def report_field_name(key: str, form) -> str:
    """The input name of item ``key`` of ``form`` (an OfficialForm or its code)."""
    form = official_form(form) if isinstance(form, str) else form
    return _input_name(form.item(key))


@register.filter
def label(obj) -> str:
    """An item's label (a section's or part's title) in the active language."""
    from common.formats import active_language

    if hasattr(obj, "label"):
        return obj.label(active_language())
    return obj.title(active_language())


@register.filter
def unit_label(unit: str) -> str:
    """A form's unit in the active language (``"tấn/năm"`` -> ``"tonnes/year"`` in English):
    see ``indicators.units.unit_label``."""
    from common.formats import active_language
    from indicators.units import unit_label as label_of

    return label_of(unit or "", active_language())


@register.filter
def unit_option(item: Item, unit: str) -> str:
    """The label of ``unit`` in the item's unit picker, in the active language ("tấn/năm",
    "kg/năm" for a CO2 field): see ``indicators.units.picker_label``."""
    from common.formats import active_language
    from indicators.units import picker_label

    return picker_label(unit, item.unit, item.store_unit, active_language())


@register.filter
def show_value(value) -> str:
    """A condition's value as the inputs hold it (``yes``/``no`` for booleans)."""
    if value is True:
        return "yes"
    if value is False:
        return "no"
    return str(value)


@register.filter
def calc_terms(item: Item) -> str:
    """The input names a calculation reads, comma separated."""
    form = official_form(item.form)
    return ",".join(_input_name(form.item(k)) for k in item.source.calculation.terms)


@register.filter
def unit_factors(item: Item) -> str:
    """JSON ``{unit: factor}``: what one unit typed is in the item's stored unit (the page's
    live totals convert with it, e.g. VND → million VND: 0.000001)."""
    factors = {}
    for unit in store_unit_choices(item):
        try:
            factors[unit] = float(units.convert(Decimal(1), unit, item.store_unit))
        except units.UnitError:
            continue
    return json.dumps(factors)


@register.filter
def to_json(value) -> str:
    """``value`` as JSON (for a data attribute)."""
    return json.dumps(value, ensure_ascii=False)


@register.filter
def period_label(item: Item, reporting_year: int) -> str:
    """The years the item refers to, e.g. "[N-2]: to 2024", "[N-1]: 2025", "[N+3]: 2026–2029"."""
    first, last = period_years(item.period, int(reporting_year))
    if item.period == "to_n_minus_2":
        return _("[N-2]: up to %(year)s") % {"year": last}
    if item.period == "plan_n_plus_3":
        return _("[N+3]: %(first)s–%(last)s") % {"first": first, "last": last}
    if item.period == "end_n_minus_1":
        return _("at 31/12/%(year)s") % {"year": last}
    if item.period == "n_minus_1":
        return _("[N-1]: %(year)s") % {"year": last}
    return ""
