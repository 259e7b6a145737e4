"""Pages of the registers (issue 7): RECP measures, symbiosis exchanges, streams and matching,
ISO certificates, the improvement roadmap, the XLSX import of measures and a park's register
page (Sankey, savings chart, roadmap). Thin: reads through :mod:`surveys.registers`
selectors (scoped by the permission policy: outside scope is 404), writes through its
services; a refused value re-renders the form with the message and what was typed.
"""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from enterprises.models import Enterprise, Park, Role
from enterprises.policy import scope_of, visible_parks

from . import registers as reg
from . import registers_import
from .forms_registers import (
    ActionForm,
    CertificateForm,
    ExchangeForm,
    ImportForm,
    MeasureForm,
    StreamForm,
    format_amount,
    format_number,
)
from .interchange import FileRefused
from .models import RECPMeasure, Stream, SymbiosisExchange

TABS = [
    ("measures", "registers:measures"),
    ("exchanges", "registers:exchanges"),
    ("streams", "registers:streams"),
    ("certificates", "registers:certificates"),
    ("roadmap", "registers:actions"),
    ("matching", "registers:matching"),
]


def _tabs(active: str) -> list[dict]:
    names = {
        "measures": _("RECP measures"),
        "exchanges": _("Symbiosis exchanges"),
        "streams": _("Streams"),
        "certificates": _("ISO certificates"),
        "roadmap": _("Roadmap"),
        "matching": _("Matching"),
    }
    return [{"name": names[k], "url": reverse(u), "active": k == active} for k, u in TABS]


def editable_enterprises(user):
    """Enterprises whose records the user may write: its own (enterprise) or its park's
    tenants (park manager); none otherwise."""
    scope = scope_of(user)
    if scope is None:
        return Enterprise.objects.none()
    if scope.role == Role.ENTERPRISE:
        return Enterprise.objects.filter(pk=scope.enterprise_id)
    if scope.role == Role.PARK_MANAGER:
        return Enterprise.objects.filter(park_id=scope.park_id).order_by("name")
    return Enterprise.objects.none()


def _own_park(user) -> Park | None:
    scope = scope_of(user)
    if scope is None:
        return None
    if scope.role == Role.PARK_MANAGER:
        return scope.park
    if scope.role == Role.ENTERPRISE:
        return scope.enterprise.park
    return None


def _park_filter(request, qs, path: str):
    """Apply ``?park=<id>`` (a visible park) to ``qs``; returns (qs, parks, selected id)."""
    parks = list(visible_parks(request.user).order_by("name_vi"))
    selected = request.GET.get("park") or ""
    if selected:
        try:
            pid = int(selected)
        except ValueError:
            raise Http404 from None
        if pid not in {p.pk for p in parks}:
            raise Http404
        qs = qs.filter(**{path: pid})
    return qs, parks if len(parks) > 1 else [], selected


def _apply_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, msgs in exc.message_dict.items():
            target = name if name in form.fields else None
            for m in msgs:
                form.add_error(target, m if target else f"{name}: {m}" if name != "__all__" else m)
    else:
        for m in exc.messages:
            form.add_error(None, m)


def _form_page(request, *, tab, title, form, obj, editable, cancel, extra=None):
    if not editable:
        for f in form.fields.values():
            f.disabled = True
    ctx = {
        "tabs": _tabs(tab),
        "title": title,
        "form": form,
        "obj": obj,
        "editable": editable,
        "cancel": cancel,
        "can_delete": editable and obj is not None,
    }
    ctx.update(extra or {})
    return render(request, "surveys/registers_form.html", ctx)


def _qty(value, unit) -> str:
    return "" if value is None else f"{format_amount(value, 2)} {unit}".strip()


# --------------------------------------------------------------------------------- measures


