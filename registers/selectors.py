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
