"""Celery task of the registers, run daily by beat (``CELERY_BEAT_SCHEDULE`` entry
``registers-daily`` in ``ecopark/settings.py``).

Safe to run again: notices are recorded (``CertificateNotice``,
``RoadmapAction.overdue_notified_for``) and never sent twice. The work is in
:mod:`registers.notices`.
"""

from __future__ import annotations

from celery import shared_task

from .notices import (
    certificate_notices_send,
    expired_certificates_announce,
    overdue_action_notices_send,
)


@shared_task(name="registers.tasks.registers_daily")
def registers_daily() -> dict:
    """E-mail certificate expiry notices (60 days before) and overdue roadmap actions (once),
    and mark stale the parks whose certificates expired yesterday. Returns
    ``{"certificates": {...}, "actions": {...}, "parks_announced": n}``."""
    return {
        "certificates": certificate_notices_send().as_dict(),
        "actions": overdue_action_notices_send().as_dict(),
        "parks_announced": expired_certificates_announce(),
    }
