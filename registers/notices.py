"""E-mail notices of the registers, sent daily by :func:`registers.tasks.registers_daily`:
ISO certificates about to expire (60 days before, once per expiry date), roadmap actions past
their target date (once per target date), and the parks whose results change because a
certificate expired. Each notice is written in Vietnamese, then English."""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from enterprises.policy import Action, users_who_can

from .models import CertificateNotice, ISOCertificate, RoadmapAction, SymbiosisParticipant
from .selectors import CERTIFICATE_NOTICE_DAYS
from .services import parks_announce

log = logging.getLogger(__name__)

LANGUAGES = ("vi", "en")


@dataclass
class NoticeOutcome:
    """How many notices were sent, skipped (nobody with an e-mail address) or failed."""

    sent: int = 0
    skipped: int = 0
    failed: int = 0

    def as_dict(self) -> dict:
        return {"sent": self.sent, "skipped": self.skipped, "failed": self.failed}


def _addresses(users) -> list[str]:
    return sorted({u.email for u in users if u.is_active and u.email})


def _bilingual(render) -> tuple[str, str]:
    """(subject, body) in Vietnamese then English, each through gettext in that language."""
    subjects, bodies = [], []
    for lang in LANGUAGES:
        with translation.override(lang):
            subject, body = render()
        subjects.append(subject)
        bodies.append(body)
    return " / ".join(subjects), "\n\n-----\n\n".join(bodies)


def certificate_notices_send(*, today: datetime.date | None = None) -> NoticeOutcome:
    """E-mail the holder's users and the park's managers about each certificate expiring in
    at most :data:`CERTIFICATE_NOTICE_DAYS` days (from today to today + 60, so a beat that was
    down catches up); once per (certificate, expiry date), recorded in
    :class:`~registers.models.CertificateNotice`. A failed send is not recorded (retried the
    next day); a certificate whose people have no e-mail address is skipped and not recorded.
    """
    today = today or timezone.localdate()
    outcome = NoticeOutcome()
    due = (
        ISOCertificate.objects.filter(
            expires_on__gte=today,
            expires_on__lte=today + datetime.timedelta(days=CERTIFICATE_NOTICE_DAYS),
        )
        .exclude(notices__expires_on=F("expires_on"))
        .select_related("enterprise__park")
    )
    connection = get_connection()
    for cert in due:
        to = _addresses(users_who_can(Action.CHANGE, cert))
        if not to:
            outcome.skipped += 1
            continue

        def render(cert=cert):
            name = cert.other_standard or cert.get_standard_display()
            subject = _("Certificate %(standard)s of %(enterprise)s expires on %(date)s") % {
                "standard": name,
                "enterprise": cert.enterprise.name,
                "date": f"{cert.expires_on:%d/%m/%Y}",
            }
            body = _(
                "The %(standard)s certificate %(number)s of %(enterprise)s (%(park)s) expires "
                "on %(date)s. After that date it no longer counts as an ISO management system "
                "for the eco-industrial park criteria (Decree 35/2022/ND-CP Art. 37(2)(b)). "
                "Record the renewed certificate in ecopark when you receive it."
            ) % {
                "standard": name,
                "number": cert.number or "",
                "enterprise": cert.enterprise.name,
                "park": cert.enterprise.park.name_vi,
                "date": f"{cert.expires_on:%d/%m/%Y}",
            }
            return subject, body

        try:
            with transaction.atomic():
                notice, created = CertificateNotice.objects.get_or_create(
                    certificate=cert,
                    expires_on=cert.expires_on,
                    defaults={"recipients": ", ".join(to)},
                )
                if not created:
                    continue
                subject, body = _bilingual(render)
                EmailMessage(
                    subject, body, settings.DEFAULT_FROM_EMAIL, to, connection=connection
                ).send()
        except Exception:  # noqa: BLE001 - a mail error must not stop the other notices
            log.exception("certificate notice for %s not sent; retried next run", cert.pk)
            outcome.failed += 1
            continue
        outcome.sent += 1
    return outcome


def overdue_action_notices_send(*, today: datetime.date | None = None) -> NoticeOutcome:
    """E-mail the owner of each roadmap action still open after its target date, once per
    target date (``overdue_notified_for``); owners without an e-mail address are skipped."""
    today = today or timezone.localdate()
    outcome = NoticeOutcome()
    due = (
        RoadmapAction.objects.filter(status__in=RoadmapAction.OPEN_STATUSES, target_date__lt=today)
        .exclude(overdue_notified_for=F("target_date"))
        .select_related("owner", "park", "criterion", "enterprise")
    )
    connection = get_connection()
    for action in due:
        to = _addresses([action.owner]) if action.owner else []
        if not to:
            outcome.skipped += 1
            continue

        def render(action=action):
            subject = _("Roadmap action overdue: %(title)s") % {"title": action.title}
            body = _(
                "The roadmap action “%(title)s” on criterion %(criterion)s of %(subject)s was "
                "due on %(date)s and is still %(status)s. Update its status or its target "
                "date in ecopark."
            ) % {
                "title": action.title,
                "criterion": action.criterion.code,
                "subject": action.enterprise.name if action.enterprise else action.park.name_vi,
                "date": f"{action.target_date:%d/%m/%Y}",
                "status": action.get_status_display(),
            }
            return subject, body

        try:
            with transaction.atomic():
                locked = RoadmapAction.objects.select_for_update().get(pk=action.pk)
                if locked.overdue_notified_for == locked.target_date:
                    continue
                subject, body = _bilingual(render)
                EmailMessage(
                    subject, body, settings.DEFAULT_FROM_EMAIL, to, connection=connection
                ).send()
                RoadmapAction.objects.filter(pk=action.pk).update(
                    overdue_notified_for=locked.target_date
                )
        except Exception:  # noqa: BLE001
            log.exception("overdue notice for action %s not sent; retried next run", action.pk)
            outcome.failed += 1
            continue
        outcome.sent += 1
    return outcome


def expired_certificates_announce(*, today: datetime.date | None = None) -> int:
    """Mark stale the results of the parks concerned by certificates that expired yesterday
    (their holder's park and the parks of operating exchanges they take part in), so the
    next recompute reads the registers again. Returns the number of parks announced."""
    today = today or timezone.localdate()
    holders = list(
        ISOCertificate.objects.filter(expires_on=today - datetime.timedelta(days=1)).values_list(
            "enterprise_id", "enterprise__park_id"
        )
    )
    if not holders:
        return 0
    parks = {p for _e, p in holders} | set(
        SymbiosisParticipant.objects.filter(enterprise_id__in=[e for e, _p in holders]).values_list(
            "exchange__park_id", flat=True
        )
    )
    with transaction.atomic():
        parks_announce(parks)
    return len(parks)
