"""Excel imports too large for a request: a row cap, and a background job with progress.

The upload page (``surveys.views_excel.excel_import``) checks the file as a whole first
(:func:`common.xlsx.file_check`) and counts the rows of its first sheet from the zip
(:func:`common.xlsx.first_sheet_rows`, well under a second even for 100,000 rows):

- more than :data:`MAX_IMPORT_ROWS` rows: refused at once, the message naming the cap;
- at most :data:`REQUEST_MAX_ROWS` rows: checked and saved within the request, as before;
- otherwise: stored in private storage and imported by a Celery task
  (``surveys.tasks.import_xlsx_task`` → :func:`import_job_run`), with the same checks
  (:func:`surveys.interchange.import_check`) and the same all-or-nothing save
  (:func:`surveys.interchange.import_save`); its page shows the rows checked so far and then
  the result or every cell error.

:data:`REQUEST_MAX_ROWS` comes from ``benchmarks/import_xlsx.py`` on the 2-core development
machine (shared, load average 3.4): 1,000 enterprises × 60 columns took 1.8 s to check and
30 s to save (9.9 s of CPU). A request should answer within a few seconds, so files of more
than 200 rows (about 2 s of CPU at that rate) go to the background; a faster import may raise
it. :data:`MAX_IMPORT_ROWS` is far above any park's tenants (a template has one row
per enterprise; the largest parks have a few hundred): a bigger file is a mistake or abuse,
and is not worth a worker's minutes.
"""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Least
from django.utils import timezone
from django.utils.translation import gettext as _

from common.xlsx import FileRefused, file_check, first_sheet_rows

from .models import ImportJob

log = logging.getLogger(__name__)

#: Most rows (of the first sheet, header included) checked within the request.
REQUEST_MAX_ROWS = 200
#: Most rows an import file may have; larger files are refused with this number named.
MAX_IMPORT_ROWS = 5_000
#: Rows between two progress updates of a background import.
PROGRESS_EVERY = 250


def import_rows_check(file) -> int:
    """The rows of the first sheet of ``file`` (see :func:`common.xlsx.first_sheet_rows`);
    raises :class:`common.xlsx.FileRefused` (code ``too_many_rows``) naming the cap when
    there are more than :data:`MAX_IMPORT_ROWS`, and for a file :func:`file_check` refuses."""
    file_check(file)
    rows = first_sheet_rows(file)
    if rows > MAX_IMPORT_ROWS:
        raise FileRefused(
            _(
                "The first sheet has %(rows)s rows; an import may have at most %(max)s. Import "
                "the park's template (one row per enterprise), or split the file."
            )
            % {"rows": f"{rows:,}", "max": f"{MAX_IMPORT_ROWS:,}"},
            code="too_many_rows",
        )
    return rows


@transaction.atomic
def import_job_create(*, campaign, park, user, file, language: str, rows: int) -> ImportJob:
    """Store ``file`` (already checked by :func:`import_rows_check`, ``rows`` its row count)
    and record a queued :class:`ImportJob`; the caller publishes its task after commit. The
    caller checks permissions (``surveys.interchange.importable_parks``)."""
    job = ImportJob(
        campaign=campaign,
        park=park,
        requested_by=user,
        language=language,
        name=(getattr(file, "name", "") or "")[-200:],
        rows_total=rows,
    )
    job.file.save("import.xlsx", File(file), save=False)
    job.save()
    return job


def import_job_run(*, job_id: int) -> str:
    """Check and save the file of a queued :class:`ImportJob` (the task's work), recording
    progress every :data:`PROGRESS_EVERY` rows; returns the final status. A refused file or
    any cell error fails the job with the errors and saves nothing (all or nothing, as in a
    request). The stored upload is deleted afterwards. A job that is no longer queued (a
    duplicate delivery) is left as it is."""
    from . import interchange

    claimed = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.QUEUED).update(
        status=ImportJob.Status.RUNNING
    )
    job = ImportJob.objects.select_related("campaign", "park", "requested_by").get(pk=job_id)
    if not claimed:
        return job.status

    def progress(rows_read: int) -> None:
        if rows_read % PROGRESS_EVERY == 0:
            ImportJob.objects.filter(pk=job_id).update(rows_read=Least(rows_read, F("rows_total")))

    try:
        with job.file.open("rb") as handle:
            check = interchange.import_check(
                campaign=job.campaign,
                park=job.park,
                file=handle,
                language=job.language,
                progress=progress,
                user=job.requested_by,
            )
        job.rows_read = min(check.rows_read, job.rows_total)
        if check.ok:
            result = interchange.import_save(check=check, user=job.requested_by)
            job.answers_changed = result.changed
            job.responses_changed = result.responses_changed
            job.status = ImportJob.Status.DONE
        else:
            job.errors = [e.as_dict() for e in check.errors]
            job.status = ImportJob.Status.FAILED
    except (FileRefused, ValidationError) as exc:
        job.error = " ".join(exc.messages)
        job.status = ImportJob.Status.FAILED
    except Exception as exc:  # the job page says so; the log has the traceback
        log.exception("Excel import job %s failed", job_id)
        job.error = f"{type(exc).__name__}: {exc}"[:2000]
        job.status = ImportJob.Status.FAILED
    job.finished_at = timezone.now()
    if job.file:
        job.file.delete(save=False)
    job.save(
        update_fields=[
            "status",
            "rows_read",
            "answers_changed",
            "responses_changed",
            "errors",
            "error",
            "file",
            "finished_at",
        ]
    )
    return job.status
