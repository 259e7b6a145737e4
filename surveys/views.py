"""Survey pages: the inbox, the response form with its review, history and comments, the
campaigns (opening, completion per park, bulk approval).

Every page reads through ``surveys.selectors`` (scoped by ``enterprises.policy``): an object
outside the user's scope answers 404, whether or not it exists.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common.formats import active_language
from enterprises.policy import can_respond

from .forms import ResponseForm
from .forms_report import ReportBinding
from .forms_workflow import CampaignOpenForm, ReviewForm
from .models import Answer, ProductionLine, Response
from .reports import response_forms
from .selectors import (
    campaign_completion,
    campaigns_followed,
    campaigns_visible,
    can_open_campaigns,
    can_reopen,
    can_review,
    inbox_for,
    is_reviewer,
    response_answer_history,
    response_latest_comments,
    response_transitions,
    responses_reviewable,
    responses_visible,
)
from .services import (
    BulkApproveError,
    IncompleteReport,
    StaleVersionError,
    campaign_open,
    response_approve,
    response_bulk_approve,
    response_elements,
    response_reopen,
    response_return,
    response_save_answers,
    response_submit,
)


@login_required
def response_list(request):
    """The inbox: the user's own responses grouped (due, overdue, returned with comments,
    submitted, approved), the responses waiting for their review, and for reviewers the
    completion per park of the latest campaign they follow."""
    inbox = inbox_for(user=request.user, today=timezone.localdate())
    campaign = campaigns_followed(request.user).first()
    completion = campaign_completion(campaign=campaign, user=request.user) if campaign else []
    return render(
        request,
        "surveys/response_list.html",
        {
            "inbox": inbox,
            "campaign": campaign,
            "completion": completion[:200],
            "completion_more": len(completion) > 200,
            "reviewer": is_reviewer(request.user),
            "can_open": can_open_campaigns(request.user),
        },
    )


def _initial(response, elements) -> dict:
    initial = {"version": response.version}
    answers = {a.data_element_id: a for a in Answer.objects.filter(response=response)}
    for element in elements:
        answer = answers.get(element.pk)
        if answer is None:
            continue
        if element.value_type == "yes_no":
            initial[element.code] = (
                "" if answer.value_bool is None else ("yes" if answer.value_bool else "no")
            )
        else:
            initial[element.code] = answer.raw or answer.display_value
        if answer.unit_entered:
            initial[f"{element.code}__unit"] = answer.unit_entered
    return initial


def _render_detail(
    request,
    response,
    elements,
    form,
    editable,
    *,
    review_form=None,
    conflicts=(),
    status=200,
    binding=None,
    missing=(),
):
    """The response page: the official report forms when the campaign collects them (parts
    and sections with their answered counts, each field with its suggestion, origin, history
    and comment), the other questions, the workflow steps and, for reviewers, the review
    form."""
    reviewer = can_review(request.user, response)
    reopener = can_reopen(request.user, response)
    can_act = {
        "return": reviewer and response.status == Response.Status.SUBMITTED,
        "approve": reviewer and response.status == Response.Status.SUBMITTED,
        "reopen": reopener and response.status == Response.Status.APPROVED,
    }
    review_errors = []
    if review_form is not None and review_form.is_bound:
        review_errors = [e for errors in review_form.errors.values() for e in errors]
    if not any(can_act.values()):
        review_form = None
    elif review_form is None:
        review_form = ReviewForm(elements=elements)
    if not editable:
        for field in form.fields.values():
            field.disabled = True
    history = response_answer_history(response=response)
    comments = response_latest_comments(response=response)
    conflict_by_code = {c.element.code: c for c in conflicts}
    in_forms = set()
    blocks = []
    if binding is not None:
        in_forms = {code for f in binding.ctx.forms for code in f.element_codes()}
        blocks = binding.blocks(editable=editable, history=history, comments=comments)
    rows = []
    for element in elements:
        if element.code in in_forms:
            continue
        unit_name = f"{element.code}__unit"
        rows.append(
            {
                "element": element,
                "field": form[element.code],
                "unit": form[unit_name] if unit_name in form.fields else None,
                "history": history.get(element.pk, []),
                "comment": comments.get(element.pk),
                "conflict": conflict_by_code.get(element.code),
                "review_field": review_form[f"comment__{element.code}"]
                if review_form is not None
                else None,
            }
        )
    report_errors = binding.error_list() if binding is not None and binding.errors else []
    return render(
        request,
        "surveys/response_detail.html",
        {
            "response": response,
            "form": form,
            "rows": rows,
            "editable": editable,
            "review_form": review_form,
            "review_errors": review_errors,
            "can_act": can_act,
            "conflicts": conflicts,
            "return_step": response.return_step,
            "return_comments": response.return_comments,
            "transitions": response_transitions(response=response),
            "blocks": blocks,
            "report_errors": report_errors,
            "missing": missing,
            "language": active_language(),
            "yes_no": [("yes", _("Yes")), ("no", _("No"))],
            "production_units": ProductionLine.Unit.values,
            "production_carriers": ProductionLine.Carrier.choices,
        },
        status=status,
    )


def _report_detail(request, response, elements, editable):
    """The response page of a response with official report forms (see
    :class:`surveys.forms_report.ReportBinding`): saving stores every part together;
    submitting saves, then checks completeness and, when required fields are blank, keeps the
    draft and lists each of them with a link."""
    if request.method != "POST":
        binding = ReportBinding(response, request.user, initial=_initial(response, elements))
        return _render_detail(
            request, response, elements, binding.element_form, editable, binding=binding
        )
    if not editable:
        raise PermissionDenied
    binding = ReportBinding(response, request.user, request.POST)
    conflicts = []
    status = 400
    if binding.is_valid():
        try:
            saved = binding.save(expected_version=binding.element_form.cleaned_data["version"])
        except StaleVersionError as exc:
            conflicts = exc.conflicts
            binding.element_form.add_error(None, exc)
            binding.element_form.data = binding.element_form.data.copy()
            binding.element_form.data["version"] = exc.current_version
            status = 409
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for name, msgs in exc.message_dict.items():
                    binding.errors.setdefault(name, []).extend(msgs)
            else:
                for message in exc.messages:
                    binding.element_form.add_error(None, message)
        else:
            if request.POST.get("action") != "submit":
                messages.success(request, _("Draft saved."))
                return redirect("surveys:response", pk=response.pk)
            try:
                response_submit(response=saved, user=request.user)
            except ValidationError as exc:  # incomplete (listed with links) or locked meanwhile
                fresh = ReportBinding(saved, request.user, initial=_initial(saved, elements))
                missing = exc.missing if isinstance(exc, IncompleteReport) else ()
                if not missing:
                    for message in exc.messages:
                        fresh.element_form.add_error(None, message)
                return _render_detail(
                    request,
                    saved,
                    elements,
                    fresh.element_form,
                    editable,
                    binding=fresh,
                    missing=missing,
                    status=400,
                )
            messages.success(request, _("Response submitted. The scores are being recomputed."))
            if response.enterprise_id:
                return redirect("dashboards:enterprise", pk=response.enterprise_id)
            return redirect("dashboards:park", pk=response.park_id)
    response.refresh_from_db(fields=["status", "version"])
    editable = editable and response.is_editable
    return _render_detail(
        request,
        response,
        elements,
        binding.element_form,
        editable,
        binding=binding,
        conflicts=conflicts,
        status=status,
    )


@login_required
def response_detail(request, pk: int):
    """Show a response; its respondent edits it while it is a draft or returned.

    POST ``action=save`` stores a draft; ``action=submit`` stores and submits. A value that
    cannot be read re-renders the form with the message and what was typed; nothing is saved.
    A save based on a stale version is refused showing, per conflicting field, the value typed
    and the value now saved; the form keeps what was typed, and saving again stores it.
    A response whose campaign collects official report forms is laid out as those forms
    (:func:`_report_detail`).
    """
    response = get_object_or_404(responses_visible(request.user), pk=pk)
    elements = response_elements(response)
    editable = response.is_editable and can_respond(
        request.user, park_id=response.park_id, enterprise_id=response.enterprise_id
    )
    if response_forms(response):
        return _report_detail(request, response, elements, editable)
    conflicts = []
    if request.method == "POST":
        if not editable:
            raise PermissionDenied
        form = ResponseForm(request.POST, elements=elements)
        if form.is_valid():
            try:
                saved = response_save_answers(
                    response=response,
                    values=form.cleaned_values(),
                    user=request.user,
                    expected_version=form.cleaned_data["version"],
                )
                if request.POST.get("action") == "submit":
                    response_submit(response=saved, user=request.user)
                    messages.success(
                        request, _("Response submitted. The scores are being recomputed.")
                    )
                    if response.enterprise_id:
                        return redirect("dashboards:enterprise", pk=response.enterprise_id)
                    return redirect("dashboards:park", pk=response.park_id)
                messages.success(request, _("Draft saved."))
                return redirect("surveys:response", pk=response.pk)
            except StaleVersionError as exc:
                conflicts = exc.conflicts
                form.add_error(None, exc)
                if conflicts:
                    form.add_error(
                        None,
                        _(
                            "Compare the values below: the form still holds yours. "
                            "Saving again stores the values in the form."
                        ),
                    )
                    # the person has now seen both values: a second save is deliberate
                    form.data = form.data.copy()
                    form.data["version"] = exc.current_version
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
                if request.POST.get("action") == "submit":
                    # the answers were saved; keep the form bound to what was typed
                    response.refresh_from_db()
                    form.data = form.data.copy()
                    form.data["version"] = response.version
        response.refresh_from_db(fields=["status", "version"])
        editable = editable and response.is_editable
    else:
        form = ResponseForm(initial=_initial(response, elements), elements=elements)
    return _render_detail(request, response, elements, form, editable, conflicts=conflicts)


@login_required
@require_POST
def response_review(request, pk: int):
    """A reviewer returns, approves or reopens a response (``action``), with a ``reason``
    and ``comment__<code>`` per answer. Errors re-render the page keeping what was typed."""
    response = get_object_or_404(responses_visible(request.user), pk=pk)
    elements = response_elements(response)
    review_form = ReviewForm(request.POST, elements=elements)
    if not review_form.is_valid():
        raise Http404  # an unknown action
    action = review_form.cleaned_data["action"]
    reason = review_form.cleaned_data["reason"]
    try:
        if action == "approve":
            response_approve(response=response, user=request.user)
            messages.success(request, _("Response approved; its answers are now locked."))
        elif action == "return":
            response_return(
                response=response,
                user=request.user,
                reason=reason,
                comments=review_form.comments(),
            )
            messages.success(request, _("Response returned to its respondent."))
        else:
            response_reopen(
                response=response,
                user=request.user,
                reason=reason,
                comments=review_form.comments(),
            )
            messages.success(request, _("Response reopened and returned to its respondent."))
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            for name, errors in exc.message_dict.items():
                target = name if name in review_form.fields else None
                for message in errors:
                    review_form.add_error(target, message)
        else:
            for message in exc.messages:
                review_form.add_error(None, message)
        response.refresh_from_db()
        binding = None
        if response_forms(response):
            binding = ReportBinding(response, request.user, initial=_initial(response, elements))
            form = binding.element_form
        else:
            form = ResponseForm(initial=_initial(response, elements), elements=elements)
        return _render_detail(
            request, response, elements, form, False, review_form=review_form, binding=binding
        )
    return redirect("surveys:response", pk=response.pk)


@login_required
def campaign_list(request):
    """Campaigns in the user's scope; ministry staff and boards may open one from here."""
    return render(
        request,
        "surveys/campaign_list.html",
        {
            "campaigns": campaigns_visible(request.user)[:200],
            "can_open": can_open_campaigns(request.user),
            "reviewer": is_reviewer(request.user),
        },
    )


