"""The registry kept by its owners: parks (the ministry anywhere, a board in its province) and
their tenants (the park manager: add, edit, deactivate, import from XLSX; a board or the
ministry may also move a tenant). Thin views over ``services.py`` and ``imports.py``; 404
outside the reading scope, 403 inside it without the right.

The park form shows every field of :data:`enterprises.services.PARK_FIELDS`; more sections
(the developer's legal entity, the investment project) can be added beside it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from common.collation import vi_key
from common.xlsx import FileRefused

from . import imports, services
from .forms import EnterpriseForm, ParkForm, TenantImportForm, add_service_errors
from .models import Enterprise, Park, Province
from .policy import Action, can, restrict

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _keepable_provinces(user):
    """Provinces the user may add parks in."""
    return Province.objects.filter(
        pk__in=[p.pk for p in Province.objects.all() if can(user, Action.CHANGE, Park(province=p))]
    )


@login_required
def park_list(request):
    """The parks the user sees, with links to edit them and to their tenants."""
    parks = list(
        restrict(Park.objects.all(), request.user, Action.VIEW)
        .select_related("province")
        .order_by("province__code", "name_vi")
    )
    for park in parks:
        park.editable = can(request.user, Action.CHANGE, park)
    return render(
        request,
        "enterprises/park_list.html",
        {"parks": parks, "can_add": _keepable_provinces(request.user).exists()},
    )


def _park(request, pk: int) -> Park:
    return get_object_or_404(restrict(Park.objects.all(), request.user, Action.VIEW), pk=pk)


@login_required
def park_edit(request, pk: int | None = None):
    """Add a park (``pk`` None) or edit one."""
    provinces = _keepable_provinces(request.user)
    park = _park(request, pk) if pk is not None else None
    if park is not None and not can(request.user, Action.CHANGE, park):
        raise PermissionDenied
    if park is None and not provinces.exists():
        raise PermissionDenied
    form = ParkForm(request.POST or None, instance=park, provinces=provinces)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.park_save(user=request.user, park=park, data=dict(form.cleaned_data))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The park was saved."))
            return redirect("registry:tenants", pk=saved.pk)
    title = _("Edit park") if park else _("New park")
    return render(
        request,
        "enterprises/registry_form.html",
        {"form": form, "title": title, "cancel": reverse("registry:parks")},
        status=422 if form.errors else 200,
    )


@login_required
def tenant_list(request, pk: int):
    """A park's tenants (active and deactivated) with their tax codes, sectors, head offices,
    contacts; add, edit, deactivate and import for those who keep them."""
    park = _park(request, pk)
    # active ones first, each group in Vietnamese alphabetical order (common/collation.py)
    tenants = sorted(
        restrict(Enterprise.objects.filter(park=park), request.user, Action.VIEW).select_related(
            "sector", "parent"
        ),
        key=lambda e: (not e.is_active, vi_key(e.name)),
    )
    return render(
        request,
        "enterprises/tenant_list.html",
        {
            "park": park,
            "tenants": tenants,
            "can_keep": can(request.user, Action.MANAGE, Enterprise(park=park)),
            "can_edit_park": can(request.user, Action.CHANGE, park),
        },
    )


def _movable_parks(user):
    """Parks a user may move a tenant to (a board: its province's; the ministry: all); None
    for a park manager, who keeps one park's tenants."""
    parks = restrict(Park.objects.all(), user, Action.CHANGE).order_by("name_vi")
    return parks if parks.exists() else None


@login_required
def tenant_edit(request, pk: int | None = None, park_pk: int | None = None):
    """Add a tenant to a park (``park_pk``) or edit one (``pk``)."""
    if pk is not None:
        enterprise = get_object_or_404(
            restrict(Enterprise.objects.all(), request.user, Action.VIEW), pk=pk
        )
        if not can(request.user, Action.MANAGE, enterprise):
            raise PermissionDenied
        park = enterprise.park
    else:
        enterprise = None
        park = _park(request, park_pk)
        if not can(request.user, Action.MANAGE, Enterprise(park=park)):
            raise PermissionDenied
    parks = _movable_parks(request.user) if enterprise is not None else None
    form = EnterpriseForm(request.POST or None, instance=enterprise, parks=parks)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k in services.ENTERPRISE_FIELDS}
        target = form.cleaned_data.get("park") or park
        try:
            saved = services.enterprise_save(
                user=request.user, enterprise=enterprise, park=target, data=data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The enterprise was saved."))
            return redirect("registry:tenants", pk=saved.park_id)
    title = _("Edit enterprise") if enterprise else _("New enterprise in %(park)s") % {"park": park}
    return render(
        request,
        "enterprises/registry_form.html",
        {
            "form": form,
            "title": title,
            "cancel": reverse("registry:tenants", args=[park.pk]),
            "enterprise": enterprise,
        },
        status=422 if form.errors else 200,
    )


@login_required
def tenant_active(request, pk: int):
    """POST ``active=0`` deactivates a tenant, ``active=1`` reactivates it."""
    enterprise = get_object_or_404(
        restrict(Enterprise.objects.all(), request.user, Action.VIEW), pk=pk
    )
    if request.method != "POST" or not can(request.user, Action.MANAGE, enterprise):
        raise PermissionDenied
    active = request.POST.get("active") == "1"
    services.enterprise_set_active(user=request.user, enterprise=enterprise, active=active)
    messages.success(
        request,
        (_("%(name)s was reactivated.") if active else _("%(name)s was deactivated."))
        % {"name": enterprise.name},
    )
    return redirect("registry:tenants", pk=enterprise.park_id)


@login_required
def tenant_import(request, pk: int):
    """Upload a park's tenants from an XLSX file: all or nothing, each problem named by cell;
    the same file twice changes nothing."""
    park = _park(request, pk)
    if not can(request.user, Action.MANAGE, Enterprise(park=park)):
        raise PermissionDenied
    form = TenantImportForm(request.POST or None, request.FILES or None)
    errors = []
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            outcome = imports.tenants_import(
                user=request.user, park=park, file=form.cleaned_data["file"]
            )
        except FileRefused as exc:
            form.add_error("file", exc.messages)
            status = 422
        else:
            if outcome.ok:
                messages.success(
                    request,
                    _(
                        "%(rows)s rows read: %(created)s enterprises added, %(updated)s "
                        "updated, %(unchanged)s unchanged."
                    )
                    % {
                        "rows": outcome.rows_read,
                        "created": outcome.created,
                        "updated": outcome.updated,
                        "unchanged": outcome.unchanged,
                    },
                )
                return redirect("registry:tenants", pk=park.pk)
            errors = outcome.errors
            status = 422
    return render(
        request,
        "enterprises/tenant_import.html",
        {"park": park, "form": form, "errors": errors},
        status=status,
    )


@login_required
def tenant_template(request, pk: int):
    """The blank tenants workbook."""
    park = _park(request, pk)
    response = HttpResponse(content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="tenants-{park.pk}.xlsx"'
    imports.tenants_template(file=response)
    return response
