"""The official report forms of Circular 05/2025/TT-BKHĐT, field by field: A.4 (the park's
annual monitoring report, Decree 35/2022/NĐ-CP Art. 43(1)), A.5 (the park's indicators), B.4
(the enterprise's annual monitoring report) and B.5 (the enterprise's indicators).

Each form is a data file, ``indicators/data/forms/<A4|A5|B4|B5>.yaml``; this module reads it
into frozen objects and checks it. The same definitions drive the survey's layout
(``surveys.reports``) and the official documents: nothing else lists the forms' fields.
``docs/forms.md`` documents the schema, the public API and every decision taken where the
reference (``indicators/data/forms/reference/*.csv``) is wrong or inconsistent.

Public API::

    official_form("A.4")            -> OfficialForm
    official_forms(subject="park")  -> [OfficialForm A.4, A.5]
    form.parts -> Part.sections -> Section.items -> Item
    form.items() / form.data_items() / form.item("III.1.2.3")

Every :class:`Item` carries its number as the form writes it (``no``; A.5/B.5 also a
``code`` such as ``ENV.3``), labels in Vietnamese and English, its ``kind`` (text, decimal,
percentage, yes/no, table column …), its unit as the form writes it (``unit``) and the
ecopark unit its value is kept in (``store_unit``), the period it refers to, whether it is
required, and its :class:`Source`: a value the respondent enters, a data element of the
campaign's framework (scored), a field of the registry (Part I), a roll-up of the registers
(suggested, overridable), a calculation over other items, a column of a repeating table, or
uploaded files. Pure: no database access.
"""

from __future__ import annotations

import enum
import functools
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import yaml

FORMS_DIR = Path(__file__).resolve().parent / "data" / "forms"
#: form code → data file, in the order the forms are shown and filed
FORM_FILES = {"A.4": "A4.yaml", "A.5": "A5.yaml", "B.4": "B4.yaml", "B.5": "B5.yaml"}

#: the most digits a number may have before and after the decimal point (the forms' rule)
MAX_INTEGER_DIGITS = 15
MAX_DECIMALS = 5


class FormDefinitionError(ValueError):
    """A form file that does not check; ``errors`` lists every problem (file and item)."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__("; ".join(errors))


class Kind(enum.StrEnum):
    """What an item holds and how it is asked."""

    TEXT = "text"  #: one line of text
    TEXTAREA = "textarea"  #: several lines of text
    INTEGER = "integer"  #: a whole number ≥ 0
    DECIMAL = "decimal"  #: a number ≥ 0 (at most 15 integer digits, 5 decimals)
    PERCENTAGE = "percentage"  #: 0–100 %
    DATE = "date"  #: a date, dd/mm/yyyy
    YES_NO = "yes_no"  #: Có / Không
    CHOICE = "choice"  #: one of ``choices``
    MULTI_CHOICE = "multi_choice"  #: several of ``choices``
    ENTERPRISES = "enterprises"  #: several enterprises of the same park
    QUANTITY = "quantity"  #: a number with its own unit (fuels: litre, m³, tonne …)
    FILE = "file"  #: uploaded documents
    PROJECT = "project"  #: the investment project the report is about (the registry's)
    HEADING = "heading"  #: a label of the form, no value

    @property
    def is_number(self) -> bool:
        """True for the kinds whose value is a number."""
        return self in (Kind.INTEGER, Kind.DECIMAL, Kind.PERCENTAGE, Kind.QUANTITY)


class SourceKind(enum.StrEnum):
    """Where an item's value comes from."""

    ENTERED = "entered"  #: typed by the respondent, kept with the response
    ELEMENT = "element"  #: a data element of the campaign's framework (an answer, scored)
    REGISTRY = "registry"  #: a field of the registry (enterprises.InvestmentProject)
    REGISTER = "register"  #: suggested by the registers (roll-up), accepted or overridden
    CALCULATION = "calculation"  #: computed from other items of the form
    TABLE = "table"  #: a column of a repeating table (one row per product)
    EVIDENCE = "evidence"  #: files uploaded on the form
    NONE = "none"  #: a heading