@login_required
def campaign_new(request):
    """Open a campaign (ministry: any scope; board: its own province). Others: 404."""
    if not can_open_campaigns(request.user):
        raise Http404
    form = CampaignOpenForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            campaign = campaign_open(user=request.user, **form.service_kwargs())
        except ValidationError as exc:
            for name, errors in exc.message_dict.items():
                for message in errors:
                    form.add_error(name if name in form.fields else None, message)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            count = campaign.responses.count()
            messages.success(
                request,
                _("Campaign opened: %(count)s responses created.") % {"count": count},
            )
            return redirect("surveys:campaign", pk=campaign.pk)
    return render(request, "surveys/campaign_form.html", {"form": form})


@login_required
def campaign_detail(request, pk: int):
    """A campaign for reviewers: completion per park and the responses waiting for the user's
    review, with bulk approval. Enterprises and anyone outside scope: 404."""
    campaign = get_object_or_404(campaigns_followed(request.user), pk=pk)
    to_review = list(
        responses_reviewable(request.user)
        .filter(campaign=campaign, status=Response.Status.SUBMITTED)
        .order_by("park__name_vi", "enterprise__name")[:500]
    )
    return render(
        request,
        "surveys/campaign_detail.html",
        {
            "campaign": campaign,
            "completion": campaign_completion(campaign=campaign, user=request.user),
            "to_review": to_review,
        },
    )


@login_required
@require_POST
def campaign_bulk_approve(request, pk: int):
    """Approve the ticked responses (``responses`` ids) all or nothing; report each failure."""
    campaign = get_object_or_404(campaigns_followed(request.user), pk=pk)
    ids = []
    for value in request.POST.getlist("responses"):
        if not value.isdigit():
            raise Http404
        ids.append(int(value))
    try:
        approved = response_bulk_approve(response_ids=ids, user=request.user)
    except BulkApproveError as exc:
        messages.error(request, _("Nothing was approved:"))
        for message in exc.messages:
            messages.error(request, message)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("%(count)s responses approved.") % {"count": len(approved)})
    return redirect("surveys:campaign", pk=campaign.pk)
