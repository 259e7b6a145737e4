"""Downloads of the official documents (``surveys.documents``, ``docs/documents.md``): one form
of one response as DOCX or PDF, and a campaign's documents as one ZIP built by a background job
(the XLSX exports' job, page and download: ``surveys/views_excel.py``).

Default deny through the permission policy: a response the user may not view answers 404, as
does a form the response does not file, a format other than DOCX and PDF, a campaign with no
response in scope, and a park or province outside it.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_GET, require_POST

from common.formats import active_language
from enterprises.models import Province
from enterprises.policy import Action, can, visible_parks

from . import documents, interchange
from .codes import FORM_LABELS
from .models import Response
from .services_exports import export_job_request
from .tasks import export_xlsx_publish


def _language(request) -> str:
    """``?lang=vi|en`` when given, else the user's language."""
    asked = request.GET.get("lang", "")
    return asked if asked in ("vi", "en") else active_language()


@login_required
@require_GET
def response_document(request, pk: int, form: str, fmt: str):
    """One form (``A4``, ``A5``, ``B4``, ``B5``) of response ``pk`` as ``fmt`` (``docx`` |
    ``pdf``), an attachment named by its code (``EZ_A4_17.pdf``), in Vietnamese or, with
    ``?lang=en`` (or an English interface), in English. 404 outside the user's reading scope
    (``can(user, "view", response)``), for a form the response does not file and an unknown
    format. A PDF that cannot be rendered on this server answers 503 saying so."""
    response = get_object_or_404(
        Response.objects.select_related("campaign", "park__province", "enterprise"), pk=pk
    )
    code = FORM_LABELS.get(form.upper())
    if not can(request.user, Action.VIEW, response) or fmt not in documents.FORMATS or not code:
        raise Http404
    found = documents.report_documents(
        response, request.user, language=_language(request), forms=[code]
    )
    if not found:  # a form this response does not file
        raise Http404
    doc = found[0]
    try:
        data = documents.write_document(doc, fmt)
    except documents.DocumentUnavailable as exc:
        return HttpResponse(str(exc), status=503, content_type="text/plain; charset=utf-8")
    reply = HttpResponse(data, content_type=documents.CONTENT_TYPES[fmt])
    reply["Content-Disposition"] = f'attachment; filename="{doc.filename(fmt)}"'
    return reply


@login_required
@require_POST
def documents_archive(request, campaign_id: int):
    """Ask for the ZIP of a campaign's documents in the user's scope: form fields ``format``
    (``docx`` | ``pdf``), optional ``province`` and ``park`` (ids in scope; others 404). Like
    the XLSX export, a background job (:func:`surveys.services_exports.export_job_request`:
    an identical job still queued, running or fresh is reused), offered to the requester only
    on its job page."""
    campaign = get_object_or_404(interchange.excel_campaigns(request.user), pk=campaign_id)
    fmt = request.POST.get("format", "pdf")
    if fmt not in documents.FORMATS:
        raise Http404
    parks = visible_parks(request.user).filter(responses__campaign=campaign).distinct()
    park = province = None
    try:
        if request.POST.get("park"):
            park = get_object_or_404(parks, pk=int(request.POST["park"]))
        if request.POST.get("province"):
            province = get_object_or_404(
                Province.objects.filter(parks__in=parks).distinct(),
                pk=int(request.POST["province"]),
            )
    except ValueError:
        raise Http404 from None
    job, created = export_job_request(
        campaign=campaign,
        user=request.user,
        shape=fmt,
        park=park,
        province=province,
        language=active_language(),
    )
    if created:
        transaction.on_commit(lambda: export_xlsx_publish(job_id=job.pk))
    return redirect("surveys:excel_export_job", job.pk)