class Period(enum.StrEnum):
    """The period an item refers to, for a report of reporting year Y = [N-1]."""

    TO_N_MINUS_2 = "to_n_minus_2"  #: cumulative up to Y - 1 ([N-2])
    N_MINUS_1 = "n_minus_1"  #: the reporting year Y ([N-1])
    END_N_MINUS_1 = "end_n_minus_1"  #: as at 31 December of Y
    PLAN_N_PLUS_3 = "plan_n_plus_3"  #: planned for Y + 1 ([N]) to Y + 4 ([N+3])


def period_years(period: str | None, reporting_year: int) -> tuple[int | None, int | None]:
    """``(first, last)`` year of ``period`` for a report of ``reporting_year`` ([N-1]); None
    where open (cumulative from the start). ``(None, None)`` for an item without a period.

    >>> period_years("to_n_minus_2", 2025), period_years("plan_n_plus_3", 2025)
    ((None, 2024), (2026, 2029))
    """
    y = reporting_year
    return {
        Period.TO_N_MINUS_2: (None, y - 1),
        Period.N_MINUS_1: (y, y),
        Period.END_N_MINUS_1: (None, y),
        Period.PLAN_N_PLUS_3: (y + 1, y + 4),
    }.get(period, (None, None))


@dataclass(frozen=True)
class Calculation:
    """A computed item: ``op`` ``sum`` (of the items ``terms``) or ``share`` (``100 × terms[0]
    / terms[1]``, rounded half up to 2 decimals). ``overridable``: the result is a suggestion
    the respondent may replace (B.4 P3.10, P4.14); otherwise the item is read-only and the
    server's value is the one stored."""

    op: str
    terms: tuple[str, ...]
    overridable: bool = False

    def compute(self, values: Mapping[str, Decimal | None]) -> Decimal | None:
        """The result from ``values`` (item key → number in its stored unit, or None).

        ``sum``: the sum of the terms given (missing terms count as nothing), None when none
        is given. ``share``: None when either is missing or the whole is 0.
        """
        if self.op == "share":
            part, whole = (values.get(k) for k in self.terms)
            if part is None or whole is None or whole == 0:
                return None
            return (Decimal(100) * part / whole).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        given = [values[k] for k in self.terms if values.get(k) is not None]
        return sum(given, Decimal(0)) if given else None


@dataclass(frozen=True)
class Source:
    """Where an item's value comes from (:class:`SourceKind`), with ``element`` (the data
    element code), ``field`` (registry field or table column), ``rollup`` (the register
    roll-up that suggests a value, for ``register`` and some ``element`` items) and
    ``calculation``."""

    kind: SourceKind
    element: str = ""
    field: str = ""
    rollup: str = ""
    calculation: Calculation | None = None

    @property
    def suggests(self) -> bool:
        """True when ecopark offers a figure the respondent may accept with one action."""
        return bool(self.rollup) or bool(self.calculation and self.calculation.overridable)


@dataclass(frozen=True)
class Choice:
    """One choice of a choice or multi-choice item: the stored ``value`` and its labels."""

    value: str
    label_vi: str
    label_en: str

    def label(self, language: str = "vi") -> str:
        """The label in ``language``."""
        return self.label_en if language.startswith("en") else self.label_vi


@dataclass(frozen=True)
class Condition:
    """Show a section or item only when item ``item`` holds ``equals`` or, with ``above``
    (a number), when its number is greater than ``above``: B.4 P4.2–P4.33 describe the
    enterprise's symbioses and apply only when P4.1 (their count) is above 0
    (``docs/forms.md`` §6)."""

    item: str
    equals: object = None
    above: Decimal | None = None

    def holds(self, value) -> bool:
        """Whether ``value`` (not blank) of the condition's item meets it; a value that is no
        number never is above."""
        if self.above is None:
            return value == self.equals
        try:
            return Decimal(str(value)) > self.above
        except ArithmeticError:
            return False


