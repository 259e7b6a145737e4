"""Survey pages: the respondent's list of responses and the response form."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from enterprises.policy import can_respond

from .forms import ResponseForm
from .models import Answer
from .selectors import responses_visible
from .services import StaleVersionError, response_elements, response_save_answers, response_submit


@login_required
def response_list(request):
    """Responses in the user's scope, newest campaign first."""
    responses = responses_visible(request.user).order_by(
        "-campaign__period", "park__name_vi", "enterprise__name"
    )
    return render(request, "surveys/response_list.html", {"responses": responses[:500]})


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


@login_required
def response_detail(request, pk: int):
    """Show a response; its respondent edits it while it is a draft or returned.

    POST ``action=save`` stores a draft; ``action=submit`` stores and submits. A value that
    cannot be read re-renders the form with the message and what was typed; nothing is saved.
    """
    response = get_object_or_404(responses_visible(request.user), pk=pk)
    elements = response_elements(response)
    editable = response.is_editable and can_respond(
        request.user, park_id=response.park_id, enterprise_id=response.enterprise_id
    )
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
                    return redirect("dashboards:park", pk=response.park_id)
                messages.success(request, _("Draft saved."))
                return redirect("surveys:response", pk=response.pk)
            except StaleVersionError as exc:
                form.add_error(None, exc)
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
                if request.POST.get("action") == "submit":
                    # the answers were saved; keep the form bound to what was typed
                    response.refresh_from_db()
                    form.data = form.data.copy()
                    form.data["version"] = response.version
    else:
        form = ResponseForm(initial=_initial(response, elements), elements=elements)
    if not editable:
        for field in form.fields.values():
            field.disabled = True
    return render(
        request,
        "surveys/response_detail.html",
        {"response": response, "form": form, "editable": editable},
    )
