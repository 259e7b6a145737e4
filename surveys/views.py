"""Survey pages: the inbox, the response form with its review, history and comments, the
campaigns (opening, completion per park, bulk approval).

Every page reads through ``surveys.selectors`` (scoped by ``enterprises.policy``): an object
outside the user's scope answers 404, whether or not it exists.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from common.collation import vi_sorted
from common.formats import active_language
from enterprises.policy import can_respond

from .codes import response_codes
from .forms import ResponseForm
from .forms_report import ReportBinding
from .forms_workflow import CampaignOpenForm, ExtensionForm, ReviewForm
from .models import Answer, ProductionLine, Response
from .periods import default_campaign, format_date, period_refusal, response_period
from .reports import response_forms
from .selectors import (
    campaign_completion,
    campaigns_followed,
    campaigns_visible,
    can_extend,
    can_open_campaigns,
    can_reopen,
    can_review,
    inbox_for,
    is_reviewer,
    response_answer_history,
    response_editable_by,
    response_extensions,
    response_latest_comments,
    response_transitions,
    responses_reviewable,
    responses_search,
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
    response_extend,
    response_reopen,
    response_return,
    response_save_answers,
    response_submit,
)


@login_required
def response_list(request):
    """The inbox: the user's own responses grouped (due, overdue, returned with comments,
    submitted, approved), the responses waiting for their review, and for reviewers the
    completion per park of the default campaign they follow (:func:`surveys.periods.default_campaign`:
    the latest one already open). ``?q=`` searches the responses
    in scope by report code (``EZ_A4_17``) or respondent name."""
    today = timezone.localdate()
    inbox = inbox_for(user=request.user, today=today)
    query = (request.GET.get("q") or "").strip()[:200]
    found = responses_search(user=request.user, text=query, today=today) if query else None
    campaign = default_campaign(campaigns_followed(request.user), today)
    completion = campaign_completion(campaign=campaign, user=request.user) if campaign else []
    return render(
        request,
        "surveys/response_list.html",
        {
            "inbox": inbox,
            "query": query,
            "found": found,
            "campaign": campaign,
            "completion": completion[:200],
            "completion_more": len(completion) > 200,
            "reviewer": is_reviewer(request.user),
            "can_open": can_open_campaigns(request.user),
        },
    )


def _answers(response) -> dict:
    """The response's stored answers by data element id (the form shows them and keeps the
    untouched ones as stored)."""
    return {a.data_element_id: a for a in Answer.objects.filter(response=response)}


def _period_note(response) -> str:
    """Why a draft or returned response cannot be changed today (the services' message
    naming the date), or ""."""
    refusal = period_refusal(response) if response.is_editable else None
    return refusal.messages[0] if refusal is not None else ""


def _show_stale(form, exc: StaleVersionError) -> None:
    """Put a refused stale save (``exc``) on ``form``, which keeps what was typed.

    With differing fields listed (``exc.conflicts``, shown side by side on the page) the form
    moves to the version now saved: the person has seen both values, so saving again is
    deliberate and stores every value of the form. With none listed the version stays, so a
    second save is refused again rather than overwriting a change the person has not seen.
    """
    form.add_error(None, exc)
    if exc.conflicts:
        form.add_error(
            None,
            _(
                "Compare the values below: the form holds what you sent, including fields you "
                "did not change. Saving again stores every value of the form."
            ),
        )
        form.data = form.data.copy()
        form.data["version"] = exc.current_version
    else:
        form.add_error(
            None,
            _(
                "None of the values you sent differs from what is saved now: reload the page "
                "to go on from the saved version."
            ),
        )


def _render_detail(
    request,
    response,
    elements,
    form,
    editable,
    *,
    review_form=None,
    extension_form=None,
    conflicts=(),
    status=200,
    binding=None,
    missing=(),
):
    """The response page: its report codes and reporting period; the official report forms
    when the campaign collects them (parts and sections with their answered counts, each field
    with its suggestion, origin, history and comment), the other questions (read-only unless
    editable), the workflow steps and extensions, for reviewers the review form and, for the
    board or the ministry, the extension form."""
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
        if form.is_bound:  # a refused save: the read-only fields still show what was typed
            form.initial = {
                **form.initial,
                **{n: form.data[n] for n in form.fields if n in form.data},
            }
        for field in form.fields.values():
            field.disabled = True
    if extension_form is None and response.is_editable and can_extend(request.user, response):
        extension_form = ExtensionForm()
    elif not response.is_editable:
        extension_form = None
    transitions = response_transitions(response=response)
    history = response_answer_history(response=response)
    comments = response_latest_comments(response=response)
    conflict_by_code = {c.code: c for c in conflicts}
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
    # a refused stale save is not the person's mistake: the page says what happened instead
    # of "please correct" (the error itself names the version now saved)
    stale = form is not None and any(
        error.code == "stale_version" for error in form.errors.as_data().get(NON_FIELD_ERRORS, [])
    )
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
            "stale": stale,
            "return_step": response.return_step,
            "return_comments": response.return_comments,
            "transitions": transitions,
            "approval": next(
                (t for t in reversed(transitions) if t.to_status == Response.Status.APPROVED),
                None,
            ),
            "codes": response_codes(response),
            "period": response_period(response),
            "period_note": _period_note(response),
            "extensions": response_extensions(response=response),
            "extension_form": extension_form,
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
        binding = ReportBinding(response, request.user)
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
            _show_stale(binding.element_form, exc)
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
                fresh = ReportBinding(saved, request.user)
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
    Outside the reporting period (``surveys.periods``) the page is read-only, and a save sent
    from a page loaded earlier is refused with the message naming the date, keeping what was
    typed. A response whose campaign collects official report forms is laid out as those forms
    (:func:`_report_detail`).
    """
    response = get_object_or_404(responses_visible(request.user), pk=pk)
    elements = response_elements(response)
    editable = response_editable_by(request.user, response)
    if response_forms(response):
        return _report_detail(request, response, elements, editable)
    conflicts = []
    if request.method == "POST":
        if not (
            response.is_editable
            and can_respond(
                request.user, park_id=response.park_id, enterprise_id=response.enterprise_id
            )
        ):
            raise PermissionDenied
        form = ResponseForm(request.POST, elements=elements, answers=_answers(response))
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
                _show_stale(form, exc)
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
                if request.POST.get("action") == "submit":
                    # the answers were saved; keep the form bound to what was typed
                    response.refresh_from_db()
                    form.data = form.data.copy()
                    form.data["version"] = response.version
        response.refresh_from_db(fields=["status", "version"])
        editable = response_editable_by(request.user, response)
    else:
        form = ResponseForm(
            initial={"version": response.version}, elements=elements, answers=_answers(response)
        )
    return _render_detail(request, response, elements, form, editable, conflicts=conflicts)


