"""A framework version as a document: the field specifications both file formats share (YAML
and XLSX, limits read from the models) and the one exporter of a stored version
(:func:`version_to_dict`), used by the checks before publishing (:mod:`indicators.services`),
the catalogue pages and the interchange files (:mod:`indicators.interchange`). Reads only."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from .models import Category, Criterion, DataElement, Framework, FrameworkVersion, Indicator

# --------------------------------------------------------------------------------------
# Field specifications (shared by both formats; limits read from the models)
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Field:
    """One field of the document: its key (= XLSX column header) and how a value is read.

    ``kind``: ``code`` (trimmed text), ``text`` (free text, kept verbatim), ``choice``
    (one of ``choices``), ``ref`` (a code of another list, None when blank), ``decimal``,
    ``integer``, ``bool``, ``lines`` (a list of text, one per line in a cell), ``date``.
    """

    name: str
    kind: str
    required: bool = False
    max_length: int | None = None
    choices: tuple[str, ...] = ()
    max_digits: int | None = None
    decimal_places: int | None = None
    minimum: int | None = None
    default: object = None


def _spec(model, name: str, kind: str, **overrides) -> _Field:
    """A :class:`_Field` whose limits come from ``model``'s field ``name``."""
    f = model._meta.get_field(name)
    values = dict(
        name=name,
        kind=kind,
        required=kind in ("code", "text", "choice") and not f.blank,
        max_length=getattr(f, "max_length", None),
        choices=tuple(str(v) for v, _label in f.choices) if f.choices else (),
        max_digits=getattr(f, "max_digits", None),
        decimal_places=getattr(f, "decimal_places", None),
    )
    values.update(overrides)
    return _Field(**values)


FRAMEWORK_FIELDS = [
    _spec(Framework, "code", "code"),
    _spec(Framework, "title_vi", "text"),
    _spec(Framework, "title_en", "text"),
]
VERSION_FIELDS = [
    _spec(FrameworkVersion, "number", "integer", required=True, minimum=1),
    _spec(FrameworkVersion, "status", "choice", required=False, default="draft"),
    _spec(FrameworkVersion, "title_vi", "text"),
    _spec(FrameworkVersion, "title_en", "text"),
    _Field("effective_from", "date"),
    _Field("effective_to", "date"),
    _Field("instruments", "lines", default=()),
    _Field("instruments_vi", "lines", default=()),
]
SECTION_FIELDS: dict[str, list[_Field]] = {
    "categories": [
        _spec(Category, "code", "code"),
        _spec(Category, "name_vi", "text"),
        _spec(Category, "name_en", "text"),
    ],
    "data_elements": [
        _spec(DataElement, "code", "code"),
        _spec(DataElement, "applies_to", "choice"),
        _spec(DataElement, "value_type", "choice"),
        _spec(DataElement, "unit", "code"),
        _spec(DataElement, "label_vi", "text"),
        _spec(DataElement, "label_en", "text"),
        _spec(DataElement, "help_vi", "text"),
        _spec(DataElement, "help_en", "text"),
        _spec(DataElement, "min_value", "decimal"),
        _spec(DataElement, "max_value", "decimal"),
        _Field("choices", "lines", default=()),
        _Field("required", "bool", default=False),
    ],
    "indicators": [
        _spec(Indicator, "code", "code"),
        _spec(Indicator, "applies_to", "choice"),
        _spec(Indicator, "formula", "text", required=True),
        _spec(Indicator, "value_type", "choice"),
        _spec(Indicator, "unit", "code"),
    ],
    # The rule columns come first: they are the ones staff edit (threshold is column H).
    "criteria": [
        _spec(Criterion, "code", "code"),
        _Field(
            "category", "ref", required=True, max_length=Category._meta.get_field("code").max_length
        ),
        _spec(Criterion, "applies_to", "choice"),
        _spec(Criterion, "level", "choice"),
        _spec(Criterion, "rule", "choice"),
        _Field("indicator", "ref", max_length=Indicator._meta.get_field("code").max_length),
        _spec(Criterion, "operator", "choice", required=False),
        _spec(Criterion, "threshold", "decimal"),
        _spec(Criterion, "unit", "code"),
        _spec(Criterion, "lookback_years", "integer", minimum=1),
        _spec(Criterion, "threshold_note", "text"),
        _spec(Criterion, "weight", "decimal", default=Decimal(1)),
        _spec(Criterion, "title_vi", "text"),
        _spec(Criterion, "title_en", "text"),
        _spec(Criterion, "requirement_vi", "text"),
        _spec(Criterion, "requirement_en", "text"),
        _spec(Criterion, "kind", "code"),
        _spec(Criterion, "instrument", "text"),
        _spec(Criterion, "article", "text"),
        _spec(Criterion, "verification_status", "choice"),
        _spec(Criterion, "notes", "text"),
        _Field("sources", "lines", default=()),
        # the Vietnamese renderings of the legal source, unit and notes, and whether the
        # Vietnamese requirement quotes the instrument's own words
        _Field("requirement_vi_official", "bool", default=False),
        _spec(Criterion, "instrument_vi", "text"),
        _spec(Criterion, "article_vi", "text"),
        _spec(Criterion, "unit_vi", "text"),
        _spec(Criterion, "threshold_note_vi", "text"),
        _spec(Criterion, "notes_vi", "text"),
    ],
}

