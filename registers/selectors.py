"""Reads of the registers: what a user may see (through the permission policy,
:mod:`enterprises.policy`), the values the registers give the criteria, a park's totals and
flows, and the choices the forms offer.

Sources: Decree 35/2022/ND-CP Art. 37(2) (at least one operating industrial symbiosis whose
participating enterprises apply ISO production and environmental management systems; at
least 20 % of the park's enterprises applying RECP with demonstrated savings), Art. 43 (yearly
report of savings and emission reductions).
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass, field
from decimal import Decimal

import pandas as pd
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from enterprises.models import Enterprise, Park
from enterprises.policy import Action, restrict, visible_enterprises
from indicators.engine import ANSWER_COLUMNS
from indicators.models import AppliesTo, Criterion

from .matching import haversine_km
from .models import (
    ISOCertificate,
    RECPMeasure,
    RoadmapAction,
    Stream,
    SymbiosisExchange,
    SymbiosisParticipant,
    SymbiosisSaving,
)

#: days before expiry on which the holder and the park manager are e-mailed
CERTIFICATE_NOTICE_DAYS = 60
#: areas whose applied measures count as resource efficiency / as cleaner production, after
#: the UNIDO-UNEP RECP programme's split (resource efficiency: productive use of energy,
#: water and materials; cleaner production: fewer chemicals, less waste and pollution).
RESOURCE_EFFICIENCY_AREAS = ("energy", "water", "materials")
CLEANER_PRODUCTION_AREAS = ("chemicals", "waste")
#: data elements (VN-2022 codes) the registers derive; only those the campaign's framework
#: version defines are emitted
REGISTER_ELEMENTS = {
    "park": ("symbioses_operating", "symbiosis_participants_iso"),
    "enterprise": (
        "symbioses_participating",
        "iso_management_system",
        "recp_savings_demonstrated",
        "resource_efficiency_applied",
        "cleaner_production_applied",
    ),
}


# =============================================================================================
# What a user may see
# =============================================================================================


def measures_visible(user) -> QuerySet[RECPMeasure]:
    """RECP measures in the user's scope (enterprise: its own)."""
    qs = RECPMeasure.objects.select_related("enterprise__park", "emission_factor__factor_set")
    return restrict(qs, user, Action.VIEW)


def streams_visible(user) -> QuerySet[Stream]:
    """Streams (outputs offered, inputs needed) in the user's scope (enterprise: its own)."""
    return restrict(Stream.objects.select_related("enterprise__park"), user, Action.VIEW)


def certificates_visible(user) -> QuerySet[ISOCertificate]:
    """ISO certificates in the user's scope (enterprise: its own)."""
    return restrict(ISOCertificate.objects.select_related("enterprise__park"), user, Action.VIEW)


def exchanges_visible(user) -> QuerySet[SymbiosisExchange]:
    """Exchanges of the parks in the user's scope, plus those an enterprise in its scope takes
    part in (an enterprise: only those it takes part in); participants prefetched."""
    participants = SymbiosisParticipant.objects.select_related("enterprise", "park")
    return restrict(
        SymbiosisExchange.objects.select_related("park").prefetch_related(
            Prefetch("participants", queryset=participants)
        ),
        user,
        Action.VIEW,
    )


def exchanges_changeable(user) -> QuerySet[SymbiosisExchange]:
    """Exchanges the user may change (and record savings of): its park's as park manager,
    those its enterprise takes part in."""
    return restrict(SymbiosisExchange.objects.select_related("park"), user, Action.CHANGE)


def savings_visible(user) -> QuerySet[SymbiosisSaving]:
    """Yearly savings of the exchanges the user may see."""
    return restrict(
        SymbiosisSaving.objects.select_related("exchange", "exchange__park", "enterprise"),
        user,
        Action.VIEW,
    )


def actions_visible(user) -> QuerySet[RoadmapAction]:
    """Roadmap actions in the user's scope: an enterprise sees its own enterprise-level
    actions; park managers, boards and the ministry their parks' actions of both levels."""
    qs = RoadmapAction.objects.select_related("park", "enterprise", "criterion", "owner")
    return restrict(qs, user, Action.VIEW)


def editable_enterprises(user) -> QuerySet[Enterprise]:
    """Enterprises whose registers the user may write: its own (enterprise) or its park's
    tenants (park manager); none otherwise. Ordered by name."""
    return restrict(Enterprise.objects.all(), user, Action.CHANGE).order_by("name")


def participant_choices(user, park: Park) -> QuerySet[Enterprise]:
    """Enterprises a user may name as participants of an exchange of ``park``: those in its
    scope and the tenants of that park (a tenant may name its neighbours)."""
    return (
        Enterprise.objects.filter(Q(pk__in=visible_enterprises(user).values("pk")) | Q(park=park))
        .select_related("park")
        .order_by("name")
    )


