"""Report codes: the name of each official form a response carries (``docs/periods.md``).

Circular 05/2025/TT-BKHĐT gives a park's infrastructure developer two annual forms, A.4 (the
monitoring report) and A.5 (the criteria self-assessment), and an enterprise two, B.4 and B.5.
One ecopark response holds both forms of its subject, so it has two report codes sharing the
response's id::

    park response 17        → EZ_A4_17, EZ_A5_17
    enterprise response 18  → EZ_B4_18, EZ_B5_18

Pages and exports show both (``EZ_A4_17 · EZ_A5_17``); the API gives ``code`` (the monitoring
report's, A.4 or B.4) and ``codes`` (both). A search by either code finds the response; a
code whose form does not match the response's subject (``EZ_B4_17`` for a park response)
finds nothing. A document made for one form of a response is named by that form's code
(``report_code(response, "A4")`` → ``EZ_A4_17``).

Nothing is stored: the code follows from the id and the subject, so it can never disagree
with them.
"""

from __future__ import annotations

import re

from django.db.models import Q, QuerySet

#: the forms of each subject, monitoring report first (Circular 05/2025, forms A.4/A.5, B.4/B.5)
FORMS_BY_SUBJECT: dict[str, tuple[str, str]] = {
    "park": ("A4", "A5"),
    "enterprise": ("B4", "B5"),
}
#: the form as the Circular writes it
FORM_LABELS = {"A4": "A.4", "A5": "A.5", "B4": "B.4", "B5": "B.5"}
#: the prefix every code starts with
PREFIX = "EZ"
#: how the codes of one response are joined for display
SEPARATOR = " · "

_CODE = re.compile(r"^\s*EZ[_\s-]?([AB][45])[_\s-]?(\d{1,12})\s*$", re.IGNORECASE)


def response_forms(response) -> tuple[str, str]:
    """The forms ``response`` carries: ``("A4", "A5")`` for a park's own response,
    ``("B4", "B5")`` for an enterprise's. Reads ``response.enterprise_id`` only."""
    return FORMS_BY_SUBJECT["enterprise" if response.enterprise_id else "park"]


def report_code(response, form: str) -> str:
    """The code of one form of ``response``, e.g. ``EZ_A4_17``. Raises ``ValueError`` when the
    response does not carry ``form`` (``"B4"`` of a park response)."""
    form = form.replace(".", "").upper()
    if form not in response_forms(response):
        raise ValueError(f"response {response.pk} does not carry form {form}")
    return f"{PREFIX}_{form}_{response.pk}"


def codes_of(pk: int, enterprise_id: int | None) -> list[str]:
    """Both codes of the response ``pk`` (an enterprise's when ``enterprise_id`` is set),
    monitoring report first, without loading it (exports read ids only)."""
    forms = FORMS_BY_SUBJECT["enterprise" if enterprise_id else "park"]
    return [f"{PREFIX}_{form}_{pk}" for form in forms]


def response_codes(response) -> list[str]:
    """Both codes of ``response``, monitoring report first: ``["EZ_A4_17", "EZ_A5_17"]``."""
    return codes_of(response.pk, response.enterprise_id)


def codes_display(pk: int, enterprise_id: int | None) -> str:
    """Both codes as one line, ``"EZ_A4_17 · EZ_A5_17"`` (exports)."""
    return SEPARATOR.join(codes_of(pk, enterprise_id))


def parse_report_code(text: str) -> tuple[str, int] | None:
    """``"EZ_A5_17"`` → ``("A5", 17)``; None when ``text`` is not a report code. Case,
    surrounding spaces and a space or hyphen instead of an underscore are forgiven
    (``ez-a5-17``), as people type codes read from paper."""
    match = _CODE.match(text or "")
    if match is None:
        return None
    return match.group(1).upper(), int(match.group(2))


def filter_by_code(queryset: QuerySet, text: str) -> QuerySet:
    """The responses of ``queryset`` (a Response queryset) that ``text`` names by one of their
    codes: at most one. Empty when ``text`` is not a code or names a form the response does
    not carry."""
    parsed = parse_report_code(text)
    if parsed is None:
        return queryset.none()
    form, pk = parsed
    is_park_form = form in FORMS_BY_SUBJECT["park"]
    return queryset.filter(Q(pk=pk) & Q(enterprise__isnull=is_park_form))
