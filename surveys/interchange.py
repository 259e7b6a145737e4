"""Excel round trip and exports of survey answers.

Template (:func:`template_write`)
    One XLSX per campaign and park: sheet 1 has one row per enterprise of the park that has a
    response in the campaign (tax code, name) and one column per *enterprise* data element of
    the campaign's framework version (document elements excepted: proofs are uploaded on the
    form). Row 1 holds the label in the active language with the unit in brackets
    (``Label [m³]``); row 2 (hidden) holds the data element codes, which is what the import
    matches, so a renamed label never breaks a file. The last, hidden column holds the
    response version the file was made from. Yes/no and choice columns have drop-downs; numbers,
    percentages and dates carry a number format. Existing answers are prefilled.

Import (:func:`import_check` then :func:`import_save`)
    Who may import: a park manager for the enterprises of its park, and a provincial board
    for the enterprises of its province's parks (the board receives the enterprises' reports,
    Decree 35/2022/ND-CP Art. 43, and may key in a report received on paper). Ministry staff
    and enterprises may not (their import pages answer 404).

    The whole file is checked first and every problem is collected as a :class:`CellError`
    (sheet, row, column letter, header, value, reason); only a file without any error is saved,
    in one transaction. Rules:

    * the file must be a real XLSX (zip signature and ``xl/workbook.xml``, then openpyxl must
      open it), at most 10 MB, without macros (``vbaProject.bin`` or a ``macroEnabled``
      content type) - otherwise :class:`FileRefused`;
    * columns are matched by the code row of the template, or else by their label in
      Vietnamese or English (the unit in brackets is ignored);
    * rows are matched by tax code (normalised; a tax code Excel turned into a number is padded
      back to 10 digits); an invalid tax code, one of an enterprise outside the park or without
      a response in the campaign, or a repeated one is an error for that row;
    * blank rows are ignored; **a blank cell leaves the stored answer unchanged** (answers are
      cleared on the form, never by an empty cell, so a partial file cannot wipe data);
    * numbers typed as text are read in the chosen format (Vietnamese ``1.234,5`` or English
      ``1,234.5``, :mod:`common.parsing`), numbers Excel already typed are taken as they are;
      a percentage cell formatted as a percentage holds the fraction (12,5 % is 0.125) and is
      multiplied by 100; dates are ``dd/mm/yyyy`` text or date cells; yes/no is Có/Không or
      Yes/No (and the other spellings :func:`common.parsing.parse_yes_no` accepts); the
      minimum and maximum of each data element are enforced;
    * a row whose response is no longer editable (submitted or approved) may only repeat what
      it holds: each cell that would change it is an error naming that cell (products
      included), unchanged rows are skipped; a row whose version column differs from the stored version (the
      response was saved since the template was downloaded) is an error, and so is a change of
      version between the check and the save (no silent overwrite).

    Saved answers keep the cell as ``raw`` text and the importing user as ``updated_by``; each
    changed response's version goes up by one.

Exports (:func:`export_csv_chunks`, :func:`export_xlsx_file`)
    Long (one row per answer) and wide (one row per response, one column per data element),
    scoped by :func:`enterprises.policy.restrict`, read with ``.iterator()``. CSV is UTF-8
    with a byte-order mark (so Excel reads Vietnamese), comma separated, machine-readable
    values (``1234.5``, ``yes``/``no``, status codes). XLSX is written in openpyxl's write-only
    mode with typed numbers and yes/no in the active language.

    Formula injection (OWASP "CSV injection"): a text cell that begins with ``=``, ``+``,
    ``-``, ``@``, a tab or a carriage return is neutralised - in CSV by **prefixing an
    apostrophe** (``'=HYPERLINK(...)``); in XLSX by **writing it as a text cell** (never a
    formula) with Excel's quote-prefix flag set, so the value stays exact and editing the cell
    does not turn it into a formula. Numbers are never altered.
"""

from __future__ import annotations

import csv
import datetime
import io
import itertools
import re
import tempfile
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal

import openpyxl
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F, QuerySet
from django.utils import timezone, translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from common.parsing import ParseError, parse_date, parse_number, parse_percent, parse_yes_no
from common.xlsx import (
    FORMULA_TRIGGERS,
    CellError,
    cell_text,
    file_check,
    formula_reason,
    is_formula,
    neutralise_formula,
    open_workbook,
    quote_sheetname,
)
from enterprises.models import Enterprise, Park, normalise_tax_code
from enterprises.policy import Action, restrict
from indicators.models import AppliesTo, DataElement

from . import interchange_reports as reports_xl
from .bulk import answers_copy
from .codes import codes_display
from .forms import AnswerValue, is_percent_0_100, percent_range_message
from .models import Answer, Campaign, Evidence, ProductionLine, Response
from .periods import PeriodState, campaign_state, format_date, period_refusal
from .reports import QuantityUnitError, store_unit_choices
from .services import response_report_import
from .signals import scored_answers_changed
from .validation import cross_field_errors

#: Codes of the template's fixed columns (row 2).
TAX_CODE = "tax_code"
ENTERPRISE_NAME = "enterprise_name"
RESPONSE_VERSION = "response_version"
#: Rows searched for the header at the top of the sheet.
HEADER_SEARCH_ROWS = 10
#: Number formats of the template.
INTEGER_FORMAT = "#,##0"
DECIMAL_FORMAT = "General"
PERCENT_FORMAT = "0.0##%"
DATE_FORMAT = "DD/MM/YYYY"
TEXT_FORMAT = "@"

_QUANTUM = Decimal("0.000001")  # Answer.value_number has 6 decimal places
_MAX_ABS = Decimal(10) ** 18  # Answer.value_number has 24 digits, 6 after the point


# --------------------------------------------------------------------------- helpers


def _language() -> str:
    return "en" if (get_language() or "vi").startswith("en") else "vi"


def _label(element: DataElement, language: str | None = None) -> str:
    return element.label_en if (language or _language()) == "en" else element.label_vi


def header_text(element: DataElement, language: str | None = None) -> str:
    """The template header of ``element``: its label with the unit in brackets, e.g.
    ``"Tổng lượng nước sử dụng [m³]"``; the label alone when it has no unit."""
    label = _label(element, language)
    return f"{label} [{element.unit}]" if element.unit else label


def _fold(text: str) -> str:
    """Case-, accent- and space-insensitive form of a header, for matching by label."""
    decomposed = unicodedata.normalize("NFD", str(text).casefold().replace("đ", "d"))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.split())


_UNIT_SUFFIX = re.compile(r"\s*\[[^\]]*\]\s*$")


def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _number_text(number: Decimal) -> str:
    """``Decimal`` as plain text without exponent or trailing zeros: 1234.500000 -> "1234.5"."""
    text = f"{number.normalize():f}"
    return "0" if text in ("-0", "") else text


def yes_no_words(language: str | None = None) -> tuple[str, str]:
    """The yes and no of the drop-downs in ``language``: ("Có", "Không") or ("Yes", "No")."""
    with translation.override(language or _language()):
        return _("Yes"), _("No")


def template_elements(campaign: Campaign) -> list[DataElement]:
    """Enterprise data elements of the campaign's framework version that the Excel template
    carries, in framework order (document elements are left out: proofs are uploaded)."""
    return list(
        DataElement.objects.filter(
            version_id=campaign.framework_version_id, applies_to=AppliesTo.ENTERPRISE
        )
        .exclude(value_type=DataElement.ValueType.DOCUMENT)
        .order_by("order", "code")
    )


# --------------------------------------------------------------------------- scope (reads)


def excel_campaigns(user) -> QuerySet[Campaign]:
    """Campaigns with at least one response in the user's scope, newest period first."""
    visible = restrict(Response.objects.all(), user).values("campaign_id")
    return (
        Campaign.objects.filter(pk__in=visible)
        .select_related("framework_version__framework")
        .order_by("-period", "name")
    )


def importable_parks(user, campaign: Campaign) -> QuerySet[Park]:
    """Parks of ``campaign`` whose enterprises' answers ``user`` may import: its own park for a
    park manager, its province's parks for a provincial board, none for anyone else."""
    return (
        restrict(Park.objects.all(), user, Action.IMPORT)
        .filter(responses__campaign=campaign, responses__enterprise__isnull=False)
        .distinct()
        .order_by("name_vi")
    )


def _enterprise_responses(campaign: Campaign, park: Park) -> QuerySet[Response]:
    return (
        Response.objects.filter(campaign=campaign, park=park, enterprise__isnull=False)
        .select_related("enterprise")
        .order_by("enterprise__name", "pk")
    )


# --------------------------------------------------------------------------- template


def _cell_for_answer(element: DataElement, answer: Answer | None, yes: str, no: str):
    """The template cell value of a stored answer (None when unanswered)."""
    if answer is None or answer.is_blank:
        return None
    vt = element.value_type
    if vt == DataElement.ValueType.YES_NO:
        return None if answer.value_bool is None else (yes if answer.value_bool else no)
    if vt == DataElement.ValueType.PERCENTAGE and answer.value_number is not None:
        return answer.value_number / 100
    if vt == DataElement.ValueType.INTEGER and answer.value_number is not None:
        return int(answer.value_number)
    if answer.value_number is not None:
        return answer.value_number.normalize()
    if vt == DataElement.ValueType.DATE:
        try:
            return datetime.date.fromisoformat(answer.value_text)
        except ValueError:
            return answer.value_text
    return answer.value_text