@dataclass(frozen=True)
class Item:
    """One field (or heading) of a form. See the module docstring and ``docs/forms.md``."""

    form: str
    key: str
    no: str
    label_vi: str
    label_en: str
    kind: Kind
    source: Source
    required: bool = False
    code: str = ""
    ref: str = ""
    unit: str = ""
    store_unit: str = ""
    period: str | None = None
    choices: tuple[Choice, ...] = ()
    decimals: int = MAX_DECIMALS
    show_if: Condition | None = None
    supporting: bool = False
    note_vi: str = ""
    note_en: str = ""
    carrier_column: str = ""

    @property
    def is_data(self) -> bool:
        """True for a field that holds a value (every kind but a heading)."""
        return self.kind is not Kind.HEADING

    @property
    def ident(self) -> str:
        """``"A.4:III.1.2.3"``: the item's key with its form, unique across the forms."""
        return f"{self.form}:{self.key}"

    @property
    def anchor(self) -> str:
        """An HTML id for the item, e.g. ``item-A4-III-1-2-3``."""
        return "item-" + re.sub(r"[^A-Za-z0-9]+", "-", self.ident.replace(".", "", 1)).strip("-")

    @property
    def read_only(self) -> bool:
        """True when the respondent cannot type the value (a non-overridable calculation)."""
        calc = self.source.calculation
        return calc is not None and not calc.overridable

    @property
    def minimum(self) -> Decimal | None:
        """The lower bound of a number (0: the forms' "positive number" includes 0)."""
        return Decimal(0) if self.kind.is_number else None

    @property
    def maximum(self) -> Decimal | None:
        """The upper bound of a number: 100 for a percentage, else none (15 digits)."""
        return Decimal(100) if self.kind is Kind.PERCENTAGE else None

    def label(self, language: str = "vi") -> str:
        """The label in ``language`` (``vi`` or ``en``)."""
        return self.label_en if language.startswith("en") else self.label_vi

    def note(self, language: str = "vi") -> str:
        """Why ecopark departs from the reference here, in ``language`` (``""`` when it does not)."""
        return self.note_en if language.startswith("en") else self.note_vi

    def choice_label(self, value: str, language: str = "vi") -> str:
        """The label of choice ``value`` (the value itself when the item has no such choice)."""
        for choice in self.choices:
            if choice.value == value:
                return choice.label(language)
        return value

    def number(self) -> str:
        """The number shown before the label: ``"1.2.3"``, ``"2 (ENV.3)"``, or ``""``."""
        if self.code and self.no:
            return f"{self.no} ({self.code})"
        return self.no


@dataclass(frozen=True)
class Section:
    """A numbered section of a part; ``table`` names a repeating table (its items are the
    columns, at least ``min_rows`` rows); ``show_if`` hides it unless the condition holds."""

    key: str
    title_vi: str
    title_en: str
    items: tuple[Item, ...]
    number: str = ""
    show_if: Condition | None = None
    table: str = ""
    min_rows: int = 0
    note_vi: str = ""
    note_en: str = ""

    def title(self, language: str = "vi") -> str:
        """The title in ``language``."""
        return self.title_en if language.startswith("en") else self.title_vi

    def note(self, language: str = "vi") -> str:
        """The section's note in ``language`` (``""`` when it has none)."""
        return self.note_en if language.startswith("en") else self.note_vi

    @property
    def anchor(self) -> str:
        """An HTML id for the section."""
        return "section-" + re.sub(r"[^A-Za-z0-9]+", "-", self.key).strip("-")


@dataclass(frozen=True)
class Part:
    """A part of a form (Phần I, II, …)."""

    number: str
    title_vi: str
    title_en: str
    sections: tuple[Section, ...]

    def title(self, language: str = "vi") -> str:
        """The title in ``language``."""
        return self.title_en if language.startswith("en") else self.title_vi


