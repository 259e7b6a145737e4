"""The official reports of a response (Circular 05/2025/TT-BKHĐT forms A.4, A.5 from a park;
B.4, B.5 from an enterprise), as their form definitions lay them out
(``indicators.official_forms``, documented in ``docs/forms.md``).

Where each field's value lives:

- a data element of the campaign's framework (A.5, B.5, B.4 P4.1): an
  :class:`~surveys.models.Answer`, scored;
- any other field the respondent gives: a :class:`~surveys.models.ReportValue` of the
  response, keyed ``"<form>:<item key>"``;
- Part I (investor, representative, project): the registry,
  :class:`enterprises.models.InvestmentProject`, read as it stood when the report was
  submitted, personal data hidden from who may not see it;
- B.4 Part II: :class:`~surveys.models.ProductionLine` rows;
- calculations: computed by the server on every save and stored (origin ``calculated``);
- register roll-ups (``registers.selectors.report_rollups``): offered beside the field; the
  respondent accepts the figure with one action (origin ``registers``) or types another.

Reads: :func:`report_values` (every field of every form in order, with its value, text,
origin and suggestion — what the official documents render), :func:`report_missing` (the
completeness check at submit). Cleaning shared by the form, the API and the Excel import:
:func:`clean_item`. Writes are in ``surveys.services`` (``response_save_report``).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from common.formats import active_language, format_amount, format_number
from common.parsing import ParseError, parse_date, parse_number, parse_percent, parse_yes_no
from enterprises.models import Enterprise, InvestmentProject
from enterprises.selectors import HIDDEN, project_as_of, project_of, project_values
from indicators import units
from indicators.models import DataElement
from indicators.official_forms import (
    MAX_INTEGER_DIGITS,
    Item,
    Kind,
    OfficialForm,
    SourceKind,
    official_form,
    official_forms,
)
from registers.selectors import Rollup, report_rollups

from .forms import AnswerValue, percent_range_message
from .models import Answer, Evidence, Origin, ProductionLine, ReportValue, Response

#: the longest text a field takes (one line / several lines)
TEXT_LIMIT = 500
TEXTAREA_LIMIT = 10_000
#: dimensions a fuel quantity may be typed in (its own unit is kept: never converted)
QUANTITY_DIMENSIONS = ("energy", "volume", "mass")
#: the most rows of the production table
MAX_PRODUCTION_ROWS = 100


def response_forms(response: Response) -> list[OfficialForm]:
    """The official forms ``response`` files: those of its campaign
    (``Campaign.report_forms``) for its subject (park: A.4, A.5; enterprise: B.4, B.5)."""
    chosen = set(response.campaign.report_forms or ())
    if not chosen:
        return []
    return [f for f in official_forms(subject=response.subject_kind) if f.code in chosen]


def field_name(item: Item) -> str:
    """The name of the item's input on the response page, e.g. ``f_A4_III_1_2_3``."""
    ident = item.ident.replace(".", "", 1)  # "A.4:III.1.2.3" → "A4:III.1.2.3"
    return "f_" + ident.replace(".", "_").replace(":", "_").replace("-", "_")


def store_unit_choices(item: Item) -> list[str]:
    """Units a person may type the item in (its stored unit first); [] when none to choose.
    Money: million VND and VND (no exchange rate is kept, so never USD)."""
    if item.kind is Kind.QUANTITY:
        return [u for d in QUANTITY_DIMENSIONS for u in units.units_for(d)]
    if not item.store_unit or not item.kind.is_number:
        return []
    dimension = units.dimension_of(item.store_unit)
    offered = [u for u in units.units_for(dimension) if u != "USD"]
    offered.remove(item.store_unit)
    return [item.store_unit, *offered] if offered else []


# ------------------------------------------------------------------------------- cleaning


class ItemError(ValueError):
    """A value refused for an item; ``message`` names the item and says why."""

    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


class QuantityUnitError(ItemError):
    """A quantity (``Kind.QUANTITY``, a fuel) whose number is read but whose ``unit`` (as
    given, stripped; ``""`` when none) is missing or not a unit of a quantity, so that an
    import can name the unit's own cell (``surveys.interchange``)."""

    def __init__(self, message: str, unit: str):
        self.unit = unit
        super().__init__(message)


