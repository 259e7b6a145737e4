"""Excel pages: campaign exports, the import template, the import and its error report.

Thin views over :mod:`surveys.interchange`. Every lookup goes through the permission policy:
campaigns with no response in the user's scope, parks outside it and parks the user may not
import for answer 404 (default deny).
"""

from __future__ import annotations

import logging
import tempfile
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import (
    FileResponse,
    Http404,
    HttpResponse,
    HttpResponseNotAllowed,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from common import xlsx
from common.collation import vi_sorted
from enterprises.models import Province
from enterprises.policy import visible_parks

from . import interchange
from .models import Campaign, ExportJob, ImportJob
from .services_exports import export_job_request, export_keep_days
from .services_imports import (
    REQUEST_MAX_ROWS,
    import_job_create,
    import_rows_check,
)
from .tasks import export_xlsx_publish, import_xlsx_publish

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: Errors shown on the page; the downloadable report has them all (up to SESSION_ERRORS).
PAGE_ERRORS = 200
#: Errors kept in the session for the downloadable report.
SESSION_ERRORS = 10_000


class ImportForm(forms.Form):
    """The upload: an XLSX file and the format of numbers typed as text."""

    file = forms.FileField(label=gettext_lazy("Excel file (.xlsx, at most 10 MB)"))
    number_format = forms.ChoiceField(
        label=gettext_lazy("Numbers typed as text are written"),
        choices=[
            ("vi", gettext_lazy("the Vietnamese way: 1.234,5")),
            ("en", gettext_lazy("the English way: 1,234.5")),
        ],
        widget=forms.RadioSelect,
    )


log = logging.getLogger(__name__)


def _language() -> str:
    return "en" if (get_language() or "vi").startswith("en") else "vi"


def _campaign(user, campaign_id: int) -> Campaign:
    return get_object_or_404(interchange.excel_campaigns(user), pk=campaign_id)


def _import_target(user, campaign_id: int, park_id: int):
    campaign = _campaign(user, campaign_id)
    park = get_object_or_404(interchange.importable_parks(user, campaign), pk=park_id)
    return campaign, park


def _session_key(campaign, park) -> str:
    return f"excel-import-errors-{campaign.pk}-{park.pk}"


@login_required
@require_GET
def excel_index(request):
    """Campaigns in the user's scope, each linking to its Excel page."""
    return render(
        request,
        "surveys/excel_index.html",
        {"campaigns": interchange.excel_campaigns(request.user)[:200]},
    )


@login_required
@require_GET
def excel_campaign(request, campaign_id: int):
    """One campaign: export form (shape, format, park) and, for importers, one line per park
    with its template and import links."""
    campaign = _campaign(request.user, campaign_id)
    export_parks = visible_parks(request.user).filter(responses__campaign=campaign).distinct()
    return render(
        request,
        "surveys/excel_campaign.html",
        {
            "campaign": campaign,
            "export_parks": vi_sorted(export_parks, key=lambda p: p.name),
            "document_provinces": vi_sorted(
                Province.objects.filter(parks__in=export_parks).distinct(),
                key=lambda p: p.name_vi,
            ),
            "import_parks": vi_sorted(
                interchange.importable_parks(request.user, campaign), key=lambda p: p.name
            ),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def excel_export(request, campaign_id: int):
    """Export the campaign's answers in the user's scope.

    Parameters (query for GET, form for POST): ``shape`` = long | wide, ``format`` = csv |
    xlsx, optional ``park`` (id of a park in scope; another answers 404). CSV is streamed row
    by row (GET or POST: it creates nothing). XLSX is built by a background job and is
    created by POST only (a GET answers 405: link prefetchers and crawlers must not create
    jobs and files): :func:`surveys.services_exports.export_job_request` returns the identical
    job still queued, running or fresh, or records a new one whose
    :func:`surveys.tasks.export_xlsx_task` is published after commit (inline in eager mode);
    the view redirects to the job page.
    """
    campaign = _campaign(request.user, campaign_id)
    params = request.POST if request.method == "POST" else request.GET
    shape = params.get("shape", "long")
    fmt = params.get("format", "csv")
    if shape not in interchange.EXPORT_SHAPES or fmt not in interchange.EXPORT_FORMATS:
        raise Http404
    if fmt == "xlsx" and request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    park = None
    if params.get("park"):
        try:
            park_id = int(params["park"])
        except ValueError:
            raise Http404 from None
        park = get_object_or_404(
            visible_parks(request.user).filter(responses__campaign=campaign).distinct(),
            pk=park_id,
        )
    filename = f"ecopark-{campaign.period}-campaign{campaign.pk}-{shape}"
    if park is not None:
        filename += f"-park{park.pk}"
    if fmt == "csv":
        response = StreamingHttpResponse(
            interchange.export_csv_chunks(
                campaign=campaign, user=request.user, shape=shape, park=park
            ),
            content_type="text/csv; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
        return response
    job, created = export_job_request(
        campaign=campaign, user=request.user, shape=shape, park=park, language=_language()
    )
    if created:
        transaction.on_commit(lambda: export_xlsx_publish(job_id=job.pk))
    return redirect("surveys:excel_export_job", job.pk)


def _own_job(user, job_id: int) -> ExportJob:
    """The export job if ``user`` requested it; anyone else (any role) gets 404."""
    return get_object_or_404(
        ExportJob.objects.select_related("campaign", "park"), pk=job_id, requested_by=user
    )


def _job_page(request, job: ExportJob, *, status: int = 200):
    """The job page of ``job`` with HTTP ``status`` (410 when served for an expired download)."""
    query = {"shape": job.shape, "format": "csv"}
    if job.park_id is not None:
        query["park"] = job.park_id
    return render(
        request,
        "surveys/excel_export_job.html",
        {
            "job": job,
            "csv_url": reverse("surveys:excel_export", args=[job.campaign_id])
            + "?"
            + urlencode(query),
            "keep_days": export_keep_days() if job.status == ExportJob.Status.EXPIRED else None,
        },
        status=status,
    )


@login_required
@require_GET
def excel_export_job(request, job_id: int):
    """The page of one XLSX export job: its status (refreshed every 3 s until done, failed or
    expired), the download link when done, the error and a CSV link when failed, and a link
    back to the export form when expired (file deleted). Requester only."""
    return _job_page(request, _own_job(request.user, job_id))


@login_required
@require_GET
def excel_export_download(request, job_id: int):
    """The finished workbook of an export job, as an attachment; 404 for anyone but the
    requester and while the job is not done; 410 Gone with the job page (saying the file was
    deleted, offering the export again) once the job has expired."""
    job = _own_job(request.user, job_id)
    if job.status == ExportJob.Status.EXPIRED:
        return _job_page(request, job, status=410)
    if job.status != ExportJob.Status.DONE or not job.file:
        raise Http404
    try:
        handle = job.file.open("rb")
    except FileNotFoundError:  # deleted on the server outside ecopark: the job has expired
        log.warning("export job %s: file %s is missing; marked expired", job.pk, job.file.name)
        ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.EXPIRED, file="")
        job.status, job.file = ExportJob.Status.EXPIRED, None
        return _job_page(request, job, status=410)
    return FileResponse(
        handle,
        as_attachment=True,
        filename=job.download_name(),
        content_type="application/zip" if job.is_documents else XLSX_CONTENT_TYPE,
    )


@login_required
@require_GET
def excel_template(request, campaign_id: int, park_id: int):
    """The XLSX template of a park's enterprises for the campaign, prefilled (importers only)."""
    campaign, park = _import_target(request.user, campaign_id, park_id)
    out = tempfile.TemporaryFile(suffix=".xlsx")
    interchange.template_write(campaign=campaign, park=park, file=out, user=request.user)
    out.seek(0)
    return FileResponse(
        out,
        as_attachment=True,
        filename=f"ecopark-{campaign.period}-campaign{campaign.pk}-park{park.pk}-template.xlsx",
        content_type=XLSX_CONTENT_TYPE,
    )


@login_required
def excel_import(request, campaign_id: int, park_id: int):
    """Upload a filled template: the whole file is checked, then saved all or nothing.

    A refused file or any cell error re-renders the page with the errors (sheet, row, column,
    header, reason) and a link to the full report; nothing is saved. A file of more than
    ``services_imports.MAX_IMPORT_ROWS`` rows is refused at once; one of more than
    ``services_imports.REQUEST_MAX_ROWS`` rows is imported by a background job, and the
    request redirects to its page (:func:`excel_import_job`).
    """
    campaign, park = _import_target(request.user, campaign_id, park_id)
    key = _session_key(campaign, park)
    errors: list[dict] = []
    refused = ""
    if request.method == "POST":
        if int(request.META.get("CONTENT_LENGTH") or 0) > xlsx.MAX_UPLOAD_BYTES + 65536:
            form = ImportForm(initial={"number_format": request.POST.get("number_format")})
            refused = _("The file is larger than %(max)s MB and was not read.") % {
                "max": xlsx.MAX_UPLOAD_BYTES // 1024 // 1024
            }
        else:
            form = ImportForm(request.POST, request.FILES)
        if not refused and form.is_valid():
            try:
                rows = import_rows_check(form.cleaned_data["file"])
            except xlsx.FileRefused as exc:
                refused = " ".join(exc.messages)
        if not refused and form.is_valid() and rows > REQUEST_MAX_ROWS:
            job = import_job_create(
                campaign=campaign,
                park=park,
                user=request.user,
                file=form.cleaned_data["file"],
                language=form.cleaned_data["number_format"],
                rows=rows,
            )
            transaction.on_commit(lambda: import_xlsx_publish(job_id=job.pk))
            return redirect("surveys:excel_import_job", job.pk)
        if not refused and form.is_valid():
            try:
                check = interchange.import_check(
                    campaign=campaign,
                    park=park,
                    file=form.cleaned_data["file"],
                    language=form.cleaned_data["number_format"],
                    user=request.user,
                )
            except xlsx.FileRefused as exc:
                refused = " ".join(exc.messages)
            else:
                if check.ok and not check.rows:
                    request.session.pop(key, None)
                    messages.success(
                        request,
                        _(
                            "The file was read (%(rows)s rows): its answers equal the saved "
                            "ones, so there is nothing to change."
                        )
                        % {"rows": check.rows_read},
                    )
                    return redirect("surveys:excel_import", campaign.pk, park.pk)
                if check.ok:
                    try:
                        result = interchange.import_save(check=check, user=request.user)
                    except ValidationError as exc:
                        refused = " ".join(exc.messages)
                    else:
                        request.session.pop(key, None)
                        messages.success(
                            request,
                            _(
                                "Import saved. Rows read: %(rows)s; answers changed: "
                                "%(answers)s; responses changed: %(responses)s."
                            )
                            % {
                                "rows": check.rows_read,
                                "answers": result.changed,
                                "responses": result.responses_changed,
                            },
                        )
                        return redirect("surveys:excel_import", campaign.pk, park.pk)
                else:
                    errors = [e.as_dict() for e in check.errors]
                    request.session[key] = errors[:SESSION_ERRORS]
    else:
        form = ImportForm(initial={"number_format": _language()})
    return render(
        request,
        "surveys/excel_import.html",
        {
            "campaign": campaign,
            "park": park,
            "form": form,
            "refused": refused,
            "errors": errors[:PAGE_ERRORS],
            "error_count": len(errors),
            "max_mb": xlsx.MAX_UPLOAD_BYTES // 1024 // 1024,
        },
    )


@login_required
@require_GET
def excel_import_errors(request, campaign_id: int, park_id: int):
    """The error report of the user's last refused import of that park, as CSV (404 when
    there is none)."""
    campaign, park = _import_target(request.user, campaign_id, park_id)
    errors = request.session.get(_session_key(campaign, park))
    if not errors:
        raise Http404
    response = HttpResponse(
        interchange.error_report_csv(errors), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="ecopark-import-errors-campaign{campaign.pk}-park{park.pk}.csv"'
    )
    return response


def _own_import(user, job_id: int) -> ImportJob:
    """The import job if ``user`` started it and may still import for its park; else 404."""
    job = get_object_or_404(
        ImportJob.objects.select_related("campaign", "park"), pk=job_id, requested_by=user
    )
    _import_target(user, job.campaign_id, job.park_id)
    return job


@login_required
@require_GET
def excel_import_job(request, job_id: int):
    """The page of a background import: rows checked so far (refreshed every 3 s until done
    or failed), then what was saved, or why the file was refused with every cell error (the
    first :data:`PAGE_ERRORS` shown, all in the CSV report). Its requester only."""
    job = _own_import(request.user, job_id)
    return render(
        request,
        "surveys/excel_import_job.html",
        {"job": job, "errors": job.errors[:PAGE_ERRORS], "error_count": len(job.errors)},
    )


@login_required
@require_GET
def excel_import_job_errors(request, job_id: int):
    """The cell errors of a refused background import, as CSV (404 when there are none)."""
    job = _own_import(request.user, job_id)
    if not job.errors:
        raise Http404
    response = HttpResponse(
        interchange.error_report_csv(job.errors), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="ecopark-import-errors-job{job.pk}.csv"'
    )
    return response