def _set_text(cell, value: str) -> None:
    """Store ``value`` as a text cell even when it begins with "=" (never a formula)."""
    cell.value = value
    cell.data_type = "s"


def _put_cell(cell, value, number_format: str) -> None:
    """Write ``value`` (text as text, never a formula; None leaves the cell blank) with its
    number format."""
    if isinstance(value, str):
        _set_text(cell, value)
    elif value is not None:
        cell.value = value
    cell.number_format = number_format


def template_write(*, campaign: Campaign, park: Park, file, user=None) -> int:
    """Write the Excel template of ``campaign`` for the enterprises of ``park`` to ``file`` (a
    binary file object or path), prefilled with their stored answers, in the active language.

    Layout: see the module docstring; when the campaign collects the official report forms,
    also the B.4 fields, the products sheet and the park's own sheet
    (:mod:`surveys.interchange_reports`; personal data ``user`` may not see is hidden).
    Returns the number of enterprise rows written. The caller checks permissions
    (:func:`importable_parks`).
    """
    language = _language()
    yes, no = yes_no_words(language)
    elements = template_elements(campaign)
    responses = list(_enterprise_responses(campaign, park))
    answers = {
        (a.response_id, a.data_element_id): a
        for a in Answer.objects.filter(
            response__in=[r.pk for r in responses], data_element__in=elements
        )
    }
    items = (
        reports_xl.sheet_items(campaign, "enterprise", with_elements=False)
        if campaign.report_forms
        else []
    )
    stored_items = reports_xl.stored_values_bulk(responses, items, user) if items else {}

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = _("Data")[:31]
    lists = wb.create_sheet(_("Lists")[:31])
    lists.sheet_state = "hidden"
    help_ws = wb.create_sheet(_("Instructions")[:31])

    # the report fields' columns: (item, True) is the unit column after a quantity
    item_columns = [
        (item, unit) for item in items for unit in (False, True)
        if not unit or reports_xl.has_unit_column(item)
    ]  # fmt: skip
    version_col = len(elements) + len(item_columns) + 3
    labels = [_("Tax code"), _("Enterprise")] + [header_text(e, language) for e in elements]
    labels += [
        reports_xl.unit_header(i, language) if unit else reports_xl.item_header(i, language)
        for i, unit in item_columns
    ]
    labels.append(_("Response version (do not change)"))
    codes = [TAX_CODE, ENTERPRISE_NAME] + [e.code for e in elements]
    codes += [
        reports_xl.item_code(i) + (reports_xl.UNIT_SUFFIX if unit else "")
        for i, unit in item_columns
    ] + [RESPONSE_VERSION]
    _header_row(ws, labels, codes)
    ws.row_dimensions[1].height = 75
    ws.freeze_panes = "C3"
    ws.column_dimensions["A"].width = 16
    ws.column_dimensions["B"].width = 36
    for idx in range(3, version_col):
        ws.column_dimensions[get_column_letter(idx)].width = 20
    ws.column_dimensions[get_column_letter(version_col)].hidden = True

    for row_idx, response in enumerate(responses, start=3):
        _set_text(ws.cell(row=row_idx, column=1), response.enterprise.tax_code)
        ws.cell(row=row_idx, column=1).number_format = TEXT_FORMAT
        _set_text(ws.cell(row=row_idx, column=2), response.enterprise.name)
        for col_idx, element in enumerate(elements, start=3):
            cell = ws.cell(row=row_idx, column=col_idx)
            value = _cell_for_answer(element, answers.get((response.pk, element.pk)), yes, no)
            if isinstance(value, str):
                _set_text(cell, value)
            elif value is not None:
                cell.value = value
            cell.number_format = {
                DataElement.ValueType.INTEGER: INTEGER_FORMAT,
                DataElement.ValueType.DECIMAL: DECIMAL_FORMAT,
                DataElement.ValueType.PERCENTAGE: PERCENT_FORMAT,
                DataElement.ValueType.DATE: DATE_FORMAT,
                DataElement.ValueType.TEXT: TEXT_FORMAT,
                DataElement.ValueType.CHOICE: TEXT_FORMAT,
            }.get(element.value_type, "General")
        for col_idx, (item, unit) in enumerate(item_columns, start=len(elements) + 3):
            stored_value = stored_items.get((response.pk, reports_xl.item_code(item)))
            if unit:
                _put_cell(
                    ws.cell(row=row_idx, column=col_idx),
                    reports_xl.unit_text(stored_value) or None,
                    TEXT_FORMAT,
                )
                continue
            value = reports_xl.cell_value(item, stored_value, yes, no)
            _put_cell(ws.cell(row=row_idx, column=col_idx), value, reports_xl.number_format(item))
        ws.cell(row=row_idx, column=version_col, value=response.version)

    last_row = max(3, len(responses) + 2)
    yes_no_cols = [
        get_column_letter(i)
        for i, e in enumerate(elements, start=3)
        if e.value_type == DataElement.ValueType.YES_NO
    ] + [
        get_column_letter(i)
        for i, (item, unit) in enumerate(item_columns, start=len(elements) + 3)
        if item.kind.value == "yes_no" and not unit
    ]
    if yes_no_cols:
        dv = DataValidation(type="list", formula1=f'"{yes},{no}"', allow_blank=True)
        dv.error = _("Choose %(yes)s or %(no)s.") % {"yes": yes, "no": no}
        dv.showErrorMessage = True
        for col in yes_no_cols:
            dv.add(f"{col}3:{col}{last_row}")
        ws.add_data_validation(dv)
    unit_cols = {
        get_column_letter(i): item
        for i, (item, unit) in enumerate(item_columns, start=len(elements) + 3)
        if unit
    }
    if unit_cols:  # the units of the response page's picker (every quantity offers the same)
        offered = store_unit_choices(next(iter(unit_cols.values())))
        dv = DataValidation(type="list", formula1='"' + ",".join(offered) + '"', allow_blank=True)
        dv.error = _("Choose a value from the list.")
        dv.showErrorMessage = True
        for col in unit_cols:
            dv.add(f"{col}3:{col}{last_row}")
        ws.add_data_validation(dv)
    list_col = 0
    for idx, element in enumerate(elements, start=3):
        if element.value_type != DataElement.ValueType.CHOICE or not element.choices:
            continue
        list_col += 1
        letter = get_column_letter(list_col)
        for n, choice in enumerate(element.choices, start=1):
            _set_text(lists.cell(row=n, column=list_col), str(choice))
        dv = DataValidation(
            type="list",
            formula1=f"{quote_sheetname(lists.title)}!${letter}$1:${letter}${len(element.choices)}",
            allow_blank=True,
        )
        dv.error = _("Choose a value from the list.")
        dv.showErrorMessage = True
        col = get_column_letter(idx)
        dv.add(f"{col}3:{col}{last_row}")
        ws.add_data_validation(dv)

    example = "1.234,5" if language == "vi" else "1,234.5"
    help_lines = [
        f"{campaign.name} · {campaign.period} · {park.name}",
        _("One row per enterprise; do not change the tax codes or the hidden second row."),
        _("Numbers: type them as numbers, or as text such as %(example)s.") % {"example": example},
        _("Percentages: %(example)s or a cell formatted as a percentage; units are in brackets.")
        % {"example": "12,5%" if language == "vi" else "12.5%"},
        _("Yes/no: %(yes)s or %(no)s. Dates: dd/mm/yyyy.") % {"yes": yes, "no": no},
        _("A blank cell leaves the stored answer unchanged; clear answers on the form."),
        _("Submitted or approved responses cannot be changed by an import."),
        _("The whole file is checked first: if any cell is wrong, nothing is saved."),
    ]
    if campaign.report_forms:
        help_lines += [
            _(
                "The official report forms: the B.4 fields are columns of the first sheet; the "
                "products of form B.4 Part II go on the products sheet (every enterprise with a "
                "row there gets exactly those rows); the park's own forms A.4 and A.5 on the "
                "park sheet. Money in million VND. Totals and shares are computed by ecopark."
            ),
            _(
                "Part I (investor, representative, project) fills what the registry lacks; a "
                "value the registry holds is changed on the registry page. ••• is personal "
                "data you may not see: leave it."
            ),
            _(
                "Fuels (B.4 P3.6, P4.10) are quantities with their own unit: the number in its "
                "column, the unit (L, m³, t, kWh …) in the next one."
            ),
        ]
        _write_products_sheet(wb, responses, language)
        _write_park_sheet(wb, campaign, park, language, user, yes, no)
    for row_idx, line in enumerate(help_lines, start=1):
        _set_text(help_ws.cell(row=row_idx, column=1), line)
    help_ws.column_dimensions["A"].width = 110
    wb.save(file)
    return len(responses)


def products_sheet_title() -> str:
    """The products sheet's title in the active language."""
    return _("Products")[:31]


def park_sheet_title() -> str:
    """The park sheet's title in the active language."""
    return _("Park report")[:31]


def _header_row(ws, labels: list[str], codes: list[str]) -> None:
    ws.append(labels)
    ws.append(codes)
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="EEF4F1")
    for cell in ws[1]:
        cell.font = bold
        cell.fill = fill
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.row_dimensions[2].hidden = True


