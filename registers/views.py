"""Pages of the registers: RECP measures, symbiosis exchanges, streams and matching, ISO
certificates, the improvement roadmap, and the XLSX import of measures.

Thin: the five registers share one list page and one edit page (:func:`register_list`,
:func:`register_edit`), each described by a :class:`RegisterPages`. Reads go through
:mod:`registers.selectors` (scoped by the permission policy: outside scope is 404), writes
through :mod:`registers.services` (who may change is asked of :mod:`enterprises.policy`: read
but not change is 403); a refused value re-renders the form with the message and what was
typed. A park's registers at a glance (Sankey, savings chart, roadmap) belong to the read side
(``dashboards.views.park_registers``).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model, Q, QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from common.collation import vi_sorted
from common.formats import format_amount, format_number, format_quantity
from common.xlsx import FileRefused
from enterprises.models import Enterprise, Park
from enterprises.policy import (
    Action,
    can,
    own_enterprise_ids,
    park_people,
    scope_of,
    visible_parks,
)

from . import imports, matching, selectors, services
from .forms import (
    ActionForm,
    CertificateForm,
    ExchangeForm,
    ImportForm,
    MeasureForm,
    SavingForm,
    StreamForm,
)
from .models import (
    ISOCertificate,
    RECPMeasure,
    RoadmapAction,
    Stream,
    SymbiosisExchange,
    SymbiosisParticipant,
    SymbiosisSaving,
)

TABS = [
    ("measures", gettext_lazy("RECP measures"), "registers:measures"),
    ("exchanges", gettext_lazy("Symbiosis exchanges"), "registers:exchanges"),
    ("savings", gettext_lazy("Symbiosis savings"), "registers:savings"),
    ("streams", gettext_lazy("Streams"), "registers:streams"),
    ("certificates", gettext_lazy("ISO certificates"), "registers:certificates"),
    ("roadmap", gettext_lazy("Roadmap"), "registers:actions"),
    ("matching", gettext_lazy("Matching"), "registers:matching"),
]


def register_tabs(active: str) -> list[dict]:
    """The registers' tabs, ``active`` marked (also used by the read side's park page)."""
    return [{"name": name, "url": reverse(u), "active": k == active} for k, name, u in TABS]


def _own_park(user) -> Park | None:
    """The park whose exchanges and roadmap the user records: a park manager's park, an
    enterprise's park; None for boards and the ministry."""
    scope = scope_of(user)
    if scope is None:
        return None
    if scope.park_id is not None:
        return scope.park
    return scope.enterprise.park if scope.enterprise_id is not None else None


def _entry_park(request, entry) -> Park:
    """The park of a park's register entry (exchange, roadmap action), or for a new one
    (``entry`` None) the user's own park; ``PermissionDenied`` when the user has none."""
    park = entry.park if entry is not None else _own_park(request.user)
    if park is None:
        raise PermissionDenied
    return park


def _park_filter(request, qs, path: str):
    """Apply ``?park=<id>`` (a visible park) to ``qs``; returns (qs, parks, selected id)."""
    parks = vi_sorted(visible_parks(request.user), key=lambda p: p.name)
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
    """Put a service's ``ValidationError`` on the form: keyed messages on their field (or the
    form when the field is not on it, prefixed with the key), others on the form."""
    if hasattr(exc, "error_dict"):
        for name, msgs in exc.message_dict.items():
            target = name if name in form.fields else None
            for m in msgs:
                form.add_error(target, m if target else f"{name}: {m}" if name != "__all__" else m)
    else:
        for m in exc.messages:
            form.add_error(None, m)


def _qty(value, unit) -> str:
    return "" if value is None else f"{format_amount(value, 2)} {unit}".strip()


def _date(value) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