@dataclass(frozen=True)
class OfficialForm:
    """One official form: ``code`` (``A.4`` …), ``subject`` (``park`` or ``enterprise``),
    ``framework`` (the framework code whose campaigns may collect it), titles, the legal
    instrument that sets it in Vietnamese (``instrument_vi``: "Thông tư 05/2025/TT-BKHĐT,
    Mẫu A.4; …") and English (``instrument_en``), and its parts in order."""

    code: str
    subject: str
    framework: str
    title_vi: str
    title_en: str
    instrument_vi: str
    instrument_en: str
    parts: tuple[Part, ...]
    _index: dict = field(default_factory=dict, compare=False, repr=False)

    def title(self, language: str = "vi") -> str:
        """The title in ``language``."""
        return self.title_en if language.startswith("en") else self.title_vi

    def instrument(self, language: str = "vi") -> str:
        """The legal instrument (circular and form, decree and article) in ``language``."""
        return self.instrument_en if language.startswith("en") else self.instrument_vi

    def sections(self) -> Iterator[Section]:
        """Every section in the form's order."""
        for part in self.parts:
            yield from part.sections

    def items(self) -> Iterator[Item]:
        """Every item (headings included) in the form's order."""
        for section in self.sections():
            yield from section.items

    def data_items(self) -> list[Item]:
        """The items that hold a value, in order."""
        return [i for i in self.items() if i.is_data]

    def item(self, key: str) -> Item:
        """The item ``key`` (``KeyError`` when the form has none)."""
        return self._index[key]

    def section_of(self, key: str) -> Section:
        """The section holding item ``key``."""
        for section in self.sections():
            if any(i.key == key for i in section.items):
                return section
        raise KeyError(key)

    def element_codes(self) -> set[str]:
        """The data element codes the form's items are stored in."""
        return {i.source.element for i in self.items() if i.source.element}


# ------------------------------------------------------------------------------- loading

_ITEM_KEYS = {
    "key",
    "no",
    "code",
    "ref",
    "label_vi",
    "label_en",
    "kind",
    "unit",
    "store_unit",
    "period",
    "required",
    "source",
    "choices",
    "decimals",
    "show_if",
    "supporting",
    "note_vi",
    "note_en",
    "column",
    "carrier_column",
}
_SOURCE_KEYS = {"kind", "element", "field", "rollup", "sum", "share", "of", "overridable"}


def _condition(raw, where: str, errors: list[str]) -> Condition | None:
    if raw is None:
        return None
    if not isinstance(raw, dict) or set(raw) not in ({"item", "equals"}, {"item", "above"}):
        errors.append(f"{where}: show_if needs exactly 'item' and 'equals' (or 'above')")
        return None
    if "above" in raw:
        try:
            above = Decimal(str(raw["above"]))
        except ArithmeticError:
            errors.append(f"{where}: show_if 'above' must be a number")
            return None
        return Condition(item=str(raw["item"]), above=above)
    return Condition(item=str(raw["item"]), equals=raw["equals"])


def _choice(raw) -> Choice:
    if isinstance(raw, dict):
        return Choice(str(raw["value"]), str(raw["label_vi"]), str(raw["label_en"]))
    return Choice(str(raw), str(raw), str(raw))


def _source(raw, kind: Kind, table: str, where: str, errors: list[str]) -> Source:
    if table:
        if raw is not None:
            errors.append(f"{where}: a table column takes no source")
        return Source(kind=SourceKind.TABLE)
    if kind is Kind.HEADING:
        return Source(kind=SourceKind.NONE)
    if not isinstance(raw, dict) or "kind" not in raw:
        errors.append(f"{where}: a source with a kind is required")
        return Source(kind=SourceKind.ENTERED)
    unknown = set(raw) - _SOURCE_KEYS
    if unknown:
        errors.append(f"{where}: unknown source keys {sorted(unknown)}")
    try:
        source_kind = SourceKind(raw["kind"])
    except ValueError:
        errors.append(f"{where}: unknown source kind {raw['kind']!r}")
        return Source(kind=SourceKind.ENTERED)
    calculation = None
    if source_kind is SourceKind.CALCULATION:
        if "sum" in raw:
            calculation = Calculation("sum", tuple(raw["sum"]), bool(raw.get("overridable")))
        elif "share" in raw and "of" in raw:
            calculation = Calculation(
                "share", (str(raw["share"]), str(raw["of"])), bool(raw.get("overridable"))
            )
        else:
            errors.append(f"{where}: a calculation needs 'sum' or 'share' with 'of'")
    needs = {
        SourceKind.ELEMENT: "element",
        SourceKind.REGISTRY: "field",
        SourceKind.REGISTER: "rollup",
    }.get(source_kind)
    if needs and not raw.get(needs):
        errors.append(f"{where}: a {source_kind} source needs '{needs}'")
    return Source(
        kind=source_kind,
        element=str(raw.get("element") or ""),
        field=str(raw.get("field") or ""),
        rollup=str(raw.get("rollup") or ""),
        calculation=calculation,
    )