def item_title(item: Item, language: str | None = None) -> str:
    """``"1.2.3 Điện năng tiết kiệm"``: the item's number and label, as errors name it, in
    ``language`` (``"vi"``/``"en"``; None: the active language, as an error message needs)."""
    label = item.label(language or active_language())
    number = item.number()
    return f"{number} {label}".strip()


def _digits_ok(number: Decimal, decimals: int) -> bool:
    sign, digits, exponent = number.normalize().as_tuple()
    places = max(0, -exponent) if isinstance(exponent, int) else 0
    integer_digits = max(0, len(digits) + exponent) if isinstance(exponent, int) else 0
    return places <= decimals and integer_digits <= MAX_INTEGER_DIGITS


def clean_number(item: Item, raw, *, language: str, unit: str = "") -> AnswerValue:
    """A number for ``item`` from ``raw`` (text typed in ``language``, or a number a cell or
    the API gave), in ``unit`` (one of :func:`store_unit_choices`; blank: the stored unit),
    converted to the stored unit. The forms' rules: at most 15 digits before the decimal mark
    and ``item.decimals`` after it (as typed), never negative, a percentage 0–100 (message
    ``surveys.forms.percent_range_message``); a converted amount is rounded half up to ``item.decimals``.
    Raises :class:`ItemError` naming the item; the message, the item's label and the example
    number are in the active language, whatever ``language`` the text is read in (the API
    reads numbers the English way and answers in its caller's language)."""
    title = item_title(item)
    text = "" if raw is None else (raw if not isinstance(raw, str) else raw.strip())
    if text == "":
        return AnswerValue()
    example = "1.234,5" if active_language() == "vi" else "1,234.5"
    try:
        if item.kind is Kind.PERCENTAGE:
            number = parse_percent(text, language=language)
        else:
            number = parse_number(text, language=language)
    except ParseError:
        raise ItemError(
            _("«%(label)s»: “%(value)s” is not a number; write a number such as %(example)s.")
            % {"label": title, "value": text, "example": example}
        ) from None
    if item.kind is Kind.INTEGER and number != number.to_integral_value():
        raise ItemError(
            _("«%(label)s»: “%(value)s” must be a whole number.") % {"label": title, "value": text}
        )
    if not _digits_ok(number, item.decimals):
        raise ItemError(
            _("«%(label)s»: at most %(int)s digits before the decimal mark and %(dec)s after it.")
            % {"label": title, "int": MAX_INTEGER_DIGITS, "dec": item.decimals}
        )
    if item.kind is Kind.PERCENTAGE and not Decimal(0) <= number <= Decimal(100):
        raise ItemError(f"«{title}»: {percent_range_message()}")
    if number < 0:
        raise ItemError(_("«%(label)s»: the value cannot be negative.") % {"label": title})
    raw_text = str(raw).strip() if isinstance(raw, str) else format_number(number)
    if item.kind is Kind.QUANTITY:
        unit = (unit or "").strip()
        try:
            if units.dimension_of(unit) not in QUANTITY_DIMENSIONS or not unit:
                raise units.UnitError("wrong_dimension", "")
        except units.UnitError:
            raise QuantityUnitError(
                _("«%(label)s»: choose the unit of the quantity (litre, m³, tonne, kWh …).")
                % {"label": title},
                unit,
            ) from None
        return AnswerValue(number=number.normalize() + 0, raw=raw_text, unit=unit)
    typed_unit = ""
    if unit and item.store_unit and unit != item.store_unit:
        try:
            number = units.convert(number, unit, item.store_unit)
        except units.UnitError as exc:
            raise ItemError(f"«{title}»: {exc.message}") from None
        number = number.quantize(Decimal(1).scaleb(-item.decimals), rounding=ROUND_HALF_UP)
        typed_unit = unit
        if not _digits_ok(number, item.decimals):
            raise ItemError(
                _("«%(label)s»: %(value)s is too large to be a plausible value.")
                % {"label": title, "value": text}
            )
    return AnswerValue(number=number.normalize() + 0, raw=raw_text, unit=typed_unit)


