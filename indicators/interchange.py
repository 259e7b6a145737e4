"""Framework interchange: a framework version to and from YAML and XLSX.

Ministry staff keep the national criteria current in Excel: they export a version, edit it,
give it a new version number and import it. Both formats carry the framework document shape
of ``indicators/data/frameworks/*.yaml`` (the shape :func:`indicators.services.framework_check`
and :func:`indicators.services.framework_load` read)::

    {"code", "title_vi", "title_en",
     "versions": [{"number", "status", "title_vi", "title_en", "instruments",
                   "effective_from", "effective_to",
                   "categories": [...], "data_elements": [...], "indicators": [...],
                   "criteria": [...]}]}

The XLSX workbook has one sheet per list (``categories``, ``data_elements``, ``indicators``,
``criteria``: one row per item under a header row of field names) and a ``framework`` sheet of
key/value rows (framework code and titles, ``version`` number, ``status``, effective dates, one
``instrument`` per row). Numbers are numbers, blanks are empty cells, list fields (``sources``,
``choices``) are one cell with one entry per line, and closed vocabularies have drop-downs.
Text is always written as text, never as a formula (formula injection is neutralised).

Import checks everything before saving anything: each cell is converted and checked (types,
vocabularies, required values, lengths, decimal places, the database's check constraints),
then the assembled document goes through ``framework_check``; its messages are mapped back to
the sheet row and column where possible. Every problem is collected and raised together as
:class:`indicators.services.FrameworkFileError`; nothing is saved unless there are none.
Errors name the place, e.g. ``criteria!H10 (threshold): "hai mươi" is not a number``.

Import never overwrites: a version whose framework code and number already exist is refused
with a message asking for a new number (``framework_load`` itself skips existing versions,
which keeps ``load_frameworks`` idempotent; an import must not skip silently). An imported
version is created as a **draft** (to be reviewed and published by ministry staff) unless
``keep_status=True``.
"""

from __future__ import annotations

import datetime
import io
import re
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from itertools import zip_longest

import yaml
from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation

from .documents import (
    _SHEET_KEY_OF,
    FRAMEWORK_FIELDS,
    FRAMEWORK_SHEET_KEYS,
    SECTION_FIELDS,
    VERSION_FIELDS,
    _Field,
    version_to_dict,
)
from .models import FrameworkVersion
from .services import FrameworkFileError, LoadResult, framework_check, framework_load

#: Largest file accepted for import (bytes): 10 MB.
MAX_IMPORT_BYTES = 10 * 1024 * 1024
#: Largest total size of the members of an XLSX (a zip), unpacked (bytes): guards zip bombs.
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
#: Most data rows read from one sheet.
MAX_ROWS = 5000

SHEET_FRAMEWORK = "framework"
#: Item sheets, in workbook order; each sheet is named after its list in the document.
SECTIONS = ("categories", "data_elements", "indicators", "criteria")


def export_yaml(version: FrameworkVersion) -> str:
    """The version as YAML text (UTF-8, Vietnamese kept readable); see :func:`version_to_dict`."""
    return yaml.safe_dump(version_to_dict(version), allow_unicode=True, sort_keys=False, width=100)


_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDE7D8")
_TOP = Alignment(vertical="top")
_WRAP = Alignment(vertical="top", wrap_text=True)
_MIN_WIDTH, _MAX_WIDTH = 8, 60
_FORMULA_LEADS = ("=", "+", "-", "@")


def _put(ws, row: int, col: int, value):
    """Write one cell: text always as text (never a formula), numbers as numbers, None blank."""
    cell = ws.cell(row=row, column=col)
    if value is None or value == "":
        return cell
    if isinstance(value, str):
        cell.value = ILLEGAL_CHARACTERS_RE.sub("", value)
        # openpyxl would store "=..." as a formula; a text cell is inert in Excel.
        cell.data_type = "s"
        cell.number_format = "@"
        if value.startswith(_FORMULA_LEADS):
            cell.quotePrefix = True  # stays text when a person edits the cell in Excel
        cell.alignment = _WRAP if ("\n" in value or len(value) > _MAX_WIDTH) else _TOP
    else:
        cell.value = value
        cell.alignment = _TOP
        if isinstance(value, datetime.date):
            cell.number_format = "yyyy-mm-dd"
    return cell


def _cell_value(f: _Field, value):
    if f.kind == "lines":
        return "\n".join(str(x) for x in value or []) or None
    if f.kind == "bool":
        return bool(value)
    return value