@login_required
def measure_list(request):
    """The RECP measures in the user's scope, filterable by park."""
    qs, parks, selected = _park_filter(
        request, reg.measures_visible(request.user), "enterprise__park_id"
    )
    rows = [
        {
            "url": reverse("registers:measure", args=[m.pk]),
            "demo": m.is_demo or m.enterprise.is_demo,
            "cells": [
                m.title,
                m.enterprise.name,
                m.get_area_display(),
                m.get_status_display(),
                str(m.year),
                _qty(m.saving_value, m.saving_unit),
                format_amount(m.saving_money_vnd),
                format_amount(m.ghg_reduction_tco2e, 1)
                if m.ghg_reduction_tco2e is not None
                else m.ghg_note,
                format_amount(m.payback_years, 1) if m.payback_years is not None else "",
            ],
        }
        for m in qs.order_by("enterprise__name", "-year", "title")[:1000]
    ]
    headers = [
        _("Measure"),
        _("Enterprise"),
        _("Area"),
        _("Status"),
        _("Year"),
        _("Yearly saving"),
        _("Money saving (VND/year)"),
        _("GHG reduction (t CO2e/year)"),
        _("Payback (years)"),
    ]
    return render(
        request,
        "surveys/registers_list.html",
        {
            "tabs": _tabs("measures"),
            "title": _("RECP measures"),
            "headers": headers,
            "numeric": {5, 6, 7, 8},
            "rows": rows,
            "parks": parks,
            "selected": selected,
            "add_url": reverse("registers:measure_new")
            if editable_enterprises(request.user).exists()
            else None,
            "import_url": reverse("registers:measure_import")
            if editable_enterprises(request.user).exists()
            else None,
            "note": _(
                "GHG reduction = electricity saved (MWh) × the national grid emission factor of "
                "the measure's year (t CO2/MWh, Department of Climate Change). Payback = "
                "investment / yearly money saving."
            ),
        },
    )


def _measure_initial(m: RECPMeasure) -> dict:
    value, unit = m.saving_value, m.saving_unit
    if m.saving_value_entered and m.saving_unit_entered:
        try:
            value, unit = Decimal(m.saving_value_entered), m.saving_unit_entered
        except ArithmeticError:
            pass
    return {
        "area": m.area,
        "title": m.title,
        "description": m.description,
        "status": m.status,
        "year": m.year,
        "investment_vnd": m.investment_vnd,
        "saving_value": value,
        "saving_unit": unit,
        "energy_carrier": m.energy_carrier,
        "saving_money_vnd": m.saving_money_vnd,
        "version": m.version,
    }


@login_required
def measure_edit(request, pk: int | None = None):
    """Create (no ``pk``) or show/edit a RECP measure; POST ``action=delete`` deletes it."""
    user = request.user
    measure = get_object_or_404(reg.measures_visible(user), pk=pk) if pk else None
    enterprises = None if measure else editable_enterprises(user)
    if measure is None and not enterprises.exists():
        raise PermissionDenied
    editable = measure is None or reg.can_edit_enterprise_records(user, measure.enterprise)
    if request.method == "POST":
        if not editable:
            raise PermissionDenied
        if measure and request.POST.get("action") == "delete":
            reg.measure_delete(user=user, measure=measure)
            messages.success(request, _("Measure deleted."))
            return redirect("registers:measures")
        form = MeasureForm(request.POST, enterprises=enterprises)
        if form.is_valid():
            data = {k: form.cleaned_data[k] for k in reg.MEASURE_FIELDS if k in form.cleaned_data}
            try:
                saved = reg.measure_save(
                    user=user,
                    enterprise=measure.enterprise if measure else form.cleaned_data["enterprise"],
                    measure=measure,
                    data=data,
                    expected_version=form.cleaned_data.get("version") if measure else None,
                )
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _("Measure saved."))
                return redirect("registers:measure", pk=saved.pk)
    else:
        initial = _measure_initial(measure) if measure else {"year": timezone.localdate().year}
        form = MeasureForm(initial=initial, enterprises=enterprises)
    extra = {}
    if measure is not None:
        facts = [
            (_("Enterprise"), measure.enterprise.name),
            (_("Park"), measure.enterprise.park.name),
        ]
        if measure.saving_value is not None:
            entered = (
                f" (= {measure.saving_value_entered} {measure.saving_unit_entered})"
                if measure.saving_unit_entered
                and measure.saving_unit_entered != measure.saving_unit
                else ""
            )
            facts.append(
                (_("Yearly saving"), _qty(measure.saving_value, measure.saving_unit) + entered)
            )
        if measure.ghg_reduction_tco2e is not None:
            f = measure.emission_factor
            facts.append(
                (
                    _("GHG reduction"),
                    _(
                        "%(t)s t CO2e/year = %(mwh)s MWh × %(ef)s t CO2/MWh (grid factor %(year)s, "
                        "%(set)s v%(v)s%(doc)s)"
                    )
                    % {
                        "t": format_amount(measure.ghg_reduction_tco2e, 3),
                        "mwh": format_amount(measure.saving_value / 1000, 3),
                        "ef": format_number(f.value),
                        "year": f.year,
                        "set": f.factor_set.code,
                        "v": f.factor_set.version,
                        "doc": f"; {f.document}" if f.document else "",
                    },
                )
            )
        elif measure.ghg_note:
            facts.append((_("GHG reduction"), measure.ghg_note))
        if measure.payback_years is not None:
            facts.append(
                (_("Payback"), _("%(y)s years") % {"y": format_amount(measure.payback_years, 1)})
            )
        extra = {"facts": facts, "demo": measure.is_demo or measure.enterprise.is_demo}
    return _form_page(
        request,
        tab="measures",
        title=measure.title if measure else _("New RECP measure"),
        form=form,
        obj=measure,
        editable=editable,
        cancel=reverse("registers:measures"),
        extra=extra,
    )


