"""E-mail reminders of the reporting calendar, sent under Celery beat.

Three kinds, each recorded in :class:`surveys.models.ReminderSent` so that a re-run, a
retried task or a second beat never sends one twice:

- **due**: to the respondents of each response not yet submitted (draft or returned) of an
  open campaign, on each day of the campaign's schedule ``due − n`` for n in
  ``Campaign.reminder_days`` (default :data:`DEFAULT_REMINDER_DAYS`), where ``due`` is the
  response's due date: the campaign's close date, or the later date of an extension or of
  a return after the close (``surveys.periods``), so reminders follow the extension. Once
  per (response, "due", schedule date). A run on a later day still sends the latest schedule
  date that passed unsent (a beat that was down catches up), but never an earlier one, and
  never one dated before the campaign opened.
- **overdue**: once per response and due date, the day after it (``on`` = due + 1 day),
  while the response is still not submitted, and only for due dates at most
  :data:`OVERDUE_WINDOW_DAYS` days ago (deploying this never mails about old rounds).
- **digest**: weekly, to each park's managers: the tenants of the park whose response in
  an open (or recently closed) campaign is not submitted. Once per (campaign, park, week);
  ``on`` is the Monday of the week. No mail when every tenant has reported.

Recipients are the users whose :class:`~enterprises.models.UserScope` covers the respondent:
an enterprise's own users for an enterprise response; the park's managers for a park
response and for the digest. Inactive users and users without an e-mail address are
skipped; a response without any recipient is not recorded, so it is sent once someone has an
address. Users have no language setting, so every message is bilingual: Vietnamese first,
then English (each part through gettext in that language). Dates are written dd/mm/yyyy.

Mail goes through Django's configured backend (``EMAIL_BACKEND``; SMTP in production, see
``ecopark.settings``), one connection per run.
"""

from __future__ import annotations

import datetime
import logging
import smtplib
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from enterprises.policy import Action, scopes_who_can

from .models import Campaign, ReminderSent, Response
from .periods import format_date, response_due_date

log = logging.getLogger(__name__)

#: Days before the close date to remind on, when a campaign has no schedule of its own.
DEFAULT_REMINDER_DAYS = (30, 7, 1)
#: Overdue reminders and digests stop this many days after a campaign's close date.
OVERDUE_WINDOW_DAYS = 14
#: Languages of every message, in order (users have no language of their own).
LANGUAGES = ("vi", "en")
NOT_REPORTED = tuple(Response.EDITABLE_STATUSES)


@dataclass
class ReminderReport:
    """What a run did: ``sent`` messages, responses or parks ``skipped`` for lack of any
    address, ``failed`` sends (left unrecorded, so the next run tries again), and the
    ``recipients`` of each sent message (for logs and tests)."""

    sent: int = 0
    skipped: int = 0
    failed: int = 0
    recipients: list[list[str]] = field(default_factory=list)

    def as_dict(self) -> dict:
        """A JSON-friendly summary (the Celery task's result)."""
        return {"sent": self.sent, "skipped": self.skipped, "failed": self.failed}


def campaign_reminder_days(campaign: Campaign) -> list[int]:
    """The campaign's schedule in whole days before ``closes_on``, largest first
    (``Campaign.reminder_days_list``; :data:`DEFAULT_REMINDER_DAYS` when the campaign has
    none of its own)."""
    days = getattr(campaign, "reminder_days_list", None)
    if days is None:
        days = getattr(campaign, "reminder_days", DEFAULT_REMINDER_DAYS)
    return sorted({int(d) for d in days}, reverse=True)


def due_reminder_date(
    campaign: Campaign, today: datetime.date, due_on: datetime.date | None = None
) -> datetime.date | None:
    """The schedule date whose "due" reminder applies ``today``: the latest ``due − n`` (n in
    the schedule; ``due`` is ``due_on``, default the campaign's close date) that is on or
    before ``today`` and on or after ``opens_on``; None after the due date or before the
    first such date."""
    due = due_on or campaign.closes_on
    if today > due or today < campaign.opens_on:
        return None
    dates = [due - datetime.timedelta(days=n) for n in campaign_reminder_days(campaign)]
    passed = [d for d in dates if campaign.opens_on <= d <= today]
    return max(passed) if passed else None


def _bilingual(render: Callable[[], str], joiner: str) -> str:
    """``render()`` in Vietnamese, then in English; once when both are the same text."""
    parts: list[str] = []
    for language in LANGUAGES:
        with translation.override(language):
            text = render()
        if text not in parts:
            parts.append(text)
    return joiner.join(parts)


def _site_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _addresses(scopes: Iterable[tuple[int, str]]) -> dict[int, list[str]]:
    out: dict[int, set[str]] = defaultdict(set)
    for key, email in scopes:
        if email and email.strip():
            out[key].add(email.strip())
    return {k: sorted(v) for k, v in out.items()}