@dataclass(frozen=True)
class RegisterPages:
    """What the list and edit pages of one register need.

    ``key`` names the URLs (``registers:<key>``, ``<key>_new``; the list is ``list_url``),
    ``tab`` the active tab; ``visible(user)`` is its scoped selector and ``park_path`` the
    lookup of ``?park=``. ``columns`` are (header, numeric) pairs and ``row(obj, today)``
    returns ``(cells, flagged)``; ``order`` sorts the list. The edit page builds ``form``
    with ``form_kwargs(request, obj)`` and ``initial(obj)``; ``save(request, obj, form)``
    calls the service and returns the saved entry; ``delete(user, obj)`` deletes it;
    ``probe(request)`` is an unsaved entry the user would create (None: may create none),
    allowed under ``create_action``; ``facts(obj, request)`` lists (label, value) pairs shown
    above the form; ``warnings(obj)`` what a saved entry costs (shown on its page, where a
    save leads).
    """

    key: str
    list_url: str
    tab: str
    title: str
    new_title: str
    saved: str
    deleted: str
    visible: Callable[[object], QuerySet]
    park_path: str
    columns: list[tuple[str, bool]]
    row: Callable[[Model, object], tuple[list, bool]]
    order: tuple[str, ...]
    form: type[django_forms.Form]
    form_kwargs: Callable[[object, Model | None], dict]
    initial: Callable[[Model | None, object], dict]
    save: Callable[[object, Model | None, django_forms.Form], Model]
    delete: Callable[..., None]
    probe: Callable[[object], Model | None]
    demo: Callable[[Model], bool] = lambda obj: obj.is_demo
    facts: Callable[[Model | None, object], list] = lambda obj, request: []
    note: str = ""
    import_url: str | None = None
    create_action: Action = Action.CHANGE
    warnings: Callable[[Model], list[str]] = lambda obj: []


def _creatable(pages: RegisterPages, request) -> bool:
    """True when the user may add an entry (``pages.probe`` under ``pages.create_action``)."""
    probe = pages.probe(request)
    return probe is not None and can(request.user, pages.create_action, probe)


@login_required
def register_list(request, pages: RegisterPages):
    """The entries of one register in the user's scope, filterable by park (``?park=``)."""
    qs, parks, selected = _park_filter(request, pages.visible(request.user), pages.park_path)
    today = timezone.localdate()
    rows = []
    for obj in qs.order_by(*pages.order)[:1000]:
        cells, flagged = pages.row(obj, today)
        rows.append(
            {
                "url": reverse(f"registers:{pages.key}", args=[obj.pk]),
                "demo": pages.demo(obj),
                "flag": flagged,
                "cells": cells,
            }
        )
    creatable = _creatable(pages, request)
    return render(
        request,
        "registers/list.html",
        {
            "tabs": register_tabs(pages.tab),
            "title": pages.title,
            "headers": [h for h, _numeric in pages.columns],
            "numeric": {i for i, (_h, numeric) in enumerate(pages.columns) if numeric},
            "rows": rows,
            "parks": parks,
            "selected": selected,
            "add_url": reverse(f"registers:{pages.key}_new") if creatable else None,
            "import_url": reverse(pages.import_url) if creatable and pages.import_url else None,
            "note": pages.note,
        },
    )


@login_required
def register_edit(request, pages: RegisterPages, pk: int | None = None):
    """Create (no ``pk``) or show/edit an entry of one register; POST ``action=delete``
    deletes it. Outside the reading scope: 404; readable but not changeable: shown read-only,
    and a POST answers 403."""
    user = request.user
    obj = get_object_or_404(pages.visible(user), pk=pk) if pk else None
    if obj is None and not _creatable(pages, request):
        raise PermissionDenied
    editable = obj is None or can(user, Action.CHANGE, obj)
    kwargs = pages.form_kwargs(request, obj)
    if request.method == "POST":
        if not editable:
            raise PermissionDenied
        if obj is not None and request.POST.get("action") == "delete":
            pages.delete(user=user, entry=obj)
            messages.success(request, pages.deleted)
            return redirect(pages.list_url)
        form = pages.form(request.POST, **kwargs)
        if form.is_valid():
            try:
                saved = pages.save(request, obj, form)
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, pages.saved)  # its page then shows the warnings
                return redirect(f"registers:{pages.key}", pk=saved.pk)
    else:
        form = pages.form(initial=pages.initial(obj, request), **kwargs)
    if not editable:
        for f in form.fields.values():
            f.disabled = True
    return render(
        request,
        "registers/form.html",
        {
            "tabs": register_tabs(pages.tab),
            "title": str(obj) if obj is not None else pages.new_title,
            "form": form,
            "obj": obj,
            "editable": editable,
            "cancel": reverse(pages.list_url),
            "can_delete": editable and obj is not None,
            "facts": pages.facts(obj, request),
            "warnings": pages.warnings(obj) if obj is not None else [],
            "demo": bool(obj is not None and pages.demo(obj)),
        },
    )