def _write_products_sheet(wb, responses: list[Response], language: str) -> None:
    """Form B.4 Part II: one row per product of each enterprise (tax code first)."""
    ws = wb.create_sheet(products_sheet_title())
    _header_row(
        ws,
        [reports_xl.product_header(c, language) for c in reports_xl.PRODUCT_COLUMNS],
        list(reports_xl.PRODUCT_COLUMNS),
    )
    ws.row_dimensions[1].height = 60
    for i in range(1, len(reports_xl.PRODUCT_COLUMNS) + 1):
        ws.column_dimensions[get_column_letter(i)].width = 20
    stored = reports_xl.products_by_enterprise(responses)
    row_idx = 3
    for response in responses:
        for line in stored.get(response.pk, []):
            _set_text(ws.cell(row=row_idx, column=1), response.enterprise.tax_code)
            _set_text(ws.cell(row=row_idx, column=2), line.product)
            _set_text(ws.cell(row=row_idx, column=3), line.unit)
            for col, name in enumerate(
                ("design_capacity", "actual_output", "energy_per_unit"), start=4
            ):
                value = getattr(line, name)
                ws.cell(
                    row=row_idx, column=col, value=value.normalize() if value is not None else None
                )
            _set_text(ws.cell(row=row_idx, column=7), line.energy_carrier)
            revenue = line.revenue_million_vnd
            ws.cell(
                row=row_idx, column=8, value=revenue.normalize() if revenue is not None else None
            )
            row_idx += 1
    last = max(row_idx + 50, 60)
    units = DataValidation(
        type="list", formula1='"' + ",".join(ProductionLine.Unit.values) + '"', allow_blank=True
    )
    units.add(f"C3:C{last}")
    carriers = DataValidation(
        type="list", formula1='"' + ",".join(ProductionLine.Carrier.values) + '"', allow_blank=True
    )
    carriers.add(f"G3:G{last}")
    ws.add_data_validation(units)
    ws.add_data_validation(carriers)


def _write_park_sheet(wb, campaign, park, language, user, yes, no) -> None:
    """Forms A.4 and A.5 of the park itself: one row per field (code, number, label, unit,
    value), the response version in the header."""
    response = Response.objects.filter(
        campaign=campaign, park=park, enterprise__isnull=True
    ).first()
    if response is None:
        return
    items = reports_xl.sheet_items(campaign, "park", with_elements=True)
    stored = reports_xl.stored_values_bulk([response], items, user)
    answers = {
        a.data_element.code: a
        for a in Answer.objects.filter(response=response).select_related("data_element")
    }
    ws = wb.create_sheet(park_sheet_title())
    _header_row(
        ws,
        [
            _("Code"),
            _("Form"),
            _("No."),
            _("Field"),
            _("Value"),
            _("Response version (do not change)"),
        ],
        [reports_xl.PARK_CODE, "form", "no", "field", "value", RESPONSE_VERSION],
    )
    ws.cell(row=1, column=6).value = f"{_('Response version (do not change)')}: {response.version}"
    ws.cell(row=2, column=6).value = response.version
    ws.column_dimensions["A"].hidden = True
    ws.column_dimensions["B"].width = 7
    ws.column_dimensions["C"].width = 9
    ws.column_dimensions["D"].width = 70
    ws.column_dimensions["E"].width = 28
    yes_rows = []
    for row_idx, item in enumerate(items, start=3):
        _set_text(ws.cell(row=row_idx, column=1), reports_xl.item_code(item))
        _set_text(ws.cell(row=row_idx, column=2), item.form)
        _set_text(ws.cell(row=row_idx, column=3), item.number())
        label = reports_xl.item_header(item, language).split(" ", 2)[-1]
        if item.required:
            label += " *"
        _set_text(ws.cell(row=row_idx, column=4), label)
        ws.cell(row=row_idx, column=4).alignment = Alignment(wrap_text=True, vertical="top")
        if item.source.kind.value == "element":
            answer = answers.get(item.source.element)
            value = None
            if answer is not None:
                value = (
                    answer.value_bool
                    if answer.value_bool is not None
                    else (
                        answer.value_number
                        if answer.value_number is not None
                        else answer.value_text
                    )
                )
        else:
            value = stored.get((response.pk, reports_xl.item_code(item)))
        value = reports_xl.cell_value(item, value, yes, no)
        _put_cell(ws.cell(row=row_idx, column=5), value, reports_xl.number_format(item))
        if item.kind.value == "yes_no":
            yes_rows.append(row_idx)
    if yes_rows:
        dv = DataValidation(type="list", formula1=f'"{yes},{no}"', allow_blank=True)
        for row_idx in yes_rows:
            dv.add(f"E{row_idx}")
        ws.add_data_validation(dv)


# --------------------------------------------------------------------------- import: checks


@dataclass
class ImportRow:
    """A file row that changes answers: its response, the response version when checked
    (``checked_version``) and the new values by data element id."""

    row: int
    response_id: int
    checked_version: int
    enterprise: str
    values: dict[int, AnswerValue] = field(default_factory=dict)
    #: the official report forms' fields, registry and production rows it changes (None:
    #: none; most imports have no forms, and a row then carries nothing more)
    report: reports_xl.ReportChanges | None = None


@dataclass
class ImportCheck:
    """The outcome of :func:`import_check`: ``errors`` (all of them) and, when there are none,
    the ``rows`` to save. ``rows_read`` counts non-blank data rows; ``unchanged`` those whose
    cells equal the stored answers."""

    campaign: Campaign
    park: Park
    sheet: str
    rows: list[ImportRow]
    errors: list[CellError]
    elements: dict[int, DataElement]
    rows_read: int = 0

    @property
    def ok(self) -> bool:
        """True when the file has no error and may be saved."""
        return not self.errors

    @property
    def answers_changed(self) -> int:
        """Number of answers and report fields the save would create or change (a production
        table counts as one)."""
        return sum(
            len(r.values)
            + (
                len(r.report.report) + len(r.report.registry) + (r.report.production is not None)
                if r.report
                else 0
            )
            for r in self.rows
        )


