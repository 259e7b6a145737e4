"""The criteria catalogue pages: frameworks, their versions, each version's
categories, criteria (with legal source and verification status), data elements and indicator
formulas, and the differences between two versions.

Every logged-in role reads published and retired versions; drafts, and the buttons that
create a draft, edit a draft criterion and publish, are for ministry staff only
(:func:`indicators.selectors.user_can_maintain_catalogue`): anyone else gets 404 for a draft
and 403 for those POSTs.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .forms import CriterionForm, DataElementForm, DiffForm, PublishForm
from .models import Criterion, DataElement, FrameworkVersion
from .selectors import (
    current_version,
    frameworks_visible,
    user_can_maintain_catalogue,
    version_catalogue,
    version_diff,
    versions_visible,
)
from .services import (
    criterion_update,
    data_element_update,
    version_discard_draft,
    version_new_draft,
    version_publish,
)


def _version_or_404(request, code: str, number: int) -> FrameworkVersion:
    return get_object_or_404(versions_visible(request.user), framework__code=code, number=number)


def _messages_of(exc: ValidationError) -> list[str]:
    return [str(m) for m in exc.messages]


@login_required
def framework_list(request):
    """Every framework with its versions (status, effective dates) and its current one."""
    frameworks = list(frameworks_visible(request.user))
    rows = [(f, current_version(f.visible_versions)) for f in frameworks]
    return render(request, "indicators/framework_list.html", {"rows": rows})


@login_required
def framework_detail(request, code: str):
    """One framework: its versions with status, effective dates, legal instruments and the
    number of criteria, links to compare consecutive versions, and (ministry staff) the
    buttons to create a draft or publish one."""
    framework = get_object_or_404(frameworks_visible(request.user), code=code)
    versions = framework.visible_versions
    pairs = list(zip(versions, versions[1:], strict=False))
    return render(
        request,
        "indicators/framework_detail.html",
        {
            "framework": framework,
            "versions": versions,
            "current": current_version(versions),
            "pairs": pairs,
            "can_maintain": user_can_maintain_catalogue(request.user),
            "publish_form": PublishForm(),
        },
    )


@login_required
def version_detail(request, code: str, number: int):
    """One version: categories with their criteria (code, title, requirement, level, applies
    to, rule and threshold, unit, legal source, verification status, notes and sources), the
    data elements and the indicator formulas."""
    version = _version_or_404(request, code, number)
    others = list(
        versions_visible(request.user)
        .filter(framework_id=version.framework_id)
        .exclude(pk=version.pk)
        .order_by("number")
        .values_list("number", flat=True)
    )
    return render(
        request,
        "indicators/version_detail.html",
        {
            "v": version_catalogue(version),
            "version": version,
            "previous": max((n for n in others if n < number), default=None),
            "can_maintain": user_can_maintain_catalogue(request.user),
            "publish_form": PublishForm(),
        },
    )


@login_required
def version_compare(request, code: str):
    """``?from=N&to=M``: criteria (and data elements) added, removed and changed between two
    versions of a framework. Without parameters: the two latest versions. A number that is
    not a version the user may read re-shows the form with the error (HTTP 400)."""
    framework = get_object_or_404(frameworks_visible(request.user), code=code)
    numbers = [v.number for v in framework.visible_versions]
    data = request.GET
    if "from" not in data and "to" not in data and len(numbers) >= 2:
        data = {"from": str(numbers[-2]), "to": str(numbers[-1])}
    form = DiffForm(data if data else None, numbers=numbers)
    diff = None
    status = 200
    if form.is_bound:
        if form.is_valid():
            by_number = {v.number: v for v in framework.visible_versions}
            diff = version_diff(
                old=by_number[form.cleaned_data["from_version"]],
                new=by_number[form.cleaned_data["to_version"]],
            )
        else:
            status = 400
    return render(
        request,
        "indicators/version_diff.html",
        {"framework": framework, "form": form, "diff": diff},
        status=status,
    )


def _maintainer_version(request, code: str, number: int) -> FrameworkVersion:
    version = _version_or_404(request, code, number)
    if not user_can_maintain_catalogue(request.user):
        raise PermissionDenied
    return version


@login_required
@require_POST
def version_new_draft_view(request, code: str, number: int):
    """POST (ministry staff): copy this version into a new draft and open it."""
    version = _maintainer_version(request, code, number)
    try:
        draft = version_new_draft(version=version, user=request.user)
    except ValidationError as exc:
        for m in _messages_of(exc):
            messages.error(request, m)
        return redirect("indicators:version", code=code, number=number)
    messages.success(
        request,
        _("%(draft)s was created as a copy of %(version)s. Edit it, then publish it.")
        % {"draft": draft, "version": version},
    )
    return redirect("indicators:version", code=code, number=draft.number)


@login_required
@require_POST
def version_publish_view(request, code: str, number: int):
    """POST (ministry staff): check and publish this draft; the previously published version
    is retired. Errors (naming criterion and token) are shown on the version page."""
    version = _maintainer_version(request, code, number)
    form = PublishForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for m in errors:
                messages.error(request, m)
        return redirect("indicators:version", code=code, number=number)
    try:
        version_publish(
            version=version,
            effective_from=form.cleaned_data["effective_from"],
            user=request.user,
        )
    except ValidationError as exc:
        messages.error(request, _("%(version)s was not published:") % {"version": version})
        for m in _messages_of(exc):
            messages.error(request, m)
    else:
        messages.success(request, _("%(version)s is published.") % {"version": version})
    return redirect("indicators:version", code=code, number=number)


@login_required
@require_POST
def version_discard_view(request, code: str, number: int):
    """POST (ministry staff): delete this draft with all its rows; back to the framework."""
    version = _maintainer_version(request, code, number)
    label = str(version)
    try:
        version_discard_draft(version=version, user=request.user)
    except ValidationError as exc:
        for m in _messages_of(exc):
            messages.error(request, m)
        return redirect("indicators:version", code=code, number=number)
    messages.success(request, _("%(version)s was discarded.") % {"version": label})
    return redirect("indicators:framework", code=code)


@login_required
def _draft_row_edit(request, code: str, number: int, row_code: str, *, model, form_class, update):
    """Ministry staff edit one row (``model``: a criterion or a data element, by its code) of
    a draft version: GET shows ``form_class``; POST saves the changed fields through
    ``update(obj, **fields)`` (the service checks the whole version again) and returns to the
    version page, or shows the service's errors on their fields. A published or retired
    version answers 403, as does anyone but ministry staff."""
    version = _maintainer_version(request, code, number)
    obj = get_object_or_404(model.objects.select_related("version"), version=version, code=row_code)
    if version.is_frozen:
        raise PermissionDenied
    form = form_class(request.POST or None, instance=obj)
    if request.method == "POST" and form.is_valid():
        changed = {name: form.cleaned_data[name] for name in form.changed_data}
        try:
            update(obj, **changed)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.error_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, exc)
        else:
            messages.success(request, _("%(code)s was saved.") % {"code": obj.code})
            return redirect("indicators:version", code=code, number=number)
    return render(
        request,
        "indicators/criterion_form.html",
        {"form": form, "criterion": obj, "version": version, "kind": model._meta.model_name},
        status=400 if form.errors else 200,
    )


@login_required
def criterion_edit(request, code: str, number: int, criterion: str):
    """A criterion of a draft (:func:`_draft_row_edit`, through ``criterion_update``)."""
    return _draft_row_edit(
        request,
        code,
        number,
        criterion,
        model=Criterion,
        form_class=CriterionForm,
        update=lambda o, **f: criterion_update(criterion=o, **f),
    )


@login_required
def data_element_edit(request, code: str, number: int, element: str):
    """A data element of a draft: labels, help, unit, range, required
    (:func:`_draft_row_edit`, through ``data_element_update``)."""
    return _draft_row_edit(
        request,
        code,
        number,
        element,
        model=DataElement,
        form_class=DataElementForm,
        update=lambda o, **f: data_element_update(data_element=o, **f),
    )