def _enterprise_addresses(enterprise_ids: set[int]) -> dict[int, list[str]]:
    return _addresses(
        scopes_who_can(
            Action.SUBMIT, "surveys.response", enterprise_ids=enterprise_ids
        ).values_list("enterprise_id", "user__email")
    )


def _park_manager_addresses(park_ids: set[int]) -> dict[int, list[str]]:
    return _addresses(
        scopes_who_can(Action.SUBMIT, "surveys.response", park_ids=park_ids).values_list(
            "park_id", "user__email"
        )
    )


def _park_name(park) -> str:
    return park.name_en if translation.get_language() == "en" else park.name_vi


def _respondent_name(response: Response) -> str:
    return response.enterprise.name if response.enterprise_id else _park_name(response.park)


def _response_message(response: Response, kind: str, to: list[str]) -> EmailMessage:
    campaign = response.campaign
    due = response_due_date(response)
    own = due > campaign.closes_on  # an extension, or a correction due after the close
    close = format_date(due)
    link = _site_url(reverse("surveys:response", args=[response.pk]))

    def subject() -> str:
        values = {"campaign": campaign.name, "date": close}
        if kind == ReminderSent.Kind.OVERDUE:
            if own:
                return _("Overdue: %(campaign)s (due %(date)s)") % values
            return _("Overdue: %(campaign)s (closed %(date)s)") % values
        if own:
            return _("Reminder: your response to %(campaign)s is due on %(date)s") % values
        return _("Reminder: %(campaign)s closes on %(date)s") % values

    def body() -> str:
        values = {
            "respondent": _respondent_name(response),
            "campaign": campaign.name,
            "date": close,
            "closed": format_date(campaign.closes_on),
            "status": response.get_status_display(),
            "link": link,
        }
        if kind == ReminderSent.Kind.OVERDUE:
            text = _(
                "The response of %(respondent)s to the campaign «%(campaign)s» was due on "
                "%(date)s and has not been submitted (status: %(status)s). It can no longer be "
                "changed or submitted unless the provincial management board or the ministry "
                "grants an extension:\n%(link)s"
            )
        elif own:
            text = _(
                "The response of %(respondent)s to the campaign «%(campaign)s» has not been "
                "submitted yet (status: %(status)s). The campaign closed on %(closed)s; this "
                "response may still be changed and submitted until %(date)s. Your drafts are "
                "kept; open the response here:\n%(link)s"
            )
        else:
            text = _(
                "The response of %(respondent)s to the campaign «%(campaign)s» has not been "
                "submitted yet (status: %(status)s). The close date is %(date)s. Your drafts "
                "are kept; open the response here:\n%(link)s"
            )
        return text % values

    footer = _bilingual(
        lambda: _("This message was sent by ecopark; you receive it as a respondent."), "\n"
    )
    return EmailMessage(
        subject=_bilingual(subject, " / "),
        body=_bilingual(body, "\n\n— — —\n\n") + "\n\n" + footer,
        to=to,
    )


def _digest_message(
    campaign: Campaign, park, missing: list[Response], total: int, to
) -> EmailMessage:
    close = format_date(campaign.closes_on)

    def subject() -> str:
        return _("Weekly digest: %(n)s tenants of %(park)s have not reported (%(campaign)s)") % {
            "n": len(missing),
            "park": _park_name(park),
            "campaign": campaign.name,
        }

    def body() -> str:
        lines = [
            _(
                "In the campaign «%(campaign)s» (close date %(date)s), %(n)s of the %(total)s "
                "tenants of %(park)s have not submitted their response:"
            )
            % {
                "campaign": campaign.name,
                "date": close,
                "n": len(missing),
                "total": total,
                "park": _park_name(park),
            }
        ]
        for response in missing:
            lines.append(
                "- "
                + _("%(name)s (tax code %(tax_code)s): %(status)s")
                % {
                    "name": response.enterprise.name,
                    "tax_code": response.enterprise.tax_code,
                    "status": response.get_status_display(),
                }
            )
        lines.append(_site_url(reverse("surveys:responses")))
        return "\n".join(lines)

    return EmailMessage(
        subject=_bilingual(subject, " / "),
        body=_bilingual(body, "\n\n— — —\n\n"),
        to=list(to),
    )


def _send_once(*, lookup: dict, to: list[str], message: EmailMessage, report) -> None:
    """Record the reminder and send it in one transaction: a failed send leaves no record
    (the next run retries); an existing record (a concurrent run) sends nothing."""
    try:
        with transaction.atomic():
            _record, created = ReminderSent.objects.get_or_create(
                **lookup, defaults={"recipients": ", ".join(to)}
            )
            if not created:
                return
            message.send()
    except (smtplib.SMTPException, OSError):
        log.exception("reminder %s to %s was not sent", lookup, to)
        report.failed += 1
        return
    report.sent += 1
    report.recipients.append(to)


