"""XLSX import (and blank template) of RECP measures, with the rules of every import
(:mod:`common.xlsx`): the file is refused as a whole when it is not a plain
.xlsx workbook, is larger than 10 MB or contains macros (checked from the content, never from
the name); otherwise every row is checked and every problem reported with its sheet, row and
column; only a file without any problem is saved, in one transaction (all or nothing).

Layout: one sheet (named ``RECP``, else the first sheet); row 1 holds the column headers
(the code, e.g. ``tax_code``, or the Vietnamese or English label); one measure a row. A row
whose (enterprise, measure, year) already exists updates that measure; others are created.
Numbers may be Excel numbers or text typed the Vietnamese way (``1.234,5``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import openpyxl
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from common.parsing import ParseError, parse_number
from common.xlsx import CellError, FileRefused, cell_error, file_check, fold_header, read_headers
from enterprises.models import normalise_tax_code

from . import selectors, services
from .models import RECPMeasure

SHEET = "RECP"

#: (code, Vietnamese label, English label, required)
COLUMNS = [
    ("tax_code", "Mã số thuế", "Tax code", True),
    ("area", "Lĩnh vực", "Area", True),
    ("title", "Giải pháp", "Measure", True),
    ("description", "Mô tả", "Description", False),
    ("status", "Trạng thái", "Status", True),
    ("year", "Năm thực hiện", "Year", True),
    ("investment_vnd", "Vốn đầu tư (VND)", "Investment (VND)", False),
    ("saving_value", "Lượng tiết kiệm/năm", "Yearly saving", False),
    ("saving_unit", "Đơn vị", "Unit", False),
    ("energy_carrier", "Loại năng lượng", "Energy saved", False),
    ("fuel", "Nhiên liệu", "Fuel", False),
    ("saving_money_vnd", "Tiết kiệm tiền/năm (VND)", "Yearly money saving (VND)", False),
]
NUMERIC = {"investment_vnd", "saving_value", "saving_money_vnd"}
FIELD_TO_COLUMN = {"saving_unit": "saving_value"}


#: Vietnamese words accepted for the choice columns (independent of the translation
#: catalogue, which may lag behind)
VI_WORDS = {
    "nang luong": "energy",
    "nuoc": "water",
    "nguyen lieu": "materials",
    "nguyen vat lieu": "materials",
    "vat lieu": "materials",
    "hoa chat": "chemicals",
    "chat thai": "waste",
    "nuoc thai": "wastewater",
    "tai su dung": "waste_reuse",
    "tai che": "waste_recycling",
    "xac dinh": "identified",
    "da xac dinh": "identified",
    "thuc hien": "implemented",
    "da thuc hien": "implemented",
    "kiem chung": "verified",
    "da kiem chung": "verified",
    "da xac minh": "verified",
    "dien": "electricity",
    "dien luoi": "electricity",
    "nhien lieu": "fuel_heat",
    "nhiet": "fuel_heat",
    "nhien lieu hoac nhiet": "fuel_heat",
}


def _choice(value: str, choices) -> str | None:
    """The choice code whose code or label (in vi or en), or a Vietnamese word of
    :data:`VI_WORDS`, folds to ``value``."""
    from django.utils import translation

    wanted = fold_header(value)
    codes = {code for code, _label in choices}
    if VI_WORDS.get(wanted) in codes:
        return VI_WORDS[wanted]
    for code, label in choices:
        names = {fold_header(code), fold_header(str(label))}
        for lang in ("vi", "en"):
            with translation.override(lang):
                names.add(fold_header(str(label)))
        if wanted in names:
            return code
    return None


@dataclass
class MeasureImport:
    """Outcome of :func:`measures_import`: ``errors`` (all of them; nothing saved when any),
    ``created`` and ``updated`` counts, ``rows_read`` non-blank data rows."""

    errors: list[CellError] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    rows_read: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


def measures_template(*, file) -> None:
    """Write a blank import workbook to ``file``: the ``RECP`` sheet with bilingual headers
    and a ``Help`` sheet with the accepted values of each column."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = SHEET
    english = (get_language() or "vi").startswith("en")
    ws.append([en if english else vi for _c, vi, en, _r in COLUMNS])
    for i, _col in enumerate(COLUMNS, start=1):
        ws.cell(row=1, column=i).font = Font(bold=True)
        ws.column_dimensions[get_column_letter(i)].width = 22
    help_ws = wb.create_sheet("Help")
    help_ws.append(["column", "accepted values"])
    help_ws.append(["tax_code", "10 or 13 digits (mã số thuế) of an enterprise you may record for"])
    help_ws.append(["area", ", ".join(RECPMeasure.Area.values)])
    help_ws.append(["status", ", ".join(RECPMeasure.Status.values)])
    help_ws.append(["year", "1990–2100"])
    help_ws.append(["saving_unit", "kWh, MWh, GWh, MJ, GJ, TJ, toe, m³, L, ML, t, kg"])
    help_ws.append(["energy_carrier", "electricity, fuel_heat (needed for an energy saving)"])
    help_ws.append(["numbers", "Excel numbers, or text such as 1.234,5 (Vietnamese)"])
    wb.save(file)