@login_required
def measure_import(request):
    """Upload an .xlsx of RECP measures: all rows saved or none, every problem named by sheet,
    row and column."""
    if not editable_enterprises(request.user).exists():
        raise PermissionDenied
    errors = []
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                outcome = registers_import.measures_import(
                    user=request.user, file=form.cleaned_data["file"]
                )
            except FileRefused as exc:
                form.add_error("file", exc.messages[0])
            else:
                if outcome.ok:
                    messages.success(
                        request,
                        _("%(c)s measures created, %(u)s updated.")
                        % {"c": outcome.created, "u": outcome.updated},
                    )
                    return redirect("registers:measures")
                errors = outcome.errors
    else:
        form = ImportForm()
    return render(
        request,
        "surveys/registers_import.html",
        {
            "tabs": _tabs("measures"),
            "form": form,
            "errors": errors,
            "help": registers_import.IMPORT_HELP,
        },
    )


@login_required
def measure_template(request):
    """A blank .xlsx to fill with RECP measures."""
    if not editable_enterprises(request.user).exists():
        raise PermissionDenied
    buffer = io.BytesIO()
    registers_import.measures_template(file=buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="recp-measures.xlsx"'
    return response


# --------------------------------------------------------------------------------- streams


@login_required
def stream_list(request):
    """Output streams offered and input needs in the user's scope."""
    qs, parks, selected = _park_filter(
        request, reg.streams_visible(request.user), "enterprise__park_id"
    )
    rows = [
        {
            "url": reverse("registers:stream", args=[s.pk]),
            "demo": s.is_demo or s.enterprise.is_demo,
            "cells": [
                s.get_direction_display(),
                s.get_category_display(),
                s.description,
                s.enterprise.name,
                _qty(s.quantity_per_year, s.unit),
                _("yes") if s.active else _("no"),
            ],
        }
        for s in qs.order_by("enterprise__name", "direction", "category")[:1000]
    ]
    return render(
        request,
        "surveys/registers_list.html",
        {
            "tabs": _tabs("streams"),
            "title": _("Streams offered and needed"),
            "headers": [
                _("Direction"),
                _("Category"),
                _("Description"),
                _("Enterprise"),
                _("Quantity per year"),
                _("Active"),
            ],
            "numeric": {4},
            "rows": rows,
            "parks": parks,
            "selected": selected,
            "add_url": reverse("registers:stream_new")
            if editable_enterprises(request.user).exists()
            else None,
        },
    )


@login_required
def stream_edit(request, pk: int | None = None):
    """Create or edit a stream; POST ``action=delete`` deletes it."""
    user = request.user
    stream = get_object_or_404(reg.streams_visible(user), pk=pk) if pk else None
    enterprises = None if stream else editable_enterprises(user)
    if stream is None and not enterprises.exists():
        raise PermissionDenied
    editable = stream is None or reg.can_edit_enterprise_records(user, stream.enterprise)
    if request.method == "POST":
        if not editable:
            raise PermissionDenied
        if stream and request.POST.get("action") == "delete":
            reg.stream_delete(user=user, stream=stream)
            messages.success(request, _("Stream deleted."))
            return redirect("registers:streams")
        form = StreamForm(request.POST, enterprises=enterprises)
        if form.is_valid():
            data = {k: form.cleaned_data[k] for k in reg.STREAM_FIELDS if k in form.cleaned_data}
            try:
                saved = reg.stream_save(
                    user=user,
                    enterprise=stream.enterprise if stream else form.cleaned_data["enterprise"],
                    stream=stream,
                    data=data,
                    expected_version=form.cleaned_data.get("version") if stream else None,
                )
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _("Stream saved."))
                return redirect("registers:stream", pk=saved.pk)
    else:
        initial = (
            {
                "direction": stream.direction,
                "category": stream.category,
                "description": stream.description,
                "quantity_per_year": stream.quantity_per_year,
                "unit": stream.unit,
                "active": stream.active,
                "version": stream.version,
            }
            if stream
            else {"active": True}
        )
        form = StreamForm(initial=initial, enterprises=enterprises)
    return _form_page(
        request,
        tab="streams",
        title=str(stream) if stream else _("New stream"),
        form=form,
        obj=stream,
        editable=editable,
        cancel=reverse("registers:streams"),
    )