def criteria_for_actions(*, enterprise: bool) -> QuerySet[Criterion]:
    """Criteria a roadmap action may address: those of published framework versions that
    apply to enterprises (``enterprise=True``) or to parks, newest version first."""
    applies = [AppliesTo.ENTERPRISE] if enterprise else [AppliesTo.PARK, AppliesTo.PARK_NEW]
    return (
        Criterion.objects.filter(version__status="published", applies_to__in=applies)
        .exclude(rule="none")
        .select_related("version__framework")
        .order_by("-version__effective_from", "order")
    )


# =============================================================================================
# Derived values for the criteria
# =============================================================================================


def operating_q(reference_date: datetime.date, prefix: str = "") -> Q:
    """Q for exchanges operating on ``reference_date``: started on or before it and not ended
    before it (status operating, or ended on or after that date)."""
    p = prefix
    return Q(
        **{f"{p}status__in": ["operating", "ended"], f"{p}started_on__lte": reference_date}
    ) & (Q(**{f"{p}ended_on__isnull": True}) | Q(**{f"{p}ended_on__gte": reference_date}))


def valid_certificate_q(reference_date: datetime.date, prefix: str = "") -> Q:
    """Q for certificates valid on ``reference_date`` (issued on or before, expiring on or
    after it; an unknown issue date counts as issued)."""
    p = prefix
    return Q(**{f"{p}expires_on__gte": reference_date}) & (
        Q(**{f"{p}issued_on__isnull": True}) | Q(**{f"{p}issued_on__lte": reference_date})
    )


def register_values_frame(
    *,
    period: int,
    codes: set[str],
    park_ids: list[int],
    enterprise_ids: list[int],
    reference_date: datetime.date | None = None,
) -> pd.DataFrame:
    """Values the registers give for ``period``, in the scoring engine's long shape (columns
    :data:`indicators.engine.ANSWER_COLUMNS`: kind, subject, period, element, value; value
    float, yes = 1.0, no = 0.0), for the parks ``park_ids`` and the enterprises
    ``enterprise_ids``. Only elements in ``codes`` (the framework version's data element
    codes) are emitted. Constant number of queries (4).

    ``reference_date`` defaults to 31 December of ``period``. Elements (VN-2022 codes):

    - park ``symbioses_operating``: exchanges of the park operating on the reference date
      (Decree 35 Art. 37(2)(b)); 0.0 when none;
    - park ``symbiosis_participants_iso``: 1.0 when every participating enterprise of every
      operating exchange of the park holds an ISO certificate valid on the reference date,
      0.0 when one does not; absent when the park has no operating exchange (no data). The
      park developer and outside parties are not enterprises and are not checked;
    - enterprise ``symbioses_participating``: operating exchanges it takes part in (0.0 when
      none); ``iso_management_system``: 1.0/0.0, a certificate valid on the reference date;
    - enterprise ``recp_savings_demonstrated``: 1.0 when it has at least one implemented or
      verified measure of a year up to the period WITH a recorded saving (physical or money
      > 0), else 0.0 (Art. 37(2): "with demonstrated savings");
    - enterprise ``resource_efficiency_applied`` / ``cleaner_production_applied``: 1.0 when it
      has an implemented or verified measure in energy, water or materials / in chemicals or
      waste (see :data:`RESOURCE_EFFICIENCY_AREAS`); absent otherwise (a register without such
      a measure does not prove the enterprise applies none).
    """
    ref = reference_date or datetime.date(period, 12, 31)
    parks = sorted({int(p) for p in park_ids})
    ents = sorted({int(e) for e in enterprise_ids})
    rows: list[tuple[str, int, int, str, float]] = []

    def emit(kind: str, code: str, values: pd.Series) -> None:
        if code in codes:
            rows.extend((kind, int(s), period, code, float(v)) for s, v in values.items())

    # operating exchanges of those parks, and every enterprise participation in an operating
    # exchange that concerns those parks or enterprises
    operating = SymbiosisExchange.objects.filter(operating_q(ref))
    park_exchanges = pd.DataFrame(
        list(operating.filter(park_id__in=parks).values_list("pk", "park_id")),
        columns=["exchange", "park"],
    )
    part = pd.DataFrame(
        list(
            SymbiosisParticipant.objects.filter(
                operating_q(ref, "exchange__"), enterprise__isnull=False
            )
            .filter(Q(exchange__park_id__in=parks) | Q(enterprise_id__in=ents))
            .values_list("exchange_id", "exchange__park_id", "enterprise_id")
        ),
        columns=["exchange", "park", "enterprise"],
    )
    holders = set(
        ISOCertificate.objects.filter(
            valid_certificate_q(ref),
            enterprise_id__in=set(ents) | set(part["enterprise"].tolist()),
        ).values_list("enterprise_id", flat=True)
    )
    measures = pd.DataFrame(
        list(
            RECPMeasure.objects.filter(
                enterprise_id__in=ents,
                status__in=RECPMeasure.APPLIED_STATUSES,
                year__lte=period,
            ).values_list("enterprise_id", "area", "saving_value", "saving_money_vnd")
        ),
        columns=["enterprise", "area", "saving", "money"],
    )

    park_index = pd.Index(parks, dtype="int64")
    ent_index = pd.Index(ents, dtype="int64")

    count = park_exchanges.groupby("park")["exchange"].nunique()
    emit("park", "symbioses_operating", count.reindex(park_index, fill_value=0))
    park_part = part[part["park"].isin(parks)].assign(
        iso=lambda f: f["enterprise"].isin(holders).astype(float)
    )
    all_iso = park_part.groupby("park")["iso"].min()
    has_operating = park_index[park_index.isin(park_exchanges["park"])]
    emit("park", "symbiosis_participants_iso", all_iso.reindex(has_operating, fill_value=1.0))

    ent_part = part[part["enterprise"].isin(ents)]
    emit(
        "enterprise",
        "symbioses_participating",
        ent_part.groupby("enterprise")["exchange"].nunique().reindex(ent_index, fill_value=0),
    )
    emit(
        "enterprise",
        "iso_management_system",
        pd.Series(ent_index.isin(list(holders)).astype(float), index=ent_index),
    )
    saving = pd.to_numeric(measures["saving"], errors="coerce").fillna(0).astype(float)
    money = pd.to_numeric(measures["money"], errors="coerce").fillna(0).astype(float)
    with_savings = set(measures.loc[(saving > 0) | (money > 0), "enterprise"].tolist())
    emit(
        "enterprise",
        "recp_savings_demonstrated",
        pd.Series(ent_index.isin(list(with_savings)).astype(float), index=ent_index),
    )
    for code, areas in (
        ("resource_efficiency_applied", RESOURCE_EFFICIENCY_AREAS),
        ("cleaner_production_applied", CLEANER_PRODUCTION_AREAS),
    ):
        who = sorted(set(measures.loc[measures["area"].isin(areas), "enterprise"].tolist()))
        emit("enterprise", code, pd.Series(1.0, index=pd.Index(who, dtype="int64")))

    frame = pd.DataFrame(rows, columns=ANSWER_COLUMNS)
    frame["value"] = frame["value"].astype("float64")
    return frame