@login_required
@require_POST
def response_review(request, pk: int):
    """A reviewer returns, approves or reopens a response (``action``), with a ``reason``,
    ``comment__<code>`` per answer and, to return or reopen, the ``due_on`` date of the
    correction. Errors re-render the page keeping what was typed."""
    response = get_object_or_404(responses_visible(request.user), pk=pk)
    elements = response_elements(response)
    review_form = ReviewForm(request.POST, elements=elements)
    if not review_form.is_valid():
        if "action" in review_form.errors:
            raise Http404  # an unknown action
        form = ResponseForm(
            initial={"version": response.version}, elements=elements, answers=_answers(response)
        )
        return _render_detail(
            request, response, elements, form, False, review_form=review_form, status=400
        )
    action = review_form.cleaned_data["action"]
    reason = review_form.cleaned_data["reason"]
    due_on = review_form.cleaned_data.get("due_on")
    try:
        if action == "approve":
            response_approve(response=response, user=request.user)
            messages.success(request, _("Response approved; its answers are now locked."))
        else:  # return or reopen (REVIEW_ACTIONS): the same step, another service
            service, done = {
                "return": (response_return, _("Response returned to its respondent.")),
                "reopen": (
                    response_reopen,
                    _("Response reopened and returned to its respondent."),
                ),
            }[action]
            service(
                response=response,
                user=request.user,
                reason=reason,
                comments=review_form.comments(),
                due_on=due_on,
            )
            messages.success(request, done)
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
            binding = ReportBinding(response, request.user)
            form = binding.element_form
        else:
            form = ResponseForm(
                initial={"version": response.version},
                elements=elements,
                answers=_answers(response),
            )
        return _render_detail(
            request, response, elements, form, False, review_form=review_form, binding=binding
        )
    return redirect("surveys:response", pk=response.pk)


@login_required
@require_POST
def response_extension(request, pk: int):
    """The board of the response's province or the ministry grants it a later due date
    (``until``) with a ``reason``. Outside the reading scope: 404; without the right: 403;
    errors re-render the page keeping what was typed."""
    response = get_object_or_404(responses_visible(request.user), pk=pk)
    if not can_extend(request.user, response):
        raise PermissionDenied
    elements = response_elements(response)
    extension_form = ExtensionForm(request.POST)
    if extension_form.is_valid():
        try:
            extension = response_extend(
                response=response,
                user=request.user,
                until=extension_form.cleaned_data["until"],
                reason=extension_form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for name, errors in exc.message_dict.items():
                    for message in errors:
                        extension_form.add_error(
                            name if name in extension_form.fields else None, message
                        )
            else:
                for message in exc.messages:
                    extension_form.add_error(None, message)
        else:
            messages.success(
                request,
                _("Extension granted: the respondent may change and submit until %(date)s.")
                % {"date": format_date(extension.until)},
            )
            return redirect("surveys:response", pk=response.pk)
    response.refresh_from_db()
    form = ResponseForm(
        initial={"version": response.version}, elements=elements, answers=_answers(response)
    )
    return _render_detail(
        request,
        response,
        elements,
        form,
        response_editable_by(request.user, response),
        extension_form=extension_form,
        status=400,
    )


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
    to_review = vi_sorted(
        responses_reviewable(request.user)
        .filter(campaign=campaign, status=Response.Status.SUBMITTED)
        .select_related("park", "enterprise")
        .order_by("park__name_vi", "enterprise__name")[:500],
        key=lambda r: f"{r.park.name}\t{r.enterprise.name if r.enterprise_id else ''}",
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
    """Approve the ticked responses (``responses`` ids) all or nothing; report each failure.
    Nothing ticked approves nothing; a first POST shows the responses and their number to
    confirm, and only a POST with ``confirm`` approves them."""
    campaign = get_object_or_404(campaigns_followed(request.user), pk=pk)
    ids = []
    for value in request.POST.getlist("responses"):
        if not value.isdigit():
            raise Http404
        ids.append(int(value))
    if ids and not request.POST.get("confirm"):
        chosen = vi_sorted(
            responses_reviewable(request.user)
            .filter(campaign=campaign, pk__in=ids)
            .select_related("park", "enterprise"),
            key=lambda r: f"{r.park.name}\t{r.enterprise.name if r.enterprise_id else ''}",
        )
        return render(
            request,
            "surveys/bulk_approve_confirm.html",
            {"campaign": campaign, "ids": ids, "chosen": chosen, "count": len(ids)},
        )
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
        messages.success(
            request,
            ngettext("%(count)s response approved.", "%(count)s responses approved.", len(approved))
            % {"count": len(approved)},
        )
    return redirect("surveys:campaign", pk=campaign.pk)