def _widths(ws, columns: int) -> None:
    for col in range(1, columns + 1):
        longest = 0
        for (value,) in ws.iter_rows(min_col=col, max_col=col, values_only=True):
            if value is not None:
                longest = max(longest, *(len(line) for line in str(value).split("\n")))
        width = min(max(longest + 2, _MIN_WIDTH), _MAX_WIDTH)
        ws.column_dimensions[get_column_letter(col)].width = width


def _header(ws, names: list[str]) -> None:
    for col, name in enumerate(names, start=1):
        cell = _put(ws, 1, col, name)
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL


def _dropdown(ws, formula: str, ref: str) -> None:
    dv = DataValidation(type="list", formula1=formula, allow_blank=True)
    dv.showErrorMessage = True
    dv.errorTitle = _("Value not in the list")
    dv.error = _("Choose a value from the drop-down list.")
    ws.add_data_validation(dv)
    dv.add(ref)


#: Defined names (workbook-wide) that give the code drop-downs of ``category`` and ``indicator``.
_CODE_LISTS = {"category": "category_codes", "indicator": "indicator_codes"}


def export_xlsx(version: FrameworkVersion) -> bytes:
    """The version as an XLSX workbook (bytes); Excel opens it, :func:`import_xlsx` reads it.

    Sheets: ``framework`` (key | value | help rows), then ``categories``, ``data_elements``,
    ``indicators``, ``criteria`` — one row per item, header row of field names (frozen, with a
    filter), column widths from the content (8–60 characters). Drop-downs on the closed
    vocabularies (applies_to, value_type, level, rule, operator, verification_status, status)
    and on ``category``/``indicator`` (the codes of those sheets). Thresholds and bounds are
    numbers, ``required`` is TRUE/FALSE, blanks are empty cells, ``sources``/``choices`` one
    entry per line. Every text cell is stored as text (formula injection neutralised).
    """
    doc = version_to_dict(version)
    v = doc["versions"][0]
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET_FRAMEWORK
    _header(ws, ["key", "value", "help"])
    help_text = {
        "code": _("Framework code; a new code creates a new framework."),
        "version": _("Version number: give an edited copy a new number before importing."),
        "status": _("Status of the exported version; an import creates a draft."),
        "effective_from": _("Date (YYYY-MM-DD)."),
        "effective_to": _("Date (YYYY-MM-DD); empty while in force."),
        "instrument": _("One legal instrument per row; add rows for more."),
        "instrument_vi": _("The same instruments in Vietnamese, one per row, in the same order."),
    }
    values = {
        "code": doc["code"],
        "title_vi": doc["title_vi"],
        "title_en": doc["title_en"],
        "version": v["number"],
        "version_title_vi": v["title_vi"],
        "version_title_en": v["title_en"],
        "status": v["status"],
        "effective_from": _date_or_none(v["effective_from"]),
        "effective_to": _date_or_none(v["effective_to"]),
    }
    rows = [(key, value) for key, value in values.items()]
    rows += [("instrument", text) for text in v["instruments"]] or [("instrument", None)]
    rows += [("instrument_vi", text) for text in v.get("instruments_vi") or []] or [
        ("instrument_vi", None)
    ]
    for r, (key, value) in enumerate(rows, start=2):
        _put(ws, r, 1, key)
        _put(ws, r, 2, value)
        _put(ws, r, 3, help_text.get(key))
        if key == "status":
            statuses = ",".join(FrameworkVersion.Status.values)
            _dropdown(ws, f'"{statuses}"', f"B{r}")
    ws.freeze_panes = "A2"
    _widths(ws, 3)

    for section in SECTIONS:
        ws = wb.create_sheet(section)
        fields = SECTION_FIELDS[section]
        _header(ws, [f.name for f in fields])
        items = v[section]
        for r, item in enumerate(items, start=2):
            for c, f in enumerate(fields, start=1):
                _put(ws, r, c, _cell_value(f, item[f.name]))
        for c, f in enumerate(fields, start=1):
            letter = get_column_letter(c)
            ref = f"{letter}2:{letter}1048576"
            if f.kind == "choice":
                _dropdown(ws, '"' + ",".join(f.choices) + '"', ref)
            elif f.name in _CODE_LISTS and section == "criteria":
                _dropdown(ws, _CODE_LISTS[f.name], ref)
            if f.kind in ("code", "text", "ref", "lines", "choice"):
                ws.column_dimensions[letter].number_format = "@"
        ws.freeze_panes = "B2"
        ws.auto_filter.ref = f"A1:{get_column_letter(len(fields))}{max(len(items) + 1, 2)}"
        _widths(ws, len(fields))
    for name, sheet in (("category_codes", "categories"), ("indicator_codes", "indicators")):
        wb.defined_names[name] = DefinedName(name, attr_text=f"{sheet}!$A$2:$A${MAX_ROWS + 1}")
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _date_or_none(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


# --------------------------------------------------------------------------------------
# Reading values (both formats)
# --------------------------------------------------------------------------------------


class _Invalid(ValueError):
    """A value that cannot be read; the message is user-facing (translated)."""


def _shown(value) -> str:
    text = str(value)
    return text if len(text) <= 60 else text[:57] + "…"


def _is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _as_text(value) -> str:
    if isinstance(value, bool):
        raise _Invalid(_('"%(value)s" is not text') % {"value": value})
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, int | float | Decimal):
        return str(value)
    if not isinstance(value, str):
        raise _Invalid(_('"%(value)s" is not text') % {"value": _shown(value)})
    return value