# ----------------------------------------------------------------------------- certificates


@login_required
def certificate_list(request):
    """ISO certificates in the user's scope, expiring soonest first; expired ones marked."""
    qs, parks, selected = _park_filter(
        request, reg.certificates_visible(request.user), "enterprise__park_id"
    )
    today = timezone.localdate()
    rows = []
    for c in qs.order_by("expires_on")[:1000]:
        state = (
            _("expired")
            if c.expires_on < today
            else _("expires within 60 days")
            if (c.expires_on - today).days <= reg.CERTIFICATE_NOTICE_DAYS
            else _("valid")
        )
        rows.append(
            {
                "url": reverse("registers:certificate", args=[c.pk]),
                "demo": c.is_demo or c.enterprise.is_demo,
                "flag": c.expires_on < today,
                "cells": [
                    c.other_standard or c.get_standard_display(),
                    c.enterprise.name,
                    c.number,
                    c.expires_on.strftime("%d/%m/%Y"),
                    state,
                ],
            }
        )
    return render(
        request,
        "surveys/registers_list.html",
        {
            "tabs": _tabs("certificates"),
            "title": _("ISO certificates"),
            "headers": [_("Standard"), _("Enterprise"), _("Number"), _("Expires on"), _("State")],
            "numeric": set(),
            "rows": rows,
            "parks": parks,
            "selected": selected,
            "add_url": reverse("registers:certificate_new")
            if editable_enterprises(request.user).exists()
            else None,
            "note": _(
                "The holder and the park manager are e-mailed 60 days before a certificate "
                "expires. An expired certificate no longer counts for Decree 35/2022 Art. 37(2)(b)."
            ),
        },
    )


@login_required
def certificate_edit(request, pk: int | None = None):
    """Create or edit an ISO certificate; POST ``action=delete`` deletes it."""
    user = request.user
    cert = get_object_or_404(reg.certificates_visible(user), pk=pk) if pk else None
    enterprises = None if cert else editable_enterprises(user)
    if cert is None and not enterprises.exists():
        raise PermissionDenied
    editable = cert is None or reg.can_edit_enterprise_records(user, cert.enterprise)
    if request.method == "POST":
        if not editable:
            raise PermissionDenied
        if cert and request.POST.get("action") == "delete":
            reg.certificate_delete(user=user, certificate=cert)
            messages.success(request, _("Certificate deleted."))
            return redirect("registers:certificates")
        form = CertificateForm(request.POST, enterprises=enterprises)
        if form.is_valid():
            data = {
                k: form.cleaned_data[k] for k in reg.CERTIFICATE_FIELDS if k in form.cleaned_data
            }
            try:
                saved = reg.certificate_save(
                    user=user,
                    enterprise=cert.enterprise if cert else form.cleaned_data["enterprise"],
                    certificate=cert,
                    data=data,
                    expected_version=form.cleaned_data.get("version") if cert else None,
                )
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _("Certificate saved."))
                return redirect("registers:certificate", pk=saved.pk)
    else:
        initial = (
            {k: getattr(cert, k) for k in reg.CERTIFICATE_FIELDS} | {"version": cert.version}
            if cert
            else {}
        )
        form = CertificateForm(initial=initial, enterprises=enterprises)
    return _form_page(
        request,
        tab="certificates",
        title=str(cert) if cert else _("New ISO certificate"),
        form=form,
        obj=cert,
        editable=editable,
        cancel=reverse("registers:certificates"),
    )