#: ``framework`` sheet keys → (document level, field name).
FRAMEWORK_SHEET_KEYS: dict[str, tuple[str, str]] = {
    "code": ("framework", "code"),
    "title_vi": ("framework", "title_vi"),
    "title_en": ("framework", "title_en"),
    "version": ("version", "number"),
    "version_title_vi": ("version", "title_vi"),
    "version_title_en": ("version", "title_en"),
    "status": ("version", "status"),
    "effective_from": ("version", "effective_from"),
    "effective_to": ("version", "effective_to"),
    "instrument": ("version", "instruments"),
    "instrument_vi": ("version", "instruments_vi"),
}
_SHEET_KEY_OF = {target: key for key, target in FRAMEWORK_SHEET_KEYS.items()}


# --------------------------------------------------------------------------------------
# Export
# --------------------------------------------------------------------------------------


def _number(value):
    """A Decimal as a plain number: ``20`` not ``20.000000``, ``0.5``; None stays None.

    Falls back to a string only when a float cannot hold the value exactly (> 15 digits).
    """
    if value is None:
        return None
    value = Decimal(value)
    if value == value.to_integral_value():
        return int(value)
    as_float = float(value)
    return as_float if Decimal(repr(as_float)) == value else format(value.normalize(), "f")


def version_to_dict(version: FrameworkVersion, *, with_pk: bool = False) -> dict:
    """A stored version as a framework document with that one version (5 queries).

    ``with_pk`` adds each row's primary key as ``pk`` (ignored by ``framework_check``), so a
    pending edit can replace its row (see ``indicators.services.version_edit_errors``).

    Shape: the one of ``indicators/data/frameworks/*.yaml`` — every field ``framework_load``
    reads, lists in their stored order (categories, data elements and criteria by ``order``,
    indicators in the order they were loaded, which is the file's). Decimals become plain
    numbers without trailing zeros (``20``), None stays None, dates become ISO strings
    (``"2022-07-15"``). ``yaml.safe_dump`` of the result loaded into an empty database
    reproduces the same rows.
    """
    framework = version.framework

    def row(obj, fields: list[_Field]) -> dict:
        out = {"pk": obj.pk} if with_pk else {}
        for f in fields:
            if f.name == "category":
                out[f.name] = obj.category.code
            elif f.name == "indicator":
                out[f.name] = obj.indicator.code if obj.indicator_id else None
            else:
                value = getattr(obj, f.name)
                if f.kind == "decimal":
                    value = _number(value)
                elif f.kind == "lines":
                    value = [str(x) for x in value or []]
                elif f.name == "operator":
                    value = value or None
                out[f.name] = value
        return out

    categories = Category.objects.filter(version=version).order_by("order", "code")
    elements = DataElement.objects.filter(version=version).order_by("order", "code")
    indicators = Indicator.objects.filter(version=version).order_by("pk")
    criteria = (
        Criterion.objects.filter(version=version)
        .select_related("category", "indicator")
        .order_by("order", "code")
    )
    return {
        "code": framework.code,
        "title_vi": framework.title_vi,
        "title_en": framework.title_en,
        "versions": [
            {
                "number": version.number,
                "status": version.status,
                "title_vi": version.title_vi,
                "title_en": version.title_en,
                "effective_from": _iso(version.effective_from),
                "effective_to": _iso(version.effective_to),
                "instruments": [str(x) for x in version.instruments or []],
                "instruments_vi": [str(x) for x in version.instruments_vi or []],
                **{
                    section: [row(obj, SECTION_FIELDS[section]) for obj in rows]
                    for section, rows in (
                        ("categories", categories),
                        ("data_elements", elements),
                        ("indicators", indicators),
                        ("criteria", criteria),
                    )
                },
            }
        ],
    }


def _iso(value: datetime.date | None) -> str | None:
    return value.isoformat() if value else None


def plain_value(value):
    """A stored value as a document holds it: a whole Decimal as int, other Decimals
    normalised, a date as an ISO string; anything else unchanged."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else value.normalize()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def version_document(version: FrameworkVersion) -> dict:
    """A stored version in the shape of a framework file (see ``indicators/data/frameworks``
    and ``indicators.services.framework_check``), each row with its ``pk`` too so a pending
    edit can replace its row: :func:`version_to_dict` with
    ``with_pk=True`` (one exporter of a version for checks, YAML and XLSX). 5 queries."""
    return version_to_dict(version, with_pk=True)