def _as_decimal(f: _Field, value) -> Decimal:
    if isinstance(value, bool):
        raise _Invalid(_('"%(value)s" is not a number') % {"value": value})
    try:
        if isinstance(value, float):
            number = Decimal(repr(value))
        elif isinstance(value, int | Decimal):
            number = Decimal(value)
        elif isinstance(value, str):
            number = Decimal(value.strip())
        else:
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        raise _Invalid(_('"%(value)s" is not a number') % {"value": _shown(value)}) from None
    if not number.is_finite():
        raise _Invalid(_('"%(value)s" is not a number') % {"value": _shown(value)})
    if f.decimal_places is not None:
        places = max(0, -number.normalize().as_tuple().exponent)
        if places > f.decimal_places:
            raise _Invalid(
                _("%(value)s has more than %(n)d decimal places")
                % {"value": _shown(value), "n": f.decimal_places}
            )
        whole_digits = len(str(abs(int(number)))) if abs(number) >= 1 else 0
        if whole_digits > f.max_digits - f.decimal_places:
            raise _Invalid(_("%(value)s is too large") % {"value": _shown(value)})
    return number


def _as_integer(f: _Field, value) -> int:
    if isinstance(value, bool):
        raise _Invalid(_('"%(value)s" is not a whole number') % {"value": value})
    number = value
    if isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            number = None
    if isinstance(number, float):
        number = Decimal(repr(number)) if number == number else None
    if not isinstance(number, int | Decimal) or (
        isinstance(number, Decimal)
        and (not number.is_finite() or number != number.to_integral_value())
    ):
        raise _Invalid(_('"%(value)s" is not a whole number') % {"value": _shown(value)})
    number = int(number)
    if f.minimum is not None and number < f.minimum:
        raise _Invalid(
            _("%(value)s is less than %(minimum)d") % {"value": number, "minimum": f.minimum}
        )
    if number > 32767:
        raise _Invalid(_("%(value)s is too large") % {"value": number})
    return number


_TRUE = {"true", "yes", "y", "1", "x", "có", "co", "đúng"}
_FALSE = {"false", "no", "n", "0", "không", "khong", "sai"}


def _as_bool(value) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise _Invalid(_('"%(value)s" is not yes/no (TRUE or FALSE)') % {"value": _shown(value)})


def _as_date(value) -> datetime.date:
    if isinstance(value, datetime.datetime):
        if value.time() != datetime.time(0):
            raise _Invalid(_('"%(value)s" is not a date (YYYY-MM-DD)') % {"value": value})
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise _Invalid(_('"%(value)s" is not a date (YYYY-MM-DD)') % {"value": _shown(value)})


def _as_lines(value) -> list[str]:
    if isinstance(value, str):
        items = value.splitlines()
    elif isinstance(value, list | tuple):
        items = [_as_text(x) for x in value if x is not None]
    else:
        items = [_as_text(value)]
    return [x.strip() for x in items if x.strip()]


