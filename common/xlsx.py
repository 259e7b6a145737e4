"""Excel workbooks as people upload them: the checks every import runs before opening a file
(size, a real XLSX, no macros, no zip bomb), opening it, problems named by cell, and text
cells written so that a spreadsheet does not run them as formulas."""

from __future__ import annotations

import datetime
import io
import re
import unicodedata
import zipfile
from dataclasses import asdict, dataclass

import openpyxl
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

#: Largest upload accepted (bytes), as for evidence files.
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
#: Largest total uncompressed size of the zip members (bytes): a guard against zip bombs.
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
#: A text cell starting with one of these is neutralised in exports (OWASP CSV injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


_PLAIN_SHEET = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*")
_CELL_LIKE = re.compile(r"[A-Za-z]{1,3}[0-9]+|[Rr][0-9]*[Cc][0-9]*")


def quote_sheetname(name: str) -> str:
    """A sheet name as Excel writes it in a reference: ``Data``, ``'Dữ liệu'``, ``'O''Brien'``
    (quoted unless it is plain ASCII letters, digits, underscores and dots)."""
    if _PLAIN_SHEET.fullmatch(name) and not _CELL_LIKE.fullmatch(name):
        return name
    return "'" + name.replace("'", "''") + "'"


def neutralise_formula(text: str) -> str:
    """CSV form of a text cell: an apostrophe is put before text beginning with ``=``, ``+``,
    ``-``, ``@``, a tab or a carriage return, so a spreadsheet shows it instead of running it
    (OWASP, "CSV Injection"). Other text is returned unchanged."""
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


class FileRefused(ValidationError):
    """The uploaded file as a whole is refused (not XLSX, too big, macros, unreadable).

    ``code`` is ``"not_xlsx"``, ``"too_large"`` or ``"macros"``.
    """


@dataclass(frozen=True)
class CellError:
    """One problem of an import file. ``row`` is 1-based and ``column`` a letter; both are
    None/"" for a problem of the whole sheet. ``header`` is the column's header text and
    ``value`` the cell as found."""

    sheet: str
    row: int | None
    column: str
    header: str
    value: str
    reason: str

    @property
    def cell(self) -> str:
        """Excel reference such as ``'Dữ liệu'!C5`` (or the sheet alone)."""
        where = f"{self.column}{self.row or ''}" if self.column or self.row else ""
        return f"{quote_sheetname(self.sheet)}!{where}" if where else quote_sheetname(self.sheet)

    def as_dict(self) -> dict:
        """Plain dict (JSON-serialisable, e.g. for the session) including ``cell``."""
        return {**asdict(self), "cell": self.cell}


