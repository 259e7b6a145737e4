"""Celery tasks of the reporting calendar: e-mail reminders and the weekly digest.

Scheduled by Celery beat (``CELERY_BEAT_SCHEDULE`` in ``ecopark.settings``): reminders daily
at 07:00, the digest on Mondays at 07:30 (``TIME_ZONE``, Asia/Ho_Chi_Minh). Both are safe
to run again: what was sent is recorded (``surveys.models.ReminderSent``). The work is in
``surveys.reminders``.
"""

from __future__ import annotations

from celery import shared_task

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


# --------------------------------------------------------------------------------------
# Background XLSX exports: the task, its publishing and the row count
# --------------------------------------------------------------------------------------

import logging  # noqa: E402  (kept with its block)
import zipfile  # noqa: E402

log = logging.getLogger(__name__)

#: Header rows on each sheet of an export, by shape (see ``interchange.export_xlsx_file``).
EXPORT_HEADER_ROWS = {"long": 1, "wide": 2}


def xlsx_data_rows(file, *, header_rows: int) -> int:
    """Data rows of an XLSX written by ``interchange.export_xlsx_file``: the ``<row`` elements of
    every worksheet part minus ``header_rows`` per sheet. Reads the zip as a stream (1 MB chunks),
    so a national export (1.4 M rows) is counted without loading it; ``file`` is left at 0."""
    total = 0
    with zipfile.ZipFile(file) as book:
        for name in book.namelist():
            if not (name.startswith("xl/worksheets/") and name.endswith(".xml")):
                continue
            rows, tail = 0, b""
            with book.open(name) as part:
                while chunk := part.read(1 << 20):
                    data = tail + chunk
                    # 4 bytes carried over: a "<row " split by the chunking is counted once
                    rows += data.count(b"<row ")
                    tail = data[-4:]
            total += max(rows - header_rows, 0)
    file.seek(0)
    return total


def _documents_chunk(job_id: int, chunk: int) -> bool:
    """Write chunk ``chunk`` (0, 1, …) of a documents job's ZIP
    (:func:`surveys.documents_archive.write_chunk`) and record it on the job; True when another
    chunk is due. The first chunk takes the job from queued to running, names its file and sets
    ``total``; the last marks it done.

    A delivery that finds the job elsewhere does nothing (False): not queued or running, another
    chunk recorded, or the file locked by another delivery of this chunk. Except one: when the
    job has recorded this chunk already but the next one may never have been published (the
    worker died between the two), True, so the next is published again (a duplicate of it, if
    it was published after all, finds its chunk recorded or locked and does nothing)."""
    from pathlib import Path

    from django.conf import settings
    from django.utils import timezone

    from . import documents, documents_archive
    from .models import ExportJob, export_upload_to

    Status = ExportJob.Status
    job = ExportJob.objects.select_related("campaign", "park", "requested_by").filter(pk=job_id)
    job = job.first()
    if job is None or job.status not in (Status.QUEUED, Status.RUNNING):
        return False
    if job.chunks_done != chunk:
        return job.status == Status.RUNNING and job.chunks_done == chunk + 1
    if job.status == Status.QUEUED:
        if chunk != 0:
            return False
        name = export_upload_to(job, "documents.zip")
        if not ExportJob.objects.filter(pk=job_id, status=Status.QUEUED).update(
            status=Status.RUNNING, file=name
        ):
            return False
        job.refresh_from_db()
    path = Path(job.file.path)
    with documents_archive.locked(path) as file:
        if file is None:
            return False
        job.refresh_from_db()  # as recorded now that no other delivery writes
        if job.status != Status.RUNNING or job.chunks_done != chunk:
            return False
        responses = documents.campaign_responses(
            job.campaign, job.requested_by, park=job.park, province=job.province
        )
        if chunk == 0:
            ExportJob.objects.filter(pk=job_id).update(total=documents.documents_count(responses))
        mark = job.archive_mark()
        expected = ExportJob.objects.filter(pk=job_id, status=Status.RUNNING, chunks_done=chunk)

        def record(new) -> bool:
            fields = {
                "chunks_done": new.chunks,
                "archive_size": new.size,
                "rows_written": new.count,
                "resume_response": new.after[0] if new.after else None,
                "resume_form": new.after[1] if new.after else "",
            }
            if new.final:
                fields.update(status=Status.DONE, finished_at=timezone.now())
            return expected.update(**fields) == 1

        new = documents_archive.write_chunk(
            file,
            path,
            mark,
            documents.documents_after(
                responses,
                job.requested_by,
                fmt=job.shape,
                language=job.language,
                after=mark.after,
            ),
            limit=settings.ECOPARK_DOCUMENTS_CHUNK,
            seconds=settings.ECOPARK_DOCUMENTS_CHUNK_SECONDS,
            record=record,
            progress=lambda count: expected.update(rows_written=count),
        )
    return new is not None and not new.final