def _read(f: _Field, value):
    """Convert one raw value (YAML scalar or XLSX cell) for field ``f``; raise :class:`_Invalid`."""
    if _is_blank(value) or (f.kind == "lines" and value in ([], ())):
        if f.required:
            raise _Invalid(_("a value is required"))
        if f.kind in ("code", "text"):
            return ""
        if f.kind == "lines":
            return list(f.default or ())
        return f.default
    if value is _UNCOMPUTED:
        raise _Invalid(_("holds a formula that was never computed: type the value instead"))
    if f.kind == "decimal":
        return _as_decimal(f, value)
    if f.kind == "integer":
        return _as_integer(f, value)
    if f.kind == "bool":
        return _as_bool(value)
    if f.kind == "date":
        return _as_date(value)
    if f.kind == "lines":
        return _as_lines(value)
    text = _as_text(value)
    if f.kind in ("code", "choice", "ref"):
        text = text.strip()
    if f.kind == "choice" and text not in f.choices:
        raise _Invalid(
            _('"%(value)s" is not one of %(choices)s')
            % {"value": _shown(text), "choices": ", ".join(f.choices)}
        )
    if f.max_length and len(text) > f.max_length:
        raise _Invalid(
            _("is %(length)d characters long, at most %(max)d are allowed")
            % {"length": len(text), "max": f.max_length}
        )
    return text


# --------------------------------------------------------------------------------------
# Checking a document (both formats)
# --------------------------------------------------------------------------------------

#: Where an error is: (version index | None, level, item index | None, field | None), where
#: level is "framework", "version" or a section name.
Key = tuple


class _Errors:
    """Errors collected in order, each with the key of the place it names (or None)."""

    def __init__(self, locate: Callable[[Key], str]):
        self.locate = locate
        self.items: list[tuple[Key | None, str]] = []

    def add(self, key: Key | None, message: str) -> None:
        self.items.append((key, message))

    def has(self, key: Key) -> bool:
        """True when an error is already recorded at ``key`` (or, for a row key with field
        None, anywhere on that row)."""
        for k, _message in self.items:
            if k is None:
                continue
            if k == key or (key[3] is None and k[:3] == key[:3]):
                return True
        return False

    def messages(self) -> list[str]:
        return [f"{self.locate(k)}: {m}" if k is not None else m for k, m in self.items]

    def __bool__(self) -> bool:
        return bool(self.items)


def _normalise(raw, errors: _Errors, *, strict_keys: bool) -> dict:
    """Read a raw document (parsed YAML, or the sheets of a workbook) into a clean framework
    document; every unreadable value is recorded in ``errors`` and left as None."""
    doc: dict = {"versions": []}
    if not isinstance(raw, dict):
        errors.add(None, _("the file does not hold a framework document (a mapping)"))
        return doc
    known = {f.name for f in FRAMEWORK_FIELDS} | {"versions"}
    if strict_keys:
        for name in raw.keys() - known:
            errors.add((None, "framework", None, str(name)), _("unknown field"))
    for f in FRAMEWORK_FIELDS:
        doc[f.name] = _take(f, raw.get(f.name), errors, (None, "framework", None, f.name))
    versions = raw.get("versions")
    if not isinstance(versions, list) or not versions:
        errors.add((None, "framework", None, "versions"), _("no version in the document"))
        return doc
    for vi, vraw in enumerate(versions):
        if not isinstance(vraw, dict):
            errors.add((vi, "version", None, None), _("a version must be a mapping"))
            continue
        known = {f.name for f in VERSION_FIELDS} | set(SECTIONS)
        if strict_keys:
            for name in vraw.keys() - known:
                errors.add((vi, "version", None, str(name)), _("unknown field"))
        version = {
            f.name: _take(f, vraw.get(f.name), errors, (vi, "version", None, f.name))
            for f in VERSION_FIELDS
        }
        for section in SECTIONS:
            version[section] = _normalise_items(
                vraw.get(section), SECTION_FIELDS[section], errors, vi, section, strict_keys
            )
        _check_rows(version, errors, vi)
        doc["versions"].append(version)
    return doc


def _take(f: _Field, value, errors: _Errors, key: Key):
    try:
        return _read(f, value)
    except _Invalid as exc:
        errors.add(key, str(exc))
        return None


def _normalise_items(raw, fields, errors, vi, section, strict_keys) -> list[dict]:
    if raw is None:
        raw = []
    if not isinstance(raw, list):
        errors.add((vi, "version", None, section), _("must be a list"))
        return []
    names = {f.name for f in fields}
    items = []
    for i, item in enumerate(raw):
        if not isinstance(item, dict):
            errors.add((vi, section, i, None), _("must be a mapping of fields"))
            items.append(dict.fromkeys(names))  # keeps item indexes aligned with the file
            continue
        if strict_keys:
            for name in item.keys() - names:
                errors.add((vi, section, i, str(name)), _("unknown field"))
        items.append(
            {f.name: _take(f, item.get(f.name), errors, (vi, section, i, f.name)) for f in fields}
        )
    return items


