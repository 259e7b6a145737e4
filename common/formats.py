"""Numbers as the active language writes them (Vietnamese first): ``1.234,5`` in Vietnamese,
``1,234.5`` in English. Shared by the forms, pages and documents of every app."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import get_language


def active_language() -> str:
    """``"vi"`` or ``"en"``: the active interface language (Vietnamese unless English is on)."""
    return "en" if (get_language() or "vi").startswith("en") else "vi"


def format_number(value: Decimal | None) -> str:
    """A number as the active language writes it, without grouping (``1234,5`` in vi)."""
    if value is None:
        return ""
    text = f"{Decimal(value).normalize():f}"
    return text.replace(".", ",") if active_language() == "vi" else text


def format_amount(value, places: int = 0) -> str:
    """A number for display, rounded to ``places`` decimals (trailing zeros dropped) and
    grouped by thousands as the active language writes it: ``3.900.000.000`` and ``209,7``
    in vi, ``3,900,000,000`` and ``209.7`` in en; '' for None."""
    if value is None:
        return ""
    rounded = round(Decimal(value), places)
    text = f"{rounded:,.{places}f}"
    if places:
        text = text.rstrip("0").rstrip(".")
    if active_language() == "vi":
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return text