class _CellProblem(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _read_number(
    element: DataElement, value, number_format: str, language: str, shown: str
) -> Decimal:
    vt = element.value_type
    example = "1.234,5" if language == "vi" else "1,234.5"
    try:
        if isinstance(value, datetime.date | datetime.time | datetime.timedelta):
            raise ParseError("invalid_number", value, "date")
        if vt == DataElement.ValueType.PERCENTAGE:
            number = parse_percent(value, language=language)
            if not isinstance(value, str) and "%" in (number_format or ""):
                number = number * 100  # a percent-formatted cell holds the fraction
        else:
            number = parse_number(value, language=language)
    except ParseError:
        if vt == DataElement.ValueType.PERCENTAGE:
            raise _CellProblem(
                _("“%(value)s” is not a percentage; write e.g. %(example)s.")
                % {"value": shown, "example": "12,5%" if language == "vi" else "12.5%"}
            ) from None
        raise _CellProblem(
            _("“%(value)s” is not a number; write a number such as %(example)s.")
            % {"value": shown, "example": example}
        ) from None
    if vt == DataElement.ValueType.INTEGER and number != number.to_integral_value():
        raise _CellProblem(_("“%(value)s” must be a whole number.") % {"value": shown})
    if abs(number) >= _MAX_ABS:
        raise _CellProblem(_("“%(value)s” is too large.") % {"value": shown})
    if number.as_tuple().exponent < -6:
        number = number.quantize(_QUANTUM)
    if is_percent_0_100(element) and not 0 <= number <= 100:
        raise _CellProblem(percent_range_message())
    if element.min_value is not None and number < element.min_value:
        raise _CellProblem(
            _("%(value)s is below the minimum %(min)s.")
            % {"value": shown, "min": _number_text(element.min_value)}
        )
    if element.max_value is not None and number > element.max_value:
        raise _CellProblem(
            _("%(value)s is above the maximum %(max)s.")
            % {"value": shown, "max": _number_text(element.max_value)}
        )
    return number


def cell_answer(element: DataElement, value, *, number_format: str = "General", language: str):
    """Read one cell for ``element``: an :class:`~surveys.forms.AnswerValue` (``raw`` = the
    cell as text, at most 200 characters), or None for a blank cell.

    ``value`` is what openpyxl gives (str, int, float, bool, datetime, None);
    ``number_format`` the cell's format (a ``%`` in it means the cell holds a fraction);
    ``language`` the format of numbers typed as text (``"vi"`` or ``"en"``).
    Raises ``_CellProblem`` with a translated reason.
    """
    if _is_blank(value):
        return None
    text = cell_text(value)
    raw = text[:200]
    vt = element.value_type
    if vt == DataElement.ValueType.YES_NO:
        try:
            flag = parse_yes_no(value.strip() if isinstance(value, str) else value)
        except ParseError:
            yes, no = yes_no_words(language)
            raise _CellProblem(
                _("“%(value)s” is not yes/no; write %(yes)s or %(no)s.")
                % {"value": raw, "yes": yes, "no": no}
            ) from None
        return AnswerValue(flag=flag, raw=raw)
    if element.is_numeric:
        return AnswerValue(
            number=_read_number(element, value, number_format, language, text), raw=raw
        )
    if vt == DataElement.ValueType.DATE:
        try:
            day = parse_date(value)
        except ParseError:
            raise _CellProblem(
                _("“%(value)s” is not a date; write it as dd/mm/yyyy.") % {"value": raw}
            ) from None
        return AnswerValue(text=day.isoformat(), raw=raw)
    if vt == DataElement.ValueType.CHOICE:
        choices = [str(c) for c in element.choices]
        if text not in choices:
            folded = {_fold(c): c for c in choices}
            if _fold(text) not in folded:
                raise _CellProblem(
                    _("“%(value)s” is not one of the choices: %(choices)s.")
                    % {"value": raw, "choices": ", ".join(choices)}
                )
            text = folded[_fold(text)]
    return AnswerValue(text=text, raw=raw)


def _tax_code_text(value) -> str:
    """A tax code cell as text; a number Excel made of ``0300588569`` is padded to 10 digits."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float) and float(value).is_integer() and 0 < value < 10**10:
        return f"{int(value):010d}"
    return cell_text(value)


def _same(existing: tuple | None, value: AnswerValue) -> bool:
    if existing is None:
        return False
    number, flag, text = existing
    return (number, flag, text or "") == (value.number, value.flag, value.text)


def import_check(
    *, campaign: Campaign, park: Park, file, language: str = "vi", progress=None, user=None
) -> ImportCheck:
    """Read and check a whole import file for the enterprises of ``park`` in ``campaign``;
    nothing is written.

    ``file`` is a binary file object (e.g. Django's ``UploadedFile``); ``language`` is the
    format of numbers typed as text (``"vi"``: ``1.234,5``; ``"en"``: ``1,234.5``). Only the
    data sheet is read: the template's by name, else the first with the header (other sheets,
    e.g. notes added before it, are left alone); a row that changes nothing is not checked
    against the response's version (the same file may be uploaded twice). Returns an :class:`ImportCheck` whose ``errors`` list every
    problem (sheet, row, column, header, value, reason) and whose ``rows`` hold the changes.
    When the campaign collects the official report forms, the B.4 columns, the products sheet
    and the park sheet are read too (:mod:`surveys.interchange_reports`; ``user`` decides
    which personal data it sees and whether it may fill the registry). Raises
    :class:`FileRefused` for a file that is not an acceptable XLSX (see :func:`file_check`).
    The caller checks permissions (:func:`importable_parks`).
    ``progress``, when given, is called with the number of rows read after each row (a
    background import records it, ``surveys.services_imports``).
    """
    file_check(file)
    wb = open_workbook(file)
    try:
        return _check_workbook(
            wb, campaign=campaign, park=park, language=language, progress=progress, user=user
        )
    finally:
        wb.close()


def _header_map(head: list[tuple], elements: list[DataElement], items=()):
    """Find the header in the first rows ``head``.

    Returns ``(row_number, mapping, headers, problems)`` or None when no row has a tax code
    column. ``mapping`` is ``{column index: key}`` with key TAX_CODE, ENTERPRISE_NAME,
    RESPONSE_VERSION or a DataElement; ``headers`` ``{column index: header text}``;
    ``problems`` ``[(column index, header, code, duplicate?)]`` for columns that match nothing
    or match a key twice. The template's code row is preferred; without one, the labels
    (Vietnamese or English, unit in brackets ignored) are matched.
    """
    fixed = {
        TAX_CODE: TAX_CODE,
        ENTERPRISE_NAME: ENTERPRISE_NAME,
        RESPONSE_VERSION: RESPONSE_VERSION,
    }
    by_code = {**fixed, **{e.code: e for e in elements}}
    by_code.update({reports_xl.item_code(i): i for i in items})
    by_code.update(
        {
            reports_xl.item_code(i) + reports_xl.UNIT_SUFFIX: reports_xl.UnitColumn(i)
            for i in items
            if reports_xl.has_unit_column(i)
        }
    )
    by_label: dict[str, object] = {}
    for lang in ("vi", "en"):
        with translation.override(lang):
            by_label.setdefault(_fold(_("Tax code")), TAX_CODE)
            by_label.setdefault(_fold(_("Enterprise")), ENTERPRISE_NAME)
            by_label.setdefault(_fold(_("Response version (do not change)")), RESPONSE_VERSION)
        for element in elements:
            by_label.setdefault(_fold(_label(element, lang)), element)
        for item in items:
            header = _UNIT_SUFFIX.sub("", reports_xl.item_header(item, lang))
            by_label.setdefault(_fold(header), item)
            if reports_xl.has_unit_column(item):
                unit_label = _fold(reports_xl.unit_header(item, lang))
                by_label.setdefault(unit_label, reports_xl.UnitColumn(item))

    def texts(row) -> list[str]:
        return ["" if _is_blank(c.value) else str(c.value).strip() for c in row]

    def build(index: int, keys: list, codes: list[str], labels: list[str]):
        mapping, headers, problems = {}, {}, []
        for col, (key, code) in enumerate(zip(keys, codes, strict=True)):
            if not code:
                continue
            label = labels[col] if col < len(labels) and labels[col] else code
            headers[col] = label
            if key is None:
                problems.append((col, label, code, False))
            elif key in mapping.values():
                problems.append((col, label, code, True))
            else:
                mapping[col] = key
        return index + 1, mapping, headers, problems

    rows = [texts(row) for row in head]
    for index, codes in enumerate(rows):
        if TAX_CODE in codes:  # the template's (hidden) code row; labels are the row above
            labels = rows[index - 1] if index > 0 else []
            return build(index, [by_code.get(c) for c in codes], codes, labels)
    for index, values in enumerate(rows):
        keys = [by_label.get(_fold(_UNIT_SUFFIX.sub("", v))) if v else None for v in values]
        if TAX_CODE in keys:
            return build(index, keys, values, values)
    return None


def _data_sheet(wb, elements: list[DataElement]):
    """The worksheet holding the data and its first rows: the template's data sheet by name
    (in either language) when its header is found, else the first sheet whose first
    :data:`HEADER_SEARCH_ROWS` rows hold the header (a sheet of notes added before it does not
    matter); the first sheet when none does (its missing header is then reported)."""
    names = set()
    for lang in ("vi", "en"):
        with translation.override(lang):
            names.add(_("Data")[:31])
    sheets = sorted(wb.worksheets, key=lambda ws: ws.title not in names)  # by name first
    for ws in sheets:
        ws.reset_dimensions()  # some writers store a wrong <dimension>; read every row
        rows = ws.iter_rows()
        head = list(itertools.islice(rows, HEADER_SEARCH_ROWS))
        if _header_map(head, elements) is not None:
            return ws, head, rows
    ws = wb.worksheets[0]
    rows = ws.iter_rows()
    return ws, list(itertools.islice(rows, HEADER_SEARCH_ROWS)), rows


def _check_workbook(
    wb, *, campaign: Campaign, park: Park, language: str, progress=None, user=None
) -> ImportCheck:
    elements = template_elements(campaign)
    items = (
        reports_xl.sheet_items(campaign, "enterprise", with_elements=False)
        if campaign.report_forms
        else []
    )
    ws, head, rows = _data_sheet(wb, elements)
    sheet = ws.title
    result = ImportCheck(
        campaign=campaign,
        park=park,
        sheet=sheet,
        rows=[],
        errors=[],
        elements={e.pk: e for e in elements},
    )
    errors = result.errors
    if campaign_state(campaign) == PeriodState.NOT_OPEN:  # surveys.periods: nothing before
        errors.append(
            CellError.of_sheet(sheet, _(
                "The reporting period of «%(campaign)s» opens on %(date)s: answers can be "
                "imported from that day."
            ) % {"campaign": campaign.name, "date": format_date(campaign.opens_on)})
        )  # fmt: skip
        return result
    version_codes = dict(
        DataElement.objects.filter(version_id=campaign.framework_version_id).values_list(
            "code", "value_type"
        )
    )
    found = _header_map(head, elements, items)
    if found is None:
        errors.append(
            CellError.of_sheet(
                sheet,
                _(
                    "No header row with a “%(tax)s” column was found in the first %(n)s rows of "
                    "any sheet. Start from the template downloaded from ecopark."
                )
                % {"tax": _("Tax code"), "n": HEADER_SEARCH_ROWS},
            )
        )
        return result
    header_row, mapping, headers, problems = found
    for col, label, code, duplicate in problems:
        if duplicate:
            reason = _("This column appears twice; keep one.")
        elif version_codes.get(code) == DataElement.ValueType.DOCUMENT:
            reason = _("Documents cannot be imported; upload them on the response form.")
        elif code in version_codes:
            reason = _("This data element is not asked of enterprises; remove the column.")
        else:
            reason = _(
                "This column is not a data element of %(version)s; remove it or restore "
                "the template's code in the hidden second row."
            ) % {"version": campaign.framework_version}
        errors.append(CellError(sheet, header_row, get_column_letter(col + 1), label, code, reason))
    tax_col = next((c for c, k in mapping.items() if k == TAX_CODE), None)
    version_col = next((c for c, k in mapping.items() if k == RESPONSE_VERSION), None)
    element_cols = [(c, k) for c, k in mapping.items() if isinstance(k, DataElement)]
    element_pks = [(c, k, k.pk) for c, k in element_cols]
    item_cols = [
        (c, k)
        for c, k in mapping.items()
        if not isinstance(k, DataElement | str | reports_xl.UnitColumn)
    ]
    unit_col_of = {
        k.item.ident: c for c, k in mapping.items() if isinstance(k, reports_xl.UnitColumn)
    }

    responses = list(_enterprise_responses(campaign, park))
    stored_items = reports_xl.stored_values_bulk(responses, items, user) if item_cols else {}
    tenants = (
        dict(Enterprise.objects.filter(park=park).values_list("tax_code", "name"))
        if item_cols
        else {}
    )
    projects: dict[int, tuple] = {}
    by_tax = {r.enterprise.tax_code: r for r in responses}
    stored = {
        (resp, el): (num, flag, text)
        for resp, el, num, flag, text in Answer.objects.filter(
            response__in=[r.pk for r in responses]
        ).values_list("response_id", "data_element_id", "value_number", "value_bool", "value_text")
    }
    first_row_of: dict[int, int] = {}
    tax_header = headers.get(tax_col, _("Tax code"))
    labels = {e.code: _label(e) for e in elements}  # the cross-field rules' messages
    numeric_elements = [e for e in elements if e.is_numeric]
    percentage = DataElement.ValueType.PERCENTAGE

    remaining = itertools.chain(head[header_row:], rows)
    for row_number, row in enumerate(remaining, start=header_row + 1):
        if all(_is_blank(c.value) for c in row):
            continue
        result.rows_read += 1
        if progress is not None:
            progress(result.rows_read)

        def cell_at(col, row=row):
            return row[col] if col is not None and col < len(row) else None

        def error(col, header, value, reason, row_number=row_number):
            errors.append(
                CellError(
                    sheet,
                    row_number,
                    get_column_letter(col + 1),
                    header,
                    cell_text(value)[:200],
                    reason,
                )
            )

        tax_cell = cell_at(tax_col)
        tax_value = tax_cell.value if tax_cell is not None else None
        if is_formula(tax_cell):
            error(tax_col, tax_header, tax_value, formula_reason())
            continue
        if _is_blank(tax_value):
            error(tax_col, tax_header, tax_value, _("The tax code is missing."))
            continue
        try:
            tax_code = normalise_tax_code(_tax_code_text(tax_value))
        except ValidationError as exc:
            error(tax_col, tax_header, tax_value, " ".join(exc.messages))
            continue
        response = by_tax.get(tax_code)
        if response is None:
            error(
                tax_col,
                tax_header,
                tax_value,
                _(
                    "No enterprise with tax code %(tax)s is in %(park)s with a response in "
                    "this campaign."
                )
                % {"tax": tax_code, "park": park.name},
            )
            continue
        if response.pk in first_row_of:
            error(
                tax_col,
                tax_header,
                tax_value,
                _("This tax code already appears on row %(row)s.")
                % {"row": first_row_of[response.pk]},
            )
            continue
        first_row_of[response.pk] = row_number
        file_version = None
        if version_col is not None:
            version_cell = cell_at(version_col)
            file_version = version_cell.value if version_cell is not None else None
        changes: dict[int, AnswerValue] = {}
        changed_cells: list[tuple[int, object]] = []  # (column, cell value) of every change
        response_pk = response.pk
        for col, element, element_pk in element_pks:
            cell = cell_at(col)
            if cell is None:
                continue
            if is_formula(cell):
                error(col, headers.get(col, element.code), cell.value, formula_reason())
                continue
            try:
                value = cell_answer(
                    element,
                    cell.value,
                    # only a percentage reads it (a % format means the cell holds a fraction)
                    number_format=(getattr(cell, "number_format", None) or "General")
                    if element.value_type == percentage
                    else "General",
                    language=language,
                )
            except _CellProblem as problem:
                error(col, headers.get(col, element.code), cell.value, problem.reason)
                continue
            if value is None or _same(stored.get((response_pk, element_pk)), value):
                continue
            changes[element_pk] = value
            changed_cells.append((col, cell.value))
        report = reports_xl.ReportChanges()
        for col, item in item_cols:
            cell = cell_at(col)
            if cell is None or _is_blank(cell.value):
                continue
            header = headers.get(col, reports_xl.item_code(item))
            if item.source.kind.value == "registry":
                if response.pk not in projects:
                    projects[response.pk] = reports_xl.registry_for(response, user)
                project, registry = projects[response.pk]
                value, problem = reports_xl.check_registry(
                    item, cell_text(cell.value), project=project, registry=registry, user=user
                )
                if problem:
                    error(col, header, cell.value, problem)
                elif value is not None:
                    report.registry[item.source.field] = value
                    changed_cells.append((col, cell.value))
                continue
            unit_cell = cell_at(unit_col_of.get(item.ident))
            try:
                value = reports_xl.read_cell(
                    item,
                    cell.value,
                    cell_format=getattr(cell, "number_format", None) or "General",
                    language=language,
                    tenants={k: v for k, v in tenants.items() if k != response.enterprise.tax_code}
                    if item.kind.value == "enterprises"
                    else {},
                    unit=cell_text(unit_cell.value) if unit_cell is not None else "",
                )
            except QuantityUnitError as exc:
                unit_col = unit_col_of.get(item.ident)
                if unit_col is None:  # no unit column: the value's cell is at fault
                    error(col, header, cell.value, exc.message.split("»: ", 1)[-1])
                else:  # the unit's own cell, quoted as found (empty or unknown)
                    error(
                        unit_col,
                        headers.get(unit_col, reports_xl.unit_header(item, language)),
                        unit_cell.value if unit_cell is not None else None,
                        reports_xl.unit_cell_reason(exc.unit, cell.value),
                    )
                continue
            except reports_xl.ItemError as exc:
                error(col, header, cell.value, exc.message.split("»: ", 1)[-1])
                continue
            before = stored_items.get((response.pk, item.ident))
            if not value.is_blank and _same_item(before, value):
                continue
            report.report[item.ident] = value
            if (
                isinstance(before, reports_xl.Quantity)
                and value.number == before.number
                and unit_cell is not None
            ):  # only the unit differs: its cell is the change
                changed_cells.append((unit_col_of[item.ident], unit_cell.value))
            else:
                changed_cells.append((col, cell.value))
        # a row that changes nothing conflicts with nothing, whatever its version (the same
        # file uploaded twice); one that changes answers saved since the file was made is
        # refused, so that nothing is overwritten
        if (
            (changes or report)
            and not _is_blank(file_version)
            and str(cell_text(file_version)) != str(response.version)
        ):
            error(
                version_col,
                headers.get(version_col, RESPONSE_VERSION),
                file_version,
                _(
                    "%(enterprise)s's response was saved since this file was made (version "
                    "%(file)s, now %(current)s); download a fresh template so that nothing "
                    "is overwritten."
                )
                % {
                    "enterprise": response.enterprise.name,
                    "file": cell_text(file_version),
                    "current": response.version,
                },
            )
            continue
        # the cross-field rules on the row's answers once saved (stored, then the file's)
        merged = {
            element.code: AnswerValue(number=stored[(response_pk, element.pk)][0])
            for element in numeric_elements
            if (response_pk, element.pk) in stored
        }
        merged.update({result.elements[pk].code: v for pk, v in changes.items()})
        broken = cross_field_errors(merged, labels=labels)
        for code, message in broken.items():
            col = next((c for c, e in element_cols if e.code == code), tax_col)
            cell = cell_at(col)
            error(col, headers.get(col, code), cell.value if cell is not None else None, message)
        if broken:
            continue
        if (changes or report) and not response.is_editable:
            # every changed cell is named; unchanged cells of a locked response are skipped
            for col, value in changed_cells:
                error(col, headers.get(col, ""), value, locked_reason(response))
            continue
        response.campaign = campaign  # loaded once for every row
        refusal = period_refusal(response) if (changes or report) else None
        if refusal is not None:  # surveys.periods: past its due date
            error(
                tax_col,
                tax_header,
                tax_value,
                _("%(enterprise)s: %(reason)s")
                % {"enterprise": response.enterprise.name, "reason": refusal.messages[0]},
            )
            continue
        if changes or report:
            result.rows.append(
                ImportRow(
                    row=row_number,
                    response_id=response.pk,
                    checked_version=response.version,
                    enterprise=response.enterprise.name,
                    values=changes,
                    report=report or None,
                )
            )
    errors.sort(key=lambda e: (e.row or 0, len(e.column), e.column))
    if campaign.report_forms:
        _check_products(wb, result, responses, language)
        _check_park_sheet(wb, result, campaign, park, language, user)
    return result


def locked_reason(response: Response) -> str:
    """Why a cell that changes ``response`` (submitted or approved) is refused."""
    return _(
        "The response of %(enterprise)s is %(status)s and can no longer be changed: this cell "
        "differs from what it holds."
    ) % {"enterprise": response.enterprise.name, "status": response.get_status_display()}


def _same_item(before, value: AnswerValue) -> bool:
    """True when a report cell holds the value already stored (a quantity: the same number
    in the same unit)."""
    if before is None:
        return False
    if isinstance(before, reports_xl.Quantity):
        return value.number == before.number and value.unit == _unit_symbol(before.unit)
    if isinstance(before, bool):
        return value.flag is before
    if isinstance(before, Decimal):
        return value.number == before
    if isinstance(before, tuple):
        return value.text == ";".join(before)
    if isinstance(before, datetime.date):
        return value.text == before.isoformat()
    return value.text == str(before)


def _unit_symbol(unit: str) -> str:
    """The symbol of a stored unit spelling (``m3`` → ``m³``); the text as it is when unknown."""
    from indicators import units

    try:
        return units.symbol_of(unit)
    except units.UnitError:
        return unit


def _find_sheet(wb, first_code: str):
    """The worksheet (after the first) whose hidden code row starts with ``first_code``."""
    for ws in wb.worksheets[1:]:
        for row in itertools.islice(ws.iter_rows(max_row=HEADER_SEARCH_ROWS), HEADER_SEARCH_ROWS):
            if row and not _is_blank(row[0].value) and str(row[0].value).strip() == first_code:
                return ws
    return None


def _row_for(result: ImportCheck, response: Response, row_number: int) -> ImportRow:
    for r in result.rows:
        if r.response_id == response.pk:
            return r
    new = ImportRow(
        row=row_number,
        response_id=response.pk,
        checked_version=response.version,
        enterprise=response.enterprise.name if response.enterprise_id else response.park.name,
    )
    result.rows.append(new)
    return new


def _check_products(wb, result: ImportCheck, responses: list[Response], language: str) -> None:
    """The products sheet (form B.4 Part II): rows by tax code; every enterprise with a row
    gets exactly its rows. Errors by cell. An enterprise whose rows equal the stored ones
    changes nothing; a submitted or approved response's rows may only be unchanged (each
    differing cell, added row or the last row before removed ones is refused)."""
    from .forms_report import clean_production_row

    ws = _find_sheet(wb, "tax_code")
    if ws is None:
        return
    ws.reset_dimensions()
    by_tax = {r.enterprise.tax_code: r for r in responses}
    columns = list(reports_xl.PRODUCT_COLUMNS)
    header_row = None
    tables: dict[int, list] = {}
    first_row: dict[int, int] = {}
    file_rows: dict[int, list] = {}  # (row number, cells, error) of each kept row
    for row_number, row in enumerate(ws.iter_rows(), start=1):
        values = [c.value for c in row]
        if header_row is None:
            if values and str(values[0] or "").strip() == "tax_code":
                header_row = row_number
                columns = [str(v or "").strip() for v in values]
            continue
        if all(_is_blank(v) for v in values):
            continue

        def error(name, value, reason, row_number=row_number, columns=columns):
            col = columns.index(name) + 1 if name in columns else 1
            result.errors.append(
                CellError(
                    ws.title,
                    row_number,
                    get_column_letter(col),
                    reports_xl.product_header(name, language),
                    cell_text(value)[:200],
                    reason,
                )
            )

        cells = dict(zip(columns, values, strict=False))
        try:
            tax = normalise_tax_code(_tax_code_text(cells.get("tax_code")))
        except ValidationError as exc:
            error("tax_code", cells.get("tax_code"), " ".join(exc.messages))
            continue
        response = by_tax.get(tax)
        if response is None:
            error(
                "tax_code",
                cells.get("tax_code"),
                _("No enterprise of this park has this tax code."),
            )
            continue
        typed = {}
        for name in columns[1:]:
            value = cells.get(name)
            if isinstance(value, float | int | Decimal) and not isinstance(value, bool):
                value = format(Decimal(str(value)), "f")
                value = value.replace(".", ",") if language == "vi" else value
            typed[name] = "" if value is None else str(value).strip()
        cleaned, problems = clean_production_row(typed, language=language)
        for name, message in problems:
            error(name, cells.get(name), message)
        if not problems:
            tables.setdefault(response.pk, []).append(cleaned)
            first_row.setdefault(response.pk, row_number)
            file_rows.setdefault(response.pk, []).append((row_number, cells, error))
    stored = reports_xl.products_by_enterprise(responses) if tables else {}
    fields = list(ProductionLine.COLUMNS)
    for response in responses:
        if response.pk not in tables:
            continue
        table, before = tables[response.pk], stored.get(response.pk, [])
        differing = [
            (position, [f for f in fields if getattr(line, f) != getattr(old, f)])
            for position, (line, old) in enumerate(zip(table, before, strict=False))
        ]
        if len(table) == len(before) and not any(names for _p, names in differing):
            continue  # the stored rows: nothing changes
        if not response.is_editable:
            reason = locked_reason(response)
            typed_rows = file_rows[response.pk]
            for position, names in differing:
                _number, cells, row_error = typed_rows[position]
                for name in names:
                    row_error(name, cells.get(name), reason)
            for _number, cells, row_error in typed_rows[len(before) :]:  # added rows
                row_error("tax_code", cells.get("tax_code"), reason)
            if len(table) < len(before):  # removed rows: named on the last row left
                _number, cells, row_error = typed_rows[-1]
                row_error("tax_code", cells.get("tax_code"), reason)
            continue
        row = _row_for(result, response, first_row[response.pk])
        row.report = row.report or reports_xl.ReportChanges()
        row.report.production = table


def _check_park_sheet(wb, result: ImportCheck, campaign, park, language: str, user) -> None:
    """The park sheet (forms A.4 and A.5 of the park): one row per field, value in column E.
    Errors by cell; refused when the park's response is no longer editable or was saved since
    the file was made."""
    ws = _find_sheet(wb, reports_xl.PARK_CODE)
    if ws is None:
        return
    ws.reset_dimensions()
    response = Response.objects.filter(
        campaign=campaign, park=park, enterprise__isnull=True
    ).first()
    if response is None:
        return
    items = {
        reports_xl.item_code(i): i
        for i in reports_xl.sheet_items(campaign, "park", with_elements=True)
    }
    stored = reports_xl.stored_values_bulk([response], list(items.values()), user)
    elements = {
        e.code: e
        for e in DataElement.objects.filter(
            version_id=campaign.framework_version_id, code__in=list(items)
        )
    }
    answers = {
        a.data_element.code: (a.value_number, a.value_bool, a.value_text)
        for a in Answer.objects.filter(response=response).select_related("data_element")
    }
    tenants = dict(Enterprise.objects.filter(park=park).values_list("tax_code", "name"))
    project, registry = reports_xl.registry_for(response, user)
    changes: dict[int, AnswerValue] = {}
    report = reports_xl.ReportChanges()
    sheet = ws.title
    file_version = None
    for row_number, row in enumerate(ws.iter_rows(), start=1):
        values = [c.value for c in row]
        code = str(values[0]).strip() if values and not _is_blank(values[0]) else ""
        if row_number <= 2:
            if code == reports_xl.PARK_CODE and len(values) > 5:
                file_version = values[5]
            continue
        if not code:
            continue
        item = items.get(code)
        value = values[4] if len(values) > 4 else None
        header = str(values[3] or code) if len(values) > 3 else code

        def error(reason, row_number=row_number, value=value, header=header):
            result.errors.append(
                CellError(sheet, row_number, "E", header, cell_text(value)[:200], reason)
            )

        if item is None:
            result.errors.append(
                CellError(
                    sheet,
                    row_number,
                    "A",
                    header,
                    code,
                    _("Not a field of this campaign's park forms; restore the template's code."),
                )
            )
            continue
        if _is_blank(value):
            continue
        if item.source.kind.value == "registry":
            new, problem = reports_xl.check_registry(
                item, cell_text(value), project=project, registry=registry, user=user
            )
            if problem:
                error(problem)
            elif new is not None:
                report.registry[item.source.field] = new
            continue
        cell = row[4]
        try:
            cleaned = reports_xl.read_cell(
                item,
                value,
                cell_format=getattr(cell, "number_format", None) or "General",
                language=language,
                tenants=tenants,
            )
        except reports_xl.ItemError as exc:
            error(exc.message.split("»: ", 1)[-1])
            continue
        if item.source.kind.value == "element":
            element = elements.get(item.source.element)
            if element is None:
                continue
            if _same(answers.get(element.code), cleaned):
                continue
            changes[element.pk] = cleaned
            result.elements[element.pk] = element
            continue
        if _same_item(stored.get((response.pk, item.ident)), cleaned):
            continue
        report.report[item.ident] = cleaned
    if not (changes or report):
        return
    if not response.is_editable:
        result.errors.append(
            CellError.of_sheet(
                sheet,
                _("The park's response is %(status)s and can no longer be changed.")
                % {"status": response.get_status_display()},
            )
        )
        return
    if file_version is not None and str(cell_text(file_version)) != str(response.version):
        result.errors.append(
            CellError(
                sheet,
                2,
                "F",
                RESPONSE_VERSION,
                cell_text(file_version),
                _(
                    "The park's response was saved since this file was made (version %(file)s, "
                    "now %(current)s); download a fresh template so that nothing is overwritten."
                )
                % {"file": cell_text(file_version), "current": response.version},
            )
        )
        return
    result.rows.append(
        ImportRow(
            row=3,
            response_id=response.pk,
            checked_version=response.version,
            enterprise=park.name,
            values=changes,
            report=report,
        )
    )


# --------------------------------------------------------------------------- import: save


@dataclass(frozen=True)
class ImportResult:
    """What :func:`import_save` wrote: responses changed, answers created and updated, and the
    report rows changed (report fields, production rows, calculations computed again:
    ``surveys.services.response_report_import``)."""

    responses_changed: int
    answers_created: int
    answers_updated: int
    report_changed: int = 0

    @property
    def changed(self) -> int:
        """Answers and report rows written: what the person is told changed."""
        return self.answers_created + self.answers_updated + self.report_changed


def _has_history(model) -> bool:
    return hasattr(model, "history")


#: File rows whose answers are written per round (bounds the memory of a large import).
SAVE_CHUNK_ROWS = 250
_ANSWER_FIELDS = ["value_number", "value_bool", "value_text", "raw", "unit_entered",
                  "updated_by", "updated_at"]  # fmt: skip


def _answer_fields(value: AnswerValue, *, user, now) -> dict:
    """The :data:`_ANSWER_FIELDS` of an imported answer."""
    return {
        "value_number": value.number,
        "value_bool": value.flag,
        "value_text": value.text,
        "raw": value.raw[:200],
        "unit_entered": value.unit,
        "updated_by": user,
        "updated_at": now,
    }


def _save_chunk(rows: list[ImportRow], *, user, now) -> tuple[int, int]:
    """Write the answers of ``rows`` (inside the caller's transaction); returns (created,
    updated). History rows are written too when Answer keeps history (on PostgreSQL by COPY,
    without model instances: :func:`surveys.bulk.answers_copy`)."""
    if connection.vendor == "postgresql" and _has_history(Answer):
        user_id = getattr(user, "pk", None)
        values = (
            (r.response_id, element_id, _answer_fields(value, user=user_id, now=now))
            for r in rows
            for element_id, value in r.values.items()
        )  # a generator: no list of 60,000 dicts for the garbage collector to walk
        return answers_copy(
            values=values,
            fields=_ANSWER_FIELDS,
            user=user,
            now=now,
            reason="excel import",
            response_ids=[r.response_id for r in rows],
        )
    ids = [r.response_id for r in rows]
    existing = {
        (a.response_id, a.data_element_id): a for a in Answer.objects.filter(response_id__in=ids)
    }
    to_create, to_update = [], []
    for r in rows:
        for element_id, value in r.values.items():
            answer = existing.get((r.response_id, element_id))
            if answer is None:
                answer = Answer(response_id=r.response_id, data_element_id=element_id)
                to_create.append(answer)
            else:
                to_update.append(answer)
            for name, v in _answer_fields(value, user=user, now=now).items():
                setattr(answer, name, v)
    if _has_history(Answer):
        from simple_history.utils import bulk_create_with_history, bulk_update_with_history

        reason = "excel import"
        bulk_create_with_history(
            to_create, Answer, default_user=user, default_change_reason=reason, default_date=now
        )
        bulk_update_with_history(
            to_update,
            Answer,
            _ANSWER_FIELDS,
            default_user=user,
            default_change_reason=reason,
            default_date=now,
        )
    else:
        Answer.objects.bulk_create(to_create)
        Answer.objects.bulk_update(to_update, _ANSWER_FIELDS)
    return len(to_create), len(to_update)


@transaction.atomic
def import_save(*, check: ImportCheck, user) -> ImportResult:
    """Save a checked import, all or nothing.

    ``check`` must come from :func:`import_check` without errors (``ValueError`` otherwise).
    The responses are locked; if one was saved, left the editable statuses or passed its due
    date (``surveys.periods``) since the check, nothing is written and ``ValidationError``
    (code ``stale_import``) names the rows.
    Answers keep the cell text as ``raw`` and ``user`` as ``updated_by``; each changed
    response's ``version`` goes up by one. When a changed response is in
    ``Response.SCORED_STATUSES``, :data:`surveys.signals.scored_answers_changed` is sent inside
    the transaction (``reason="import"``). Answers are written in bulk; when the Answer model
    keeps history (django-simple-history), the history rows are written too.
    """
    if check.errors:
        raise ValueError("an import with errors cannot be saved")
    rows = check.rows
    if not rows:
        return ImportResult(0, 0, 0)
    ids = [r.response_id for r in rows]
    # ordered by pk only: a consistent lock order, and no outer join (FOR UPDATE refuses one)
    locked = {
        r.pk: r for r in Response.objects.select_for_update().filter(pk__in=ids).order_by("pk")
    }
    for response in locked.values():
        response.campaign = check.campaign
    conflicts = [
        r
        for r in rows
        if r.response_id not in locked
        or locked[r.response_id].version != r.checked_version
        or not locked[r.response_id].is_editable
        or period_refusal(locked[r.response_id]) is not None
    ]
    if conflicts:
        raise ValidationError(
            [
                _(
                    "Row %(row)s: the response of %(enterprise)s was changed by someone else "
                    "while the file was being checked; nothing was saved. Upload the file again."
                )
                % {"row": r.row, "enterprise": r.enterprise}
                for r in conflicts
            ],
            code="stale_import",
        )
    now = timezone.now()
    created = updated = 0
    for start in range(0, len(rows), SAVE_CHUNK_ROWS):
        c, u = _save_chunk(rows[start : start + SAVE_CHUNK_ROWS], user=user, now=now)
        created += c
        updated += u
    report_changed = 0
    for r in rows:
        if r.report:
            report_changed += response_report_import(
                response=locked[r.response_id],
                user=user,
                report=r.report.report,
                registry=r.report.registry,
                production=r.report.production,
            )
    Response.objects.filter(pk__in=ids).update(version=F("version") + 1, updated_at=now)
    if any(locked[i].status in Response.SCORED_STATUSES for i in ids):
        scored_answers_changed.send(
            sender=Response,
            campaign_id=check.campaign.pk,
            park_ids=[check.park.pk],
            reason="import",
        )
    return ImportResult(len(ids), created, updated, report_changed)


# --------------------------------------------------------------------------- error report

ERROR_REPORT_COLUMNS = ("cell", "sheet", "row", "column", "header", "value", "reason")


def error_report_csv(errors: Iterable[dict | CellError]) -> str:
    """The error report as CSV text (columns :data:`ERROR_REPORT_COLUMNS`, UTF-8 BOM first so
    Excel reads Vietnamese), text cells neutralised against formulas."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(ERROR_REPORT_COLUMNS)
    for e in errors:
        d = e.as_dict() if isinstance(e, CellError) else e
        writer.writerow(
            [
                neutralise_formula(str(d[k])) if isinstance(d[k], str) else d[k]
                for k in ERROR_REPORT_COLUMNS
            ]
        )
    return out.getvalue()