def _check_note(raw: dict, where: str, errors: list[str]) -> None:
    """A note is written in both languages (``note_vi`` and ``note_en``) or not at all."""
    if "note" in raw:
        errors.append(f"{where}: 'note' is written as 'note_vi' and 'note_en'")
    if bool(raw.get("note_vi")) != bool(raw.get("note_en")):
        errors.append(f"{where}: a note needs both 'note_vi' and 'note_en'")


def _item(raw: dict, form: str, table: str, errors: list[str]) -> Item | None:
    where = f"{form} {raw.get('key', '?')}"
    unknown = set(raw) - _ITEM_KEYS - {"note"}
    if unknown:
        errors.append(f"{where}: unknown keys {sorted(unknown)}")
    _check_note(raw, where, errors)
    for name in ("key", "no", "label_vi", "label_en", "kind"):
        if name not in raw:
            errors.append(f"{where}: '{name}' is missing")
    try:
        kind = Kind(raw.get("kind"))
    except ValueError:
        errors.append(f"{where}: unknown kind {raw.get('kind')!r}")
        return None
    period = raw.get("period")
    if period is not None and period not in Period.__members__.values():
        errors.append(f"{where}: unknown period {period!r}")
    if table and not raw.get("column"):
        errors.append(f"{where}: a table column needs 'column'")
    default_decimals = 0 if kind is Kind.INTEGER else MAX_DECIMALS
    decimals = int(raw.get("decimals", default_decimals))
    if not 0 <= decimals <= MAX_DECIMALS:
        errors.append(f"{where}: decimals must be 0–{MAX_DECIMALS}")
    source = _source(raw.get("source"), kind, table, where, errors)
    if table:
        source = Source(kind=SourceKind.TABLE, field=str(raw.get("column") or ""))
    return Item(
        form=form,
        key=str(raw.get("key", "")),
        no=str(raw.get("no", "")),
        label_vi=str(raw.get("label_vi", "")),
        label_en=str(raw.get("label_en", "")),
        kind=kind,
        source=source,
        required=bool(raw.get("required", False)),
        code=str(raw.get("code") or ""),
        ref=str(raw.get("ref") or ""),
        unit=str(raw.get("unit") or ""),
        store_unit=str(raw.get("store_unit") or ""),
        period=period,
        choices=tuple(_choice(c) for c in raw.get("choices") or ()),
        decimals=decimals,
        show_if=_condition(raw.get("show_if"), where, errors),
        supporting=bool(raw.get("supporting", False)),
        note_vi=str(raw.get("note_vi") or ""),
        note_en=str(raw.get("note_en") or ""),
        carrier_column=str(raw.get("carrier_column") or ""),
    )