@dataclass(frozen=True)
class IsoGap:
    """An enterprise taking part in an operating symbiosis exchange without an ISO
    certificate valid on the reference date: while it does, the park's criteria reading
    ``symbiosis_participants_iso`` (VN35-EIP-E3, Decree 35/2022 Art. 37(2)(b)) are not met."""

    exchange: SymbiosisExchange
    enterprise: Enterprise


def iso_gaps(
    exchanges: QuerySet[SymbiosisExchange], *, reference_date: datetime.date
) -> list[IsoGap]:
    """The enterprise participants of the operating ``exchanges`` (on ``reference_date``)
    without a certificate valid on that date, by exchange title then enterprise name; two
    queries."""
    parts = list(
        SymbiosisParticipant.objects.filter(
            exchange__in=exchanges.filter(operating_q(reference_date)), enterprise__isnull=False
        )
        .exclude(
            enterprise__in=ISOCertificate.objects.filter(
                valid_certificate_q(reference_date)
            ).values("enterprise_id")
        )
        .select_related("exchange", "enterprise")
        .order_by("exchange__title", "exchange_id", "enterprise__name")
    )
    return [IsoGap(exchange=p.exchange, enterprise=p.enterprise) for p in parts]


def iso_criteria() -> list[Criterion]:
    """Park criteria of the published framework versions whose indicator reads
    ``symbiosis_participants_iso`` (every participant of the operating exchanges holds an
    ISO certificate): VN35-EIP-E3 in VN-2022; one per code, newest version first."""
    seen, out = set(), []
    for c in (
        Criterion.objects.filter(
            version__status="published",
            applies_to=AppliesTo.PARK,
            indicator__formula__contains="symbiosis_participants_iso",
        )
        .select_related("version")
        .order_by("-version__effective_from", "-version_id", "order")
    ):
        if c.code not in seen:
            seen.add(c.code)
            out.append(c)
    return out


def gap_text(gap: IsoGap, criteria: list[Criterion], *, on: datetime.date) -> str:
    """One sentence naming the participant, the exchange and the criteria it makes fail."""
    english = (translation.get_language() or "vi").startswith("en")
    named = ", ".join(
        f"{c.code} ({c.title_en if english or not c.title_vi else c.title_vi})" for c in criteria
    )
    return _(
        "«%(enterprise)s» takes part in the operating exchange «%(exchange)s» without an ISO "
        "certificate valid on %(date)s: while it does, %(criteria)s is not met for "
        "%(park)s."
    ) % {
        "enterprise": gap.enterprise.name,
        "exchange": gap.exchange.title,
        "date": date_format(on, "SHORT_DATE_FORMAT"),
        "criteria": named or _("the ISO criterion of symbiosis participants"),
        "park": gap.exchange.park.name,
    }