def _data(form, names) -> dict:
    return {k: form.cleaned_data[k] for k in names if k in form.cleaned_data}


def _version(form, obj):
    return form.cleaned_data.get("version") if obj is not None else None


def _enterprise_kwargs(request, obj) -> dict:
    """A new entry of an enterprise register offers the enterprises the user keeps."""
    return {"enterprises": None if obj else selectors.editable_enterprises(request.user)}


def _enterprise_probe(model):
    def probe(request):
        first = selectors.editable_enterprises(request.user).first()
        return model(enterprise=first) if first is not None else None

    return probe


def _park_probe(model):
    def probe(request):
        park = _own_park(request.user)
        return model(park=park) if park is not None else None

    return probe


def _deleter(service, keyword: str):
    """``RegisterPages.delete`` calling ``service(user=..., <keyword>=entry)``."""
    return lambda *, user, entry: service(user=user, **{keyword: entry})


def _enterprise_register(*, model, keyword: str, fields, service, new=None, **pages):
    """The :class:`RegisterPages` of a register of one enterprise's entries (RECP measures,
    streams, ISO certificates): ``?park=`` through the enterprise; a new entry offers the
    enterprises the user keeps (its probe: the first of them) and starts from ``new``; a
    saved one shows ``fields`` and its version; an entry is demo when it or its enterprise
    is. ``service`` is ``(save, delete)`` of :mod:`registers.services`, which name the entry
    ``keyword`` and take ``fields``; ``pages`` sets the rest (and may replace any of these)."""
    save, delete = service

    def initial(obj, request):
        if obj is None:
            return dict(new or {})
        return {f: getattr(obj, f) for f in fields} | {"version": obj.version}

    def save_entry(request, obj, form):
        return save(
            user=request.user,
            enterprise=obj.enterprise if obj else form.cleaned_data["enterprise"],
            data=_data(form, fields),
            expected_version=_version(form, obj),
            **{keyword: obj},
        )

    defaults = {
        "park_path": "enterprise__park_id",
        "form_kwargs": _enterprise_kwargs,
        "initial": initial,
        "save": save_entry,
        "delete": _deleter(delete, keyword),
        "probe": _enterprise_probe(model),
        "demo": lambda obj: obj.is_demo or obj.enterprise.is_demo,
    }
    return RegisterPages(**(defaults | pages))


# ------------------------------------------------------------------------------ measures


def _measure_row(m: RECPMeasure, today) -> tuple[list, bool]:
    ghg = format_amount(m.ghg_reduction_tco2e, 1) if m.ghg_reduction_tco2e is not None else None
    payback = format_amount(m.payback_years, 1) if m.payback_years is not None else ""
    cells = [
        m.title,
        m.enterprise.name,
        m.get_area_display(),
        m.get_status_display(),
        str(m.year),
        _qty(m.saving_value, m.saving_unit),
        format_amount(m.saving_money_vnd),
        ghg if ghg is not None else m.ghg_note,
        payback,
    ]
    return cells, False


def _measure_initial(m: RECPMeasure | None, request) -> dict:
    if m is None:
        return {"year": timezone.localdate().year}
    value, unit = m.saving_value, m.saving_unit
    if m.saving_value_entered and m.saving_unit_entered:
        try:
            value, unit = Decimal(m.saving_value_entered), m.saving_unit_entered
        except ArithmeticError:
            pass
    fields = [f for f in services.MEASURE_FIELDS if f not in ("saving_value", "saving_unit")]
    return {f: getattr(m, f) for f in fields} | {
        "saving_value": value,
        "saving_unit": unit,
        "version": m.version,
    }