# -------------------------------------------------------------------------------- exchanges


@login_required
def exchange_list(request):
    """Symbiosis exchanges of the user's parks and those its enterprise takes part in."""
    qs, parks, selected = _park_filter(request, reg.exchanges_visible(request.user), "park_id")
    rows = [
        {
            "url": reverse("registers:exchange", args=[x.pk]),
            "demo": x.is_demo,
            "cells": [
                x.title,
                x.get_kind_display(),
                x.get_status_display(),
                ", ".join(str(p) for p in x.participants.all()),
                _qty(x.quantity_per_year, x.unit),
                x.started_on.strftime("%d/%m/%Y") if x.started_on else "",
                x.ended_on.strftime("%d/%m/%Y") if x.ended_on else "",
            ],
        }
        for x in qs.order_by("park__name_vi", "title")[:1000]
    ]
    return render(
        request,
        "surveys/registers_list.html",
        {
            "tabs": _tabs("exchanges"),
            "title": _("Industrial symbiosis exchanges"),
            "headers": [
                _("Exchange"),
                _("Kind"),
                _("Status"),
                _("Participants"),
                _("Quantity per year"),
                _("Started"),
                _("Ended"),
            ],
            "numeric": {4},
            "rows": rows,
            "parks": parks,
            "selected": selected,
            "add_url": reverse("registers:exchange_new") if _own_park(request.user) else None,
            "note": _(
                "Kinds as in Circular 05/2025/TT-BKHĐT Art. 2(1). An exchange counts as operating "
                "on a date when it had started and not ended."
            ),
        },
    )


def _exchange_participants(form, park: Park) -> list[reg.ParticipantSpec]:
    cd = form.cleaned_data
    specs = []
    for name, role in (("providers", "provides"), ("receivers", "receives"), ("sharers", "shares")):
        for e in cd.get(name) or []:
            specs.append(reg.ParticipantSpec(kind="enterprise", role=role, enterprise=e))
    if cd.get("developer_role"):
        specs.append(reg.ParticipantSpec(kind="developer", role=cd["developer_role"], park=park))
    for name, role in (("outside_providers", "provides"), ("outside_receivers", "receives")):
        for line in (cd.get(name) or "").splitlines():
            if line.strip():
                specs.append(reg.ParticipantSpec(kind="outside", role=role, name=line.strip()))
    return specs


def _exchange_initial(x: SymbiosisExchange) -> dict:
    parts = list(x.participants.all())
    ent = lambda role: [p.enterprise_id for p in parts if p.kind == "enterprise" and p.role == role]  # noqa: E731
    out = lambda role: "\n".join(p.name for p in parts if p.kind == "outside" and p.role == role)  # noqa: E731
    developer = next((p.role for p in parts if p.kind == "developer"), "")
    return {
        "kind": x.kind,
        "title": x.title,
        "flow": x.flow,
        "quantity_per_year": x.quantity_per_year,
        "unit": x.unit,
        "status": x.status,
        "started_on": x.started_on,
        "ended_on": x.ended_on,
        "providers": ent("provides"),
        "receivers": ent("receives"),
        "sharers": ent("shares"),
        "developer_role": developer,
        "outside_providers": out("provides"),
        "outside_receivers": out("receives"),
        "version": x.version,
    }


