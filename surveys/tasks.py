"""Celery tasks of the reporting calendar: e-mail reminders and the weekly digest.

Scheduled by Celery beat (``CELERY_BEAT_SCHEDULE`` in ``ecopark.settings``): reminders daily
at 07:00, the digest on Mondays at 07:30 (``TIME_ZONE``, Asia/Ho_Chi_Minh). Both are safe
to run again: what was sent is recorded (``surveys.models.ReminderSent``). The work is in
``surveys.reminders``.
"""

from __future__ import annotations

from celery import shared_task

from . import tasks_registers  # noqa: F401  (registers the certificate and roadmap tasks)
from .reminders import digest_send, reminders_send


@shared_task(name="surveys.tasks.send_reminders")
def send_reminders() -> dict:
    """Send today's "due" and "overdue" reminders; returns ``{"sent", "skipped", "failed"}``."""
    return reminders_send().as_dict()


@shared_task(name="surveys.tasks.send_weekly_digest")
def send_weekly_digest() -> dict:
    """Send this week's digest of non-reporting tenants to park managers; returns
    ``{"sent", "skipped", "failed"}``."""
    return digest_send().as_dict()
