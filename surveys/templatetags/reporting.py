"""Template filters of report codes and reporting periods (``surveys.codes``,
``surveys.periods``)."""

from __future__ import annotations

from django import template

from ..codes import response_codes
from ..periods import PeriodState, campaign_state

register = template.Library()


@register.filter
def report_codes(response) -> list[str]:
    """Both report codes of ``response``, monitoring report first (``EZ_A4_17``,
    ``EZ_A5_17``)."""
    return response_codes(response)


@register.filter
def campaign_period(campaign) -> PeriodState:
    """The campaign's :class:`~surveys.periods.PeriodState` today (``.value``, ``.label``)."""
    return PeriodState(campaign_state(campaign))