@login_required
def exchange_edit(request, pk: int | None = None):
    """Create or edit a symbiosis exchange and its participants; POST ``action=delete``."""
    user = request.user
    exchange = get_object_or_404(reg.exchanges_visible(user), pk=pk) if pk else None
    park = exchange.park if exchange else _own_park(user)
    if park is None:
        raise PermissionDenied
    editable = reg.can_edit_exchange(user, exchange) if exchange else True
    choices = reg.participant_choices(user, park)
    if exchange:
        choices = Enterprise.objects.filter(
            Q(pk__in=choices.values("pk")) | Q(pk__in=exchange.participants.values("enterprise_id"))
        ).order_by("name")
    if request.method == "POST":
        if not editable:
            raise PermissionDenied
        if exchange and request.POST.get("action") == "delete":
            reg.exchange_delete(user=user, exchange=exchange)
            messages.success(request, _("Exchange deleted."))
            return redirect("registers:exchanges")
        form = ExchangeForm(request.POST, enterprises=choices)
        if form.is_valid():
            data = {k: form.cleaned_data[k] for k in reg.EXCHANGE_FIELDS if k in form.cleaned_data}
            try:
                saved = reg.exchange_save(
                    user=user,
                    park=park,
                    exchange=exchange,
                    data=data,
                    participants=_exchange_participants(form, park),
                    expected_version=form.cleaned_data.get("version") if exchange else None,
                )
            except (ValidationError, PermissionDenied) as exc:
                if isinstance(exc, PermissionDenied):
                    raise
                _apply_errors(form, exc)
            else:
                messages.success(request, _("Exchange saved."))
                return redirect("registers:exchange", pk=saved.pk)
    else:
        form = ExchangeForm(
            initial=_exchange_initial(exchange) if exchange else {}, enterprises=choices
        )
    return _form_page(
        request,
        tab="exchanges",
        title=exchange.title if exchange else _("New symbiosis exchange"),
        form=form,
        obj=exchange,
        editable=editable,
        cancel=reverse("registers:exchanges"),
        extra={
            "facts": [(_("Park"), park.name)],
            "demo": bool(exchange and exchange.is_demo),
        },
    )


# ---------------------------------------------------------------------------------- roadmap


@login_required
def action_list(request):
    """Roadmap actions in the user's scope; overdue ones flagged."""
    qs, parks, selected = _park_filter(request, reg.actions_visible(request.user), "park_id")
    today = timezone.localdate()
    rows = [
        {
            "url": reverse("registers:action", args=[a.pk]),
            "demo": a.is_demo,
            "flag": a.is_overdue(today),
            "cells": [
                a.criterion.code,
                a.title,
                a.enterprise.name if a.enterprise else a.park.name,
                (a.owner.get_full_name() or a.owner.username) if a.owner else a.owner_name,
                a.target_date.strftime("%d/%m/%Y"),
                a.get_status_display() + (f" – {_('overdue')}" if a.is_overdue(today) else ""),
            ],
        }
        for a in qs.order_by("target_date", "pk")[:1000]
    ]
    return render(
        request,
        "surveys/registers_list.html",
        {
            "tabs": _tabs("roadmap"),
            "title": _("Improvement roadmap"),
            "headers": [
                _("Criterion"),
                _("Action"),
                _("Subject"),
                _("Owner"),
                _("Target date"),
                _("Status"),
            ],
            "numeric": set(),
            "rows": rows,
            "parks": parks,
            "selected": selected,
            "add_url": reverse("registers:action_new") if _own_park(request.user) else None,
            "note": _("Overdue actions are flagged and e-mailed to their owner once."),
        },
    )


def _owners(park: Park):
    return (
        get_user_model()
        .objects.filter(
            Q(scope__role=Role.PARK_MANAGER, scope__park=park)
            | Q(scope__role=Role.ENTERPRISE, scope__enterprise__park=park)
        )
        .order_by("username")
    )


@login_required
def action_edit(request, pk: int | None = None):
    """Create or edit a roadmap action; POST ``action=delete`` deletes it."""
    user = request.user
    action = get_object_or_404(reg.actions_visible(user), pk=pk) if pk else None
    park = action.park if action else _own_park(user)
    if park is None:
        raise PermissionDenied
    editable = reg.can_edit_action(user, action) if action else True
    scope = scope_of(user)
    enterprises = (
        Enterprise.objects.filter(pk=scope.enterprise_id)
        if scope and scope.role == Role.ENTERPRISE
        else Enterprise.objects.filter(park=park).order_by("name")
    )
    criteria = reg.criteria_for_actions(enterprise=True) | reg.criteria_for_actions(
        enterprise=False
    )
    kwargs = {"enterprises": enterprises, "criteria": criteria, "owners": _owners(park)}
    if request.method == "POST":
        if not editable:
            raise PermissionDenied
        if action and request.POST.get("action") == "delete":
            reg.action_delete(user=user, action=action)
            messages.success(request, _("Action deleted."))
            return redirect("registers:actions")
        form = ActionForm(request.POST, **kwargs)
        if form.is_valid():
            cd = form.cleaned_data
            try:
                saved = reg.action_save(
                    user=user,
                    park=park,
                    enterprise=cd.get("enterprise"),
                    criterion=cd["criterion"],
                    owner=cd.get("owner"),
                    action=action,
                    data={k: cd[k] for k in reg.ACTION_FIELDS if k in cd},
                    expected_version=cd.get("version") if action else None,
                )
            except PermissionDenied:
                raise
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _("Action saved."))
                return redirect("registers:action", pk=saved.pk)
    else:
        initial = {}
        if action:
            initial = {
                "enterprise": action.enterprise_id,
                "criterion": action.criterion_id,
                "title": action.title,
                "owner": action.owner_id,
                "owner_name": action.owner_name,
                "target_date": action.target_date,
                "expected_effect": action.expected_effect,
                "status": action.status,
                "version": action.version,
            }
        elif request.GET.get("criterion", "").isdigit():
            initial["criterion"] = int(request.GET["criterion"])
        if not action and scope and scope.role == Role.ENTERPRISE:
            initial["enterprise"] = scope.enterprise_id
        form = ActionForm(initial=initial, **kwargs)
    facts = [(_("Park"), park.name)]
    if action and action.is_overdue():
        facts.append((_("Overdue"), _("target date passed and the action is still open")))
    return _form_page(
        request,
        tab="roadmap",
        title=action.title if action else _("New roadmap action"),
        form=form,
        obj=action,
        editable=editable,
        cancel=reverse("registers:actions"),
        extra={"facts": facts, "demo": bool(action and action.is_demo)},
    )