def _documents_failed(job_id: int, exc: Exception) -> None:
    """Mark a documents job failed with ``exc``'s message and delete its partial ZIP."""
    from pathlib import Path

    from django.utils import timezone

    from .documents_archive import remove_work_files
    from .models import ExportJob

    log.exception("Documents ZIP job %s failed", job_id)
    job = ExportJob.objects.filter(pk=job_id).first()
    if job is None:  # deleted meanwhile (with its campaign): nothing to mark
        return
    if job.file:
        path = Path(job.file.path)
        remove_work_files(path)
        path.unlink(missing_ok=True)
    ExportJob.objects.filter(
        pk=job_id, status__in=[ExportJob.Status.QUEUED, ExportJob.Status.RUNNING]
    ).update(
        status=ExportJob.Status.FAILED,
        error=f"{type(exc).__name__}: {exc}"[:2000],
        file="",
        finished_at=timezone.now(),
    )


def _documents_task(job_id: int, chunk: int) -> str:
    """Run chunk ``chunk`` of a documents job, then publish the next one (a task of its own,
    so each stays well inside the time limit); in eager mode (no broker) run the chunks one
    after another here. Any error marks the job failed (:func:`_documents_failed`)."""
    from .models import ExportJob

    eager = export_xlsx_task.app.conf.task_always_eager
    try:
        while _documents_chunk(job_id, chunk):
            chunk += 1
            if not eager:
                export_xlsx_task.apply_async(args=[job_id], kwargs={"chunk": chunk}, retry=False)
                break
    except Exception as exc:
        _documents_failed(job_id, exc)
    return ExportJob.objects.filter(pk=job_id).values_list("status", flat=True).first() or ""


@shared_task(name="surveys.tasks.export_xlsx_task", acks_late=True, reject_on_worker_lost=True)
def export_xlsx_task(job_id: int, chunk: int = 0) -> str:
    """Build the XLSX of :class:`surveys.models.ExportJob` ``job_id`` with the requesting
    user's scope and the job's language, store it and mark the job done; returns the status.

    For shape ``docx`` | ``pdf``, write chunk ``chunk`` of the ZIP of the campaign's official
    documents (:func:`_documents_chunk`, ``surveys.documents_archive``), then publish the next
    chunk; the last one marks the job done. A chunk delivered again after its worker died
    continues from the point the job recorded.

    Any error (including Celery's soft time limit) marks the job failed with its message and is
    logged, not raised, so eager mode and the worker behave the same. An XLSX job that is no
    longer queued (already run by a duplicate delivery) is left as it is.
    """
    from django.core.files import File
    from django.utils import timezone, translation

    from . import interchange
    from .models import ExportJob

    shape = ExportJob.objects.filter(pk=job_id).values_list("shape", flat=True).first()
    if shape in ExportJob.DOCUMENT_SHAPES:
        return _documents_task(job_id, chunk)
    updated = ExportJob.objects.filter(pk=job_id, status=ExportJob.Status.QUEUED).update(
        status=ExportJob.Status.RUNNING
    )
    job = ExportJob.objects.select_related("campaign", "park", "requested_by").get(pk=job_id)
    if not updated:
        return job.status
    try:
        with translation.override(job.language):
            out = interchange.export_xlsx_file(
                campaign=job.campaign, user=job.requested_by, shape=job.shape, park=job.park
            )
        with out:
            job.rows_written = xlsx_data_rows(out, header_rows=EXPORT_HEADER_ROWS[job.shape])
            job.file.save("export.xlsx", File(out), save=False)
        job.status = ExportJob.Status.DONE
    except Exception as exc:
        log.exception("XLSX export job %s failed", job_id)
        job.status = ExportJob.Status.FAILED
        job.error = f"{type(exc).__name__}: {exc}"[:2000]
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "file", "rows_written", "total", "error", "finished_at"])
    return job.status