def exchange_warnings(exchange: SymbiosisExchange, *, on: datetime.date | None = None) -> list[str]:
    """What saving ``exchange`` costs its park (shown after a save, on its page and in the
    API): one sentence per enterprise participant without an ISO certificate valid ``on``
    (default today) while the exchange operates. Empty when nothing is at stake."""
    on = on or timezone.localdate()
    gaps = iso_gaps(SymbiosisExchange.objects.filter(pk=exchange.pk), reference_date=on)
    if not gaps:
        return []
    criteria = iso_criteria()
    return [gap_text(g, criteria, on=on) for g in gaps]


@dataclass
class ParkTotals:
    """Register totals of a park's enterprises for one year (implemented or verified measures
    of a year up to ``period``): ``savings`` canonical unit → yearly amount (kWh, m³, t),
    ``money_vnd``, ``investment_vnd``, ``tco2e`` (grid-electricity savings with an official
    factor), ``measures`` counted, ``without_factor`` electricity measures left without CO2e,
    ``operating`` exchanges on 31 Dec of ``period``."""

    period: int
    savings: dict[str, Decimal] = field(default_factory=dict)
    money_vnd: Decimal = Decimal(0)
    investment_vnd: Decimal = Decimal(0)
    tco2e: Decimal = Decimal(0)
    measures: int = 0
    without_factor: int = 0
    operating: int = 0


MEASURE_ROW_FIELDS = (
    "year",
    "area",
    "saving_unit",
    "saving_value",
    "saving_money_vnd",
    "investment_vnd",
    "ghg_reduction_tco2e",
    "emission_factor_id",
    "energy_carrier",
    "is_demo",
)


def _park_measure_rows(park: Park, user) -> list[dict]:
    measures = measures_visible(user) if user is not None else RECPMeasure.objects.all()
    return list(
        measures.filter(enterprise__park=park, status__in=RECPMeasure.APPLIED_STATUSES).values(
            *MEASURE_ROW_FIELDS
        )
    )


def _park_exchanges(park: Park, user) -> list[SymbiosisExchange]:
    exchanges = exchanges_visible(user) if user is not None else SymbiosisExchange.objects.all()
    return list(exchanges.filter(park=park).order_by("title", "pk"))


def _totals(rows: list[dict], exchanges: list, period: int) -> ParkTotals:
    totals = ParkTotals(period=period)
    ref = datetime.date(period, 12, 31)
    for r in rows:
        if r["year"] > period:
            continue
        totals.measures += 1
        if r["saving_value"] is not None and r["saving_unit"]:
            unit = r["saving_unit"]
            totals.savings[unit] = totals.savings.get(unit, Decimal(0)) + r["saving_value"]
        totals.money_vnd += r["saving_money_vnd"] or 0
        totals.investment_vnd += r["investment_vnd"] or 0
        totals.tco2e += r["ghg_reduction_tco2e"] or 0
        if (
            r["energy_carrier"] == "electricity"
            and r["saving_value"]
            and r["emission_factor_id"] is None
        ):
            totals.without_factor += 1
    totals.operating = sum(
        1
        for x in exchanges
        if x.status in ("operating", "ended")
        and x.started_on
        and x.started_on <= ref
        and (x.ended_on is None or x.ended_on >= ref)
    )
    return totals


def _savings(rows: list[dict]) -> list[dict]:
    groups: dict[tuple[int, str], dict] = {}
    for r in rows:
        g = groups.setdefault(
            (r["year"], r["area"]),
            {
                "year": r["year"],
                "area": r["area"],
                "money_vnd": Decimal(0),
                "tco2e": Decimal(0),
                "measures": 0,
            },
        )
        g["money_vnd"] += r["saving_money_vnd"] or 0
        g["tco2e"] += r["ghg_reduction_tco2e"] or 0
        g["measures"] += 1
    order = [a for a, _label in RECPMeasure.Area.choices]
    return sorted(groups.values(), key=lambda g: (g["year"], order.index(g["area"])))


def _flows(exchanges: list) -> list[dict]:
    flows = []
    for ex in exchanges:
        if ex.status == SymbiosisExchange.Status.ENDED:
            continue
        parties = list(ex.participants.all())
        if len(parties) < 2:
            continue
        providers = [p for p in parties if p.role == SymbiosisParticipant.Part.PROVIDES]
        if not providers:
            providers = [p for p in parties if p.kind == "developer"] or parties[:1]
        receivers = [p for p in parties if p not in providers]
        for s in providers:
            for t in receivers:
                flows.append(
                    {
                        "exchange": ex.pk,
                        "title": ex.title,
                        "kind": ex.kind,
                        "kind_label": ex.get_kind_display(),
                        "status": ex.status,
                        "status_label": ex.get_status_display(),
                        "source": str(s),
                        "target": str(t),
                        "quantity": ex.quantity_per_year,
                        "unit": ex.unit,
                    }
                )
    return flows