# --------------------------------------------------------------------------------- matching


@login_required
def matching(request):
    """Candidate pairs of output streams and input needs for a park (``?park=``, default the
    user's own), within ``?km=`` (default 50) of it, ranked, with the reason shown. The park
    manager turns a candidate into a proposed exchange (POST)."""
    user = request.user
    parks = visible_parks(user).order_by("name_vi")
    default = _own_park(user)
    try:
        park_id = int(request.GET.get("park") or (default.pk if default else 0))
        radius = float(request.GET.get("km") or reg.MATCH_RADIUS_KM)
    except ValueError:
        raise Http404 from None
    radius = min(max(radius, 1.0), 300.0)
    park = parks.filter(pk=park_id).first() if park_id else None
    if park_id and park is None:
        raise Http404
    candidates = reg.match_candidates(user=user, park=park, radius_km=radius) if park else []
    scope = scope_of(user)
    can_propose = bool(scope and scope.role == Role.PARK_MANAGER)
    return render(
        request,
        "surveys/registers_matching.html",
        {
            "tabs": _tabs("matching"),
            "parks": parks,
            "park": park,
            "radius": int(radius),
            "candidates": candidates,
            "can_propose": can_propose,
        },
    )


@login_required
@require_POST
def matching_propose(request):
    """Turn the candidate (``output``, ``input`` stream ids) into a proposed exchange."""
    try:
        output = Stream.objects.select_related("enterprise__park").get(
            pk=int(request.POST.get("output", "")), active=True
        )
        need = Stream.objects.select_related("enterprise__park").get(
            pk=int(request.POST.get("input", "")), active=True
        )
    except (ValueError, Stream.DoesNotExist):
        raise Http404 from None
    scope = scope_of(request.user)
    if not (
        scope
        and scope.role == Role.PARK_MANAGER
        and scope.park_id in {output.enterprise.park_id, need.enterprise.park_id}
    ):
        raise Http404
    try:
        exchange = reg.exchange_propose_from_candidate(user=request.user, output=output, need=need)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(f"{reverse('registers:matching')}?park={scope.park_id}")
    messages.success(request, _("Proposed exchange created."))
    return redirect("registers:exchange", pk=exchange.pk)


# ------------------------------------------------------------------------------- park page


@login_required
def park_registers(request, pk: int):
    """A park's registers at a glance: exchanges (Sankey), RECP savings by area and year,
    totals for a year (``?year=``, default last year) and the roadmap."""
    park = get_object_or_404(visible_parks(request.user).select_related("province"), pk=pk)
    try:
        year = int(request.GET.get("year") or (timezone.localdate().year - 1))
    except ValueError:
        raise Http404 from None
    if not 1990 <= year <= 2100:
        raise Http404
    return render(
        request,
        "surveys/registers_park.html",
        {"tabs": _tabs(""), "park": park, "year": year, "today": datetime.date.today()},
    )


@login_required
def home(request):
    """The registers start at the RECP measures."""
    return redirect("registers:measures")
