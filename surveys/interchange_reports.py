"""The official report forms (Circular 05/2025 A.4, A.5, B.4, B.5) in the Excel template and
import of :mod:`surveys.interchange`, when the campaign collects them.

Template
    - the enterprises' sheet gains one column per B.4 field that is neither a data element
      (those are columns already) nor computed, nor a table or a file: report fields (code row
      ``B.4:III.P3.2``) and the registry's Part I fields (``registry:investor_name``, once per
      registry field), prefilled; personal data the downloading user may not see is shown as
      ``•••`` and left unchanged on import; a quantity whose unit is chosen per value (B.4
      P3.6, P4.10: fuels, never converted) is followed by its unit column (code
      ``B.4:III.P3.6:unit``, a drop-down of the units the page offers), prefilled with the
      stored ``unit_entered``;
    - a products sheet (form B.4 Part II): one row per product, with the enterprise's tax
      code; every enterprise that has a row in it gets exactly those rows;
    - a park sheet (forms A.4 and A.5 of the park itself): one row per field, its value in
      column E, the response version at the top; a park manager fills the park's report
      offline and uploads it with the rest.

Import
    Cells are read as the response page reads them (:func:`surveys.reports.clean_item`): the
    forms' ranges, 15 integer digits and 5 decimals, money in million VND unless the unit
    column says VND (a header ``[VND]`` is not needed: the stored unit is the form's), errors by
    cell. Registry fields fill what the registry lacks; a cell that differs from a value the
    registry holds is an error (change it on the registry page). A quantity takes its unit
    from its unit column, or from the cell itself (``24 m³``); the unit is stored as typed
    (``unit_entered``, its symbol: ``m3`` → ``m³``). All or nothing, as the rest of the import.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field, replace
from decimal import Decimal

from django.utils.translation import gettext as _

from common.formats import active_language
from common.parsing import ParseError, parse_percent
from common.xlsx import CellError, cell_text
from enterprises.models import InvestmentProject
from enterprises.policy import Action, can
from enterprises.selectors import HIDDEN, project_of, project_values
from indicators.official_forms import Item, Kind, SourceKind, official_forms

from .forms import AnswerValue
from .models import Campaign, ProductionLine, Response
from .reports import (
    ItemError,
    clean_item,
    report_context,
    report_values,
)

REGISTRY_PREFIX = "registry:"
PRODUCTS_CODE = "products"
PARK_CODE = "park_report"
PRODUCT_COLUMNS = ("tax_code", *ProductionLine.COLUMNS)
#: the code of a quantity's unit column is the quantity's code followed by this
UNIT_SUFFIX = ":unit"


@dataclass(frozen=True)
class Quantity:
    """A stored quantity whose unit is chosen per value (``Kind.QUANTITY``): the number and
    its unit as entered (``StoredValue.unit_entered``, e.g. ``Quantity(Decimal("24"), "m³")``)."""

    number: Decimal
    unit: str


@dataclass(frozen=True)
class UnitColumn:
    """The template column holding the unit of the quantity ``item``."""

    item: Item


def has_unit_column(item: Item) -> bool:
    """True when ``item`` is followed by a unit column in the template (a quantity)."""
    return item.kind is Kind.QUANTITY


def unit_header(item: Item, language: str) -> str:
    """``"B.4 P3.6 Nhiên liệu năm [N-1] – đơn vị"``: the header of the item's unit column."""
    from django.utils import translation

    with translation.override(language):
        return _("%(field)s – unit") % {"field": item_header(item, language)}


def unit_text(value) -> str:
    """The unit column's cell of a stored value ('' unless a :class:`Quantity`)."""
    return value.unit if isinstance(value, Quantity) else ""


def campaign_forms(campaign: Campaign, subject: str):
    """The forms ``campaign`` collects from ``subject`` (park or enterprise)."""
    chosen = set(campaign.report_forms or ())
    return [f for f in official_forms(subject=subject) if f.code in chosen]