@transaction.atomic
def measures_import(*, user, file) -> MeasureImport:
    """Check and, when the whole file is clean, save the measures it holds (all or nothing).

    Raises :class:`common.xlsx.FileRefused` for a file refused as a whole (not
    .xlsx, > 10 MB, macros, unreadable). Otherwise returns a :class:`MeasureImport` whose
    ``errors`` name sheet, row and column (nothing saved when there is any). Rows may only
    name enterprises the user may record for (the enterprise itself, its park manager).
    Marks the parks concerned stale once at the end.
    """
    file_check(file)
    try:
        wb = openpyxl.load_workbook(file, read_only=True, data_only=True, keep_links=False)
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds
        raise FileRefused(
            _("This file could not be read as an Excel workbook (.xlsx); it may be damaged."),
            code="not_xlsx",
        ) from None
    ws = wb[SHEET] if SHEET in wb.sheetnames else wb.worksheets[0]
    sheet = ws.title
    outcome = MeasureImport()
    rows = list(ws.iter_rows(values_only=True))
    wb.close()

    def err(row, col_index, header, value, reason):
        outcome.errors.append(cell_error(sheet, row, col_index, header, value, reason))

    columns = read_headers(rows, COLUMNS, sheet=sheet, errors=outcome.errors)
    if columns is None:
        return outcome

    editable = {e.tax_code: e for e in selectors.editable_enterprises(user).select_related("park")}
    language = "en" if (get_language() or "vi").startswith("en") else "vi"
    existing = {
        (m.enterprise_id, m.title, m.year): m
        for m in RECPMeasure.objects.filter(enterprise__in=list(editable.values()))
    }
    seen: dict[tuple, int] = {}
    to_save: list[tuple[RECPMeasure, bool]] = []
    headers = {code: rows[0][i] for code, i in columns.items()}

    for n, row in enumerate(rows[1:], start=2):
        cells = {code: (row[i] if i < len(row) else None) for code, i in columns.items()}
        if all(v is None or str(v).strip() == "" for v in cells.values()):
            continue
        outcome.rows_read += 1
        before = len(outcome.errors)
        data = {}
        for code, value in cells.items():
            i = columns[code]
            text = "" if value is None else str(value).strip()
            if code == "tax_code":
                continue
            if code in NUMERIC:
                try:
                    data[code] = parse_number(value, language=language)
                except ParseError as exc:
                    err(n, i, headers[code], value, exc.message)
            elif code == "year":
                try:
                    number = parse_number(value, language=language)
                    if number is None or number != number.to_integral_value():
                        raise ParseError("invalid_number", value, "")
                    data["year"] = int(number)
                except ParseError:
                    err(n, i, headers[code], value, _("Give the year as four digits."))
            elif code == "area":
                data["area"] = _choice(text, RECPMeasure.Area.choices) or text
            elif code == "status":
                data["status"] = _choice(text, RECPMeasure.Status.choices) or text
            elif code == "energy_carrier":
                data["energy_carrier"] = (
                    _choice(text, RECPMeasure.Carrier.choices) or text if text else ""
                )
            else:
                data[code] = text
        enterprise = None
        raw_tax = cells.get("tax_code")
        try:
            enterprise = editable.get(normalise_tax_code(str(raw_tax or "")))
        except ValidationError:
            enterprise = None
        if enterprise is None:
            err(
                n,
                columns["tax_code"],
                headers["tax_code"],
                raw_tax,
                _("No enterprise with this tax code that you may record measures for."),
            )
        if len(outcome.errors) > before:
            continue
        key = (enterprise.pk, (data.get("title") or "").strip(), data.get("year"))
        if key in seen:
            err(
                n,
                columns["title"],
                headers["title"],
                data.get("title"),
                _("The same measure and year are already on row %(row)s.") % {"row": seen[key]},
            )
            continue
        seen[key] = n
        measure = existing.get(key)
        is_new = measure is None
        if is_new:
            measure = RECPMeasure(enterprise=enterprise)
        try:
            services.measure_apply(measure=measure, data=data)
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                col = FIELD_TO_COLUMN.get(name, name)
                i = columns.get(col)
                for message in messages:
                    err(n, i, headers.get(col, col), cells.get(col), message)
            continue
        measure.updated_by = user
        to_save.append((measure, is_new))

    if outcome.errors:
        return outcome
    for measure, is_new in to_save:
        if not is_new:
            measure.version += 1
        measure.save()
        if is_new:
            outcome.created += 1
        else:
            outcome.updated += 1
    services.parks_announce({m.enterprise.park_id for m, _new in to_save})
    return outcome


IMPORT_HELP = gettext_lazy(
    "One measure a row on the sheet RECP; row 1 holds the headers. The file is saved only "
    "when every row is correct."
)
