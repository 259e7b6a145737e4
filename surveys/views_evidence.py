"""Evidence pages and the autosave endpoint of the response form.

Every view looks its object up through the permission policy (``responses_visible`` /
``surveys.evidence.evidence_visible``, both ``enterprises.policy.restrict``): outside
the user's scope, or a guessed id, answers 404. Only the respondent changes anything (403
for a reviewer who may see but not change).

Autosave is all or nothing per request, like the "Save draft" button: if any field cannot be
read (or breaks a cross-field rule) nothing is saved and the 400 answer names those fields;
the browser keeps what was typed (``static/js/autosave.js`` holds it in ``localStorage``)
and sends it again on the next change. A save based on an older version answers 409 with
both values of each field that differs.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import formats, timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from common.formats import active_language
from enterprises.policy import can_respond

from .evidence import (
    evidence_delete,
    evidence_elements,
    evidence_form_items,
    evidence_upload,
    evidence_visible,
)
from .forms import ResponseForm, element_label
from .forms_report import ReportBinding
from .models import Answer, Response
from .reports import item_title, response_forms
from .selectors import response_editable_by, responses_visible
from .services import StaleVersionError, response_elements, response_save_answers

# --------------------------------------------------------------------------------------
# Evidence
# --------------------------------------------------------------------------------------


def _may_change(response: Response, user) -> bool:
    """The respondent of a draft or returned response: may try a change, which the services
    still refuse outside the reporting period (``surveys.periods``) with the date named."""
    return response.is_editable and can_respond(
        user, park_id=response.park_id, enterprise_id=response.enterprise_id
    )


def _next_url(request, response: Response) -> str:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return redirect("surveys:evidence", pk=response.pk).url


@login_required
@require_http_methods(["GET", "POST"])
def evidence_page(request, pk: int):
    """A response's evidence: the list (everyone who may see the response) and, for the
    respondent while the response is editable, the upload form.

    POST (multipart): ``data_element`` (a code that accepts evidence), ``file``; optional
    ``next`` (a local URL to return to). A refused file re-renders the page with the reason
    (HTTP 400); nothing is stored.
    """
    response = get_object_or_404(responses_visible(request.user), pk=pk)
    errors: list[str] = []
    chosen = ""
    if request.method == "POST":
        if not _may_change(response, request.user):
            raise PermissionDenied
        chosen = request.POST.get("data_element", "")
        element = {e.code: e for e in evidence_elements(response)}.get(chosen)
        items = {i.ident: i for i in evidence_form_items(response)}
        upload = request.FILES.get("file")
        if element is None and chosen not in items:
            errors.append(_("Choose the answer this file proves."))
        if upload is None:
            errors.append(_("Choose a file to upload."))
        if not errors:
            try:
                evidence = evidence_upload(
                    response=response,
                    data_element=element,
                    item="" if element is not None else chosen,
                    file=upload,
                    user=request.user,
                )
            except ValidationError as exc:
                errors.extend(exc.messages)
            else:
                label = (
                    element_label(element)
                    if element is not None
                    else item_title(items[chosen], active_language())
                )
                messages.success(
                    request,
                    _("«%(name)s» was added as evidence for «%(label)s».")
                    % {"name": evidence.original_name, "label": label},
                )
                return redirect(_next_url(request, response))
    else:
        chosen = request.GET.get("item", "")
    return render(
        request,
        "surveys/evidence_page.html",
        {"response": response, "errors": errors, "chosen": chosen},
        status=400 if errors else 200,
    )


@login_required
def evidence_download(request, pk: int):
    """The evidence file, as an attachment under its original name, with the content type
    read from its content at upload. 404 outside the user's scope or for an unknown id."""
    evidence = get_object_or_404(evidence_visible(request.user), pk=pk)
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError:
        raise Http404(_("The file is missing from storage.")) from None
    reply = FileResponse(
        handle,
        as_attachment=True,
        filename=evidence.original_name,
        content_type=evidence.content_type,
    )
    reply["X-Content-Type-Options"] = "nosniff"
    reply["Content-Security-Policy"] = "default-src 'none'; sandbox"
    reply["Cache-Control"] = "private, no-store"
    return reply


@login_required
@require_POST
def evidence_remove(request, pk: int):
    """Delete one evidence file (respondent, editable response); back to ``next``."""
    evidence = get_object_or_404(evidence_visible(request.user), pk=pk)
    response = evidence.response
    if not _may_change(response, request.user):
        raise PermissionDenied
    evidence_delete(evidence=evidence, user=request.user)
    messages.success(request, _("«%(name)s» was deleted.") % {"name": evidence.original_name})
    return redirect(_next_url(request, response))


# --------------------------------------------------------------------------------------
# Autosave
# --------------------------------------------------------------------------------------


def _autosave_messages() -> dict[str, str]:
    """The texts ``autosave.js`` shows, in the active language."""
    return {
        "saving": _("Saving…"),
        "unsent": _("Not saved yet: your changes are kept on this device and will be sent again."),
        "restored": _("Changes typed earlier on this device were restored; saving them now."),
        "restore_prompt": _(
            "This device holds changes typed on %(at)s that the server did not receive, but "
            "the response has been saved since. Restore your changes over the saved ones?"
        ),
        "restore": _("Restore my changes"),
        "discard": _("Discard them"),
        "reload": _("Reload the page"),
    }


