"""Cross-field rules on a response's answers, with messages naming both fields.

A rule here is a plain logical or physical consistency check between two answers of the
same respondent, never a legal threshold (those are criteria, judged by the engine). Each
rule only fires when both answers are numbers; a blank answer is never an error here
("required" is enforced at submit).

Rules
    - **part ≤ whole**: reused or recirculated industrial wastewater cannot exceed the
      industrial wastewater generated (``wastewater_reused_m3 ≤ wastewater_total_m3``, both
      in m³ a year). The VN-2022 indicator ``VN-C05-ENV3`` (Circular 05/2025/TT-BKHĐT form
      A.5, ENV.3, via a secondary source) is ``100 × reused / total``: a share above 100 %
      has no meaning. This is arithmetic, not a threshold of the source.

Every channel runs them: the response form (pages and autosave), the API (through the form)
and the Excel import of tenants' answers (on the stored answers overlaid with the file's).

Values are compared in the element's canonical unit (``surveys.forms`` converts what was
typed), so ``250 ML`` against ``1 234,5 m³`` compares 250 000 m³ with 1 234.5 m³.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from django.utils import numberformat
from django.utils.formats import get_format
from django.utils.translation import gettext as _


class AnswerLike(Protocol):
    """Anything with a ``number`` attribute (``surveys.forms.AnswerValue``, an import row's
    cell value): a ``Decimal`` in the element's canonical unit, or None when not a number."""

    number: Decimal | None


@dataclass(frozen=True)
class PartNotAboveWhole:
    """``part`` cannot exceed ``whole`` (both data element codes, same canonical unit)."""

    part: str
    whole: str
    unit: str = ""


#: The cross-field rules, by data element code (any framework version that has both codes).
RULES: tuple[PartNotAboveWhole, ...] = (
    PartNotAboveWhole(part="wastewater_reused_m3", whole="wastewater_total_m3", unit="m³"),
)


def _number(value) -> Decimal | None:
    number = getattr(value, "number", None)
    return number if isinstance(number, Decimal) else None


def _show(number: Decimal, unit: str) -> str:
    # grouped by thousands in every language (Django's vi locale sets no grouping)
    text = numberformat.format(
        number.normalize(),
        get_format("DECIMAL_SEPARATOR"),
        grouping=3,
        thousand_sep=get_format("THOUSAND_SEPARATOR"),
        force_grouping=True,
    )
    return f"{text} {unit}" if unit else text


def cross_field_errors(
    values: Mapping[str, AnswerLike], *, labels: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Check the cross-field rules of :data:`RULES` on ``values``.

    ``values`` maps data element codes to cleaned answers (``AnswerValue``-like: a
    ``number`` in canonical units, or None); ``labels`` maps codes to the labels shown to
    the person (defaults to the codes). Returns ``{code of the field at fault: message}``,
    empty when every rule holds; each message names both fields with their labels and
    values, numbers written the active language's way (``1.234,5`` in Vietnamese).
    """
    labels = labels or {}
    errors: dict[str, str] = {}
    for rule in RULES:
        part, whole = _number(values.get(rule.part)), _number(values.get(rule.whole))
        if part is None or whole is None or part <= whole:
            continue
        errors[rule.part] = _(
            "«%(part)s» (%(part_value)s) cannot exceed «%(whole)s» (%(whole_value)s)."
        ) % {
            "part": labels.get(rule.part, rule.part),
            "part_value": _show(part, rule.unit),
            "whole": labels.get(rule.whole, rule.whole),
            "whole_value": _show(whole, rule.unit),
        }
    return errors