def _check_rows(version: dict, errors: _Errors, vi: int) -> None:
    """Row rules the database enforces (check constraints) and unique codes, checked here so
    that they are reported with their place instead of failing on save."""
    for section in SECTIONS:
        first: dict[str, int] = {}
        for i, item in enumerate(version[section]):
            code = item["code"]
            if not code:
                continue
            if code in first:
                errors.add(
                    (vi, section, i, "code"),
                    _('"%(code)s" repeats an earlier row (%(where)s)')
                    % {"code": code, "where": errors.locate((vi, section, first[code], None))},
                )
            else:
                first[code] = i
    start, end = version["effective_from"], version["effective_to"]
    if start and end and end < start:
        errors.add((vi, "version", None, "effective_to"), _("is before effective_from"))
    for i, e in enumerate(version["data_elements"]):
        if e["min_value"] is not None and e["max_value"] is not None:
            if e["max_value"] < e["min_value"]:
                errors.add((vi, "data_elements", i, "max_value"), _("is below min_value"))
    for i, c in enumerate(version["criteria"]):
        if c["weight"] is not None and c["weight"] <= 0:
            errors.add((vi, "criteria", i, "weight"), _("must be greater than 0"))
        if c["rule"] == "none" and c["indicator"]:
            errors.add(
                (vi, "criteria", i, "indicator"),
                _("rule 'none' takes no indicator: leave it empty or choose a rule"),
            )
        if c["rule"] == "yes_no" and c["threshold"] is not None:
            errors.add((vi, "criteria", i, "threshold"), _("a yes/no rule takes no threshold"))


_ITEM_MESSAGE = re.compile(r"^(criterion|data element|indicator) (\S+): (.*)$", re.S)
_CODE_MESSAGE = re.compile(r"^(\S+): (.*)$", re.S)

#: framework_check criterion messages → the column they are about.
_CRITERION_COLUMNS = (
    ("unknown category", "category"),
    ("unknown indicator", "indicator"),
    ("unknown rule", "rule"),
    ("needs an indicator", "indicator"),
    ("operator", "operator"),
    ("look-back needs", "lookback_years"),
    ("yes/no indicator", "indicator"),
    ("legal source", None),
)


def _map_check_message(message: str, doc: dict, errors: _Errors) -> None:
    """Record one ``framework_check`` message at the row/column it is about, unless an error
    is already recorded there (the cell checks found it first)."""
    found = next(
        (
            (vi, v)
            for vi, v in enumerate(doc["versions"])
            if message.startswith(f"{doc.get('code')} v{v.get('number')}: ")
        ),
        None,
    )
    if found is None:
        errors.add(None, message)
        return
    vi, v = found
    rest = message[len(f"{doc.get('code')} v{v.get('number')}: ") :]

    def index(section: str, code: str) -> int | None:
        for i, item in enumerate(v[section]):
            if item["code"] == code:
                return i
        return None

    if rest.startswith("duplicate "):
        if not any(k and k[0] == vi and k[3] == "code" for k, _m in errors.items):
            errors.add((vi, "version", None, None), rest)
        return
    m = _ITEM_MESSAGE.match(rest)
    if m:
        what, code, text = m.groups()
        section = {"criterion": "criteria", "data element": "data_elements"}.get(what, "indicators")
        column = None
        if section == "criteria":
            column = next((col for needle, col in _CRITERION_COLUMNS if needle in text), None)
        elif section == "data_elements":
            column = "value_type"
        elif "formula gives" in text:
            column = "value_type"
        else:
            column = "formula"
        i = index(section, code)
        if i is None:
            errors.add((vi, "version", None, None), rest)
            return
        key = (vi, section, i, column)
        if not errors.has(key if column else (vi, section, i, None)):
            errors.add(key, f"{code}: {text}")
        return
    m = _CODE_MESSAGE.match(rest)
    if m and index("indicators", m.group(1)) is not None:
        key = (vi, "indicators", index("indicators", m.group(1)), "formula")
        if not errors.has(key):
            errors.add(key, rest)
        return
    errors.add((vi, "version", None, None), rest)


def _next_free_number(code: str) -> int:
    numbers = FrameworkVersion.objects.filter(framework__code=code).values_list("number", flat=True)
    return max(numbers, default=0) + 1