def _choice_map(item: Item) -> dict[str, str]:
    """Values and labels (vi, en; case-folded) of the item's choices → the value."""
    allowed = {c.value: c.value for c in item.choices}
    for lang in ("vi", "en"):
        allowed.update({c.label(lang).casefold(): c.value for c in item.choices})
    return allowed


def clean_item(
    item: Item,
    raw,
    *,
    language: str,
    unit: str = "",
    tenants: dict[str, str] | None = None,
) -> AnswerValue:
    """The value of ``item`` from ``raw`` as a person, a cell or the API gave it; blank →
    an empty :class:`~surveys.forms.AnswerValue`. ``raw`` may be a list (checkboxes of a
    multi-choice or enterprise item). ``tenants`` maps the tax codes of the enterprises an
    enterprise item may name to their names. Raises :class:`ItemError` naming the item, in
    the active language (``language`` is the one ``raw`` is written in)."""
    title = item_title(item)
    kind = item.kind
    if kind.is_number:
        return clean_number(item, raw, language=language, unit=unit)
    if isinstance(raw, list | tuple):
        values = [str(v).strip() for v in raw if str(v).strip()]
    else:
        text = "" if raw is None else str(raw).strip()
        if kind in (Kind.MULTI_CHOICE, Kind.ENTERPRISES):
            values = [v.strip() for v in text.replace("\n", ";").split(";") if v.strip()]
        else:
            values = [text] if text else []
    if not values:
        return AnswerValue()
    if kind is Kind.YES_NO:
        word = values[0]
        try:
            flag = {"yes": True, "no": False}.get(word)
            flag = parse_yes_no(word) if flag is None else flag
        except ParseError:
            raise ItemError(
                _("«%(label)s»: “%(value)s” is not Có or Không.") % {"label": title, "value": word}
            ) from None
        return AnswerValue(flag=flag, raw=word)
    if kind is Kind.DATE:
        try:
            date = parse_date(values[0])
        except ParseError:
            raise ItemError(
                _("«%(label)s»: “%(value)s” is not a date; write it as dd/mm/yyyy.")
                % {"label": title, "value": values[0]}
            ) from None
        return AnswerValue(text=date.isoformat(), raw=values[0])
    if kind is Kind.CHOICE:
        allowed = _choice_map(item)
        chosen = allowed.get(values[0]) or allowed.get(values[0].casefold())
        if chosen is None:
            raise ItemError(
                _("«%(label)s»: “%(value)s” is not one of: %(choices)s.")
                % {
                    "label": title,
                    "value": values[0],
                    "choices": ", ".join(c.label(active_language()) for c in item.choices),
                }
            )
        return AnswerValue(text=chosen, raw=values[0])
    if kind is Kind.MULTI_CHOICE:
        allowed = _choice_map(item)
        chosen, unknown = [], []
        for v in values:
            code = allowed.get(v) or allowed.get(v.casefold())
            (chosen if code else unknown).append(code or v)
        if unknown:
            raise ItemError(
                _("«%(label)s»: “%(value)s” is not one of: %(choices)s.")
                % {
                    "label": title,
                    "value": "; ".join(unknown),
                    "choices": "; ".join(c.value for c in item.choices),
                }
            )
        ordered = [c.value for c in item.choices if c.value in chosen]
        return AnswerValue(text=";".join(ordered), raw=";".join(ordered))
    if kind is Kind.ENTERPRISES:
        tenants = tenants or {}
        codes, unknown = [], []
        for v in values:
            code = v.split(" ")[0]
            if code not in tenants:
                from enterprises.models import normalise_tax_code

                try:
                    code = normalise_tax_code(code)
                except Exception:  # noqa: BLE001 - any unreadable code is reported below
                    pass
            (codes if code in tenants else unknown).append(code)
        if unknown:
            raise ItemError(
                _("«%(label)s»: %(codes)s: not a tax code of another enterprise of the park.")
                % {"label": title, "codes": ", ".join(unknown)}
            )
        unique = list(dict.fromkeys(codes))
        return AnswerValue(text=";".join(unique), raw=";".join(unique))
    text = values[0]
    limit = TEXTAREA_LIMIT if kind is Kind.TEXTAREA else TEXT_LIMIT
    if len(text) > limit:
        raise ItemError(
            _("«%(label)s»: at most %(n)s characters (%(given)s given).")
            % {"label": title, "n": limit, "given": len(text)}
        )
    return AnswerValue(text=text, raw=text[:200])