def reminders_send(*, today: datetime.date | None = None, connection=None) -> ReminderReport:
    """Send the "due" and "overdue" reminders that apply ``today`` (default: the local date
    in ``TIME_ZONE``) and have not been sent; see the module docstring for the rules.

    ``connection`` is a Django mail connection (default: one from settings, opened for the
    run). Returns a :class:`ReminderReport`. An SMTP error on one message is logged and
    counted as failed; the others still go. Raises when the mail server cannot be reached
    at all (nothing recorded, the next run retries).
    """
    today = today or timezone.localdate()
    report = ReminderReport()
    window_start = today - datetime.timedelta(days=OVERDUE_WINDOW_DAYS)
    campaigns = Campaign.objects.filter(opens_on__lte=today).filter(
        Q(closes_on__gte=window_start) | Q(responses__due_on__gte=window_start)
    )
    todo: list[tuple[Response, str, datetime.date]] = []
    for campaign in campaigns.distinct():
        responses = Response.objects.filter(campaign=campaign, status__in=NOT_REPORTED)
        if campaign.closes_on < window_start:  # long closed: only the later due dates
            responses = responses.filter(due_on__gte=window_start)
        due_now = []
        for response in responses.select_related("campaign", "park", "enterprise"):
            due = response_due_date(response)
            if today > due:
                if due < window_start:
                    continue
                due_now.append(
                    (response, ReminderSent.Kind.OVERDUE, due + datetime.timedelta(days=1))
                )
            else:
                on = due_reminder_date(campaign, today, due)
                if on is not None:
                    due_now.append((response, ReminderSent.Kind.DUE, on))
        if not due_now:
            continue
        done = set(
            ReminderSent.objects.filter(
                campaign=campaign, on__gte=min(on for _r, _k, on in due_now)
            ).values_list("response_id", "kind", "on")
        )
        todo += [(r, kind, on) for r, kind, on in due_now if (r.pk, kind, on) not in done]
    if not todo:
        return report
    by_enterprise = _enterprise_addresses(
        {r.enterprise_id for r, _k, _o in todo if r.enterprise_id}
    )
    by_park = _park_manager_addresses({r.park_id for r, _k, _o in todo if not r.enterprise_id})
    addressed = []
    for response, kind, on in todo:
        to = (
            by_enterprise.get(response.enterprise_id, [])
            if response.enterprise_id
            else by_park.get(response.park_id, [])
        )
        if to:
            addressed.append((response, kind, on, to))
        else:
            report.skipped += 1
    if not addressed:
        return report
    with connection or get_connection() as conn:
        for response, kind, on, to in addressed:
            message = _response_message(response, kind, to)
            message.connection = conn
            _send_once(
                lookup={
                    "kind": kind,
                    "on": on,
                    "response": response,
                    "campaign_id": response.campaign_id,
                    "park_id": response.park_id,
                },
                to=to,
                message=message,
                report=report,
            )
    return report


def digest_send(*, today: datetime.date | None = None, connection=None) -> ReminderReport:
    """Send this week's digest to each park's managers: for every open campaign (or one
    closed at most :data:`OVERDUE_WINDOW_DAYS` days ago), the park's tenants whose response
    is still a draft or returned, by name and tax code. Once per (campaign, park, week);
    nothing when every tenant reported. Returns a :class:`ReminderReport`."""
    today = today or timezone.localdate()
    monday = today - datetime.timedelta(days=today.weekday())
    report = ReminderReport()
    window_start = today - datetime.timedelta(days=OVERDUE_WINDOW_DAYS)
    campaigns = list(Campaign.objects.filter(opens_on__lte=today, closes_on__gte=window_start))
    if not campaigns:
        return report
    tenants = (
        Response.objects.filter(campaign__in=campaigns, enterprise__isnull=False)
        .select_related("campaign", "park", "enterprise")
        .order_by("campaign_id", "park_id", "enterprise__name")
    )
    groups: dict[tuple[int, int], list[Response]] = defaultdict(list)
    for response in tenants:
        groups[(response.campaign_id, response.park_id)].append(response)
    done = set(
        ReminderSent.objects.filter(
            kind=ReminderSent.Kind.DIGEST, campaign__in=campaigns, on=monday
        ).values_list("campaign_id", "park_id")
    )
    pending = {
        key: group
        for key, group in groups.items()
        if key not in done and any(r.status in NOT_REPORTED for r in group)
    }
    if not pending:
        return report
    managers = _park_manager_addresses({park_id for _c, park_id in pending})
    addressed = []
    for key, group in pending.items():
        if managers.get(key[1]):
            addressed.append((key, group, managers[key[1]]))
        else:
            report.skipped += 1
    if not addressed:
        return report
    with connection or get_connection() as conn:
        for (campaign_id, park_id), group, to in addressed:
            missing = [r for r in group if r.status in NOT_REPORTED]
            message = _digest_message(group[0].campaign, group[0].park, missing, len(group), to)
            message.connection = conn
            _send_once(
                lookup={
                    "kind": ReminderSent.Kind.DIGEST,
                    "on": monday,
                    "response": None,
                    "campaign_id": campaign_id,
                    "park_id": park_id,
                },
                to=to,
                message=message,
                report=report,
            )
    return report