def file_check(file) -> None:
    """Refuse a file that is not a plain XLSX workbook; return None when it is acceptable.

    Checks, from the content and never from the name: size at most :data:`MAX_UPLOAD_BYTES`;
    zip signature ``PK\\x03\\x04``; a zip with ``xl/workbook.xml``; no macros
    (``vbaProject.bin`` member or a ``macroEnabled`` content type, i.e. .xlsm/.xltm); total
    uncompressed size at most :data:`MAX_UNCOMPRESSED_BYTES`. Raises :class:`FileRefused`.
    Leaves ``file`` at position 0.
    """
    size = getattr(file, "size", None)
    if size is None:
        file.seek(0, io.SEEK_END)
        size = file.tell()
    if size > MAX_UPLOAD_BYTES:
        raise FileRefused(
            _("The file is %(size)s MB, more than the %(max)s MB accepted.")
            % {"size": f"{size / 1024 / 1024:.2f}", "max": MAX_UPLOAD_BYTES // 1024 // 1024},
            code="too_large",
        )
    not_xlsx = FileRefused(
        _(
            "This file is not an Excel workbook (.xlsx). Save it in Excel as “Excel Workbook "
            "(*.xlsx)” and upload it again; .xls, .xlsb, .csv and password-protected files "
            "are not accepted."
        ),
        code="not_xlsx",
    )
    file.seek(0)
    if file.read(4) != b"PK\x03\x04":
        file.seek(0)
        raise not_xlsx
    file.seek(0)
    try:
        with zipfile.ZipFile(file) as archive:
            infos = archive.infolist()
            names = {i.filename.lower() for i in infos}
            if "xl/workbook.xml" not in names or "[content_types].xml" not in names:
                raise not_xlsx
            if any(n.endswith("vbaproject.bin") for n in names):
                raise FileRefused(
                    _(
                        "This workbook contains macros, which are not accepted. Save it as "
                        "“Excel Workbook (*.xlsx)” (without macros) and upload it again."
                    ),
                    code="macros",
                )
            if sum(i.file_size for i in infos) > MAX_UNCOMPRESSED_BYTES:
                raise not_xlsx
            content_types = archive.read("[Content_Types].xml")
            if b"macroenabled" in content_types.lower():
                raise FileRefused(
                    _(
                        "This workbook contains macros, which are not accepted. Save it as "
                        "“Excel Workbook (*.xlsx)” (without macros) and upload it again."
                    ),
                    code="macros",
                )
    except zipfile.BadZipFile:
        raise not_xlsx from None
    finally:
        file.seek(0)


def open_workbook(file):
    """``file`` opened read-only with openpyxl (values, not formulas; no external links);
    :class:`FileRefused` when openpyxl cannot read it. Leaves ``file`` at position 0."""
    try:
        return openpyxl.load_workbook(file, read_only=True, data_only=True, keep_links=False)
    except Exception:  # openpyxl raises many kinds (KeyError, InvalidFileException, XML errors)
        raise FileRefused(
            _("This file could not be read as an Excel workbook (.xlsx); it may be damaged."),
            code="not_xlsx",
        ) from None
    finally:
        file.seek(0)


def cell_text(value) -> str:
    """A cell value as text, for ``raw`` and for error messages."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime.datetime):
        return value.strftime("%d/%m/%Y") if value.time() == datetime.time() else str(value)
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def fold_header(text) -> str:
    """A header or choice as compared: case, accents, ``đ`` and repeated spaces folded
    (``"Mã  số thuế"`` and ``"ma so thue"`` compare equal)."""
    decomposed = unicodedata.normalize("NFD", str(text).strip().casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.replace("đ", "d").split())


def header_map(header_row, columns) -> tuple[dict[str, int], list[tuple[int, str]]]:
    """Read row 1 of an import sheet: ``columns`` are ``(code, Vietnamese label, English
    label, required)``; a header may be any of the three (folded with :func:`fold_header`).
    Returns column code → 0-based index, and the unknown or repeated headers as
    ``(index, text)``."""
    names = {}
    for code, vi, en, _required in columns:
        for name in (code, vi, en):
            names[fold_header(name)] = code
    found, unknown = {}, []
    for i, text in enumerate(header_row):
        if text is None or str(text).strip() == "":
            continue
        code = names.get(fold_header(text))
        if code is None or code in found:
            unknown.append((i, str(text)))
        else:
            found[code] = i
    return found, unknown


def cell_error(sheet: str, row, col_index, header, value, reason) -> CellError:
    """A :class:`CellError` at 1-based ``row`` and 0-based ``col_index`` (None: the whole row
    or sheet)."""
    from openpyxl.utils import get_column_letter

    return CellError(
        sheet=sheet,
        row=row,
        column=get_column_letter(col_index + 1) if col_index is not None else "",
        header="" if header is None else str(header),
        value="" if value is None else str(value),
        reason=str(reason),
    )


def read_headers(rows: list, columns, *, sheet: str, errors: list) -> dict[str, int] | None:
    """The column code → 0-based index of row 1 of ``rows`` (see :func:`header_map`), or None
    after appending to ``errors`` the problems of the header row: an empty sheet, an unknown
    or repeated header, a required column missing."""
    if not rows:
        errors.append(
            cell_error(
                sheet,
                None,
                None,
                "",
                "",
                _("The sheet is empty: row 1 must hold the column headers."),
            )
        )
        return None
    found, unknown = header_map(rows[0], columns)
    problems = [
        cell_error(sheet, 1, i, text, text, _("Unknown or repeated column header."))
        for i, text in unknown
    ]
    problems += [
        cell_error(sheet, 1, None, en, "", _("The column «%(name)s» is missing.") % {"name": code})
        for code, _vi, en, required in columns
        if required and code not in found
    ]
    errors.extend(problems)
    return None if problems else found