def _check_not_existing(doc: dict, errors: _Errors) -> None:
    code = doc.get("code")
    if not code:
        return
    seen: set[int] = set()
    for vi, v in enumerate(doc["versions"]):
        number = v.get("number")
        if number is None:
            continue
        if number in seen:
            errors.add((vi, "version", None, "number"), _("version %(n)d twice") % {"n": number})
        seen.add(number)
        if FrameworkVersion.objects.filter(framework__code=code, number=number).exists():
            errors.add(
                (vi, "version", None, "number"),
                _(
                    "%(code)s v%(n)d already exists and is never overwritten: give the "
                    "imported version a new number (the next free one is %(next)d)"
                )
                % {"code": code, "n": number, "next": _next_free_number(code)},
            )


def _import(
    raw,
    errors: _Errors,
    *,
    strict_keys: bool,
    as_number: int | None,
    keep_status: bool,
) -> LoadResult:
    """Check everything, then load all or nothing (see the module docstring)."""
    doc = _normalise(raw, errors, strict_keys=strict_keys)
    if as_number is not None:
        if len(doc["versions"]) != 1:
            errors.add(None, _("a new number can only be given to a document with one version"))
        else:
            doc["versions"][0]["number"] = as_number
    if not keep_status:
        for v in doc["versions"]:
            v["status"] = FrameworkVersion.Status.DRAFT
    _check_not_existing(doc, errors)
    if doc["versions"]:
        had_errors = bool(errors)
        try:
            messages = framework_check(doc)
        except Exception:
            # The document is incomplete because of errors already found (e.g. a missing
            # code); they block the import and explain it. Without them this is a bug.
            if not had_errors:
                raise
            messages = []
        for message in messages:
            _map_check_message(message, doc, errors)
    if errors:
        raise FrameworkFileError(errors.messages())
    with transaction.atomic():
        result = framework_load(data=doc)
        if result.unchanged:  # created meanwhile by a concurrent import: refuse, roll back
            raise FrameworkFileError(
                [
                    _("%(label)s already exists: give the imported version a new number")
                    % {"label": label}
                    for label in result.unchanged
                ]
            )
    return result


# --------------------------------------------------------------------------------------
# YAML import
# --------------------------------------------------------------------------------------


def _yaml_locator(raw) -> Callable[[Key], str]:
    def locate(key: Key) -> str:
        vi, level, i, field = key
        parts = []
        if vi is not None and isinstance(raw, dict) and isinstance(raw.get("versions"), list):
            number = (
                raw["versions"][vi].get("number") if isinstance(raw["versions"][vi], dict) else None
            )
            parts.append(_("version %(n)s") % {"n": number if number is not None else vi + 1})
        if level not in ("framework", "version"):
            item = raw["versions"][vi][level][i]
            code = item.get("code") if isinstance(item, dict) else None
            parts.append(f"{level} #{i + 1}" + (f" {code}" if code else ""))
        where = ", ".join(parts) or _("framework")
        return f"{where} ({field})" if field else where

    return locate


def import_yaml(
    text: str | bytes, *, as_number: int | None = None, keep_status: bool = False
) -> LoadResult:
    """Import a framework document from YAML text; all or nothing.

    ``as_number`` renumbers the (single) version of the document; ``keep_status`` keeps the
    document's status instead of creating a draft. Raises
    :class:`indicators.services.FrameworkFileError` listing every problem, each naming its
    place (``version 2, criteria #9 VN35-EIP-E4 (threshold): "x" is not a number``); a version
    that already exists is refused, never overwritten or skipped.
    """
    if len(text) > MAX_IMPORT_BYTES:
        raise FrameworkFileError([_("the file is larger than 10 MB")])
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            raise FrameworkFileError([_("the file is not UTF-8 text")]) from None
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = (
            _("line %(line)d, column %(column)d")
            % {"line": mark.line + 1, "column": mark.column + 1}
            if mark
            else ""
        )
        problem = getattr(exc, "problem", None) or str(exc)
        raise FrameworkFileError(
            [_("not valid YAML (%(where)s): %(problem)s") % {"where": where, "problem": problem}]
        ) from None
    errors = _Errors(_yaml_locator(raw))
    return _import(raw, errors, strict_keys=True, as_number=as_number, keep_status=keep_status)


# --------------------------------------------------------------------------------------
# XLSX import
# --------------------------------------------------------------------------------------


