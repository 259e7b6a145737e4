"""Parsing what people type in Vietnam, in survey forms and Excel imports.

Pure functions, no Django: each returns a Python value, ``None`` for a blank
answer, or raises :class:`ParseError` whose ``code`` is stable (for the UI to
translate) and whose ``message`` is English and says what was expected.

Numbers
-------
``language="vi"`` (the default): ``.`` groups thousands and ``,`` is the decimal
mark, ``1.234,5`` -> 1234.5. ``language="en"``: ``,`` groups and ``.`` is the
decimal mark, ``1,234.5`` -> 1234.5. In both, a space, no-break space (U+00A0),
narrow no-break space (U+202F) or thin space (U+2009) may also group thousands.

Rules, chosen so that a number is either read the one way it can mean or refused:

* Groups are exactly three digits after a first group of one to three digits not
  starting with 0, all with the same separator: ``1.23,5`` and ``1234.567`` (vi)
  are refused, and so is ``0.123`` (vi), which would otherwise silently become
  123 when someone types an English decimal.
* At most one decimal mark, with at least one digit after it (``,5`` is 0.5;
  ``12,`` is refused).
* One optional leading sign: ``+``, ``-`` or the minus sign U+2212.
* Only ASCII digits; no exponent (``1e5``), no currency or unit text (``12abc``).
* The other language's format is accepted only when the text contains *both*
  ``.`` and ``,`` in that format's order, because only then can it mean nothing
  else: ``1,234.5`` is 1234.5 in vi too. A text with a single kind of mark is
  read in the given language only, so in vi ``12.5`` is refused (not 125, not
  12.5) rather than guessed.
* Values already typed by Excel/openpyxl/pandas (``int``, ``float``,
  ``Decimal``, numpy numbers) are returned as ``Decimal``; floats go through
  ``str()`` so ``0.1`` gives ``Decimal("0.1")``. ``None`` and NaN (pandas' empty
  cell) are blank; ``bool`` and infinities are refused.
"""

from __future__ import annotations

import datetime
import math
import numbers
import re
import unicodedata
from decimal import Decimal

__all__ = [
    "MAX_YEAR",
    "MIN_YEAR",
    "ParseError",
    "parse_date",
    "parse_number",
    "parse_percent",
    "parse_yes_no",
]

#: Dates outside these years are refused as typos (e.g. 15/03/0224).
MIN_YEAR = 1900
MAX_YEAR = 2100