# --------------------------------------------------------------------------------- values


@dataclass
class FieldValue:
    """One field of a report as the documents and pages show it.

    ``value``: a ``Decimal`` (in ``unit``), ``bool``, ``str``, ``datetime.date``, a tuple of
    codes (multi-choice, enterprises), a list of file names (file), or None (blank, heading,
    table column). ``text`` the value as the form writes it in the active language (numbers
    grouped, Có/Không, dd/mm/yyyy, names of enterprises and choices). ``origin``: ``typed``,
    ``registers``, ``calculated``, ``registry`` or ``""`` (blank). ``unit`` the unit as the
    form writes it (a fuel quantity: the unit it was typed in). ``suggestion`` what the
    registers (or an overridable calculation) offer, with its basis. ``shown`` whether its
    section and condition apply; ``hidden`` personal data the reader may not see; ``missing``
    required, shown and blank."""

    item: Item
    value: object = None
    text: str = ""
    origin: str = ""
    unit: str = ""
    suggestion: Rollup | None = None
    shown: bool = True
    hidden: bool = False
    missing: bool = False

    @property
    def is_blank(self) -> bool:
        """True when no value is held (``False`` and 0 are values)."""
        return self.value is None or self.value == "" or self.value == () or self.value == []


@dataclass
class FormValues:
    """One form of a response: its fields in the form's order (headings included) and, for
    B.4, the production table's rows."""

    form: OfficialForm
    fields: list[FieldValue]
    rows: list[ProductionLine] = field(default_factory=list)
    by_key: dict[str, FieldValue] = field(default_factory=dict)

    def __post_init__(self):
        self.by_key = {f.item.key: f for f in self.fields}


@dataclass
class ReportContext:
    """What reading a response's reports needs, read once: the response, its forms, the
    framework's data elements by code, the stored answers and report values, the registry
    project (as it stood at submission), the park's tenants, the production rows, the
    evidence files, and the registers' roll-ups (read on first use)."""

    response: Response
    forms: list[OfficialForm]
    elements: dict[str, DataElement]
    answers: dict[str, Answer]
    values: dict[str, ReportValue]
    project: InvestmentProject
    registry: dict[str, object]
    tenants: dict[str, str]
    rows: list[ProductionLine]
    files: dict[str, list[str]]
    _rollups: dict | None = None

    @property
    def rollups(self) -> dict[str, Rollup]:
        """The registers' figures for the response's subject and period (seven queries)."""
        if self._rollups is None:
            r = self.response
            self._rollups = report_rollups(
                period=r.campaign.period, park_id=r.park_id, enterprise_id=r.enterprise_id
            )
        return self._rollups


def report_context(response: Response, user) -> ReportContext:
    """Read everything :func:`report_values` needs for ``response`` as ``user`` sees it."""
    forms = response_forms(response)
    codes = {c for f in forms for c in f.element_codes()}
    elements = {
        e.code: e
        for e in DataElement.objects.filter(
            version_id=response.campaign.framework_version_id, code__in=codes
        )
    }
    answers = {
        a.data_element.code: a
        for a in Answer.objects.filter(
            response=response, data_element__code__in=codes
        ).select_related("data_element")
    }
    values = {v.item: v for v in ReportValue.objects.filter(response=response)}
    project = project_of(park=response.park, enterprise=response.enterprise)
    if not response.is_editable:
        project = project_as_of(project, response.submitted_at)
    tenants = dict(
        Enterprise.objects.filter(park_id=response.park_id)
        .exclude(pk=response.enterprise_id)
        .values_list("tax_code", "name")
    )
    files: dict[str, list[str]] = {}
    for item, name in Evidence.objects.filter(response=response, item__gt="").values_list(
        "item", "original_name"
    ):
        files.setdefault(item, []).append(name)
    return ReportContext(
        response=response,
        forms=forms,
        elements=elements,
        answers=answers,
        values=values,
        project=project,
        registry=project_values(project, user),
        tenants=tenants,
        rows=list(ProductionLine.objects.filter(response=response)),
        files=files,
    )


def _number_text(item: Item, number: Decimal) -> str:
    return format_amount(number, item.decimals)


