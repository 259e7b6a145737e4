"""The registry page of an investment project (Part I of the annual reports, Circular
05/2025/TT-BKHĐT forms A.4 and B.4): its fields, grouped, with personal data hidden from those
who may not see it, an edit form for the entity's own users and its park manager, and the
history of changes. Outside the reading scope: 404; readable but not changeable: read-only,
and a POST answers 403."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from common.formats import active_language

from .models import Enterprise, InvestmentProject, Park
from .policy import Action, can, restrict
from .selectors import HIDDEN, project_of, project_values
from .services import project_update


def _groups() -> list[tuple[str, str]]:
    return [
        ("project_", _("Investment project")),
        ("investor_", _("Investor")),
        ("representative_", _("Legal representative")),
        ("organisation_", _("Economic organisation implementing the project")),
    ]


def _text(value) -> str:
    if value is HIDDEN:
        return str(HIDDEN)
    if value is None or value == "":
        return ""
    if hasattr(value, "strftime"):
        return value.strftime("%d/%m/%Y")
    return str(value)


def _history(project: InvestmentProject, user, limit: int = 30) -> list[dict]:
    """The latest changes: who, when, and each changed field with old → new (personal values
    hidden when the user may not see them)."""
    if project.pk is None:
        return []
    personal = can(user, Action.VIEW_PERSONAL, project)
    records = list(
        project.history.select_related("history_user").order_by("-history_date")[: limit + 1]
    )
    changes = []
    for newer, older in zip(records, records[1:] + [None], strict=False):
        if len(changes) >= limit:
            break
        fields = []
        for name in InvestmentProject.registry_fields():
            old = getattr(older, name) if older is not None else None
            new = getattr(newer, name)
            if (old or "") == (new or ""):
                continue
            hide = name in InvestmentProject.PERSONAL_FIELDS and not personal
            fields.append(
                {
                    "label": InvestmentProject._meta.get_field(name).verbose_name,
                    "old": str(HIDDEN) if hide and old else _text(old),
                    "new": str(HIDDEN) if hide and new else _text(new),
                }
            )
        if fields:
            changes.append({"at": newer.history_date, "by": newer.history_user, "fields": fields})
    return changes


def _page(request, park: Park, enterprise: Enterprise | None):
    project = project_of(park=park, enterprise=enterprise)
    probe = project if project.pk else InvestmentProject(park=park, enterprise=enterprise)
    editable = can(request.user, Action.CHANGE, probe)
    errors: dict[str, list[str]] = {}
    posted = request.POST if request.method == "POST" else None
    if posted is not None:
        if not editable:
            raise PermissionDenied
        values = {
            name: posted.get(name, "")
            for name in InvestmentProject.registry_fields()
            if name in posted
        }
        try:
            project_update(
                user=request.user,
                park=park,
                enterprise=enterprise,
                values=values,
                language=active_language(),
            )
        except ValidationError as exc:
            errors = exc.message_dict
        else:
            messages.success(request, _("The registry is saved."))
            return redirect(request.path)
    values = project_values(project, request.user)
    groups = []
    for prefix, heading in _groups():
        rows = []
        for name in InvestmentProject.registry_fields():
            if not name.startswith(prefix):
                continue
            field = InvestmentProject._meta.get_field(name)
            value = values[name]
            label = dict(field.choices).get(value) if field.choices and value else None
            rows.append(
                {
                    "name": name,
                    "label": field.verbose_name,
                    "text": str(label) if label else _text(value),
                    "typed": posted.get(name, "") if posted is not None else _text(value),
                    "hidden": value is HIDDEN,
                    "choices": field.choices or None,
                    "value": value if value is not HIDDEN else "",
                    "errors": errors.get(name, []),
                    "date": field.get_internal_type() == "DateField",
                }
            )
        groups.append({"heading": heading, "rows": rows})
    return render(
        request,
        "enterprises/project.html",
        {
            "park": park,
            "enterprise": enterprise,
            "project": project,
            "groups": groups,
            "editable": editable,
            "errors": errors,
            "history": _history(project, request.user),
        },
        status=400 if errors else 200,
    )


@login_required
def park_project(request, pk: int):
    """The park's infrastructure project (A.4 Part I). Outside scope: 404."""
    park = get_object_or_404(restrict(Park.objects.all(), request.user, Action.VIEW), pk=pk)
    if not can(request.user, Action.VIEW, InvestmentProject(park=park)):
        raise Http404
    return _page(request, park, None)


@login_required
def enterprise_project(request, pk: int):
    """An enterprise's investment project (B.4 Part I). Outside scope: 404."""
    enterprise = get_object_or_404(
        restrict(Enterprise.objects.select_related("park"), request.user, Action.VIEW), pk=pk
    )
    return _page(request, enterprise.park, enterprise)