def park_register_totals(*, park: Park, period: int, user=None) -> ParkTotals:
    """Yearly savings (canonical unit → amount), money, investment and CO2e of ``park``'s
    implemented or verified RECP measures of a year up to ``period``, and its exchanges
    operating on 31 Dec of ``period`` (3 queries). Art. 43 asks for these in the yearly
    report. With ``user``, only the measures and exchanges that user may see."""
    return _totals(_park_measure_rows(park, user), _park_exchanges(park, user), period)


def savings_by_area_and_year(*, park: Park, user=None) -> list[dict]:
    """Yearly money savings (VND) and CO2e of ``park``'s implemented or verified measures,
    summed by the year implemented and area: ``[{"year", "area", "money_vnd", "tco2e",
    "measures"}]`` sorted by year and area (one query). With ``user``, only what it may see."""
    return _savings(_park_measure_rows(park, user))


def park_exchange_flows(*, park: Park, user) -> list[dict]:
    """The visible exchanges of ``park`` (not ended) as flows for a Sankey diagram:
    ``[{"exchange", "title", "kind", "kind_label", "status", "status_label", "source",
    "target", "quantity", "unit"}]``, one row per (provider, receiver) pair. Providers are
    participants with role "provides" (else the park developer, else the first
    participant); receivers are the others (2 queries)."""
    return _flows(_park_exchanges(park, user))


@dataclass
class ParkOverview:
    """Everything the registers panel shows for a park, in 3 queries: ``totals``,
    ``savings`` rows, ``flows`` and whether any of it is ``demo`` data."""

    totals: ParkTotals
    savings: list[dict]
    flows: list[dict]
    demo: bool


def park_overview(*, park: Park, period: int, user) -> ParkOverview:
    """:func:`park_register_totals`, :func:`savings_by_area_and_year` and
    :func:`park_exchange_flows` of one park from one read of its measures and exchanges."""
    rows = _park_measure_rows(park, user)
    exchanges = _park_exchanges(park, user)
    return ParkOverview(
        totals=_totals(rows, exchanges, period),
        savings=_savings(rows),
        flows=_flows(exchanges),
        demo=any(r["is_demo"] for r in rows) or any(x.is_demo for x in exchanges),
    )


def overdue_actions(actions, today: datetime.date | None = None) -> list:
    """The actions of ``actions`` that are overdue on ``today`` (helper for pages)."""
    today = today or timezone.localdate()
    return [a for a in actions if a.is_overdue(today)]


def distance_between_parks_km(a: Park, b: Park) -> float | None:
    """Haversine distance between two parks' coordinates (km), None when one has none."""
    if None in (a.latitude, a.longitude, b.latitude, b.longitude):
        return None
    d = haversine_km(float(a.latitude), float(a.longitude), float(b.latitude), float(b.longitude))
    return None if math.isnan(d) else float(d)


# =============================================================================================
# What the registers give the annual reports (Circular 05/2025/TT-BKHĐT forms A.4, B.4)
# =============================================================================================

#: the form types of an exchange (forms A.4 III.2.1.2–2.1.6, B.4 P4.2), in the forms' order
FORM_TYPES = ("io_exchange", "shared_infrastructure", "services", "other_parks", "other")
_MILLION = Decimal(10) ** 6
_FIVE_PLACES = Decimal("0.00001")
#: RECP areas (and their canonical unit) reported as one line each; energy is split by carrier
_MEASURE_LINES = {
    "water": ("water", "m³"),
    "wastewater": ("wastewater", "m³"),
    "waste_reuse": ("waste_reused", "t"),
    "waste_recycling": ("waste_recycled", "t"),
    "materials": ("materials", "t"),
    "chemicals": ("chemicals", "t"),
}
#: symbiosis carriers reported as one line each (fuel and shared services apart)
_SAVING_LINES = {
    "electricity": "kWh",
    "water": "m³",
    "wastewater": "m³",
    "waste_reused": "t",
    "waste_recycled": "t",
    "materials": "t",
    "materials_received": "t",
    "materials_supplied": "t",
    "chemicals": "t",
}


@dataclass(frozen=True)
class Rollup:
    """One figure the registers suggest for a report field: ``value`` (a ``Decimal`` in the
    field's stored unit — kWh, m³, t, t CO2e, million VND —, an ``int`` count, a ``bool``, a
    text, or a tuple of codes), ``unit`` for a quantity that carries its own (a fuel), and
    ``basis``: what it was made of, for the person deciding whether to use it (e.g. "4 RECP
    measures; 1 in another unit left out"). ``value`` None: no figure to suggest."""

    value: object
    basis: str = ""
    unit: str = ""


def _million(vnd) -> Decimal:
    """VND → million VND, 5 decimals (the forms' precision)."""
    return (Decimal(vnd) / _MILLION).quantize(_FIVE_PLACES).normalize() + Decimal(0)