def value_text(item: Item, value, *, tenants: dict[str, str] | None = None, unit: str = "") -> str:
    """``value`` of ``item`` as the form writes it in the active language."""
    language = active_language()
    if value is None or value == "" or value == ():
        return ""
    if value is HIDDEN:
        return str(HIDDEN)
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, Decimal):
        text = _number_text(item, value)
        return f"{text} {unit}".strip() if item.kind is Kind.QUANTITY else text
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, tuple | list):
        if item.kind is Kind.ENTERPRISES:
            return "; ".join((tenants or {}).get(code, code) for code in value)
        if item.kind is Kind.FILE:
            return "; ".join(value)
        return "; ".join(item.choice_label(v, language) for v in value)
    if item.kind is Kind.CHOICE and item.choices:
        return item.choice_label(str(value), language)
    return str(value)


def _stored(item: Item, number, flag, text, unit_entered=""):
    """The python value of a stored answer or report value for ``item``."""
    if item.kind is Kind.YES_NO:
        return flag
    if item.kind.is_number:
        return None if number is None else number.normalize() + 0
    if item.kind is Kind.DATE:
        return datetime.date.fromisoformat(text) if text else None
    if item.kind in (Kind.MULTI_CHOICE, Kind.ENTERPRISES):
        return tuple(t for t in text.split(";") if t) if text else ()
    return text


def _registry_choice_text(name: str, value) -> str:
    model_field = InvestmentProject._meta.get_field(name)
    if model_field.choices and value not in (None, "", HIDDEN):
        return str(dict(model_field.choices).get(value, value))
    return ""


def _condition_holds(condition, lookup) -> bool | None:
    """True/False when the condition can be judged, None when its item is blank."""
    if condition is None:
        return True
    value = lookup(condition.item)
    if value is None or value == "":
        return None
    return condition.holds(value)


def _field(item: Item, ctx: ReportContext, computed: dict[str, Decimal | None]) -> FieldValue:
    source = item.source
    if item.kind is Kind.HEADING or source.kind is SourceKind.TABLE:
        return FieldValue(item=item)
    if item.kind is Kind.PROJECT:
        project = ctx.project
        name = project.project_name or str(ctx.response.enterprise or ctx.response.park)
        return FieldValue(item=item, value=name, text=name, origin="registry")
    if source.kind is SourceKind.REGISTRY:
        value = ctx.registry.get(source.field)
        hidden = value is HIDDEN
        text = _registry_choice_text(source.field, value) or value_text(item, value)
        return FieldValue(
            item=item,
            value=None if hidden else (value if value not in ("",) else None),
            text=text,
            origin="registry" if value not in (None, "") else "",
            unit=item.unit,
            hidden=hidden,
        )
    if source.kind is SourceKind.EVIDENCE:
        names = ctx.files.get(item.ident, [])
        return FieldValue(
            item=item, value=names, text="; ".join(names), origin="typed" if names else ""
        )
    suggestion = None
    if source.rollup and ctx.response.is_editable:
        suggestion = _rounded(item, ctx.rollups.get(source.rollup))
    stored = (
        ctx.answers.get(source.element)
        if source.kind is SourceKind.ELEMENT
        else ctx.values.get(item.ident)
    )
    value = (
        _stored(item, stored.value_number, stored.value_bool, stored.value_text)
        if stored is not None
        else None
    )
    origin = stored.origin if stored is not None else ""
    unit = (stored.unit_entered if stored is not None and item.kind is Kind.QUANTITY else "") or (
        item.unit
    )
    calc = source.calculation
    if calc is not None:
        result = computed.get(item.key)
        if calc.overridable:
            if ctx.response.is_editable and result is not None:
                suggestion = Rollup(result, _("the sum of the fields it adds up"))
        elif value is None and result is not None:
            value, origin = result, Origin.CALCULATED
    if value is not None and item.kind.is_number:
        computed.setdefault(item.key, value)
    return FieldValue(
        item=item,
        value=value,
        text=value_text(item, value, tenants=ctx.tenants, unit=unit),
        origin=origin if value not in (None, "", ()) else "",
        unit=unit,
        suggestion=suggestion,
    )