def _measure_facts(m: RECPMeasure | None, request) -> list:
    if m is None:
        return []
    facts = [(_("Enterprise"), m.enterprise.name), (_("Park"), m.enterprise.park.name)]
    if m.saving_value is not None:
        entered = (
            f" (= {format_quantity(m.saving_value_entered, m.saving_unit_entered)})"
            if m.saving_unit_entered and m.saving_unit_entered != m.saving_unit
            else ""
        )
        facts.append((_("Yearly saving"), _qty(m.saving_value, m.saving_unit) + entered))
    if m.ghg_reduction_tco2e is not None:
        f = m.emission_factor
        text = _(
            "%(t)s t CO2e/year = %(mwh)s MWh × %(ef)s t CO2/MWh (grid factor %(year)s, "
            "%(set)s v%(v)s%(doc)s)"
        ) % {
            "t": format_amount(m.ghg_reduction_tco2e, 3),
            "mwh": format_amount(m.saving_value / 1000, 3),
            "ef": format_number(f.value),
            "year": f.year,
            "set": f.factor_set.code,
            "v": f.factor_set.version,
            "doc": f"; {f.document}" if f.document else "",
        }
        facts.append((_("GHG reduction"), text))
    elif m.ghg_note:
        facts.append((_("GHG reduction"), m.ghg_note))
    if m.payback_years is not None:
        facts.append((_("Payback"), _("%(y)s years") % {"y": format_amount(m.payback_years, 1)}))
    return facts


MEASURES = _enterprise_register(
    model=RECPMeasure,
    keyword="measure",
    fields=services.MEASURE_FIELDS,
    service=(services.measure_save, services.measure_delete),
    key="measure",
    list_url="registers:measures",
    tab="measures",
    title=gettext_lazy("RECP measures"),
    new_title=gettext_lazy("New RECP measure"),
    saved=gettext_lazy("Measure saved."),
    deleted=gettext_lazy("Measure deleted."),
    visible=selectors.measures_visible,
    columns=[
        (gettext_lazy("Measure"), False),
        (gettext_lazy("Enterprise"), False),
        (gettext_lazy("Area"), False),
        (gettext_lazy("Status"), False),
        (gettext_lazy("Year"), False),
        (gettext_lazy("Yearly saving"), True),
        (gettext_lazy("Money saving (VND/year)"), True),
        (gettext_lazy("GHG reduction (t CO2e/year)"), True),
        (gettext_lazy("Payback (years)"), True),
    ],
    row=_measure_row,
    order=("enterprise__name", "-year", "title"),
    form=MeasureForm,
    initial=_measure_initial,
    facts=_measure_facts,
    note=gettext_lazy(
        "GHG reduction = electricity saved (MWh) × the national grid emission factor of "
        "the measure's year (t CO2/MWh, Department of Climate Change). Payback = "
        "investment / yearly money saving."
    ),
    import_url="registers:measure_import",
)


@login_required
def measure_import(request):
    """Upload an .xlsx of RECP measures: all rows saved or none, every problem named by sheet,
    row and column."""
    if not _creatable(MEASURES, request):
        raise PermissionDenied
    errors = []
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                outcome = imports.measures_import(user=request.user, file=form.cleaned_data["file"])
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
        "registers/import.html",
        {
            "tabs": register_tabs("measures"),
            "form": form,
            "errors": errors,
            "help": imports.IMPORT_HELP,
        },
    )