def _saved_message(response: Response) -> str:
    at = formats.time_format(timezone.localtime(response.updated_at), "H:i")
    return _("Draft saved automatically at %(time)s.") % {"time": at}


def _stored_text(answer: Answer | None) -> str:
    if answer is None:
        return ""
    if answer.value_bool is not None:
        return _("Yes") if answer.value_bool else _("No")
    return answer.raw or answer.display_value


def _typed_text(value) -> str:
    if value.flag is not None:
        return _("Yes") if value.flag else _("No")
    return value.raw


def _conflicts(response: Response, form: ResponseForm) -> list[dict]:
    stored = {
        a.data_element_id: a
        for a in Answer.objects.filter(response_id=response.pk).select_related("data_element")
    }
    out = []
    for element, value in form.cleaned_values().items():
        answer = stored.get(element.pk)
        mine = (value.number, value.flag, value.text or "")
        theirs = (
            (answer.value_number, answer.value_bool, answer.value_text or "")
            if answer
            else (None, None, "")
        )
        if mine == theirs:
            continue
        yours, saved = _typed_text(value), _stored_text(answer)
        label = element_label(element)
        out.append(
            {
                "field": element.code,
                "label": label,
                "yours": yours,
                "theirs": saved,
                "message": _("«%(label)s»: yours “%(yours)s”, saved “%(theirs)s”.")
                % {"label": label, "yours": yours or "—", "theirs": saved or "—"},
            }
        )
    return out


@login_required
@require_http_methods(["GET", "POST"])
def response_autosave(request, pk: int):
    """Autosave endpoint of the response form (JSON).

    GET → ``{"version", "saved_at", "editable", "messages"}`` (the texts of the script).
    POST (the whole form, as ``ResponseForm`` reads it, with ``version``) →

    - 200 ``{"saved": true, "version", "saved_at" (ISO 8601), "message"}``;
    - 400 ``{"saved": false, "errors": {field: [messages]}, "fields": [labels],
      "message"}`` when a field cannot be read or breaks a cross-field rule: nothing saved;
    - 409 ``{"saved": false, "version" (the stored one), "conflicts": [{"field", "label",
      "yours", "theirs", "message"}], "message"}`` when someone saved since: nothing saved;
    - 403 when the user is not the respondent, the response is locked or its reporting
      period is not open (``code`` ``period_not_open`` / ``period_closed``, the message
      naming the date); 404 outside scope.
    """
    response = get_object_or_404(responses_visible(request.user), pk=pk)
    if request.method == "GET":
        return JsonResponse(
            {
                "version": response.version,
                "saved_at": response.updated_at.isoformat(),
                "editable": response_editable_by(request.user, response),
                "messages": _autosave_messages(),
            }
        )
    if not _may_change(response, request.user):
        return JsonResponse(
            {"saved": False, "message": _("This response can no longer be changed by you.")},
            status=403,
        )
    elements = response_elements(response)
    binding = None
    if response_forms(response):
        binding = ReportBinding(response, request.user, request.POST)
        form = binding.element_form
        valid = binding.is_valid()
    else:
        form = ResponseForm(
            request.POST,
            elements=elements,
            answers={a.data_element_id: a for a in Answer.objects.filter(response=response)},
        )
        valid = form.is_valid()
    if not valid:
        errors = {name: [str(m) for m in msgs] for name, msgs in form.errors.items()}
        if binding is not None:
            errors.update(binding.errors)
        labels = [
            form.fields[name].label if name in form.fields and name != "version" else name
            for name in errors
        ]
        return JsonResponse(
            {
                "saved": False,
                "errors": errors,
                "fields": labels,
                "message": _(
                    "Not saved: %(reasons)s Your other changes are saved once this is corrected."
                )
                % {"reasons": " ".join(m for msgs in errors.values() for m in msgs)},
            },
            status=400,
        )
    try:
        if binding is not None:
            saved = binding.save(expected_version=form.cleaned_data["version"])
        else:
            saved = response_save_answers(
                response=response,
                values=form.cleaned_values(),
                user=request.user,
                expected_version=form.cleaned_data["version"],
            )
    except StaleVersionError as exc:
        conflicts = _conflicts(response, form)
        return JsonResponse(
            {
                "saved": False,
                "version": exc.current_version,
                "conflicts": conflicts,
                "message": " ".join([exc.messages[0]] + [c["message"] for c in conflicts]),
            },
            status=409,
        )
    except PermissionDenied as exc:
        return JsonResponse({"saved": False, "message": str(exc)}, status=403)
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):  # a registry value refused (Part I of the report)
            return JsonResponse(
                {
                    "saved": False,
                    "errors": exc.message_dict,
                    "fields": list(exc.message_dict),
                    "message": " ".join(exc.messages),
                },
                status=400,
            )
        # locked meanwhile (submitted by a colleague), or the reporting period is over
        return JsonResponse(
            {"saved": False, "code": exc.code, "message": " ".join(exc.messages)}, status=403
        )
    return JsonResponse(
        {
            "saved": True,
            "version": saved.version,
            "saved_at": saved.updated_at.isoformat(),
            "message": _saved_message(saved),
        }
    )