def _basis(what: str, used: int, other_unit: int = 0) -> str:
    """What a figure was made of: ``what`` is ``measures`` (RECP measures) or ``savings``
    (recorded symbiosis savings); rows in another unit left out are said."""
    from django.utils.translation import gettext as _
    from django.utils.translation import ngettext

    if not used and not other_unit:
        return (
            _("no RECP measure recorded")
            if what == "measures"
            else _("no symbiosis saving recorded")
        )
    if what == "measures":
        text = ngettext("%(n)s RECP measure", "%(n)s RECP measures", used) % {"n": used}
    else:
        text = ngettext("%(n)s recorded saving", "%(n)s recorded savings", used) % {"n": used}
    if other_unit:
        text += "; " + ngettext(
            "%(n)s in another unit left out", "%(n)s in other units left out", other_unit
        ) % {"n": other_unit}
    return text


def _measures_basis(used: int, other_unit: int) -> str:
    return _basis("measures", used, other_unit)


def _savings_basis(used: int, other_unit: int = 0) -> str:
    return _basis("savings", used, other_unit)


def _fuel_lines(rows: list[dict], name_key: str, qty_key: str) -> tuple[list[tuple], dict]:
    """Group fuel rows by (fuel, unit): ``[(fuel, unit, quantity, money_vnd, count)]`` sorted
    by fuel and unit; never adds two fuels or two units together."""
    groups: dict[tuple[str, str], list] = {}
    for r in rows:
        key = ((r[name_key] or "").strip(), r["unit"] or "")
        g = groups.setdefault(key, [Decimal(0), Decimal(0), 0, False])
        if r[qty_key] is not None:
            g[0] += r[qty_key]
            g[3] = True
        g[1] += r["money"] or 0
        g[2] += 1
    lines = [(f, u, g[0] if g[3] else None, g[1], g[2]) for (f, u), g in sorted(groups.items())]
    return lines, groups


def _fuels_text(lines: list[tuple]) -> str:
    from django.utils.translation import gettext as _

    from common.formats import format_amount

    parts = []
    for fuel, unit, qty, money, _count in lines:
        name = fuel or _("unnamed fuel")
        text = f"{name}: {format_amount(qty, 5)} {unit}".strip() if qty is not None else name
        if money:
            text += (
                " ("
                + _("%(amount)s million VND saved") % {"amount": format_amount(_million(money), 5)}
                + ")"
            )
        parts.append(text)
    return "; ".join(parts)