def _refuse_unsafe_file(data: bytes) -> None:
    """Refuse what is not a plain XLSX: too large, not a zip, macro-enabled, a zip bomb."""
    if len(data) > MAX_IMPORT_BYTES:
        raise FrameworkFileError(
            [_("the file is larger than 10 MB (%(mb).1f MB)") % {"mb": len(data) / 2**20}]
        )
    not_xlsx = _("the file is not an XLSX workbook (save it from Excel as .xlsx)")
    if data[:4] != b"PK\x03\x04":
        raise FrameworkFileError([not_xlsx])
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            infos = z.infolist()
            names = [i.filename for i in infos]
            if "[Content_Types].xml" not in names:
                raise FrameworkFileError([not_xlsx])
            content_types = z.read("[Content_Types].xml")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError):
        raise FrameworkFileError([not_xlsx]) from None
    if any(n.lower().endswith("vbaproject.bin") for n in names) or (
        b"macroenabled" in content_types.lower()
    ):
        raise FrameworkFileError(
            [
                _(
                    "the file is a macro-enabled workbook (.xlsm), which is refused: "
                    "save it as an Excel workbook (.xlsx) without macros"
                )
            ]
        )
    if sum(i.file_size for i in infos) > MAX_UNPACKED_BYTES:
        raise FrameworkFileError([_("the workbook is too large once unpacked")])


@dataclass
class _SheetMap:
    """Where each item of a sheet came from: Excel row per item, column per field."""

    rows: list[int]
    columns: dict[str, int]


class _Uncomputed:
    """A cell holding a formula whose value was never computed (the file was not saved by a
    spreadsheet program): reading it as blank would lose data, so it is refused."""

    def __str__(self) -> str:
        return _("(formula)")


_UNCOMPUTED = _Uncomputed()


def _sheet_rows(values_ws, formulas_ws) -> Iterable[tuple[int, tuple]]:
    """Rows as ``(Excel row number, values)``: formulas give their computed value; a formula
    without one gives ``_UNCOMPUTED``."""
    rows = []
    for ws in (values_ws, formulas_ws):
        ws.reset_dimensions()  # some writers store a wrong dimension; read every row
        rows.append(ws.iter_rows(values_only=True))
    for r, (values, formulas) in enumerate(zip_longest(*rows, fillvalue=()), start=1):
        yield (
            r,
            tuple(
                _UNCOMPUTED
                if value is None and isinstance(formula, str) and formula.startswith("=")
                else value
                for value, formula in zip_longest(values, formulas)
            ),
        )


def _read_framework_sheet(book, errors: _Errors, key_rows: dict[str, int]) -> tuple[dict, dict]:
    ws = book[0][SHEET_FRAMEWORK]
    framework: dict = {}
    version: dict = {"instruments": [], "instruments_vi": []}
    for r, row in _sheet_rows(ws, book[1][SHEET_FRAMEWORK]):
        if r == 1:
            continue
        if r > MAX_ROWS:
            errors.add(
                None, _("%(sheet)s: more than %(n)d rows") % {"sheet": ws.title, "n": MAX_ROWS}
            )
            break
        key = row[0] if row else None
        value = row[1] if len(row) > 1 else None
        if _is_blank(key):
            if not _is_blank(value):
                errors.add(None, f"{ws.title}!A{r} (key): " + _("a key is required"))
            continue
        key = str(key).strip()
        if key not in FRAMEWORK_SHEET_KEYS:
            errors.add(
                None,
                f"{ws.title}!A{r} (key): "
                + _('unknown key "%(key)s"; the keys are: %(keys)s')
                % {"key": _shown(key), "keys": ", ".join(FRAMEWORK_SHEET_KEYS)},
            )
            continue
        level, name = FRAMEWORK_SHEET_KEYS[key]
        if key in ("instrument", "instrument_vi"):
            key_rows.setdefault(key, r)
            if not _is_blank(value):
                version[name].append(value)
            continue
        if key in key_rows:
            errors.add(
                None,
                f"{ws.title}!A{r} (key): "
                + _('"%(key)s" repeats row %(row)d') % {"key": key, "row": key_rows[key]},
            )
            continue
        key_rows[key] = r
        (framework if level == "framework" else version)[name] = value
    return framework, version