def form_from_dict(data: dict) -> OfficialForm:
    """Build and check an :class:`OfficialForm` from a parsed form file.

    Raises :class:`FormDefinitionError` listing every problem: a missing or unknown key, an
    unknown kind, source or period, a repeated item key, a calculation or condition naming an
    item the form does not have, a calculation over an item that is not a number.
    """
    errors: list[str] = []
    code = str(data.get("code", "?"))
    for name in (
        "code",
        "subject",
        "framework",
        "title_vi",
        "title_en",
        "instrument_vi",
        "instrument_en",
        "parts",
    ):
        if name not in data:
            errors.append(f"{code}: '{name}' is missing")
    if data.get("subject") not in ("park", "enterprise"):
        errors.append(f"{code}: subject must be park or enterprise")
    parts = []
    for raw_part in data.get("parts") or []:
        sections = []
        for raw_section in raw_part.get("sections") or []:
            table = str(raw_section.get("table") or "")
            _check_note(raw_section, f"{code} {raw_section.get('key', '?')}", errors)
            items = []
            for raw_item in raw_section.get("items") or []:
                item = _item(raw_item, code, table, errors)
                if item is not None:
                    items.append(item)
            sections.append(
                Section(
                    key=str(raw_section.get("key", "")),
                    number=str(raw_section.get("number") or ""),
                    title_vi=str(raw_section.get("title_vi", "")),
                    title_en=str(raw_section.get("title_en", "")),
                    items=tuple(items),
                    show_if=_condition(raw_section.get("show_if"), f"{code} section", errors),
                    table=table,
                    min_rows=int(raw_section.get("min_rows") or 0),
                    note_vi=str(raw_section.get("note_vi") or ""),
                    note_en=str(raw_section.get("note_en") or ""),
                )
            )
        parts.append(
            Part(
                number=str(raw_part.get("number") or ""),
                title_vi=str(raw_part.get("title_vi", "")),
                title_en=str(raw_part.get("title_en", "")),
                sections=tuple(sections),
            )
        )
    form = OfficialForm(
        code=code,
        subject=str(data.get("subject", "")),
        framework=str(data.get("framework", "")),
        title_vi=str(data.get("title_vi", "")),
        title_en=str(data.get("title_en", "")),
        instrument_vi=str(data.get("instrument_vi", "")),
        instrument_en=str(data.get("instrument_en", "")),
        parts=tuple(parts),
    )
    for item in form.items():
        if item.key in form._index:
            errors.append(f"{code} {item.key}: the key is used twice")
        form._index[item.key] = item
    for item in form.items():
        calc = item.source.calculation
        for term in calc.terms if calc else ():
            other = form._index.get(term)
            if other is None:
                errors.append(f"{code} {item.key}: the calculation names unknown item {term}")
            elif not other.kind.is_number:
                errors.append(f"{code} {item.key}: the calculation term {term} is not a number")
        if item.show_if and item.show_if.item not in form._index:
            errors.append(f"{code} {item.key}: show_if names unknown item {item.show_if.item}")
    for section in form.sections():
        if section.show_if and section.show_if.item not in form._index:
            errors.append(f"{code} {section.key}: show_if names unknown item")
    if errors:
        raise FormDefinitionError(errors)
    return form


@functools.cache
def official_form(code: str) -> OfficialForm:
    """The form ``code`` (``"A.4"``, ``"A.5"``, ``"B.4"`` or ``"B.5"``), read once per process.

    Raises ``KeyError`` for an unknown code and :class:`FormDefinitionError` for a file that
    does not check.
    """
    path = FORMS_DIR / FORM_FILES[code]
    with open(path, encoding="utf-8") as fh:
        return form_from_dict(yaml.safe_load(fh))


def official_forms(*, subject: str | None = None, framework: str | None = None):
    """The forms in filing order (A.4, A.5, B.4, B.5), optionally only those of ``subject``
    (``park`` or ``enterprise``) or of framework ``framework`` (e.g. ``VN-2022``)."""
    forms = [official_form(code) for code in FORM_FILES]
    return [
        f
        for f in forms
        if (subject is None or f.subject == subject)
        and (framework is None or f.framework == framework)
    ]


def find_item(ident: str) -> Item:
    """The item named ``"A.4:III.1.2.3"`` (form code, colon, item key); ``KeyError`` else."""
    code, _, key = ident.partition(":")
    if code not in FORM_FILES:
        raise KeyError(ident)
    return official_form(code).item(key)
