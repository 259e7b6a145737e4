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


def format_quantity(value, unit: str = "", places: int = 6) -> str:
    """A measured quantity for display: :func:`format_amount` (grouped, trailing zeros dropped)
    followed by its unit, e.g. ``1.234,5 MWh`` and ``900.000 kWh`` in vi, ``1,234.5 MWh`` in
    en; '' for None."""
    if value is None:
        return ""
    return f"{format_amount(value, places)} {unit}".strip()


def format_fixed(value, places: int = 1) -> str:
    """A number with exactly ``places`` decimals, grouped as the active language writes it:
    ``12,0`` and ``1.234,5`` in vi, ``12.0`` in en (charts' labels, indices); '' for None."""
    if value is None:
        return ""
    text = f"{round(Decimal(str(value)), places):,.{places}f}"
    if active_language() == "vi":
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return text


def format_list(items) -> str:
    """Items joined as a sentence says them: ``30 và 7`` / ``30 and 7``, ``30, 14 và 7`` /
    ``30, 14 and 7``; numbers are written with :func:`format_number`; '' for none."""
    from django.utils.translation import gettext

    texts = [format_number(Decimal(i)) if isinstance(i, int | Decimal) else str(i) for i in items]
    if len(texts) <= 1:
        return "".join(texts)
    return gettext("%(items)s and %(last)s") % {"items": ", ".join(texts[:-1]), "last": texts[-1]}


def plotly_separators() -> str:
    """Plotly's ``layout.separators`` (decimal mark, then thousands mark) for the active
    language: ``",."`` in vi, ``".,"`` in en, so axes, hover texts and labels computed by
    plotly.js read as the page's numbers."""
    return ",." if active_language() == "vi" else ".,"