def sheet_items(campaign: Campaign, subject: str, *, with_elements: bool) -> list[Item]:
    """The fields a sheet carries for ``subject``, in the forms' order: every data field but
    computed ones, tables, files and the project choice; data elements only
    ``with_elements`` (the enterprises' sheet has them as columns already); a registry field
    once (B.4 asks some in two sections)."""
    out, seen = [], set()
    for form in campaign_forms(campaign, subject):
        for item in form.items():
            if not item.is_data or item.read_only:
                continue
            if item.kind in (Kind.PROJECT, Kind.FILE) or item.source.kind in (
                SourceKind.TABLE,
                SourceKind.EVIDENCE,
            ):
                continue
            if item.source.kind is SourceKind.ELEMENT and not with_elements:
                continue
            if item.source.kind is SourceKind.REGISTRY:
                if item.source.field in seen:
                    continue
                seen.add(item.source.field)
            out.append(item)
    return out


def item_code(item: Item) -> str:
    """The code of the item's column or row (what the import matches)."""
    if item.source.kind is SourceKind.REGISTRY:
        return REGISTRY_PREFIX + item.source.field
    if item.source.kind is SourceKind.ELEMENT:
        return item.source.element
    return item.ident


def item_header(item: Item, language: str) -> str:
    """``"B.4 P3.2 Tiết kiệm điện năng [kWh]"``: form, number, label and unit in ``language``
    (the unit as the form writes it in Vietnamese, its ``indicators.units.unit_label`` in
    English: ``"[tấn/năm]"`` / ``"[tonnes/year]"``)."""
    from indicators import units

    text = f"{item.form} {item.number()} {item.label(language)}".replace("  ", " ")
    return f"{text} [{units.unit_label(item.unit, language)}]" if item.unit else text


def cell_value(item: Item, value, yes: str, no: str):
    """A stored value as a template cell (None when blank)."""
    if value is None or value == "" or value == () or value == []:
        return None
    if value is HIDDEN:
        return str(HIDDEN)
    if isinstance(value, bool):
        return yes if value else no
    if isinstance(value, Quantity):
        value = value.number
    if isinstance(value, Decimal):
        if item.kind is Kind.PERCENTAGE:
            return value / 100
        return int(value) if item.kind is Kind.INTEGER else value.normalize()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, tuple | list):
        return "; ".join(value)
    return str(value)


def number_format(item: Item) -> str:
    """The template's number format of a field."""
    return {
        Kind.INTEGER: "#,##0",
        Kind.PERCENTAGE: "0.0##%",
        Kind.DATE: "DD/MM/YYYY",
        Kind.TEXT: "@",
        Kind.TEXTAREA: "@",
    }.get(item.kind, "General")


def _split_unit(item: Item, text: str) -> tuple[str, str]:
    """``"1.234.567.891 VND"`` → ``("1.234.567.891", "VND")`` when the text ends with a unit
    of the item's dimension (any spelling ``indicators.units`` accepts, e.g. "triệu đồng");
    otherwise ``(text, "")``."""
    from indicators import units

    if not item.store_unit:
        return text, ""
    wanted = units.dimension_of(item.store_unit)
    for cut in range(1, len(text)):  # the longest unit first: "triệu đồng" before "đồng"
        if text[cut] != " ":
            continue
        try:
            if units.dimension_of(text[cut + 1 :].strip()) == wanted:
                return text[:cut].strip(), text[cut + 1 :].strip()
        except units.UnitError:
            continue
    return text, ""


def _split_quantity(text: str) -> tuple[str, str]:
    """``"1.234,5 m³"`` → ``("1.234,5", "m³")`` when the text ends with a unit a quantity
    accepts (:data:`surveys.reports.QUANTITY_DIMENSIONS`, the longest first, with or without
    a space); otherwise ``(text, "")``."""
    from indicators import units

    from .reports import QUANTITY_DIMENSIONS

    for cut in range(1, len(text)):
        tail = text[cut:].strip()
        try:
            if tail and units.dimension_of(tail) in QUANTITY_DIMENSIONS:
                return text[:cut].strip(), tail
        except units.UnitError:
            continue
    return text, ""