# --------------------------------------------------------------------------- exports

EXPORT_SHAPES = ("long", "wide")
EXPORT_FORMATS = ("csv", "xlsx")
#: Columns of the long export (CSV header; the XLSX header is the translated form).
LONG_COLUMNS = (
    "campaign",
    "period",
    "park",
    "enterprise",
    "tax_code",
    "data_element",
    "label",
    "value",
    "unit",
    "raw",
    "status",
    "code",
    "evidence",
)
#: Leading columns of the wide export, followed by one column per data element code and the
#: last column, :data:`WIDE_LAST_COLUMN`.
WIDE_COLUMNS = (
    "campaign",
    "period",
    "park",
    "enterprise",
    "tax_code",
    "status",
    "version",
    "code",
)
#: the wide export's last column: the response's evidence files
WIDE_LAST_COLUMN = "evidence"
#: Rows fetched per database round trip when exporting.
EXPORT_CHUNK = 2000


def _column_titles() -> dict[str, str]:
    return {
        "campaign": _("Campaign"),
        "period": _("Period"),
        "park": _("Park"),
        "enterprise": _("Enterprise"),
        "tax_code": _("Tax code"),
        "data_element": _("Data element code"),
        "label": _("Label"),
        "value": _("Value"),
        "unit": _("Unit"),
        "raw": _("As entered"),
        "status": _("Status"),
        "version": _("Version"),
        "code": _("Report codes"),
        "evidence": _("Evidence files"),
    }