def _rounded(item: Item, rollup: Rollup | None) -> Rollup | None:
    """The registers' figure rounded half up to the decimals the item takes (CO2: 2)."""
    if rollup is None or not isinstance(rollup.value, Decimal):
        return rollup
    places = Decimal(1).scaleb(-item.decimals)
    value = rollup.value.quantize(places, rounding=ROUND_HALF_UP).normalize() + 0
    return Rollup(value, rollup.basis, rollup.unit)


def form_numbers(form: OfficialForm, ctx: ReportContext) -> dict[str, Decimal | None]:
    """The numbers the calculations read: stored values and answers of the form's numeric
    items, then each calculation in order (a calculation may add up another)."""
    numbers: dict[str, Decimal | None] = {}
    for item in form.items():
        if not item.kind.is_number:
            continue
        if item.source.kind is SourceKind.ELEMENT:
            answer = ctx.answers.get(item.source.element)
            numbers[item.key] = answer.value_number if answer is not None else None
        else:
            stored = ctx.values.get(item.ident)
            numbers[item.key] = stored.value_number if stored is not None else None
    for _round in range(2):
        for item in form.items():
            calc = item.source.calculation
            if calc is not None and not calc.overridable:
                numbers[item.key] = calc.compute(numbers)
    return numbers


def form_values(form: OfficialForm, ctx: ReportContext) -> FormValues:
    """The fields of one ``form`` of the context's response, in the form's order."""
    numbers = form_numbers(form, ctx)
    computed = {}
    for item in form.items():
        calc = item.source.calculation
        if calc is not None:
            computed[item.key] = calc.compute(numbers) if calc.overridable else numbers[item.key]
    fields = [_field(item, ctx, computed) for item in form.items()]
    result = FormValues(form=form, fields=fields, rows=ctx.rows if _has_table(form) else [])

    def lookup(key: str):
        f = result.by_key.get(key)
        return None if f is None else f.value

    for section in form.sections():
        section_shown = _condition_holds(section.show_if, lookup)
        for item in section.items:
            f = result.by_key[item.key]
            item_shown = _condition_holds(item.show_if, lookup)
            f.shown = section_shown is not False and item_shown is not False
            judged = section_shown is True or (
                section_shown is None and section.show_if.item == item.key
            )
            f.missing = bool(
                item.required
                and item.is_data
                and f.shown
                and judged
                and item_shown is not None
                and item.source.kind not in (SourceKind.TABLE, SourceKind.EVIDENCE)
                and item.kind is not Kind.PROJECT
                and f.is_blank
                and not f.hidden
            )
    return result


def _has_table(form: OfficialForm) -> bool:
    return any(s.table for s in form.sections())


def report_values(
    response: Response, user, *, context: ReportContext | None = None
) -> list[FormValues]:
    """Every official form ``response`` files, each field in the form's order with its value
    (typed, accepted from the registers, calculated, or from the registry), as ``user`` may
    see it (personal data hidden otherwise). The documents render this without knowing where
    a value comes from. A submitted or approved report shows Part I as the registry stood
    when it was submitted."""
    ctx = context or report_context(response, user)
    return [form_values(form, ctx) for form in ctx.forms]


# ---------------------------------------------------------------------------- completeness


@dataclass(frozen=True)
class Missing:
    """A required field left blank: its ``form`` code, ``item`` (None for a table's rows),
    ``label`` as the list shows it, and the page ``anchor`` to link to."""

    form: str
    label: str
    anchor: str
    item: Item | None = None


def production_row_missing(row: ProductionLine) -> list[str]:
    """The columns of a production row left blank (model field names)."""
    names = ["product", "unit", "design_capacity", "actual_output", "energy_per_unit"]
    names.append("revenue_million_vnd")
    return [n for n in names if getattr(row, n) in (None, "")]