class ParseError(ValueError):
    """Text that cannot be read as the kind of value asked for.

    Attributes:
        code: stable reason for the UI to translate: ``"invalid_number"``,
            ``"invalid_percent"``, ``"invalid_yes_no"`` or ``"invalid_date"``.
        value: the raw input exactly as received (text or cell value).
        message: English explanation quoting the input and naming what was
            expected; also ``str(error)``.
    """

    def __init__(self, code: str, value: object, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.value = value
        self.message = message


# --------------------------------------------------------------------------- helpers

_SPACE_GROUPS = "\u00a0\u202f\u2009"  # no-break, narrow no-break, thin space


def _is_blank(value: object) -> bool:
    """None, NaN (pandas' empty cell), NaT, or a string of whitespace only."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    try:
        return bool(value != value)  # NaN and NaT are the values unequal to themselves
    except (TypeError, ValueError):
        return False


def _clean(text: str) -> str:
    """Trim, and turn every kind of space that can group digits into a plain space."""
    text = text.strip()
    for space in _SPACE_GROUPS:
        text = text.replace(space, " ")
    return text


def _quote(value: object) -> str:
    return f'"{value}"' if isinstance(value, str) else repr(value)


def _language(language: str) -> str:
    """Primary language subtag: "vi", "vi-VN", "en", "en-us" -> "vi" / "en"."""
    primary = str(language).replace("_", "-").split("-")[0].lower()
    if primary not in _FORMATS:
        raise ValueError(f"language must be 'vi' or 'en', got {language!r}")
    return primary


def _number_pattern(group: str, decimal: str) -> re.Pattern[str]:
    g, d = re.escape(group), re.escape(decimal)
    return re.compile(
        rf"""
        (?P<sign>[+\-\u2212]?)
        (?:
            (?P<int>
                [0-9]+
              | [1-9][0-9]{{0,2}} (?P<sep>[{g}\x20]) [0-9]{{3}} (?:(?P=sep)[0-9]{{3}})*
            )
            (?:{d}(?P<frac>[0-9]+))?
          | {d}(?P<bare_frac>[0-9]+)
        )
        """,
        re.VERBOSE,
    )


# language -> (pattern, explanation of the expected format)
_FORMATS: dict[str, tuple[re.Pattern[str], str]] = {
    "vi": (
        _number_pattern(".", ","),
        'a number in Vietnamese format: "." separates thousands in groups of three '
        'and "," marks decimals, e.g. 1.234,5 or 12,5',
    ),
    "en": (
        _number_pattern(",", "."),
        'a number in English format: "," separates thousands in groups of three '
        'and "." marks decimals, e.g. 1,234.5 or 12.5',
    ),
}
_OTHER = {"vi": "en", "en": "vi"}


def _read(text: str, language: str) -> Decimal | None:
    match = _FORMATS[language][0].fullmatch(text)
    if match is None:
        return None
    sign = "-" if match["sign"] in ("-", "\u2212") else ""
    digits = re.sub(r"[^0-9]", "", match["int"] or "0")
    fraction = match["frac"] or match["bare_frac"]
    number = Decimal(f"{sign}{digits}.{fraction}" if fraction else f"{sign}{digits}")
    return number.copy_abs() if number.is_zero() else number  # no "-0"


def _number_from_cell(value: object, code: str, expected: str) -> Decimal:
    """Decimal of a value Excel/openpyxl/pandas already typed as a number."""
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ParseError(code, value, f"{value!r} is not a finite number; expected {expected}.")
        return value
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ParseError(code, value, f"{_quote(value)} is not a number; expected {expected}.")
    if isinstance(value, numbers.Integral):
        return Decimal(int(value))
    number = float(value)
    if not math.isfinite(number):
        raise ParseError(code, value, f"{value!r} is not a finite number; expected {expected}.")
    return Decimal(str(number))


# --------------------------------------------------------------------------- public API


def parse_number(text: str, *, language: str = "vi") -> Decimal | None:
    """Read a number as typed in a form or found in a spreadsheet cell.

    Args:
        text: the typed text, or a cell value already typed as a number
            (int, float, Decimal, numpy number) or None.
        language: ``"vi"`` (default, ``1.234,5``) or ``"en"`` (``1,234.5``);
            a region suffix such as ``"vi-VN"`` or ``"en-us"`` is ignored.

    Returns:
        The exact ``Decimal`` written (``"12,50"`` -> ``Decimal("12.50")``), or
        ``None`` for blank text, ``None`` or NaN. See the module docstring for
        the rules.

    Raises:
        ParseError: code ``"invalid_number"`` for malformed or ambiguous text
            (e.g. ``"1.23.4,5,6"``, ``"12abc"``, ``"1,2,3"`` in vi), ``bool``,
            infinity or any other type; ``value`` is the input as given.
        ValueError: ``language`` is neither vi nor en (a programming error).
    """
    language = _language(language)
    expected = _FORMATS[language][1]
    if _is_blank(text):
        return None
    if not isinstance(text, str):
        return _number_from_cell(text, "invalid_number", expected)
    cleaned = _clean(text)
    number = _read(cleaned, language)
    if number is None and "." in cleaned and "," in cleaned:
        # No reading in `language`; with both marks present the other format's
        # grammar (groups first, one decimal mark last) leaves a single meaning.
        number = _read(cleaned, _OTHER[language])
    if number is None:
        raise ParseError(
            "invalid_number", text, f"{_quote(text)} is not a valid number; expected {expected}."
        )
    return number


def parse_percent(text: str, *, language: str = "vi") -> Decimal | None:
    """Read a percentage, in percent points, with or without the ``%`` sign.

    ``"12,5%"``, ``"12,5 %"`` and ``"12,5"`` all give ``Decimal("12.5")``
    (vi); numbers follow :func:`parse_number`. A value Excel already typed as a
    number is returned as is: ``0.125`` stays ``Decimal("0.125")`` and is never
    multiplied by 100. A cell *formatted* as a percentage in Excel stores the
    fraction (12.5 % is stored as 0.125), so an importer reading such a cell must
    look at the cell's number format and scale it itself.

    Args:
        text: the typed text or a cell value; ``language`` as for parse_number.

    Returns:
        Percent points as ``Decimal``, or ``None`` when blank. No range check:
        growth rates can exceed 100 and changes can be negative.

    Raises:
        ParseError: code ``"invalid_percent"`` (``value`` is the raw input).
        ValueError: unknown ``language``.
    """
    language = _language(language)
    fmt = "12,5 or 12,5%" if language == "vi" else "12.5 or 12.5%"
    expected = f"a percentage such as {fmt}"
    if _is_blank(text):
        return None
    if not isinstance(text, str):
        return _number_from_cell(text, "invalid_percent", expected)
    body = _clean(text)
    if body.endswith("%"):
        body = body[:-1].rstrip()
    try:
        number = parse_number(body, language=language) if body else None
    except ParseError:
        number = None
    if number is None:
        raise ParseError(
            "invalid_percent",
            text,
            f"{_quote(text)} is not a valid percentage; expected {expected}.",
        )
    return number


def _fold(text: str) -> str:
    """Lower-case without Vietnamese accents: "Không" -> "khong", "Đúng" -> "dung"."""
    decomposed = unicodedata.normalize("NFD", text.strip().casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return plain.replace("đ", "d")


_YES = frozenset({"co", "c", "yes", "y", "true", "1", "x", "dung"})
_NO = frozenset({"khong", "k", "ko", "no", "n", "false", "0", "sai"})


def parse_yes_no(text: str) -> bool | None:
    """Read a yes/no answer, ignoring case and Vietnamese accents.

    Yes: Có, Co, C, Yes, Y, True, 1, x (a ticked cell), Đúng.
    No: Không, Khong, K, Ko, No, N, False, 0, Sai.
    Cell values: ``bool`` as is; the numbers 1 and 0 (int, float, Decimal).

    Returns:
        ``True``, ``False``, or ``None`` for blank text, ``None`` or NaN.

    Raises:
        ParseError: code ``"invalid_yes_no"`` for anything else (``value`` is
            the raw input).
    """
    if _is_blank(text):
        return None
    if isinstance(text, bool):
        return text
    if isinstance(text, str):
        folded = _fold(text)
        if folded in _YES:
            return True
        if folded in _NO:
            return False
    elif isinstance(text, Decimal | numbers.Real) and text in (0, 1):
        return text == 1
    raise ParseError(
        "invalid_yes_no",
        text,
        f"{_quote(text)} is not a yes/no answer; expected Có or Không "
        "(also accepted: C/K, Yes/No, Y/N, True/False, 1/0, x for yes).",
    )


_DAY_FIRST = re.compile(r"(?P<d>[0-9]{1,2})(?P<sep>[/.\-])(?P<m>[0-9]{1,2})(?P=sep)(?P<y>[0-9]{4})")
_ISO = re.compile(r"(?P<y>[0-9]{4})-(?P<m>[0-9]{1,2})-(?P<d>[0-9]{1,2})")
_DATE_EXPECTED = "a date written day first, dd/mm/yyyy (e.g. 15/03/2024), or yyyy-mm-dd"


def parse_date(text: str) -> datetime.date | None:
    """Read a date, always day first.

    Accepted text: ``dd/mm/yyyy`` and ``d/m/yyyy`` (also with ``-`` or ``.``
    instead of ``/``), and ISO ``yyyy-mm-dd``. ``03/04/2024`` is 3 April 2024,
    never 4 March; ``12/25/2024`` is refused (there is no month 25). Two-digit
    years are refused, and so are years outside ``MIN_YEAR``..``MAX_YEAR``.

    Cell values: ``datetime.datetime`` (openpyxl, pandas Timestamp) gives its
    date, the time is dropped; ``datetime.date`` is returned as is. Numbers are
    refused: an Excel date serial means the cell was not formatted as a date.

    Returns:
        ``datetime.date``, or ``None`` for blank text, ``None``, NaN or NaT.

    Raises:
        ParseError: code ``"invalid_date"`` (``value`` is the raw input).
    """
    if _is_blank(text):
        return None
    if isinstance(text, datetime.datetime):
        return text.date()
    if isinstance(text, datetime.date):
        return text
    if not isinstance(text, str):
        raise ParseError(
            "invalid_date", text, f"{_quote(text)} is not a date; expected {_DATE_EXPECTED}."
        )
    cleaned = text.strip()
    match = _DAY_FIRST.fullmatch(cleaned) or _ISO.fullmatch(cleaned)
    if match is None:
        raise ParseError(
            "invalid_date", text, f"{_quote(text)} is not a valid date; expected {_DATE_EXPECTED}."
        )
    day, month, year = int(match["d"]), int(match["m"]), int(match["y"])
    problem = None
    if not MIN_YEAR <= year <= MAX_YEAR:
        problem = f"year {year} is outside {MIN_YEAR}-{MAX_YEAR}"
    elif not 1 <= month <= 12:
        problem = f"there is no month {month} (dates are read day first)"
    else:
        try:
            return datetime.date(year, month, day)
        except ValueError:
            problem = f"month {month} of {year} has no day {day}"
    raise ParseError(
        "invalid_date",
        text,
        f"{_quote(text)} is not a valid date: {problem}; expected {_DATE_EXPECTED}.",
    )