def _read_item_sheet(book, section: str, errors: _Errors) -> tuple[list[dict], _SheetMap]:
    fields = SECTION_FIELDS[section]
    names = [f.name for f in fields]
    items: list[dict] = []
    sheet = _SheetMap(rows=[], columns={})
    for r, row in _sheet_rows(book[0][section], book[1][section]):
        if r == 1:
            for c, header in enumerate(row, start=1):
                if _is_blank(header):
                    continue
                name = str(header).strip()
                if name in sheet.columns:
                    errors.add(
                        None,
                        f"{section}!{get_column_letter(c)}1: "
                        + _('column "%(name)s" appears twice') % {"name": name},
                    )
                elif name in names:
                    sheet.columns[name] = c
            for name in names:
                if name not in sheet.columns:
                    errors.add(
                        None,
                        f"{section}!1 (header row): "
                        + _('column "%(name)s" is missing') % {"name": name},
                    )
            continue
        if all(_is_blank(v) for v in row):
            continue
        if len(items) >= MAX_ROWS:
            errors.add(
                None, _("%(sheet)s: more than %(n)d rows") % {"sheet": section, "n": MAX_ROWS}
            )
            break
        sheet.rows.append(r)
        items.append(
            {name: row[c - 1] if c - 1 < len(row) else None for name, c in sheet.columns.items()}
        )
    return items, sheet


def _xlsx_locator(key_rows: dict[str, int], sheets: dict[str, _SheetMap]):
    def locate(key: Key) -> str:
        _vi, level, i, field = key
        if level in ("framework", "version"):
            sheet_key = _SHEET_KEY_OF.get((level, field), field) if field else None
            row = key_rows.get(sheet_key) if sheet_key else None
            if row:
                return f"{SHEET_FRAMEWORK}!B{row} ({sheet_key})"
            return f"{SHEET_FRAMEWORK} ({sheet_key})" if sheet_key else SHEET_FRAMEWORK
        sheet = sheets[level]
        row = sheet.rows[i]
        column = sheet.columns.get(field) if field else None
        if column:
            return f"{level}!{get_column_letter(column)}{row} ({field})"
        return _("%(sheet)s row %(row)d") % {"sheet": level, "row": row}

    return locate


def import_xlsx(
    data: bytes, *, as_number: int | None = None, keep_status: bool = False
) -> LoadResult:
    """Import a framework version from an XLSX workbook (bytes) laid out as
    :func:`export_xlsx` writes it; all or nothing.

    Refuses, before reading anything, a file larger than 10 MB, one that is not an XLSX
    (no zip signature, unreadable) and a macro-enabled workbook (``vbaProject.bin`` or a
    macro-enabled content type). Then reads every sheet (formulas as their cached values),
    checks every cell and the whole document (``framework_check``) and raises
    :class:`indicators.services.FrameworkFileError` listing every problem, each naming sheet,
    cell and column, e.g. ``criteria!H10 (threshold): "hai mươi" is not a number``. A version
    whose framework code and number already exist is refused (give it a new number in the
    ``framework`` sheet, or pass ``as_number``). The version is created as a draft unless
    ``keep_status``. Returns the :class:`indicators.services.LoadResult` of the load.
    """
    if not isinstance(data, bytes | bytearray):
        raise TypeError("import_xlsx expects the file's bytes")
    data = bytes(data)
    _refuse_unsafe_file(data)
    try:
        # Values (formulas as computed by the spreadsheet) and, to catch formulas that were
        # never computed, the same cells as written.
        book = tuple(
            load_workbook(io.BytesIO(data), read_only=True, data_only=data_only)
            for data_only in (True, False)
        )
    except Exception:  # any malformed part: openpyxl raises many kinds
        raise FrameworkFileError(
            [_("the file could not be read as an XLSX workbook (save it from Excel as .xlsx)")]
        ) from None
    key_rows: dict[str, int] = {}
    sheets: dict[str, _SheetMap] = {}
    errors = _Errors(_xlsx_locator(key_rows, sheets))
    try:
        missing = [s for s in (SHEET_FRAMEWORK, *SECTIONS) if s not in book[0].sheetnames]
        if missing:
            raise FrameworkFileError(
                [
                    _('sheet "%(sheet)s" is missing (the sheets are: %(sheets)s)')
                    % {"sheet": s, "sheets": ", ".join((SHEET_FRAMEWORK, *SECTIONS))}
                    for s in missing
                ]
            )
        framework, version = _read_framework_sheet(book, errors, key_rows)
        for section in SECTIONS:
            version[section], sheets[section] = _read_item_sheet(book, section, errors)
    finally:
        for wb in book:
            wb.close()
    if errors:  # the layout itself is wrong: cell positions cannot be trusted
        raise FrameworkFileError(errors.messages())
    raw = {**framework, "versions": [version]}
    return _import(raw, errors, strict_keys=False, as_number=as_number, keep_status=keep_status)
