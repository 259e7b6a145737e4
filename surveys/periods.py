"""Reporting periods: when a response may be changed and submitted, and whether it came in on
time (``docs/periods.md``).

The one rule every channel obeys — the response form, autosave, the API, the Excel import and
evidence uploads all reach it through the services (``surveys.services``,
``surveys.evidence``, ``surveys.interchange``), never through a view of their own:

- before the campaign opens (``today < opens_on``) a response is **not yet open** ("Chưa tới
  hạn"): it can be read but not changed, submitted or imported;
- from ``opens_on`` to its due date, both days included, it is **open** ("Trong thời hạn");
- after its due date it is **past the reporting period** ("Qua kỳ báo cáo"): its respondent
  can no longer change or submit it.

A response's due date is the campaign's close date, or its own later date (``Response.due_on``)
when the provincial management board of its province or the ministry granted it an extension
(:class:`surveys.models.Extension`, who may: the permission policy's ``extend`` action), or
when a reviewer returned it after its due date had passed and set the date by which the
correction is due (``Transition.due_on``). Reminders follow the due date
(``surveys.reminders``).

Timeliness (Decree 35/2022/ND-CP Art. 43 sets the yearly report; the campaign's close date is
the date the authority set for it): a response's first submission is **on time** when made on
or before the campaign's close date, otherwise **late** by the whole days after it
(``Response.days_late``). An extension lets a late report be filed; it does not make it on
time. A resubmission after a return does not change the record.

Dates are local dates in ``TIME_ZONE`` (``timezone.localdate``) and are written dd/mm/yyyy in
messages.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


class PeriodState(models.TextChoices):
    """Where a response (or a campaign) stands in its reporting period."""

    NOT_OPEN = "not_open", gettext_lazy("Not yet open")
    OPEN = "open", gettext_lazy("Within the period")
    CLOSED = "closed", gettext_lazy("Past the reporting period")


def opened_campaigns(campaigns, today: datetime.date | None = None) -> list:
    """The campaigns of ``campaigns`` (an iterable of :class:`surveys.models.Campaign`, order
    kept) whose reporting period has opened (``opens_on <= today``; default today's local date);
    every one of them when none has opened yet. A campaign not yet open is never a page's
    default while an opened one exists (``docs/periods.md``)."""
    today = today or timezone.localdate()
    listed = list(campaigns)
    return [c for c in listed if c.opens_on <= today] or listed


def default_campaign(campaigns, today: datetime.date | None = None):
    """The campaign a page shows by default among ``campaigns`` (newest first): the newest
    whose reporting period has opened by ``today``, else the newest (:func:`opened_campaigns`);
    None when there is none. The inbox's completion table and every dashboard use it (the
    dashboards through :func:`dashboards.selectors.campaign_pick`)."""
    listed = opened_campaigns(campaigns, today)
    return listed[0] if listed else None


def format_date(value: datetime.date) -> str:
    """``dd/mm/yyyy``, the way dates are written in Vietnam (and in every message here)."""
    return value.strftime("%d/%m/%Y")


@dataclass(frozen=True)
class Period:
    """A response's reporting period on one day.

    ``opens_on`` / ``closes_on``: the campaign's dates; ``due_on``: the response's due date
    (``closes_on``, or its own later date); ``extended``: ``due_on`` is later than
    ``closes_on``; ``state``: a :class:`PeriodState` value.
    """

    state: str
    opens_on: datetime.date
    closes_on: datetime.date
    due_on: datetime.date

    @property
    def extended(self) -> bool:
        """True when the response has its own due date after the campaign's close date."""
        return self.due_on > self.closes_on

    @property
    def is_open(self) -> bool:
        """True while the respondent may change and submit (answers' status permitting)."""
        return self.state == PeriodState.OPEN

    @property
    def label(self) -> str:
        """The state in words, in the active language ("Chưa tới hạn", "Trong thời hạn",
        "Qua kỳ báo cáo")."""
        return str(PeriodState(self.state).label)


def response_due_date(response) -> datetime.date:
    """The last day ``response`` may be changed and submitted: its campaign's close date, or
    ``response.due_on`` when that is later. Reads ``response.campaign``."""
    closes_on = response.campaign.closes_on
    own = response.due_on
    return own if own is not None and own > closes_on else closes_on


def response_period(response, today: datetime.date | None = None) -> Period:
    """The :class:`Period` of ``response`` on ``today`` (default: the local date)."""
    today = today or timezone.localdate()
    campaign = response.campaign
    due_on = response_due_date(response)
    if today < campaign.opens_on:
        state = PeriodState.NOT_OPEN
    elif today <= due_on:
        state = PeriodState.OPEN
    else:
        state = PeriodState.CLOSED
    return Period(state, campaign.opens_on, campaign.closes_on, due_on)


def campaign_state(campaign, today: datetime.date | None = None) -> str:
    """The :class:`PeriodState` of the campaign's own dates on ``today`` (extensions of single
    responses left aside)."""
    today = today or timezone.localdate()
    if today < campaign.opens_on:
        return PeriodState.NOT_OPEN
    return PeriodState.OPEN if today <= campaign.closes_on else PeriodState.CLOSED


def period_refusal(response, today: datetime.date | None = None) -> ValidationError | None:
    """Why the period refuses a change to ``response`` on ``today``, as a
    ``ValidationError`` naming the date (code ``period_not_open`` or ``period_closed``); None
    while the period is open."""
    period = response_period(response, today)
    if period.state == PeriodState.NOT_OPEN:
        return ValidationError(
            _(
                "The reporting period opens on %(date)s: until then this response can be read "
                "but not changed."
            )
            % {"date": format_date(period.opens_on)},
            code="period_not_open",
        )
    if period.state == PeriodState.CLOSED:
        if period.due_on > period.closes_on:
            text = _(
                "This response was due on %(date)s: it can no longer be changed or submitted "
                "unless the provincial management board or the ministry grants an extension."
            )
        else:
            text = _(
                "The reporting period closed on %(date)s: this response can no longer be "
                "changed or submitted unless the provincial management board or the ministry "
                "grants an extension."
            )
        return ValidationError(text % {"date": format_date(period.due_on)}, code="period_closed")
    return None


def check_period_open(response, today: datetime.date | None = None) -> None:
    """Raise :func:`period_refusal`'s error unless the period of ``response`` is open."""
    refusal = period_refusal(response, today)
    if refusal is not None:
        raise refusal


def days_late(*, closes_on: datetime.date, submitted_at: datetime.datetime) -> int:
    """Whole days between ``closes_on`` and the local date of ``submitted_at``; 0 when
    submitted on or before the close date."""
    return max(0, (timezone.localdate(submitted_at) - closes_on).days)
