"""Background XLSX exports (:class:`surveys.models.ExportJob`): requesting one, and expiry.

A request creates a job only when no identical one is usable (:func:`export_job_request`):
asking again while the same export is queued or running, or finished and still fresh (no
answer or response of the campaign changed since it was requested), returns that job.

A finished export's file stays in private storage for ``settings.ECOPARK_EXPORT_KEEP_DAYS``
days after ``finished_at``; the daily Celery beat entry ``exports-expire``
(``surveys.tasks.expire_exports_task``, 03:00 ``TIME_ZONE``) then deletes it and marks the
job ``expired``. The job page says so and offers the export again; the download answers 410.
"""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from .models import Answer, ExportJob, Response

log = logging.getLogger(__name__)

#: Statuses whose file is deleted once old enough; queued and running jobs are never touched.
EXPIRABLE_STATUSES = (ExportJob.Status.DONE, ExportJob.Status.FAILED)


def _changed_since(*, campaign_id: int, park_id: int | None, since: datetime.datetime) -> bool:
    """True when an answer or a response of the campaign (of the park, when given) was
    written after ``since``: a workbook made before no longer shows the data."""
    responses = Response.objects.filter(campaign_id=campaign_id)
    answers = Answer.objects.filter(response__campaign_id=campaign_id)
    if park_id is not None:
        responses, answers = (
            responses.filter(park_id=park_id),
            answers.filter(response__park_id=park_id),
        )
    latest = [
        responses.aggregate(m=Max("updated_at"))["m"],
        answers.aggregate(m=Max("updated_at"))["m"],
    ]
    return any(t is not None and t > since for t in latest)


@transaction.atomic
def export_job_request(*, campaign, user, shape: str, park=None, language: str, province=None):
    """The XLSX export job (shape ``docx`` | ``pdf``: the ZIP of the official documents) for
    ``user``: an identical job (same campaign, shape, province, park and language, requested by
    the same user) that is queued, running, or done with its file and
    fresh (:func:`_changed_since` its request: nothing changed), or else a new queued job.
    Returns ``(job, created)``; the caller publishes the task of a created job after commit.
    The user's row is locked meanwhile, so two identical requests at once create one job."""
    get_user_model().objects.select_for_update().filter(pk=user.pk).exists()
    request = {
        "campaign": campaign,
        "requested_by": user,
        "shape": shape,
        "park": park,
        "province": province,
        "language": language,
    }
    same = ExportJob.objects.filter(**request)
    running = same.filter(status__in=[ExportJob.Status.QUEUED, ExportJob.Status.RUNNING]).first()
    if running is not None:
        return running, False
    done = same.filter(status=ExportJob.Status.DONE).exclude(file="").first()
    if done is not None and not _changed_since(
        campaign_id=campaign.pk, park_id=getattr(park, "pk", None), since=done.created_at
    ):
        return done, False
    return ExportJob.objects.create(**request), True


def export_keep_days() -> int:
    """``settings.ECOPARK_EXPORT_KEEP_DAYS``, in days (≥ 1); raises ``ImproperlyConfigured``
    for a smaller value, which would delete files before their requester could fetch them."""
    days = settings.ECOPARK_EXPORT_KEEP_DAYS
    if not isinstance(days, int) or days < 1:
        raise ImproperlyConfigured(f"ECOPARK_EXPORT_KEEP_DAYS must be an integer ≥ 1, not {days!r}")
    return days


def expire_exports(*, now: datetime.datetime | None = None) -> int:
    """Expire every done or failed export job whose ``finished_at`` is more than
    :func:`export_keep_days` days before ``now`` (aware datetime; default: the current time).

    For each such job the stored file (if any) is deleted from its storage, ``file`` is
    emptied and ``status`` becomes ``expired``. A file already missing from storage is logged
    (warning) and the job is expired all the same; a file that cannot be deleted (any other
    ``OSError``) is logged and its job left as it is, to be tried again on the next run.
    Queued and running jobs are never touched. Idempotent: a second run expires nothing more,
    and two runs at once count each job once (the status change is a conditional update).

    Returns the number of jobs expired by this call. Raises ``ImproperlyConfigured`` when the
    setting is below 1 day.
    """
    cutoff = (now or timezone.now()) - datetime.timedelta(days=export_keep_days())
    candidates = ExportJob.objects.filter(
        status__in=EXPIRABLE_STATUSES, finished_at__lt=cutoff
    ).only("pk", "file")
    expired = 0
    for job in candidates.iterator():
        name = job.file.name
        if name:
            storage = job.file.storage
            try:
                if storage.exists(name):
                    storage.delete(name)
                else:
                    log.warning("Export job %s: file %s was already missing", job.pk, name)
            except OSError:
                log.exception("Export job %s: file %s could not be deleted", job.pk, name)
                continue
        expired += ExportJob.objects.filter(pk=job.pk, status__in=EXPIRABLE_STATUSES).update(
            status=ExportJob.Status.EXPIRED, file=""
        )
    if expired:
        log.info("Expired %s export job(s) finished before %s", expired, cutoff.isoformat())
    return expired