def export_answers(*, campaign: Campaign, user, park: Park | None = None) -> QuerySet[Answer]:
    """Answers of ``campaign`` in the user's scope (optionally of one park), through
    :func:`enterprises.policy.restrict`."""
    qs = restrict(Answer.objects.filter(response__campaign=campaign), user)
    return qs.filter(response__park=park) if park is not None else qs


def export_responses(*, campaign: Campaign, user, park: Park | None = None) -> QuerySet[Response]:
    """Responses of ``campaign`` in the user's scope (optionally of one park)."""
    qs = restrict(Response.objects.filter(campaign=campaign), user)
    return qs.filter(park=park) if park is not None else qs


def evidence_text(evidence: Evidence) -> str:
    """One evidence file as the exports list it: name · type · size · who uploaded it, when ·
    its download address (the exporting user may read every file of the export's scope)."""
    from django.template.defaultfilters import filesizeformat
    from django.urls import reverse
    from django.utils.formats import date_format

    return " · ".join(
        [
            evidence.original_name,
            evidence.get_kind_display(),
            str(filesizeformat(evidence.size)),
            _("uploaded by %(who)s on %(when)s")
            % {
                "who": evidence.uploaded_by.get_username() if evidence.uploaded_by_id else "—",
                "when": date_format(
                    timezone.localtime(evidence.uploaded_at), "SHORT_DATETIME_FORMAT"
                ),
            },
            settings.SITE_URL.rstrip("/")
            + reverse("surveys:evidence_download", args=[evidence.pk]),
        ]
    )


