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

    ``code`` is ``"not_xlsx"``, ``"too_large"``, ``"unpacks_too_large"`` or ``"macros"``.
    """


def unpacked_size_check(archive: zipfile.ZipFile) -> None:
    """Refuse a zip archive (an XLSX is one) whose members unpack to more than
    :data:`MAX_UNCOMPRESSED_BYTES` in total, as their headers declare them (Python's
    ``zipfile`` never inflates a member past its declared size): a guard against zip bombs,
    shared by the Excel imports and the evidence uploads. Raises :class:`FileRefused` (code
    ``"unpacks_too_large"``) naming both sizes in MB."""
    total = sum(info.file_size for info in archive.infolist())
    if total > MAX_UNCOMPRESSED_BYTES:
        raise FileRefused(
            _(
                "The file unpacks to %(size)s MB, more than the %(max)s MB accepted; it may be "
                "a damaged or malicious archive."
            )
            % {"size": f"{total / 1024 / 1024:.0f}", "max": MAX_UNCOMPRESSED_BYTES // 1024 // 1024},
            code="unpacks_too_large",
        )


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

    @classmethod
    def of_sheet(cls, sheet: str, reason: str) -> CellError:
        """A problem of the whole sheet ``sheet`` (no row, column, header or value)."""
        return cls(sheet, None, "", "", "", reason)

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
    uncompressed size at most :data:`MAX_UNCOMPRESSED_BYTES` (:func:`unpacked_size_check`).
    Raises :class:`FileRefused`.
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
            unpacked_size_check(archive)
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


def _unreadable() -> FileRefused:
    return FileRefused(
        _("This file could not be read as an Excel workbook (.xlsx); it may be damaged."),
        code="not_xlsx",
    )


_ROW_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s>/]")
_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


def first_sheet_rows(file) -> int:
    """How many rows (``<row>`` elements, blank ones included) the workbook's first sheet
    holds, read from the zip as a stream without building any cell: a 100,000-row sheet is
    counted in well under a second. ``file`` must have passed :func:`file_check`; it is left at
    position 0. Raises :class:`FileRefused` (``not_xlsx``) when the first sheet is not found."""
    from xml.etree import ElementTree

    try:
        with zipfile.ZipFile(file) as archive:
            book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
            sheet = next(e for e in book.iter() if e.tag.endswith("}sheet"))
            rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
            target = next(e.get("Target") for e in rels.iter() if e.get("Id") == sheet.get(_REL_NS))
            path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            rows, tail = 0, b""
            with archive.open(path) as part:
                while chunk := part.read(1 << 20):
                    data = tail + chunk
                    rows += len(_ROW_TAG.findall(data))
                    tail = data[-40:]
                    rows -= len(_ROW_TAG.findall(tail))  # counted again with the next chunk
            rows += len(_ROW_TAG.findall(tail))
    except (KeyError, StopIteration, ElementTree.ParseError, zipfile.BadZipFile):
        raise _unreadable() from None
    finally:
        file.seek(0)
    return rows


def open_workbook(file):
    """``file`` opened read-only with openpyxl (no external links), formulas as written: a
    formula cell reads as its ``=…`` text with ``data_type == "f"`` (see :func:`is_formula`),
    never as the value the spreadsheet cached for it. :class:`FileRefused` when openpyxl
    cannot read it. Leaves ``file`` at position 0."""
    try:
        return openpyxl.load_workbook(file, read_only=True, data_only=False, keep_links=False)
    except Exception:  # openpyxl raises many kinds (KeyError, InvalidFileException, XML errors)
        raise _unreadable() from None
    finally:
        file.seek(0)


def is_formula(cell) -> bool:
    """True when ``cell`` (opened by :func:`open_workbook`) holds a formula.

    Imports refuse formula cells rather than take the value the spreadsheet cached: files
    written by scripts or saved without recalculation carry no cached value or a stale one,
    and a formula such as ``=HYPERLINK(…)`` caches display text, not the figure a report
    states; a refused cell named in the error list is fixed in a minute (paste as values),
    a wrong figure taken silently is not."""
    return getattr(cell, "data_type", None) == "f"


#: the reason given for a formula cell (see :func:`is_formula`)
def formula_reason() -> str:
    return _(
        "This cell holds a formula; enter its value instead (in Excel: copy the cell, then "
        "Paste Special → Values)."
    )


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
            CellError.of_sheet(sheet, _("The sheet is empty: row 1 must hold the column headers."))
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