def report_missing(
    response: Response, user=None, *, values: list[FormValues] | None = None
) -> list[Missing]:
    """The required fields of ``response``'s reports that are blank, in the forms' order,
    each with the anchor of its field: a field is required when the form says so and its
    section and condition apply (a section whose condition is not yet answered asks for that
    answer only). A calculation that cannot be made is not listed when a term it adds up is
    itself missing. The production table needs at least one complete row."""
    values = values if values is not None else report_values(response, user)
    language = active_language()
    missing: list[Missing] = []
    for fv in values:
        registry_listed: set[str] = set()
        for f in fv.fields:
            if not f.missing:
                continue
            if f.item.read_only:
                # computed from other fields: those are listed when blank; with all of them
                # given it may still be empty (a share of a total of 0), never the person's
                continue
            if f.item.source.kind is SourceKind.REGISTRY:
                if f.item.source.field in registry_listed:
                    continue  # one registry field asked in two sections: listed once
                registry_listed.add(f.item.source.field)
            missing.append(
                Missing(
                    form=fv.form.code,
                    label=f"{fv.form.code} {item_title(f.item, language)}",
                    anchor=f.item.anchor,
                    item=f.item,
                )
            )
        for section in fv.form.sections():
            if not section.table:
                continue
            complete = [r for r in fv.rows if not production_row_missing(r)]
            if len(complete) < section.min_rows:
                missing.append(
                    Missing(
                        form=fv.form.code,
                        label=_("%(form)s %(section)s: at least one complete row")
                        % {"form": fv.form.code, "section": section.title(language)},
                        anchor=section_anchor(fv.form, section),
                    )
                )
    return missing


def section_anchor(form: OfficialForm, section) -> str:
    """The page's id of a section of ``form`` (``section-II-b4``): sections' keys repeat
    across forms, so the form's code follows."""
    return f"{section.anchor}-{form.code.replace('.', '').lower()}"


def section_counts(fv: FormValues) -> dict[str, tuple[int, int]]:
    """``{section key: (answered, to answer)}``: the fields of each section shown and holding
    a value, out of those shown (headings left out; a table counts its complete rows out of
    its rows, at least its minimum)."""
    counts = {}
    for section in fv.form.sections():
        if section.table:
            complete = len([r for r in fv.rows if not production_row_missing(r)])
            counts[section.key] = (complete, max(len(fv.rows), section.min_rows))
            continue
        shown = [fv.by_key[i.key] for i in section.items if i.is_data and fv.by_key[i.key].shown]
        answered = [f for f in shown if not f.is_blank or f.hidden]
        counts[section.key] = (len(answered), len(shown))
    return counts


def suggestion_input(item: Item, rollup: Rollup | None) -> object:
    """The suggestion as the page's input takes it: a number written the active language's
    way without grouping (``1234,5``), ``yes``/``no``, a list of codes, or text; None when
    there is nothing to suggest."""
    if rollup is None or rollup.value is None or rollup.value == "":
        return None
    value = rollup.value
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Decimal | int):
        return format_number(Decimal(value))
    if isinstance(value, tuple):
        return list(value)
    return str(value)


def suggestion_matches(item: Item, cleaned: AnswerValue, rollup: Rollup | None) -> bool:
    """True when ``cleaned`` is the registers' figure ``rollup`` (so it may be recorded as
    taken from the registers)."""
    if rollup is None or rollup.value is None:
        return False
    value = rollup.value
    if isinstance(value, bool):
        return cleaned.flag is value
    if isinstance(value, Decimal | int):
        if cleaned.number is None:
            return False
        if item.kind is Kind.QUANTITY and cleaned.unit != rollup.unit:
            return False
        places = Decimal(1).scaleb(-item.decimals)
        return cleaned.number.quantize(places) == Decimal(value).quantize(
            places, rounding=ROUND_HALF_UP
        )
    if isinstance(value, tuple):
        return tuple(t for t in cleaned.text.split(";") if t) == value
    return cleaned.text == str(value)


def forms_of_campaign(codes) -> list[OfficialForm]:
    """The forms named by ``codes`` in filing order (unknown codes raise ``KeyError``)."""
    return [official_form(code) for code in sorted(set(codes), key=list_order)]


def list_order(code: str) -> int:
    """The filing position of a form code (A.4, A.5, B.4, B.5)."""
    return [f.code for f in official_forms()].index(code)


def find_form_item(response: Response, key: str) -> Item | None:
    """The item of ``response``'s forms named ``key``: a form field (``"A.4:III.1.2.3"``) or
    a data element code (the item stored in that element); None when no form has it."""
    for form in response_forms(response):
        for item in form.items():
            if item.ident == key or (item.source.element and item.source.element == key):
                return item
    return None