def export_evidence(
    *, campaign: Campaign, user, park: Park | None = None
) -> dict[tuple[int, int], list[str]]:
    """The evidence files of ``campaign`` in the user's scope (optionally one park) as
    ``{(response id, data element id): [text of each file, oldest first]}`` (see
    :func:`evidence_text`); one query."""
    qs = restrict(Evidence.objects.filter(response__campaign=campaign), user).select_related(
        "uploaded_by"
    )
    if park is not None:
        qs = qs.filter(response__park=park)
    out: dict[tuple[int, int], list[str]] = {}
    for e in qs.order_by("uploaded_at", "pk"):
        out.setdefault((e.response_id, e.data_element_id), []).append(evidence_text(e))
    return out


def _typed_value(value_type: str, number, flag, text):
    if flag is not None:
        return bool(flag)
    if number is not None:
        return int(number) if value_type == "integer" else Decimal(_number_text(number))
    return text or None


def long_rows(*, campaign: Campaign, user, park: Park | None = None) -> Iterator[tuple]:
    """Rows of the long export (:data:`LONG_COLUMNS`), one per answer, streamed from the
    database, then one per data element with evidence files but no answer (a document).
    Values are typed: ``Decimal``/``int`` numbers in the element's canonical unit, ``bool``
    yes/no, ``str`` text; names and labels in the active language; ``evidence`` lists the
    element's files (:func:`evidence_text`, "; " between files)."""
    en = _language() == "en"
    evidence = export_evidence(campaign=campaign, user=user, park=park)
    qs = (
        export_answers(campaign=campaign, user=user, park=park)
        .order_by(
            "response__park__name_vi",
            F("response__enterprise__name").asc(nulls_first=True),
            "response_id",
            "data_element__order",
            "data_element__code",
        )
        .values_list(
            "response__park__name_en" if en else "response__park__name_vi",
            "response__enterprise__name",
            "response__enterprise__tax_code",
            "data_element__code",
            "data_element__label_en" if en else "data_element__label_vi",
            "data_element__value_type",
            "value_number",
            "value_bool",
            "value_text",
            "data_element__unit",
            "raw",
            "response__status",
            "response_id",
            "response__enterprise_id",
            "data_element_id",
        )
    )
    for row in qs.iterator(chunk_size=EXPORT_CHUNK):
        park_name, ent, tax, code, label, vt, num, flag, text, unit, raw, status, rid, eid, el = row
        files = evidence.pop((rid, el), [])
        yield (
            campaign.name,
            campaign.period,
            park_name,
            ent or "",
            tax or "",
            code,
            label,
            _typed_value(vt, num, flag, text),
            unit,
            raw,
            status,
            codes_display(rid, eid),
            "; ".join(files),
        )
    if evidence:  # files of elements without an answer (documents)
        subjects = {
            r.pk: r
            for r in Response.objects.filter(pk__in={rid for rid, _el in evidence}).select_related(
                "park", "enterprise"
            )
        }
        elements = {
            e.pk: e for e in DataElement.objects.filter(pk__in={el for _rid, el in evidence})
        }
        for (rid, el), files in sorted(evidence.items()):
            r, e = subjects[rid], elements[el]
            yield (
                campaign.name,
                campaign.period,
                r.park.name_en if en else r.park.name_vi,
                r.enterprise.name if r.enterprise_id else "",
                r.enterprise.tax_code if r.enterprise_id else "",
                e.code,
                e.label_en if en else e.label_vi,
                None,
                e.unit,
                "",
                r.status,
                codes_display(rid, r.enterprise_id),
                "; ".join(files),
            )