def report_rollups(
    *, period: int, park_id: int, enterprise_id: int | None = None
) -> dict[str, Rollup]:
    """The figures the registers give the annual report of year ``period`` ([N-1]) of the park
    ``park_id`` (form A.4: its enterprises' RECP measures, its exchanges and their savings) or,
    with ``enterprise_id``, of that enterprise (form B.4: its own measures, the exchanges it
    takes part in and the savings recorded for it). Keys are the ``rollup`` names of the form
    definitions (``indicators/data/forms/*.yaml``); seven queries.

    RECP (implemented or verified measures; a measure saves its yearly saving every year from
    the year implemented): ``recp.enterprises_to_n_minus_2`` / ``solutions_to_n_minus_2``
    (measures of a year up to ``period - 1``), ``…_in_n_minus_1`` (of ``period``),
    ``recp.enterprises_planned_to_n_plus_3`` (enterprises with a measure of any status dated
    ``period + 1`` to ``period + 4``); savings in ``period`` per carrier: grid electricity
    (kWh, t CO2e, money), each other fuel in its own unit (text, never added), water and
    wastewater (m³), waste reused and recycled, materials and chemicals (t), each with its
    money in million VND; ``recp.tco2e`` all the CO2e recorded.

    Symbiosis: exchanges operating on 31 December of ``period``, the expected ones (operating,
    proposed or under study), their form types, the partners in and outside the park; the
    savings recorded for ``period`` per carrier, with money in million VND.

    A line whose rows are in another unit than the field's (e.g. a water measure in t) leaves
    them out and says so in ``basis``; no unit is ever converted into another dimension.
    """
    from django.utils.translation import gettext as _

    ref = datetime.date(period, 12, 31)
    out: dict[str, Rollup] = {}

    # --- RECP measures -------------------------------------------------------------------
    measures = RECPMeasure.objects.filter(enterprise__park_id=park_id)
    if enterprise_id is not None:
        measures = measures.filter(enterprise_id=enterprise_id)
    rows = list(
        measures.values(
            "enterprise_id",
            "area",
            "status",
            "year",
            "saving_value",
            "saving_unit",
            "energy_carrier",
            "fuel",
            "saving_money_vnd",
            "ghg_reduction_tco2e",
        )
    )
    applied = [r for r in rows if r["status"] in RECPMeasure.APPLIED_STATUSES]
    before = [r for r in applied if r["year"] <= period - 1]
    this_year = [r for r in applied if r["year"] == period]
    planned = [r for r in rows if period + 1 <= r["year"] <= period + 4]
    out["recp.enterprises_to_n_minus_2"] = Rollup(
        len({r["enterprise_id"] for r in before}), _measures_basis(len(before), 0)
    )
    out["recp.solutions_to_n_minus_2"] = Rollup(len(before), _measures_basis(len(before), 0))
    out["recp.enterprises_in_n_minus_1"] = Rollup(
        len({r["enterprise_id"] for r in this_year}), _measures_basis(len(this_year), 0)
    )
    out["recp.solutions_in_n_minus_1"] = Rollup(len(this_year), _measures_basis(len(this_year), 0))
    out["recp.enterprises_planned_to_n_plus_3"] = Rollup(
        len({r["enterprise_id"] for r in planned}), _measures_basis(len(planned), 0)
    )
    operating_measures = [r for r in applied if r["year"] <= period]
    for r in operating_measures:
        r["money"], r["unit"] = r["saving_money_vnd"], r["saving_unit"]
    energy = [r for r in operating_measures if r["area"] == "energy"]
    electric = [r for r in energy if r["energy_carrier"] == "electricity"]
    fuels = [r for r in energy if r["energy_carrier"] != "electricity"]

    def measure_line(key: str, lines: list[dict], unit: str) -> None:
        used = [r for r in lines if r["saving_unit"] == unit]
        other = [r for r in lines if r["saving_unit"] not in (unit, "")]
        basis = _measures_basis(len(used), len(other))
        quantity = sum((r["saving_value"] or 0 for r in used), Decimal(0))
        out[f"recp.{key}"] = Rollup(quantity.normalize() + Decimal(0), basis, unit)
        money = sum((r["saving_money_vnd"] or 0 for r in lines), Decimal(0))
        out[f"recp.{key}_money"] = Rollup(_million(money), _measures_basis(len(lines), 0))

    measure_line("electricity_kwh", electric, "kWh")
    out["recp.electricity_money"] = out.pop("recp.electricity_kwh_money")
    with_co2 = [r for r in electric if r["ghg_reduction_tco2e"] is not None]
    out["recp.electricity_tco2e"] = Rollup(
        sum((r["ghg_reduction_tco2e"] for r in with_co2), Decimal(0)).normalize() + Decimal(0),
        _measures_basis(len(with_co2), 0)
        + (
            "; "
            + _("%(n)s without an official emission factor") % {"n": len(electric) - len(with_co2)}
            if len(electric) > len(with_co2)
            else ""
        ),
    )
    all_co2 = [r for r in operating_measures if r["ghg_reduction_tco2e"] is not None]
    out["recp.tco2e"] = Rollup(
        sum((r["ghg_reduction_tco2e"] for r in all_co2), Decimal(0)).normalize() + Decimal(0),
        _measures_basis(len(all_co2), 0),
    )
    lines, _groups = _fuel_lines(fuels, "fuel", "saving_value")
    out["recp.fuels_text"] = Rollup(_fuels_text(lines) or None, _measures_basis(len(fuels), 0))
    single = lines[0] if len(lines) == 1 and lines[0][2] is not None else None
    out["recp.fuel_quantity"] = Rollup(
        single[2].normalize() + Decimal(0) if single else None,
        _fuels_text(lines) or _measures_basis(0, 0),
        single[1] if single else "",
    )
    out["recp.fuel_money"] = Rollup(
        _million(sum((r["saving_money_vnd"] or 0 for r in fuels), Decimal(0))),
        _measures_basis(len(fuels), 0),
    )
    for area, (key, unit) in _MEASURE_LINES.items():
        measure_line(
            f"{key}_{'m3' if unit == 'm³' else unit}",
            [r for r in operating_measures if r["area"] == area],
            unit,
        )
        out[f"recp.{key}_money"] = out.pop(f"recp.{key}_{'m3' if unit == 'm³' else unit}_money")

    # --- symbiosis exchanges -------------------------------------------------------------
    exchanges = SymbiosisExchange.objects.filter(park_id=park_id)
    if enterprise_id is not None:
        exchanges = SymbiosisExchange.objects.filter(participants__enterprise_id=enterprise_id)
    exchange_rows = list(
        exchanges.distinct().values("pk", "kind", "status", "started_on", "ended_on")
    )
    operating = [
        x
        for x in exchange_rows
        if x["status"] in ("operating", "ended")
        and x["started_on"] is not None
        and x["started_on"] <= ref
        and (x["ended_on"] is None or x["ended_on"] >= ref)
    ]
    operating_ids = {x["pk"] for x in operating}
    parties = list(
        SymbiosisParticipant.objects.filter(exchange_id__in=operating_ids).values(
            "exchange_id",
            "kind",
            "enterprise_id",
            "enterprise__name",
            "enterprise__tax_code",
            "enterprise__park_id",
            "enterprise__park__name_vi",
            "name",
        )
    )
    other_park_exchanges = {
        p["exchange_id"]
        for p in parties
        if p["enterprise_id"] is not None and p["enterprise__park_id"] != park_id
    }
    types = set()
    for x in operating:
        types.add(SymbiosisExchange.FORM_TYPES.get(x["kind"], "other"))
        if x["pk"] in other_park_exchanges:
            types.add("other_parks")
    count_basis = _("%(n)s exchanges operating on %(date)s") % {
        "n": len(operating),
        "date": ref.strftime("%d/%m/%Y"),
    }
    out["symbiosis.operating"] = Rollup(len(operating), count_basis)
    expected = [
        x
        for x in exchange_rows
        if x["pk"] in operating_ids or x["status"] in ("proposed", "under_study")
    ]
    out["symbiosis.expected"] = Rollup(
        len(expected),
        _("%(operating)s operating and %(planned)s proposed or under study")
        % {"operating": len(operating), "planned": len(expected) - len(operating)},
    )
    for t in FORM_TYPES:
        out[f"symbiosis.type_{t}"] = Rollup(t in types, count_basis)
    out["symbiosis.types"] = Rollup(tuple(t for t in FORM_TYPES if t in types), count_basis)
    in_park = {}
    outside = {}
    for p in parties:
        if p["enterprise_id"] == enterprise_id and enterprise_id is not None:
            continue
        if p["enterprise_id"] is not None and p["enterprise__park_id"] == park_id:
            in_park[p["enterprise__tax_code"]] = p["enterprise__name"]
        elif p["enterprise_id"] is not None:
            outside[p["enterprise__name"]] = (
                f"{p['enterprise__name']} ({p['enterprise__park__name_vi']})"
            )
        elif p["kind"] == "outside":
            outside[p["name"]] = p["name"]
    out["symbiosis.partners_in_park"] = Rollup(tuple(sorted(in_park)), count_basis)
    out["symbiosis.partners_other_parks"] = Rollup("; ".join(outside.values()) or None, count_basis)

    savings = SymbiosisSaving.objects.filter(year=period)
    if enterprise_id is None:
        savings = savings.filter(exchange__park_id=park_id)
    else:
        savings = savings.filter(enterprise_id=enterprise_id)
    saving_rows = list(
        savings.values(
            "carrier", "fuel", "quantity", "unit", "money_vnd", "tco2e", "exchange__title"
        )
    )
    for r in saving_rows:
        r["money"] = r["money_vnd"]
    for carrier, unit in _SAVING_LINES.items():
        lines_ = [r for r in saving_rows if r["carrier"] == carrier]
        used = [r for r in lines_ if r["unit"] == unit]
        other = [r for r in lines_ if r["unit"] not in (unit, "")]
        suffix = {"kWh": "kwh", "m³": "m3", "t": "t"}[unit]
        out[f"symbiosis.{carrier}_{suffix}"] = Rollup(
            sum((r["quantity"] or 0 for r in used), Decimal(0)).normalize() + Decimal(0),
            _savings_basis(len(used), len(other)),
            unit,
        )
        out[f"symbiosis.{carrier}_money"] = Rollup(
            _million(sum((r["money_vnd"] or 0 for r in lines_), Decimal(0))),
            _savings_basis(len(lines_)),
        )
    electric_rows = [r for r in saving_rows if r["carrier"] == "electricity"]
    fuel_rows = [r for r in saving_rows if r["carrier"] == "fuel"]
    for key, lines_ in (
        ("electricity_tco2e", electric_rows),
        ("fuel_tco2e", fuel_rows),
        ("tco2e", saving_rows),
    ):
        known = [r for r in lines_ if r["tco2e"] is not None]
        out[f"symbiosis.{key}"] = Rollup(
            sum((r["tco2e"] for r in known), Decimal(0)).normalize() + Decimal(0),
            _savings_basis(len(known)),
        )
    flines, _g = _fuel_lines(fuel_rows, "fuel", "quantity")
    out["symbiosis.fuels_text"] = Rollup(
        _fuels_text(flines) or None, _savings_basis(len(fuel_rows))
    )
    single = flines[0] if len(flines) == 1 and flines[0][2] is not None else None
    out["symbiosis.fuel_quantity"] = Rollup(
        single[2].normalize() + Decimal(0) if single else None,
        _fuels_text(flines) or _savings_basis(0),
        single[1] if single else "",
    )
    out["symbiosis.fuel_money"] = Rollup(
        _million(sum((r["money_vnd"] or 0 for r in fuel_rows), Decimal(0))),
        _savings_basis(len(fuel_rows)),
    )
    services_rows = [r for r in saving_rows if r["carrier"] == "shared_service"]
    names = list(dict.fromkeys((r["fuel"] or r["exchange__title"]) for r in services_rows))
    out["symbiosis.shared_services_text"] = Rollup(
        "; ".join(names) or None, _savings_basis(len(services_rows))
    )
    out["symbiosis.shared_services_money"] = Rollup(
        _million(sum((r["money_vnd"] or 0 for r in services_rows), Decimal(0))),
        _savings_basis(len(services_rows)),
    )
    return out