@login_required
def measure_template(request):
    """A blank .xlsx to fill with RECP measures."""
    if not _creatable(MEASURES, request):
        raise PermissionDenied
    buffer = io.BytesIO()
    imports.measures_template(file=buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="recp-measures.xlsx"'
    return response


# ------------------------------------------------------------------------------- streams


STREAMS = _enterprise_register(
    model=Stream,
    keyword="stream",
    fields=services.STREAM_FIELDS,
    service=(services.stream_save, services.stream_delete),
    new={"active": True},
    key="stream",
    list_url="registers:streams",
    tab="streams",
    title=gettext_lazy("Streams offered and needed"),
    new_title=gettext_lazy("New stream"),
    saved=gettext_lazy("Stream saved."),
    deleted=gettext_lazy("Stream deleted."),
    visible=selectors.streams_visible,
    columns=[
        (gettext_lazy("Direction"), False),
        (gettext_lazy("Category"), False),
        (gettext_lazy("Description"), False),
        (gettext_lazy("Enterprise"), False),
        (gettext_lazy("Quantity per year"), True),
        (gettext_lazy("Active"), False),
    ],
    row=lambda s, today: (
        [
            s.get_direction_display(),
            s.get_category_display(),
            s.description,
            s.enterprise.name,
            _qty(s.quantity_per_year, s.unit),
            _("yes") if s.active else _("no"),
        ],
        False,
    ),
    order=("enterprise__name", "direction", "category"),
    form=StreamForm,
)


# -------------------------------------------------------------------------- certificates


def _certificate_row(c: ISOCertificate, today) -> tuple[list, bool]:
    if c.expires_on < today:
        state = _("expired")
    elif (c.expires_on - today).days <= selectors.CERTIFICATE_NOTICE_DAYS:
        state = _("expires within 60 days")
    else:
        state = _("valid")
    cells = [
        c.other_standard or c.get_standard_display(),
        c.enterprise.name,
        c.number,
        _date(c.expires_on),
        state,
    ]
    return cells, c.expires_on < today


CERTIFICATES = _enterprise_register(
    model=ISOCertificate,
    keyword="certificate",
    fields=services.CERTIFICATE_FIELDS,
    service=(services.certificate_save, services.certificate_delete),
    key="certificate",
    list_url="registers:certificates",
    tab="certificates",
    title=gettext_lazy("ISO certificates"),
    new_title=gettext_lazy("New ISO certificate"),
    saved=gettext_lazy("Certificate saved."),
    deleted=gettext_lazy("Certificate deleted."),
    visible=selectors.certificates_visible,
    columns=[
        (gettext_lazy("Standard"), False),
        (gettext_lazy("Enterprise"), False),
        (gettext_lazy("Number"), False),
        (gettext_lazy("Expires on"), False),
        (gettext_lazy("State"), False),
    ],
    row=_certificate_row,
    order=("expires_on",),
    form=CertificateForm,
    note=gettext_lazy(
        "The holder and the park manager are e-mailed 60 days before a certificate "
        "expires. An expired certificate no longer counts for Decree 35/2022 Art. 37(2)(b)."
    ),
)


# ----------------------------------------------------------------------------- exchanges


def _exchange_kwargs(request, x: SymbiosisExchange | None) -> dict:
    """Participants offered: those the user may name, plus the exchange's own."""
    choices = selectors.participant_choices(request.user, _entry_park(request, x))
    if x is not None:
        choices = Enterprise.objects.filter(
            Q(pk__in=choices.values("pk")) | Q(pk__in=x.participants.values("enterprise_id"))
        ).order_by("name")
    return {"enterprises": choices}


def _exchange_participants(form, park: Park) -> list[services.ParticipantSpec]:
    cd = form.cleaned_data
    specs = []
    for name, role in (("providers", "provides"), ("receivers", "receives"), ("sharers", "shares")):
        for e in cd.get(name) or []:
            specs.append(services.ParticipantSpec(kind="enterprise", role=role, enterprise=e))
    if cd.get("developer_role"):
        specs.append(
            services.ParticipantSpec(kind="developer", role=cd["developer_role"], park=park)
        )
    for name, role in (("outside_providers", "provides"), ("outside_receivers", "receives")):
        for line in (cd.get(name) or "").splitlines():
            if line.strip():
                specs.append(services.ParticipantSpec(kind="outside", role=role, name=line.strip()))
    return specs


def _exchange_initial(x: SymbiosisExchange | None, request) -> dict:
    if x is None:
        return {}
    parts = list(x.participants.all())

    def enterprises(role):
        return [p.enterprise_id for p in parts if p.kind == "enterprise" and p.role == role]

    def outside(role):
        return "\n".join(p.name for p in parts if p.kind == "outside" and p.role == role)

    return {f: getattr(x, f) for f in services.EXCHANGE_FIELDS} | {
        "providers": enterprises("provides"),
        "receivers": enterprises("receives"),
        "sharers": enterprises("shares"),
        "developer_role": next((p.role for p in parts if p.kind == "developer"), ""),
        "outside_providers": outside("provides"),
        "outside_receivers": outside("receives"),
        "version": x.version,
    }


def _exchange_save(request, x, form):
    park = _entry_park(request, x)
    return services.exchange_save(
        user=request.user,
        park=park,
        exchange=x,
        data=_data(form, services.EXCHANGE_FIELDS),
        participants=_exchange_participants(form, park),
        expected_version=_version(form, x),
    )


EXCHANGES = RegisterPages(
    key="exchange",
    list_url="registers:exchanges",
    tab="exchanges",
    title=gettext_lazy("Industrial symbiosis exchanges"),
    new_title=gettext_lazy("New symbiosis exchange"),
    saved=gettext_lazy("Exchange saved."),
    deleted=gettext_lazy("Exchange deleted."),
    visible=selectors.exchanges_visible,
    park_path="park_id",
    columns=[
        (gettext_lazy("Exchange"), False),
        (gettext_lazy("Kind"), False),
        (gettext_lazy("Status"), False),
        (gettext_lazy("Participants"), False),
        (gettext_lazy("Quantity per year"), True),
        (gettext_lazy("Started"), False),
        (gettext_lazy("Ended"), False),
    ],
    row=lambda x, today: (
        [
            x.title,
            x.get_kind_display(),
            x.get_status_display(),
            ", ".join(str(p) for p in x.participants.all()),
            _qty(x.quantity_per_year, x.unit),
            _date(x.started_on),
            _date(x.ended_on),
        ],
        False,
    ),
    order=("park__name_vi", "title"),
    form=ExchangeForm,
    form_kwargs=_exchange_kwargs,
    initial=_exchange_initial,
    save=_exchange_save,
    delete=_deleter(services.exchange_delete, "exchange"),
    probe=_park_probe(SymbiosisExchange),
    facts=lambda x, request: [(_("Park"), _entry_park(request, x).name)],
    create_action=Action.MANAGE,
    note=gettext_lazy(
        "Kinds as in Circular 05/2025/TT-BKHĐT Art. 2(1). An exchange counts as operating "
        "on a date when it had started and not ended."
    ),
    warnings=lambda x: selectors.exchange_warnings(x),
)


# ------------------------------------------------------------------------------- savings


def _saving_kwargs(request, x: SymbiosisSaving | None) -> dict:
    """A new saving offers the exchanges the user keeps; the enterprise that saved is one of
    the exchange's participants (checked again by the service)."""
    if x is not None:
        ids = x.exchange.participants.values("enterprise_id")
        return {"exchanges": None, "enterprises": Enterprise.objects.filter(pk__in=ids)}
    exchanges = selectors.exchanges_changeable(request.user)
    ids = SymbiosisParticipant.objects.filter(exchange__in=exchanges).values("enterprise_id")
    return {
        "exchanges": exchanges.order_by("park__name_vi", "title"),
        "enterprises": Enterprise.objects.filter(pk__in=ids).order_by("name"),
    }


def _saving_initial(x: SymbiosisSaving | None, request) -> dict:
    if x is None:
        return {"year": timezone.localdate().year - 1}
    value, unit = x.quantity, x.unit
    if x.quantity_entered:
        amount, _sep, typed_unit = x.quantity_entered.partition(" ")
        try:
            value, unit = Decimal(amount), typed_unit or unit
        except ArithmeticError:
            pass
    return {f: getattr(x, f) for f in services.SAVING_FIELDS} | {
        "quantity": value,
        "unit": unit,
        "enterprise": x.enterprise_id,
        "version": x.version,
    }


def _saving_save(request, x, form):
    exchange = x.exchange if x is not None else form.cleaned_data["exchange"]
    data = _data(form, services.SAVING_FIELDS) | {"enterprise": form.cleaned_data.get("enterprise")}
    return services.saving_save(
        user=request.user,
        exchange=exchange,
        saving=x,
        data=data,
        expected_version=_version(form, x),
    )


SAVINGS = RegisterPages(
    key="saving",
    list_url="registers:savings",
    tab="savings",
    title=gettext_lazy("Yearly savings of symbiosis exchanges"),
    new_title=gettext_lazy("New yearly saving"),
    saved=gettext_lazy("Saving saved."),
    deleted=gettext_lazy("Saving deleted."),
    visible=selectors.savings_visible,
    park_path="exchange__park_id",
    columns=[
        (gettext_lazy("Exchange"), False),
        (gettext_lazy("Year"), False),
        (gettext_lazy("What was saved"), False),
        (gettext_lazy("Enterprise"), False),
        (gettext_lazy("Quantity"), True),
        (gettext_lazy("Money (VND)"), True),
        (gettext_lazy("t CO2e"), True),
    ],
    row=lambda x, today: (
        [
            x.exchange.title,
            str(x.year),
            x.get_carrier_display() + (f" ({x.fuel})" if x.fuel else ""),
            x.enterprise.name if x.enterprise_id else _("the exchange as a whole"),
            _qty(x.quantity, x.unit),
            format_amount(x.money_vnd),
            format_amount(x.tco2e, 2) if x.tco2e is not None else x.ghg_note,
        ],
        False,
    ),
    order=("-year", "exchange__title", "carrier"),
    form=SavingForm,
    form_kwargs=_saving_kwargs,
    initial=_saving_initial,
    save=_saving_save,
    delete=_deleter(services.saving_delete, "saving"),
    probe=lambda request: selectors.exchanges_changeable(request.user).first(),
    facts=lambda x, request: [(_("Exchange"), x.exchange.title)] if x is not None else [],
    demo=lambda x: x.is_demo or x.exchange.is_demo,
    note=gettext_lazy(
        "What each exchange saved in a year, one line per carrier: the annual reports "
        "(Circular 05/2025/TT-BKHĐT forms A.4 Part III.3 and B.4 Part IV) add them up per "
        "carrier, never kWh of electricity with kWh of heat. A line with an enterprise counts "
        "in that enterprise's report and in the park's; a line without, in the park's only."
    ),
)


# ------------------------------------------------------------------------------- roadmap


def _action_kwargs(request, a: RoadmapAction | None) -> dict:
    """An enterprise's user plans for its enterprise; others choose among the park's tenants
    (or the park itself)."""
    park = _entry_park(request, a)
    criteria = selectors.criteria_for_actions(enterprise=True) | selectors.criteria_for_actions(
        enterprise=False
    )
    own = own_enterprise_ids(request.user)
    tenants = (
        Enterprise.objects.filter(pk__in=own, park=park)
        if own
        else Enterprise.objects.filter(park=park)
    )
    return {
        "enterprises": tenants.order_by("name"),
        "criteria": criteria,
        "owners": park_people(park).order_by("username"),
    }


def _action_initial(a: RoadmapAction | None, request) -> dict:
    if a is not None:
        return {f: getattr(a, f) for f in services.ACTION_FIELDS} | {
            "enterprise": a.enterprise_id,
            "criterion": a.criterion_id,
            "owner": a.owner_id,
            "version": a.version,
        }
    initial = {}
    if request.GET.get("criterion", "").isdigit():
        initial["criterion"] = int(request.GET["criterion"])
    own = own_enterprise_ids(request.user)
    if own:
        initial["enterprise"] = own[0]
    return initial


def _action_save(request, a, form):
    cd = form.cleaned_data
    park = _entry_park(request, a)
    return services.action_save(
        user=request.user,
        park=park,
        enterprise=cd.get("enterprise"),
        criterion=cd["criterion"],
        owner=cd.get("owner"),
        action=a,
        data=_data(form, services.ACTION_FIELDS),
        expected_version=_version(form, a),
    )


def _action_facts(a: RoadmapAction | None, request) -> list:
    facts = [(_("Park"), _entry_park(request, a).name)]
    if a is not None and a.is_overdue():
        facts.append((_("Overdue"), _("target date passed and the action is still open")))
    return facts


def _action_probe(request):
    """A new roadmap action of the user's own park: the park manager's (park level) or its
    enterprise's."""
    park = _own_park(request.user)
    if park is None:
        return None
    scope = scope_of(request.user)
    return RoadmapAction(park=park, enterprise_id=scope.enterprise_id)


ACTIONS = RegisterPages(
    key="action",
    list_url="registers:actions",
    tab="roadmap",
    title=gettext_lazy("Improvement roadmap"),
    new_title=gettext_lazy("New roadmap action"),
    saved=gettext_lazy("Action saved."),
    deleted=gettext_lazy("Action deleted."),
    visible=selectors.actions_visible,
    park_path="park_id",
    columns=[
        (gettext_lazy("Criterion"), False),
        (gettext_lazy("Action"), False),
        (gettext_lazy("Subject"), False),
        (gettext_lazy("Owner"), False),
        (gettext_lazy("Target date"), False),
        (gettext_lazy("Status"), False),
    ],
    row=lambda a, today: (
        [
            a.criterion.code,
            a.title,
            a.enterprise.name if a.enterprise else a.park.name,
            (a.owner.get_full_name() or a.owner.username) if a.owner else a.owner_name,
            _date(a.target_date),
            a.get_status_display() + (f" – {_('overdue')}" if a.is_overdue(today) else ""),
        ],
        a.is_overdue(today),
    ),
    order=("target_date", "pk"),
    form=ActionForm,
    form_kwargs=_action_kwargs,
    initial=_action_initial,
    save=_action_save,
    delete=_deleter(services.action_delete, "action"),
    probe=_action_probe,
    facts=_action_facts,
    note=gettext_lazy("Overdue actions are flagged and e-mailed to their owner once."),
)


# ------------------------------------------------------------------------------ matching


@login_required
def matching_page(request):
    """Candidate pairs of output streams and input needs for a park (``?park=``, default the
    user's own), within ``?km=`` (default 50) of it, ranked, with the reason shown. The park
    manager turns a candidate into a proposed exchange (POST)."""
    user = request.user
    parks = vi_sorted(visible_parks(user), key=lambda p: p.name)
    default = _own_park(user)
    try:
        park_id = int(request.GET.get("park") or (default.pk if default else 0))
        radius = float(request.GET.get("km") or matching.MATCH_RADIUS_KM)
    except ValueError:
        raise Http404 from None
    radius = min(max(radius, 1.0), 300.0)
    park = next((p for p in parks if p.pk == park_id), None) if park_id else None
    if park_id and park is None:
        raise Http404
    candidates = matching.match_candidates(user=user, park=park, radius_km=radius) if park else []
    return render(
        request,
        "registers/matching.html",
        {
            "tabs": register_tabs("matching"),
            "parks": parks,
            "park": park,
            "radius": int(radius),
            "candidates": candidates,
            "can_propose": bool(park and can(user, Action.PROPOSE, SymbiosisExchange(park=park))),
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
    parks = [output.enterprise.park, need.enterprise.park]
    own = next(
        (p for p in parks if can(request.user, Action.PROPOSE, SymbiosisExchange(park=p))), None
    )
    if own is None:
        raise Http404
    try:
        exchange = services.exchange_propose_from_candidate(
            user=request.user, output=output, need=need
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(f"{reverse('registers:matching')}?park={own.pk}")
    messages.success(request, _("Proposed exchange created."))
    return redirect("registers:exchange", pk=exchange.pk)


@login_required
def home(request):
    """The registers start at the RECP measures."""
    return redirect("registers:measures")