def wide_elements(campaign: Campaign) -> list[DataElement]:
    """Columns of the wide export: every data element of the version (park ones first)."""
    order = {AppliesTo.PARK: 0, AppliesTo.PARK_NEW: 1, AppliesTo.ENTERPRISE: 2}
    elements = DataElement.objects.filter(version_id=campaign.framework_version_id)
    return sorted(elements, key=lambda e: (order.get(e.applies_to, 3), e.order, e.code))


def wide_rows(
    *, campaign: Campaign, user, park: Park | None = None, elements: list[DataElement]
) -> Iterator[list]:
    """Rows of the wide export: :data:`WIDE_COLUMNS` then one value per element of
    ``elements`` (None when unanswered), one row per response in scope, including responses
    without answers; the last column (:data:`WIDE_LAST_COLUMN`) lists the response's files ("code: file", see
    :func:`evidence_text`). Two streamed queries merged on the response id, and one for the
    evidence."""
    en = _language() == "en"
    position = {e.pk: i for i, e in enumerate(elements)}
    value_type = {e.pk: e.value_type for e in elements}
    code_of = {e.pk: e.code for e in elements}
    evidence: dict[int, list[str]] = {}
    for (rid, el), files in export_evidence(campaign=campaign, user=user, park=park).items():
        evidence.setdefault(rid, []).extend(f"{code_of.get(el, '')}: {f}" for f in files)
    responses = (
        export_responses(campaign=campaign, user=user, park=park)
        .order_by("pk")
        .values_list(
            "pk",
            "park__name_en" if en else "park__name_vi",
            "enterprise__name",
            "enterprise__tax_code",
            "status",
            "version",
            "enterprise_id",
        )
        .iterator(chunk_size=EXPORT_CHUNK)
    )
    answers = (
        export_answers(campaign=campaign, user=user, park=park)
        .order_by("response_id")
        .values_list("response_id", "data_element_id", "value_number", "value_bool", "value_text")
        .iterator(chunk_size=EXPORT_CHUNK)
    )
    pending = next(answers, None)
    for pk, park_name, ent, tax, status, version, enterprise_id in responses:
        values = [None] * len(elements)
        while pending is not None and pending[0] <= pk:
            if pending[0] == pk and pending[1] in position:
                _rid, el, num, flag, text = pending
                values[position[el]] = _typed_value(value_type[el], num, flag, text)
            pending = next(answers, None)
        yield [
            campaign.name,
            campaign.period,
            park_name,
            ent or "",
            tax or "",
            status,
            version,
            codes_display(pk, enterprise_id),
            *values,
            "; ".join(evidence.get(pk, [])),
        ]


def _csv_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Decimal):
        return _number_text(value)
    if isinstance(value, str):
        return neutralise_formula(value)
    return str(value)


def export_csv_chunks(
    *, campaign: Campaign, user, shape: str, park: Park | None = None, rows_per_chunk: int = 500
) -> Iterator[str]:
    """The CSV export as an iterator of text chunks (for ``StreamingHttpResponse``): a UTF-8
    byte-order mark, the header (stable English column names; element codes for the wide
    shape), then the rows, :func:`neutralise_formula` applied to every text cell. The active
    language is captured now: the rows are produced later, while the response is sent."""
    return _csv_chunks(
        campaign=campaign,
        user=user,
        shape=shape,
        park=park,
        rows_per_chunk=rows_per_chunk,
        language=_language(),
    )


def _csv_chunks(*, campaign, user, shape, park, rows_per_chunk, language) -> Iterator[str]:
    with translation.override(language):
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        if shape == "long":
            header, rows = list(LONG_COLUMNS), long_rows(campaign=campaign, user=user, park=park)
        else:
            elements = wide_elements(campaign)
            header = list(WIDE_COLUMNS) + [e.code for e in elements] + [WIDE_LAST_COLUMN]
            rows = wide_rows(campaign=campaign, user=user, park=park, elements=elements)
        buffer.write("\ufeff")
        writer.writerow(header)
        for count, row in enumerate(rows, start=1):
            writer.writerow([_csv_value(v) for v in row])
            if count % rows_per_chunk == 0:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()


def _xlsx_row(ws, row, yes: str, no: str, bold=None) -> list:
    cells = []
    for value in row:
        if isinstance(value, bool):
            value = yes if value else no
        if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
            cell = WriteOnlyCell(ws)
            _set_text(cell, value)
            cell.quotePrefix = True
            cells.append(cell)
        elif bold is not None:
            cell = WriteOnlyCell(ws, value=value)
            cell.font = bold
            cells.append(cell)
        else:
            cells.append(value)
    return cells


#: Rows in one worksheet, Excel's limit (Excel 2007 and later: 1,048,576 rows).
EXCEL_MAX_ROWS = 1_048_576


def export_xlsx_file(*, campaign: Campaign, user, shape: str, park: Park | None = None):
    """The XLSX export written with openpyxl's write-only mode to an anonymous temporary file;
    returns that file (binary, at position 0; deleted when closed). Headers and yes/no in the
    active language; the wide shape has a second header row with the element codes. Text
    beginning with a formula character is written as a quote-prefixed text cell. Rows beyond
    Excel's limit (:data:`EXCEL_MAX_ROWS`) continue on further sheets "Answers (2)", … each
    with the same header rows, so the file opens in Excel whatever the campaign's size."""
    yes, no = yes_no_words()
    titles = _column_titles()
    bold = Font(bold=True)
    wb = openpyxl.Workbook(write_only=True)
    if shape == "long":
        headers = [[titles[c] for c in LONG_COLUMNS]]
        rows = long_rows(campaign=campaign, user=user, park=park)
    else:
        elements = wide_elements(campaign)
        headers = [
            [titles[c] for c in WIDE_COLUMNS]
            + [header_text(e) for e in elements]
            + [titles[WIDE_LAST_COLUMN]],
            list(WIDE_COLUMNS) + [e.code for e in elements] + [WIDE_LAST_COLUMN],
        ]
        rows = wide_rows(campaign=campaign, user=user, park=park, elements=elements)
    title = _("Answers")
    sheets = 0
    used = EXCEL_MAX_ROWS  # start a sheet before the first row

    for row in rows:
        if used >= EXCEL_MAX_ROWS:
            sheets += 1
            ws = wb.create_sheet((title if sheets == 1 else f"{title} ({sheets})")[:31])
            for i, header in enumerate(headers):
                ws.append(_xlsx_row(ws, header, yes, no, bold if i == 0 else None))
            used = len(headers)
        ws.append(_xlsx_row(ws, row, yes, no))
        used += 1
    if sheets == 0:
        ws = wb.create_sheet(title[:31])
        for i, header in enumerate(headers):
            ws.append(_xlsx_row(ws, header, yes, no, bold if i == 0 else None))
    out = tempfile.TemporaryFile(suffix=".xlsx")
    wb.save(out)
    out.seek(0)
    return out