def unit_cell_reason(unit: str, value) -> str:
    """Why a quantity's unit cell is refused (:class:`~surveys.reports.QuantityUnitError`):
    ``unit`` the cell's text (``""`` when empty), ``value`` the quantity's cell beside it."""
    if not unit:
        return _(
            "the unit is empty while the quantity is filled (%(value)s): choose the unit of "
            "the quantity (litre, m³, tonne, kWh …)."
        ) % {"value": cell_text(value)}
    return _(
        "“%(unit)s” is not a unit of a quantity: choose the unit of the quantity (litre, m³, "
        "tonne, kWh …)."
    ) % {"unit": unit}


def read_cell(
    item: Item, value, *, cell_format: str, language: str, tenants, unit: str = ""
) -> AnswerValue:
    """One cell for ``item``; raises :class:`~surveys.reports.ItemError` with the reason. A
    percentage cell formatted as a percentage holds the fraction (12,5 % is 0.125). A number
    typed with a unit the field accepts (``1.234.567.891 VND`` in a field kept in million VND,
    ``12 MWh`` in one kept in kWh) is converted. A quantity (``Kind.QUANTITY``) is kept in
    ``unit`` (its unit column's text) or else in the unit typed after the number
    (``24 m³``); the returned value's ``unit`` is the unit's symbol (``m3`` → ``m³``)."""
    from indicators import units

    if item.kind is Kind.PERCENTAGE and not isinstance(value, str) and value is not None:
        try:
            number = parse_percent(value, language=language)
        except ParseError:
            number = None
        if number is not None and "%" in (cell_format or ""):
            value = number * 100
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        value = value.strftime("%d/%m/%Y")
    if isinstance(value, bool):
        value = "yes" if value else "no"
    if isinstance(value, float | int) and not isinstance(value, bool):
        value = Decimal(str(value))
        if language == "vi":
            value = f"{value:f}".replace(".", ",")
        else:
            value = f"{value:f}"
    if item.kind is Kind.QUANTITY:
        unit = (unit or "").strip()
        if isinstance(value, str):
            value, typed = _split_quantity(value.strip())
            unit = typed or unit  # a unit typed after the number wins
        cleaned = clean_item(item, value, language=language, tenants=tenants, unit=unit)
        return replace(cleaned, unit=units.symbol_of(cleaned.unit)) if cleaned.unit else cleaned
    unit = ""
    if isinstance(value, str) and item.kind.is_number:
        value, unit = _split_unit(item, value.strip())
    return clean_item(item, value, language=language, tenants=tenants, unit=unit)


@dataclass
class ReportChanges:
    """What an import changes in one response beyond its data elements: report fields by
    ``"<form>:<key>"``, registry fields the registry lacks, the production rows (None:
    untouched)."""

    report: dict[str, AnswerValue] = field(default_factory=dict)
    registry: dict[str, object] = field(default_factory=dict)
    production: list | None = None

    def __bool__(self) -> bool:
        return bool(self.report or self.registry or self.production is not None)


def stored_report(response: Response, user) -> dict[str, object]:
    """``{item ident: stored value}`` of the response's report fields and registry fields
    (personal data hidden from who may not see it), for the template and for comparing."""
    ctx = report_context(response, user)
    values = {}
    for fv in report_values(response, user, context=ctx):
        for f in fv.fields:
            values[f.item.ident] = HIDDEN if f.hidden else f.value
    return values


def check_registry(
    item: Item, text: str, *, project: InvestmentProject, registry: dict, user
) -> tuple[str | None, str | None]:
    """A registry cell: ``(value to set or None, error or None)``. A blank cell, ``•••`` or
    the value the registry holds change nothing; a value where the registry holds another is
    an error; a value the registry lacks is set when the user may change the project."""
    if text in ("", str(HIDDEN)):
        return None, None
    current = registry.get(item.source.field)
    if current is HIDDEN:
        return None, _("Personal data you may not see cannot be imported.")
    shown = current.strftime("%d/%m/%Y") if hasattr(current, "strftime") else str(current or "")
    model_field = InvestmentProject._meta.get_field(item.source.field)
    labels = {str(v).casefold(): k for k, v in model_field.choices or ()}
    as_value = labels.get(text.casefold(), text)
    if current not in (None, ""):
        if as_value in (shown, str(current)):
            return None, None
        return None, _(
            "The registry holds “%(value)s”; change it on the registry page, not by import."
        ) % {"value": shown}
    probe = (
        project
        if project.pk
        else InvestmentProject(park_id=project.park_id, enterprise_id=project.enterprise_id)
    )
    if not can(user, Action.CHANGE, probe):
        return None, _("Only the entity's own users or its park manager fill the registry.")
    return as_value, None