def export_xlsx_publish(*, job_id: int) -> bool:
    """Publish :func:`export_xlsx_task` for the job (call it from ``transaction.on_commit``);
    True when published (in eager mode: run). Never raises: when the broker is unreachable the
    job is marked failed with a message saying so, and the job page offers the CSV instead."""
    from django.conf import settings
    from django.utils import timezone, translation
    from django.utils.translation import gettext

    from ecopark.celery import app

    from .models import ExportJob

    try:
        with app.connection_for_write(url=settings.CELERY_BROKER_URL or None) as connection:
            export_xlsx_task.apply_async(args=[job_id], connection=connection, retry=False)
    except Exception as exc:
        log.exception("XLSX export job %s not published", job_id)
        job = ExportJob.objects.filter(pk=job_id).first()
        if job is None:
            return False
        with translation.override(job.language):
            message = gettext(
                "The export could not be queued: the task queue is unreachable (%(error)s). "
                "Download the CSV instead, or try again later."
            ) % {"error": f"{type(exc).__name__}: {exc}"[:300]}
        ExportJob.objects.filter(pk=job_id, status=ExportJob.Status.QUEUED).update(
            status=ExportJob.Status.FAILED, error=message, finished_at=timezone.now()
        )
        return False
    return True


@shared_task(name="surveys.tasks.expire_exports_task")
def expire_exports_task() -> int:
    """Delete the files of XLSX exports finished more than ``ECOPARK_EXPORT_KEEP_DAYS`` days
    ago and mark their jobs expired (:func:`surveys.services_exports.expire_exports`); returns
    how many jobs were expired. Run daily at 03:00 by beat (``exports-expire``)."""
    from .services_exports import expire_exports

    return expire_exports()


# --------------------------------------------------------------------------------------
# Background Excel imports (surveys/services_imports.py)
# --------------------------------------------------------------------------------------


@shared_task(name="surveys.tasks.import_xlsx_task")
def import_xlsx_task(job_id: int) -> str:
    """Check and save the upload of :class:`surveys.models.ImportJob` ``job_id``
    (:func:`surveys.services_imports.import_job_run`); returns the final status."""
    from .services_imports import import_job_run

    return import_job_run(job_id=job_id)


def import_xlsx_publish(*, job_id: int) -> bool:
    """Publish :func:`import_xlsx_task` for the job (from ``transaction.on_commit``); True
    when published (in eager mode: run). Never raises: when the broker is unreachable the job
    is marked failed, saying so, and its stored upload deleted; nothing was imported."""
    from django.conf import settings
    from django.utils import timezone
    from django.utils.translation import gettext

    from ecopark.celery import app

    from .models import ImportJob

    try:
        with app.connection_for_write(url=settings.CELERY_BROKER_URL or None) as connection:
            import_xlsx_task.apply_async(args=[job_id], connection=connection, retry=False)
    except Exception as exc:
        log.exception("Excel import job %s not published", job_id)
        job = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.QUEUED).first()
        if job is None:
            return False
        if job.file:
            job.file.delete(save=False)
        job.status = ImportJob.Status.FAILED
        job.error = gettext(
            "The import could not be queued: the task queue is unreachable (%(error)s). "
            "Nothing was imported; try again later."
        ) % {"error": f"{type(exc).__name__}: {exc}"[:300]}
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "error", "file", "finished_at"])
        return False
    return True