def products_by_enterprise(responses) -> dict[int, list[ProductionLine]]:
    """The stored production rows of each response (by response id)."""
    rows: dict[int, list[ProductionLine]] = {}
    for line in ProductionLine.objects.filter(response__in=responses).order_by(
        "response_id", "position"
    ):
        rows.setdefault(line.response_id, []).append(line)
    return rows


def product_header(column: str, language: str) -> str:
    """The products sheet's header of ``column``, from form B.4 Part II."""
    from indicators.official_forms import official_form

    if column == "tax_code":
        return _("Tax code")
    names = {"revenue_million_vnd": "revenue"}
    for item in official_form("B.4").items():
        if item.source.kind is SourceKind.TABLE and item.source.field == names.get(column, column):
            return item_header(item, language)
    if column == "energy_carrier":
        return _("Energy carrier (electricity, oil, gas)")
    return column


def registry_for(response: Response, user) -> tuple[InvestmentProject, dict]:
    """The response subject's registry project and its values as ``user`` may see them."""
    project = project_of(park=response.park, enterprise=response.enterprise)
    return project, project_values(project, user)


def item_error(sheet: str, row: int, column: str, header: str, value, exc: ItemError) -> CellError:
    """A :class:`~common.xlsx.CellError` for a refused cell (the item's name left out: the
    header says it)."""
    reason = exc.message.split("»: ", 1)[-1]
    return CellError(sheet, row, column, header, cell_text(value)[:200], reason)


def language_now() -> str:
    """The active language (``vi`` or ``en``)."""
    return active_language()


def stored_values_bulk(responses, items: list[Item], user) -> dict[tuple[int, str], object]:
    """``{(response id, item code): stored value}`` for many responses at once (three
    queries): report values (a quantity as a :class:`Quantity` with its unit), registry fields (personal data hidden from who may not see it;
    what the registry knows before anyone typed, e.g. the developer's name, included)."""
    from enterprises.selectors import project_defaults

    from .models import ReportValue
    from .reports import _stored

    out: dict[tuple[int, str], object] = {}
    by_ident = {i.ident: i for i in items}
    ids = [r.pk for r in responses]
    for v in ReportValue.objects.filter(response_id__in=ids, item__in=list(by_ident)):
        item = by_ident[v.item]
        value = _stored(item, v.value_number, v.value_bool, v.value_text)
        if item.kind is Kind.QUANTITY and value is not None:
            value = Quantity(value, v.unit_entered)
        out[(v.response_id, v.item)] = value
    registry_items = [i for i in items if i.source.kind is SourceKind.REGISTRY]
    if not registry_items:
        return out
    projects = {
        (p.park_id, p.enterprise_id): p
        for p in InvestmentProject.objects.filter(
            park_id__in={r.park_id for r in responses},
            enterprise_id__in=[r.enterprise_id for r in responses if r.enterprise_id],
        )
    } | {
        (p.park_id, None): p
        for p in InvestmentProject.objects.filter(
            park_id__in={r.park_id for r in responses if not r.enterprise_id},
            enterprise__isnull=True,
        )
    }
    for r in responses:
        project = projects.get((r.park_id, r.enterprise_id)) or InvestmentProject(
            park=r.park,
            enterprise=r.enterprise,
            **project_defaults(park=r.park, enterprise=r.enterprise),
        )
        values = project_values(project, user)
        for item in registry_items:
            out[(r.pk, item_code(item))] = values.get(item.source.field)
    return out
