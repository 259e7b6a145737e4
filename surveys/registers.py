"""RECP measures, industrial symbiosis, streams, certificates and the improvement roadmap
(issue 7): the registers respondents keep once and the national criteria read.

Sources: Decree 35/2022/ND-CP Art. 37(2) (at least one operating industrial symbiosis whose
participating enterprises apply ISO production and environmental management systems; at
least 20% of the park's enterprises applying RECP with demonstrated savings), Art. 43 (yearly
report of savings and emission reductions); Circular 05/2025/TT-BKHĐT Art. 2(1) (the forms
of industrial symbiosis: materials and by-products, waste, water, energy, shared
infrastructure, shared services).

Layout (HackSoft): selectors (reads, scoped through :mod:`enterprises.policy`) first, then
the derived answers frame, matching, services (keyword-only, ``@transaction.atomic``) and the
e-mail notices the daily task sends (``surveys.tasks_registers``).

Permissions: an enterprise reads and edits its own measures, streams and certificates and
the exchanges it takes part in; a park manager those of its park (and edits them); a
provincial board and the ministry read their scope; anything else is not found (404).
Roadmap actions: park-level actions are the park manager's; enterprise-level actions are the
enterprise's and its park manager's.
"""

from __future__ import annotations

import datetime
import logging
import math
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np
import pandas as pd
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import connection, transaction
from django.db.models import F, Prefetch, Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from enterprises.models import Enterprise, Park, Role, UserScope
from enterprises.policy import filter_visible, scope_of, visible_enterprises
from indicators import units
from indicators.emissions import co2e_of_electricity
from indicators.models import AppliesTo, Criterion, DataElement

from .models import (
    Campaign,
    CertificateNotice,
    ISOCertificate,
    RECPMeasure,
    Response,
    RoadmapAction,
    Stream,
    SymbiosisExchange,
    SymbiosisParticipant,
)
from .selectors import ANSWER_COLUMNS
from .signals import scored_answers_changed

log = logging.getLogger(__name__)

#: days before expiry on which the holder and the park manager are e-mailed
CERTIFICATE_NOTICE_DAYS = 60
#: default search radius of matching, km (same park is 0 km)
MATCH_RADIUS_KM = 50.0
#: weights of the matching score (category, quantity fit, nearness); they add up to 1
MATCH_WEIGHTS = {"category": 0.5, "quantity": 0.3, "distance": 0.2}
#: dimensions a physical saving or a flow may be measured in (canonical units kWh, m³, t)
FLOW_DIMENSIONS = ("energy", "volume", "mass")
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
LANGUAGES = ("vi", "en")


# =============================================================================================
# Selectors: what a user may see and change
# =============================================================================================


def measures_visible(user) -> QuerySet[RECPMeasure]:
    """RECP measures in the user's scope (enterprise: its own)."""
    qs = RECPMeasure.objects.select_related("enterprise__park", "emission_factor__factor_set")
    return filter_visible(qs, user, park_path="enterprise__park", enterprise_path="enterprise")


def streams_visible(user) -> QuerySet[Stream]:
    """Streams (outputs offered, inputs needed) in the user's scope (enterprise: its own)."""
    qs = Stream.objects.select_related("enterprise__park")
    return filter_visible(qs, user, park_path="enterprise__park", enterprise_path="enterprise")


def certificates_visible(user) -> QuerySet[ISOCertificate]:
    """ISO certificates in the user's scope (enterprise: its own)."""
    qs = ISOCertificate.objects.select_related("enterprise__park")
    return filter_visible(qs, user, park_path="enterprise__park", enterprise_path="enterprise")


def exchanges_visible(user) -> QuerySet[SymbiosisExchange]:
    """Exchanges of the parks in the user's scope, plus those an enterprise in its scope takes
    part in (an enterprise: only those it takes part in)."""
    by_park = filter_visible(
        SymbiosisExchange.objects.all(), user, park_path="park", enterprise_path=None
    ).values("pk")
    by_participant = filter_visible(
        SymbiosisParticipant.objects.filter(enterprise__isnull=False),
        user,
        park_path="enterprise__park",
        enterprise_path="enterprise",
    ).values("exchange_id")
    return (
        SymbiosisExchange.objects.filter(Q(pk__in=by_park) | Q(pk__in=by_participant))
        .select_related("park")
        .prefetch_related(
            Prefetch(
                "participants",
                queryset=SymbiosisParticipant.objects.select_related("enterprise", "park"),
            )
        )
    )


def actions_visible(user) -> QuerySet[RoadmapAction]:
    """Roadmap actions in the user's scope: an enterprise sees its own enterprise-level
    actions; park managers, boards and the ministry their parks' actions of both levels."""
    qs = RoadmapAction.objects.select_related("park", "enterprise", "criterion", "owner")
    return filter_visible(qs, user, park_path="park", enterprise_path="enterprise")


def can_edit_enterprise_records(user, enterprise: Enterprise) -> bool:
    """True for the enterprise's own respondents and the park manager of its park."""
    scope = scope_of(user)
    if scope is None:
        return False
    if scope.role == Role.ENTERPRISE:
        return scope.enterprise_id == enterprise.pk
    return scope.role == Role.PARK_MANAGER and scope.park_id == enterprise.park_id


def can_edit_park_records(user, park_id: int) -> bool:
    """True for the park manager of that park."""
    scope = scope_of(user)
    return bool(scope and scope.role == Role.PARK_MANAGER and scope.park_id == park_id)


def can_edit_exchange(user, exchange: SymbiosisExchange) -> bool:
    """The park manager of the exchange's park, or an enterprise taking part in it."""
    if can_edit_park_records(user, exchange.park_id):
        return True
    scope = scope_of(user)
    if scope is None or scope.role != Role.ENTERPRISE or exchange.pk is None:
        return False
    return exchange.participants.filter(enterprise_id=scope.enterprise_id).exists()


def can_edit_action(user, action: RoadmapAction) -> bool:
    """Park-level action: the park manager; enterprise-level: the enterprise or its manager."""
    if can_edit_park_records(user, action.park_id):
        return True
    scope = scope_of(user)
    return bool(
        scope
        and action.enterprise_id
        and scope.role == Role.ENTERPRISE
        and scope.enterprise_id == action.enterprise_id
    )


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


def register_answers_frame(
    *,
    campaign: Campaign,
    park_ids: list[int] | None = None,
    reference_date: datetime.date | None = None,
    keepers: tuple[set[int], set[int]] | None = None,
) -> pd.DataFrame:
    """Values the registers give for the campaign's period, in the scoring engine's long shape
    (columns :data:`surveys.selectors.ANSWER_COLUMNS`: kind, subject, period, element, value;
    value float, yes = 1.0, no = 0.0), for the parks and enterprises that have a response in
    ``campaign`` (optionally only ``park_ids``). Constant number of queries (6).

    ``reference_date`` defaults to 31 December of the campaign's period. ``keepers``
    (enterprise ids, park ids), e.g. from :func:`campaign_register_keepers`, restricts the
    subjects to those (the scoring overlay needs no others). Elements, emitted only when the
    campaign's framework version defines them (VN-2022 codes):

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
    period = campaign.period
    ref = reference_date or datetime.date(period, 12, 31)
    codes = set(
        DataElement.objects.filter(version_id=campaign.framework_version_id).values_list(
            "code", flat=True
        )
    )
    responses = Response.objects.filter(campaign=campaign)
    if park_ids is not None:
        responses = responses.filter(park_id__in=park_ids)
    subjects = list(responses.values_list("park_id", "enterprise_id"))
    parks = sorted({p for p, e in subjects if e is None})
    ents = sorted({e for _p, e in subjects if e is not None})
    if keepers is not None:
        ents = [e for e in ents if e in keepers[0]]
        parks = [p for p in parks if p in keepers[1]]
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
        providers = [p for p in parties if p.role == SymbiosisParticipant.Role.PROVIDES]
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


# =============================================================================================
# Matching of output streams and input needs
# =============================================================================================


def haversine_km(lat1, lon1, lat2, lon2):
    """Great-circle distance in km on a sphere of radius 6371.0088 km (mean Earth radius,
    IUGG); works on floats or numpy arrays (degrees)."""
    r = 6371.0088
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dphi = p2 - p1
    dlmb = np.radians(lon2) - np.radians(lon1)
    a = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlmb / 2) ** 2
    return 2 * r * np.arcsin(np.sqrt(a))


@dataclass
class Candidate:
    """A proposed pairing of an output stream with an input need.

    ``score`` 0–1 = 0.5 × category (1 same category, 0.5 same group) + 0.3 × quantity fit
    (smaller / larger of the two yearly quantities in the same unit; 0.5 when one is not
    given; 0 when the units measure different things) + 0.2 × (1 − distance / radius);
    ``reason`` says why, in the active language."""

    output: Stream
    input: Stream
    distance_km: float
    category_score: float
    quantity_score: float
    score: float
    reason: str


def match_candidates(
    *, user, park: Park, radius_km: float = MATCH_RADIUS_KM, limit: int = 50
) -> list[Candidate]:
    """Candidate pairs (output stream → input need) involving at least one stream the user
    may see in ``park``, with the other side in the same park or a park within ``radius_km``
    (haversine between park coordinates; a park without coordinates matches only itself).
    Ranked by :attr:`Candidate.score`, best first; pairs already turned into an exchange that
    has not ended are left out. One query for parks, one for streams, one for exchanges.
    """
    park_rows = pd.DataFrame(
        list(Park.objects.values_list("pk", "latitude", "longitude")),
        columns=["park", "lat", "lon"],
    ).set_index("park")
    park_rows = park_rows.astype("float64")
    here = park_rows.loc[park.pk] if park.pk in park_rows.index else None
    if here is not None and not np.isnan(here["lat"]):
        dist = haversine_km(here["lat"], here["lon"], park_rows["lat"], park_rows["lon"])
        near = set(park_rows.index[(dist <= radius_km).to_numpy()]) | {park.pk}
    else:
        near = {park.pk}
    own = set(streams_visible(user).filter(enterprise__park=park).values_list("pk", flat=True))
    if not own:
        return []
    streams = {
        s.pk: s
        for s in Stream.objects.filter(active=True, enterprise__park_id__in=near).select_related(
            "enterprise__park"
        )
    }
    frame = pd.DataFrame(
        [
            (
                s.pk,
                s.direction,
                s.category,
                Stream.GROUPS[s.category],
                s.enterprise_id,
                s.enterprise.park_id,
                float(s.quantity_per_year) if s.quantity_per_year is not None else np.nan,
                s.unit,
            )
            for s in streams.values()
        ],
        columns=["id", "direction", "category", "group", "enterprise", "park", "qty", "unit"],
    )
    outs = frame[frame["direction"] == "output"]
    ins = frame[frame["direction"] == "input"]
    pairs = outs.merge(ins, on="group", suffixes=("_o", "_i"))
    pairs = pairs[pairs["enterprise_o"] != pairs["enterprise_i"]]
    pairs = pairs[(pairs["id_o"].isin(own)) | (pairs["id_i"].isin(own))]
    pairs = pairs[(pairs["group"] != "other") | (pairs["category_o"] == pairs["category_i"])]
    taken = set(
        SymbiosisExchange.objects.exclude(status=SymbiosisExchange.Status.ENDED)
        .filter(source_output__isnull=False, source_input__isnull=False)
        .values_list("source_output_id", "source_input_id")
    )
    if taken:
        keys = list(zip(pairs["id_o"], pairs["id_i"], strict=True))
        pairs = pairs[[k not in taken for k in keys]]
    if pairs.empty:
        return []
    lat_o = park_rows["lat"].reindex(pairs["park_o"]).to_numpy()
    lon_o = park_rows["lon"].reindex(pairs["park_o"]).to_numpy()
    lat_i = park_rows["lat"].reindex(pairs["park_i"]).to_numpy()
    lon_i = park_rows["lon"].reindex(pairs["park_i"]).to_numpy()
    same_park = (pairs["park_o"] == pairs["park_i"]).to_numpy()
    distance = np.where(same_park, 0.0, haversine_km(lat_o, lon_o, lat_i, lon_i))
    pairs = pairs.assign(distance=distance)
    pairs = pairs[pairs["distance"].notna() & (pairs["distance"] <= radius_km)]
    if pairs.empty:
        return []
    cat = np.where(pairs["category_o"] == pairs["category_i"], 1.0, 0.5)
    both = pairs["qty_o"].notna() & pairs["qty_i"].notna()
    same_unit = pairs["unit_o"] == pairs["unit_i"]
    lo = np.minimum(pairs["qty_o"], pairs["qty_i"])
    hi = np.maximum(pairs["qty_o"], pairs["qty_i"])
    fit = np.where(hi > 0, lo / hi.where(hi > 0, 1.0), 1.0)
    qty = np.select([~both, both & ~same_unit], [0.5, 0.0], default=fit)
    near_score = 1.0 - pairs["distance"].to_numpy() / radius_km
    w = MATCH_WEIGHTS
    score = w["category"] * cat + w["quantity"] * qty + w["distance"] * near_score
    pairs = pairs.assign(cat=cat, qty=qty, score=score).sort_values(
        ["score", "cat", "qty", "distance", "id_o", "id_i"],
        ascending=[False, False, False, True, True, True],
    )
    result = []
    for row in pairs.head(limit).itertuples(index=False):
        out, need = streams[int(row.id_o)], streams[int(row.id_i)]
        result.append(
            Candidate(
                output=out,
                input=need,
                distance_km=round(float(row.distance), 1),
                category_score=float(row.cat),
                quantity_score=round(float(row.qty), 3),
                score=round(float(row.score), 3),
                reason=_match_reason(
                    out, need, float(row.cat), float(row.qty), float(row.distance)
                ),
            )
        )
    return result


def _quantity_text(value: Decimal | None, unit: str) -> str:
    if value is None:
        return _("quantity not given")
    return f"{value.normalize():f} {unit}/{_('year')}".replace(" /", "/")


def _match_reason(out: Stream, need: Stream, cat: float, qty: float, km: float) -> str:
    parts = []
    if cat == 1.0:
        parts.append(_("same category (%(c)s)") % {"c": out.get_category_display()})
    else:
        parts.append(
            _("related categories (%(a)s → %(b)s)")
            % {"a": out.get_category_display(), "b": need.get_category_display()}
        )
    o_q = _quantity_text(out.quantity_per_year, out.unit)
    i_q = _quantity_text(need.quantity_per_year, need.unit)
    if out.quantity_per_year is None or need.quantity_per_year is None:
        parts.append(_("offered %(o)s, needed %(i)s") % {"o": o_q, "i": i_q})
    elif out.unit != need.unit:
        parts.append(_("units not comparable (%(o)s vs %(i)s)") % {"o": o_q, "i": i_q})
    else:
        parts.append(
            _("offered %(o)s covers %(pct)s%% of the need %(i)s")
            % {
                "o": o_q,
                "i": i_q,
                "pct": round(
                    100 * min(1.0, float(out.quantity_per_year) / float(need.quantity_per_year))
                )
                if need.quantity_per_year
                else 100,
            }
        )
    if out.enterprise.park_id == need.enterprise.park_id:
        parts.append(_("same park"))
    else:
        parts.append(_("%(km)s km apart") % {"km": f"{km:.1f}"})
    return "; ".join(parts)


# =============================================================================================
# Services (writes)
# =============================================================================================


def _announce(park_ids) -> None:
    """Tell the read side that register-derived values of these parks may have changed: one
    ``scored_answers_changed`` per campaign with a response of one of them (inside the
    transaction; the dashboards mark results stale and recompute after commit)."""
    park_ids = sorted({p for p in park_ids if p})
    if not park_ids:
        return
    by_campaign: dict[int, set[int]] = defaultdict(set)
    for campaign_id, park_id in Response.objects.filter(
        park_id__in=park_ids, enterprise__isnull=True
    ).values_list("campaign_id", "park_id"):
        by_campaign[campaign_id].add(park_id)
    for campaign_id, parks in sorted(by_campaign.items()):
        scored_answers_changed.send(
            sender=RECPMeasure, campaign_id=campaign_id, park_ids=sorted(parks), reason="registers"
        )


def _check_version(current: int, expected: int | None) -> None:
    if expected is not None and int(expected) != current:
        raise ValidationError(
            _(
                "Someone else changed this record while you were editing it (it is now at "
                "version %(version)s). Your changes were not saved; reload to see theirs."
            )
            % {"version": current},
            code="stale_version",
        )


#: Largest stored quantity or amount (canonical unit): see surveys.forms.ANSWER_LIMIT.
QUANTITY_LIMIT = Decimal(10) ** 15


def _quantity(
    value, unit: str, *, field_name: str, dimensions=FLOW_DIMENSIONS, allow_count=False
) -> tuple[Decimal | None, str]:
    """Convert a typed quantity to its canonical unit; ``(None, '')`` when blank."""
    if value is None or value == "":
        return None, ""
    if not isinstance(value, Decimal):
        try:
            value = Decimal(str(value))
        except ArithmeticError:
            raise ValidationError({field_name: _("Not a number.")}) from None
    if not value.is_finite():
        raise ValidationError({field_name: _("Not a number.")})
    if value < 0:
        raise ValidationError({field_name: _("The quantity cannot be negative.")})
    too_large = ValidationError({field_name: _("The quantity is too large to be plausible.")})
    if value >= QUANTITY_LIMIT:
        raise too_large
    unit = (unit or "").strip()
    if unit == "" and allow_count:
        return value, ""
    try:
        dimension = units.dimension_of(unit)
        if dimension not in dimensions:
            raise units.UnitError(
                "wrong_dimension",
                _("“%(unit)s” is not a unit of energy, volume or mass.") % {"unit": unit},
            )
        canonical, symbol = units.to_canonical(value, unit)
        if canonical >= QUANTITY_LIMIT:  # e.g. GWh typed, kWh stored
            raise too_large
    except units.UnitError as exc:
        raise ValidationError({field_name: exc.message}) from None
    return canonical, symbol


def _money(value, *, field_name: str) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        value = Decimal(str(value))
    except ArithmeticError:
        raise ValidationError({field_name: _("Not a number.")}) from None
    if not value.is_finite():
        raise ValidationError({field_name: _("Not a number.")})
    if value < 0:
        raise ValidationError({field_name: _("An amount of money cannot be negative.")})
    if value >= QUANTITY_LIMIT:
        raise ValidationError({field_name: _("The amount is too large to be plausible.")})
    return value.quantize(Decimal(1))


MEASURE_FIELDS = (
    "area",
    "title",
    "description",
    "status",
    "year",
    "investment_vnd",
    "saving_value",
    "saving_unit",
    "energy_carrier",
    "saving_money_vnd",
    "is_demo",
)


def measure_apply(*, measure: RECPMeasure, data: dict) -> RECPMeasure:
    """Set ``measure``'s fields from ``data`` (keys of :data:`MEASURE_FIELDS`; ``saving_value``
    with ``saving_unit`` as typed, e.g. 12 "MWh") and compute the canonical saving and the
    CO2e; no save. Raises ``ValidationError`` keyed by field. Pure apart from reading the
    emission factor."""
    errors = {}
    area = data.get("area", measure.area)
    if area not in RECPMeasure.Area.values:
        errors["area"] = _("Choose an area: energy, water, materials, chemicals or waste.")
    status = data.get("status", measure.status) or RECPMeasure.Status.IDENTIFIED
    if status not in RECPMeasure.Status.values:
        errors["status"] = _("Choose a status: identified, implemented or verified.")
    title = (data.get("title", measure.title) or "").strip()
    if not title:
        errors["title"] = _("Describe the measure in a few words.")
    year = data.get("year", measure.year)
    try:
        year = int(year)
        if not 1990 <= year <= 2100:
            raise ValueError
    except (TypeError, ValueError):
        errors["year"] = _("Give the year as four digits, 1990–2100.")
    carrier = data.get("energy_carrier", measure.energy_carrier) or ""
    if carrier not in RECPMeasure.Carrier.values:
        errors["energy_carrier"] = _("Choose grid electricity or fuel/heat.")
    typed = "saving_value" in data or "saving_unit" in data
    raw_value = data.get("saving_value", measure.saving_value)
    raw_unit = data.get("saving_unit", measure.saving_unit)
    value, unit = None, ""
    try:
        value, unit = _quantity(raw_value, raw_unit, field_name="saving_value")
    except ValidationError as exc:
        errors.update(exc.message_dict)
    for name in ("investment_vnd", "saving_money_vnd"):
        try:
            data_value = data.get(name, getattr(measure, name))
            setattr(measure, name, _money(data_value, field_name=name))
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if unit == "kWh" and not carrier:
        errors["energy_carrier"] = _(
            "Say whether the energy saved is grid electricity or fuel/heat: only grid "
            "electricity has an official emission factor."
        )
    if errors:
        raise ValidationError(errors)
    measure.area = area
    measure.status = status
    measure.title = title[:200]
    measure.description = (data.get("description", measure.description) or "").strip()
    measure.year = year
    measure.energy_carrier = carrier if unit == "kWh" else ""
    measure.saving_value = value
    measure.saving_unit = unit
    if typed:
        measure.saving_value_entered = "" if raw_value in (None, "") else str(raw_value)[:60]
        measure.saving_unit_entered = (raw_unit or "")[:10] if value is not None else ""
    measure.is_demo = bool(data.get("is_demo", measure.is_demo))
    measure.ghg_reduction_tco2e, measure.emission_factor, measure.ghg_note = None, None, ""
    if unit == "kWh" and carrier == RECPMeasure.Carrier.ELECTRICITY:
        result = co2e_of_electricity(value, year)
        measure.ghg_reduction_tco2e = result.tco2e
        measure.emission_factor = result.factor
        measure.ghg_note = result.note[:200]
    elif unit == "kWh":
        measure.ghg_note = _("no emission factor for fuel or heat in ecopark")
    return measure


@transaction.atomic
def measure_save(
    *,
    user,
    enterprise: Enterprise,
    data: dict,
    measure: RECPMeasure | None = None,
    expected_version: int | None = None,
) -> RECPMeasure:
    """Create (``measure`` None) or update a RECP measure of ``enterprise``; all or nothing.

    Raises ``PermissionDenied`` unless the user is the enterprise or its park manager;
    ``ValidationError`` keyed by field (units via ``indicators.units``), or with code
    ``stale_version`` when ``expected_version`` is not the stored one. Marks the park's
    results stale (recomputed after commit).
    """
    if not can_edit_enterprise_records(user, enterprise):
        raise PermissionDenied(_("Only the enterprise or its park manager may change this."))
    if measure is not None:
        measure = RECPMeasure.objects.select_for_update().get(pk=measure.pk)
        if measure.enterprise_id != enterprise.pk:
            raise PermissionDenied
        _check_version(measure.version, expected_version)
        measure.version += 1
    else:
        measure = RECPMeasure(enterprise=enterprise)
    measure_apply(measure=measure, data=data)
    measure.updated_by = user
    measure.save()
    _announce([enterprise.park_id])
    return measure


@transaction.atomic
def measure_delete(*, user, measure: RECPMeasure) -> None:
    """Delete a measure (same permission as :func:`measure_save`)."""
    if not can_edit_enterprise_records(user, measure.enterprise):
        raise PermissionDenied
    park_id = measure.enterprise.park_id
    measure.delete()
    _announce([park_id])


@dataclass
class ParticipantSpec:
    """A participant to set on an exchange: ``kind`` enterprise/developer/outside, ``role``
    provides/receives/shares, and ``enterprise`` / ``park`` / ``name`` as the kind needs."""

    kind: str
    role: str = "shares"
    enterprise: Enterprise | None = None
    park: Park | None = None
    name: str = ""


EXCHANGE_FIELDS = (
    "kind",
    "title",
    "flow",
    "quantity_per_year",
    "unit",
    "status",
    "started_on",
    "ended_on",
    "is_demo",
)


@transaction.atomic
def exchange_save(
    *,
    user,
    park: Park,
    data: dict,
    participants: list[ParticipantSpec],
    exchange: SymbiosisExchange | None = None,
    expected_version: int | None = None,
) -> SymbiosisExchange:
    """Create or update a symbiosis exchange of ``park`` with its participants; all or nothing.

    ``data``: keys of :data:`EXCHANGE_FIELDS` (``quantity_per_year`` with ``unit`` as typed;
    energy, volume or mass, or no unit for a count). At least two participants; enterprise
    participants must be tenants of the park or in the user's scope. The user must be the
    park manager of ``park`` or a tenant that takes part (and stays a participant).
    Raises ``PermissionDenied`` / ``ValidationError`` (keyed by field; ``participants``;
    ``stale_version``). Marks the parks concerned stale.
    """
    scope = scope_of(user)
    is_manager = can_edit_park_records(user, park.pk)
    if exchange is not None:
        exchange = SymbiosisExchange.objects.select_for_update().get(pk=exchange.pk)
        if not can_edit_exchange(user, exchange):
            raise PermissionDenied
        _check_version(exchange.version, expected_version)
        exchange.version += 1
        old_parks = set(
            exchange.participants.filter(enterprise__isnull=False).values_list(
                "enterprise__park_id", flat=True
            )
        )
        existing_ids = set(
            exchange.participants.filter(enterprise__isnull=False).values_list(
                "enterprise_id", flat=True
            )
        )
    else:
        exchange = SymbiosisExchange(park=park)
        old_parks, existing_ids = set(), set()
    is_tenant = bool(
        scope and scope.role == Role.ENTERPRISE and scope.enterprise.park_id == park.pk
    )
    if not (is_manager or is_tenant):
        raise PermissionDenied(_("Only the park manager or a taking-part tenant may do this."))
    errors: dict[str, list[str] | str] = {}
    kind = data.get("kind", exchange.kind)
    if kind not in SymbiosisExchange.Kind.values:
        errors["kind"] = _("Choose one of the kinds of Circular 05/2025 Art. 2(1).")
    status = data.get("status", exchange.status) or SymbiosisExchange.Status.PROPOSED
    if status not in SymbiosisExchange.Status.values:
        errors["status"] = _("Choose proposed, under study, operating or ended.")
    title = (data.get("title", exchange.title) or "").strip()
    if not title:
        errors["title"] = _("Name the exchange.")
    started = data.get("started_on", exchange.started_on)
    ended = data.get("ended_on", exchange.ended_on)
    if status in ("operating", "ended") and not started:
        errors["started_on"] = _("An operating or ended exchange needs its start date.")
    if status == "ended" and not ended:
        errors["ended_on"] = _("An ended exchange needs its end date.")
    if started and ended and ended < started:
        errors["ended_on"] = _("The end date is before the start date.")
    typed = "quantity_per_year" in data or "unit" in data
    raw_q = data.get("quantity_per_year", exchange.quantity_per_year)
    raw_unit = data.get("unit", exchange.unit)
    qty, unit = None, ""
    try:
        qty, unit = _quantity(
            raw_q,
            raw_unit,
            field_name="quantity_per_year",
            dimensions=(*FLOW_DIMENSIONS,),
            allow_count=True,
        )
    except ValidationError as exc:
        errors.update(exc.message_dict)
    allowed = set(participant_choices(user, park).values_list("pk", flat=True)) | existing_ids
    seen: set[int] = set()
    problems = []
    for p in participants:
        if p.kind == "enterprise":
            if p.enterprise is None or p.enterprise.pk not in allowed:
                problems.append(_("An enterprise participant is not one you may name."))
            elif p.enterprise.pk in seen:
                problems.append(_("%(name)s is named twice.") % {"name": p.enterprise.name})
            else:
                seen.add(p.enterprise.pk)
        elif p.kind == "developer":
            if p.park is None:
                problems.append(_("Say which park's developer takes part."))
        elif p.kind == "outside":
            if not p.name.strip():
                problems.append(_("Give the name of the outside party."))
        else:
            problems.append(_("Unknown kind of participant."))
        if p.role not in SymbiosisParticipant.Role.values:
            problems.append(_("Unknown role of a participant."))
    if len(participants) < 2:
        problems.append(_("An exchange needs at least two participants."))
    if is_tenant and not is_manager and scope.enterprise_id not in seen:
        problems.append(_("Your enterprise must remain a participant."))
    if problems:
        errors["participants"] = problems
    if errors:
        raise ValidationError(errors)
    exchange.kind = kind
    exchange.status = status
    exchange.title = title[:200]
    exchange.flow = (data.get("flow", exchange.flow) or "").strip()[:300]
    exchange.quantity_per_year = qty
    exchange.unit = unit
    if typed:
        exchange.quantity_entered = "" if qty is None else f"{raw_q} {raw_unit or ''}".strip()[:80]
    exchange.started_on = started or None
    exchange.ended_on = ended or None
    exchange.is_demo = bool(data.get("is_demo", exchange.is_demo))
    exchange.updated_by = user
    exchange.save()
    exchange.participants.all().delete()
    SymbiosisParticipant.objects.bulk_create(
        [
            SymbiosisParticipant(
                exchange=exchange,
                kind=p.kind,
                role=p.role,
                enterprise=p.enterprise if p.kind == "enterprise" else None,
                park=p.park if p.kind == "developer" else None,
                name=p.name.strip()[:200] if p.kind == "outside" else "",
            )
            for p in participants
        ]
    )
    new_parks = {p.enterprise.park_id for p in participants if p.enterprise is not None}
    _announce({park.pk} | old_parks | new_parks)
    return exchange


@transaction.atomic
def exchange_delete(*, user, exchange: SymbiosisExchange) -> None:
    """Delete an exchange (the park manager, or a participating tenant)."""
    if not can_edit_exchange(user, exchange):
        raise PermissionDenied
    parks = {exchange.park_id} | set(
        exchange.participants.filter(enterprise__isnull=False).values_list(
            "enterprise__park_id", flat=True
        )
    )
    exchange.delete()
    _announce(parks)


@transaction.atomic
def exchange_propose_from_candidate(*, user, output: Stream, need: Stream) -> SymbiosisExchange:
    """Turn a matching candidate into a *proposed* exchange of the manager's park: the output's
    enterprise provides, the need's enterprise receives; kind from the category group; the
    quantity is the smaller of the two when their units agree. Only the park manager of one
    of the two parks; refuses a pair that already has an exchange not ended (``ValidationError``).
    """
    scope = scope_of(user)
    parks = {output.enterprise.park_id, need.enterprise.park_id}
    if not (scope and scope.role == Role.PARK_MANAGER and scope.park_id in parks):
        raise PermissionDenied(_("Only the park manager may propose an exchange."))
    if output.direction != "output" or need.direction != "input":
        raise ValidationError(_("Pair an output stream with an input need."))
    if (
        SymbiosisExchange.objects.exclude(status="ended")
        .filter(source_output=output, source_input=need)
        .exists()
    ):
        raise ValidationError(_("This pair is already an exchange."), code="duplicate")
    group = Stream.GROUPS[output.category]
    kind = group if group in SymbiosisExchange.Kind.values else "material"
    qty = None
    if output.quantity_per_year is not None and need.quantity_per_year is not None:
        if output.unit == need.unit:
            qty = min(output.quantity_per_year, need.quantity_per_year)
    elif output.quantity_per_year is not None:
        qty = output.quantity_per_year
    exchange = SymbiosisExchange.objects.create(
        park_id=scope.park_id,
        kind=kind,
        title=f"{output.get_category_display()}: {output.enterprise.name} → {need.enterprise.name}"[
            :200
        ],
        flow=(output.description or output.get_category_display())[:300],
        quantity_per_year=qty,
        unit=output.unit if qty is not None else "",
        quantity_entered=f"{qty.normalize():f} {output.unit}" if qty is not None else "",
        status=SymbiosisExchange.Status.PROPOSED,
        source_output=output,
        source_input=need,
        updated_by=user,
    )
    SymbiosisParticipant.objects.bulk_create(
        [
            SymbiosisParticipant(
                exchange=exchange, kind="enterprise", role="provides", enterprise=output.enterprise
            ),
            SymbiosisParticipant(
                exchange=exchange, kind="enterprise", role="receives", enterprise=need.enterprise
            ),
        ]
    )
    return exchange


CERTIFICATE_FIELDS = ("standard", "other_standard", "number", "issuer", "issued_on", "expires_on")


@transaction.atomic
def certificate_save(
    *,
    user,
    enterprise: Enterprise,
    data: dict,
    certificate: ISOCertificate | None = None,
    expected_version: int | None = None,
) -> ISOCertificate:
    """Create or update an ISO certificate of ``enterprise`` (keys
    :data:`CERTIFICATE_FIELDS`, dates as ``datetime.date``). Same permission as measures.
    Raises ``PermissionDenied`` / ``ValidationError`` keyed by field / ``stale_version``."""
    if not can_edit_enterprise_records(user, enterprise):
        raise PermissionDenied
    if certificate is not None:
        certificate = ISOCertificate.objects.select_for_update().get(pk=certificate.pk)
        _check_version(certificate.version, expected_version)
        certificate.version += 1
    else:
        certificate = ISOCertificate(enterprise=enterprise)
    errors = {}
    standard = data.get("standard", certificate.standard)
    if standard not in ISOCertificate.Standard.values:
        errors["standard"] = _("Choose the standard.")
    other = (data.get("other_standard", certificate.other_standard) or "").strip()
    if standard == "other" and not other:
        errors["other_standard"] = _("Name the other standard, e.g. ISO 22000.")
    issued = data.get("issued_on", certificate.issued_on)
    expires = data.get("expires_on", certificate.expires_on)
    if not expires:
        errors["expires_on"] = _("Give the expiry date.")
    elif issued and expires < issued:
        errors["expires_on"] = _("The expiry date is before the issue date.")
    if errors:
        raise ValidationError(errors)
    certificate.standard = standard
    certificate.other_standard = other if standard == "other" else ""
    certificate.number = (data.get("number", certificate.number) or "").strip()[:100]
    certificate.issuer = (data.get("issuer", certificate.issuer) or "").strip()[:200]
    certificate.issued_on = issued or None
    certificate.expires_on = expires
    certificate.is_demo = bool(data.get("is_demo", certificate.is_demo))
    certificate.save()
    _announce([enterprise.park_id])
    return certificate


@transaction.atomic
def certificate_delete(*, user, certificate: ISOCertificate) -> None:
    """Delete a certificate (the enterprise or its park manager)."""
    if not can_edit_enterprise_records(user, certificate.enterprise):
        raise PermissionDenied
    park_id = certificate.enterprise.park_id
    certificate.delete()
    _announce([park_id])


STREAM_FIELDS = ("direction", "category", "description", "quantity_per_year", "unit", "active")


@transaction.atomic
def stream_save(
    *,
    user,
    enterprise: Enterprise,
    data: dict,
    stream: Stream | None = None,
    expected_version: int | None = None,
) -> Stream:
    """Create or update a stream of ``enterprise`` (keys :data:`STREAM_FIELDS`; quantity with
    its unit as typed, energy/volume/mass). Same permission as measures. Raises
    ``PermissionDenied`` / ``ValidationError`` keyed by field / ``stale_version``."""
    if not can_edit_enterprise_records(user, enterprise):
        raise PermissionDenied
    if stream is not None:
        stream = Stream.objects.select_for_update().get(pk=stream.pk)
        _check_version(stream.version, expected_version)
        stream.version += 1
    else:
        stream = Stream(enterprise=enterprise)
    errors = {}
    direction = data.get("direction", stream.direction)
    if direction not in Stream.Direction.values:
        errors["direction"] = _("Choose output (offered) or input (needed).")
    category = data.get("category", stream.category)
    if category not in Stream.Category.values:
        errors["category"] = _("Choose a category.")
    qty, unit = None, ""
    typed = "quantity_per_year" in data or "unit" in data
    raw_q = data.get("quantity_per_year", stream.quantity_per_year)
    raw_unit = data.get("unit", stream.unit)
    try:
        qty, unit = _quantity(raw_q, raw_unit, field_name="quantity_per_year")
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    stream.direction = direction
    stream.category = category
    stream.description = (data.get("description", stream.description) or "").strip()[:300]
    stream.quantity_per_year = qty
    stream.unit = unit
    if typed:
        stream.quantity_entered = "" if qty is None else f"{raw_q} {raw_unit}".strip()[:80]
    stream.active = bool(data.get("active", stream.active if stream.pk else True))
    stream.is_demo = bool(data.get("is_demo", stream.is_demo))
    stream.save()
    return stream


@transaction.atomic
def stream_delete(*, user, stream: Stream) -> None:
    """Delete a stream (the enterprise or its park manager)."""
    if not can_edit_enterprise_records(user, stream.enterprise):
        raise PermissionDenied
    stream.delete()


ACTION_FIELDS = ("title", "owner_name", "target_date", "expected_effect", "status")


@transaction.atomic
def action_save(
    *,
    user,
    park: Park,
    criterion: Criterion,
    data: dict,
    enterprise: Enterprise | None = None,
    owner=None,
    action: RoadmapAction | None = None,
    expected_version: int | None = None,
) -> RoadmapAction:
    """Create or update a roadmap action on ``criterion`` for ``park`` (``enterprise`` None)
    or one of its enterprises. ``owner``: a user in scope of that park (or None, then
    ``owner_name``). The criterion must apply to that kind of subject. Raises
    ``PermissionDenied`` / ``ValidationError`` keyed by field / ``stale_version``."""
    if enterprise is not None and enterprise.park_id != park.pk:
        raise ValidationError({"enterprise": _("The enterprise is not a tenant of this park.")})
    probe = RoadmapAction(park=park, enterprise=enterprise)
    if not can_edit_action(user, probe):
        raise PermissionDenied
    if action is not None:
        action = RoadmapAction.objects.select_for_update().get(pk=action.pk)
        if not can_edit_action(user, action):
            raise PermissionDenied
        _check_version(action.version, expected_version)
        action.version += 1
    else:
        action = RoadmapAction(park=park, enterprise=enterprise)
    errors = {}
    wanted = ["enterprise"] if enterprise is not None else ["park", "park_new"]
    if criterion.applies_to not in wanted:
        errors["criterion"] = _("This criterion does not apply to this subject.")
    title = (data.get("title", action.title) or "").strip()
    if not title:
        errors["title"] = _("Describe the action.")
    target = data.get("target_date", action.target_date)
    if not target:
        errors["target_date"] = _("Give the target date.")
    status = data.get("status", action.status) or RoadmapAction.Status.PLANNED
    if status not in RoadmapAction.Status.values:
        errors["status"] = _("Choose a status.")
    if owner is not None:
        owner_scope = scope_of(owner)
        allowed = owner_scope is not None and (
            (owner_scope.role == Role.PARK_MANAGER and owner_scope.park_id == park.pk)
            or (owner_scope.role == Role.ENTERPRISE and owner_scope.enterprise.park_id == park.pk)
        )
        if not allowed:
            errors["owner"] = _("The owner must be a user of this park or of its tenants.")
    if errors:
        raise ValidationError(errors)
    if action.target_date != target:
        action.overdue_notified_for = None
    action.criterion = criterion
    action.enterprise = enterprise
    action.title = title[:200]
    action.owner = owner
    action.owner_name = (data.get("owner_name", action.owner_name) or "").strip()[:200]
    action.target_date = target
    action.expected_effect = (data.get("expected_effect", action.expected_effect) or "").strip()
    action.status = status
    action.is_demo = bool(data.get("is_demo", action.is_demo))
    action.save()
    return action


@transaction.atomic
def action_delete(*, user, action: RoadmapAction) -> None:
    """Delete a roadmap action (same permission as :func:`action_save`)."""
    if not can_edit_action(user, action):
        raise PermissionDenied
    action.delete()


# =============================================================================================
# E-mail notices (run daily by surveys.tasks_registers)
# =============================================================================================


@dataclass
class NoticeOutcome:
    """How many notices were sent, skipped (nobody with an e-mail address) or failed."""

    sent: int = 0
    skipped: int = 0
    failed: int = 0

    def as_dict(self) -> dict:
        return {"sent": self.sent, "skipped": self.skipped, "failed": self.failed}


def _addresses(users) -> list[str]:
    return sorted({u.email for u in users if u.is_active and u.email})


def _bilingual(render) -> tuple[str, str]:
    """(subject, body) in Vietnamese then English, each through gettext in that language."""
    subjects, bodies = [], []
    for lang in LANGUAGES:
        with translation.override(lang):
            subject, body = render()
        subjects.append(subject)
        bodies.append(body)
    return " / ".join(subjects), "\n\n-----\n\n".join(bodies)


def certificate_notices_send(*, today: datetime.date | None = None) -> NoticeOutcome:
    """E-mail the holder's users and the park's managers about each certificate expiring in
    at most :data:`CERTIFICATE_NOTICE_DAYS` days (from today to today + 60, so a beat that was
    down catches up); once per (certificate, expiry date), recorded in
    :class:`~surveys.models.CertificateNotice`. A failed send is not recorded (retried the
    next day); a certificate whose people have no e-mail address is skipped and not recorded.
    """
    today = today or timezone.localdate()
    outcome = NoticeOutcome()
    due = (
        ISOCertificate.objects.filter(
            expires_on__gte=today,
            expires_on__lte=today + datetime.timedelta(days=CERTIFICATE_NOTICE_DAYS),
        )
        .exclude(notices__expires_on=F("expires_on"))
        .select_related("enterprise__park")
    )
    connection = get_connection()
    for cert in due:
        scopes = UserScope.objects.filter(
            Q(role=Role.ENTERPRISE, enterprise_id=cert.enterprise_id)
            | Q(role=Role.PARK_MANAGER, park_id=cert.enterprise.park_id)
        ).select_related("user")
        to = _addresses(s.user for s in scopes)
        if not to:
            outcome.skipped += 1
            continue

        def render(cert=cert):
            name = cert.other_standard or cert.get_standard_display()
            subject = _("Certificate %(standard)s of %(enterprise)s expires on %(date)s") % {
                "standard": name,
                "enterprise": cert.enterprise.name,
                "date": f"{cert.expires_on:%d/%m/%Y}",
            }
            body = _(
                "The %(standard)s certificate %(number)s of %(enterprise)s (%(park)s) expires "
                "on %(date)s. After that date it no longer counts as an ISO management system "
                "for the eco-industrial park criteria (Decree 35/2022/ND-CP Art. 37(2)(b)). "
                "Record the renewed certificate in ecopark when you receive it."
            ) % {
                "standard": name,
                "number": cert.number or "",
                "enterprise": cert.enterprise.name,
                "park": cert.enterprise.park.name_vi,
                "date": f"{cert.expires_on:%d/%m/%Y}",
            }
            return subject, body

        try:
            with transaction.atomic():
                notice, created = CertificateNotice.objects.get_or_create(
                    certificate=cert,
                    expires_on=cert.expires_on,
                    defaults={"recipients": ", ".join(to)},
                )
                if not created:
                    continue
                subject, body = _bilingual(render)
                EmailMessage(
                    subject, body, settings.DEFAULT_FROM_EMAIL, to, connection=connection
                ).send()
        except Exception:  # noqa: BLE001 - a mail error must not stop the other notices
            log.exception("certificate notice for %s not sent; retried next run", cert.pk)
            outcome.failed += 1
            continue
        outcome.sent += 1
    return outcome


def overdue_action_notices_send(*, today: datetime.date | None = None) -> NoticeOutcome:
    """E-mail the owner of each roadmap action still open after its target date, once per
    target date (``overdue_notified_for``); owners without an e-mail address are skipped."""
    today = today or timezone.localdate()
    outcome = NoticeOutcome()
    due = (
        RoadmapAction.objects.filter(status__in=RoadmapAction.OPEN_STATUSES, target_date__lt=today)
        .exclude(overdue_notified_for=F("target_date"))
        .select_related("owner", "park", "criterion", "enterprise")
    )
    connection = get_connection()
    for action in due:
        to = _addresses([action.owner]) if action.owner else []
        if not to:
            outcome.skipped += 1
            continue

        def render(action=action):
            subject = _("Roadmap action overdue: %(title)s") % {"title": action.title}
            body = _(
                "The roadmap action “%(title)s” on criterion %(criterion)s of %(subject)s was "
                "due on %(date)s and is still %(status)s. Update its status or its target "
                "date in ecopark."
            ) % {
                "title": action.title,
                "criterion": action.criterion.code,
                "subject": action.enterprise.name if action.enterprise else action.park.name_vi,
                "date": f"{action.target_date:%d/%m/%Y}",
                "status": action.get_status_display(),
            }
            return subject, body

        try:
            with transaction.atomic():
                locked = RoadmapAction.objects.select_for_update().get(pk=action.pk)
                if locked.overdue_notified_for == locked.target_date:
                    continue
                subject, body = _bilingual(render)
                EmailMessage(
                    subject, body, settings.DEFAULT_FROM_EMAIL, to, connection=connection
                ).send()
                RoadmapAction.objects.filter(pk=action.pk).update(
                    overdue_notified_for=locked.target_date
                )
        except Exception:  # noqa: BLE001
            log.exception("overdue notice for action %s not sent; retried next run", action.pk)
            outcome.failed += 1
            continue
        outcome.sent += 1
    return outcome


def expired_certificates_announce(*, today: datetime.date | None = None) -> int:
    """Mark stale the results of the parks concerned by certificates that expired yesterday
    (their holder's park and the parks of operating exchanges they take part in), so the
    next recompute reads the registers again. Returns the number of parks announced."""
    today = today or timezone.localdate()
    holders = list(
        ISOCertificate.objects.filter(expires_on=today - datetime.timedelta(days=1)).values_list(
            "enterprise_id", "enterprise__park_id"
        )
    )
    if not holders:
        return 0
    parks = {p for _e, p in holders} | set(
        SymbiosisParticipant.objects.filter(enterprise_id__in=[e for e, _p in holders]).values_list(
            "exchange__park_id", flat=True
        )
    )
    with transaction.atomic():
        _announce(parks)
    return len(parks)


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


def campaign_register_keepers(
    *, campaign: Campaign, park_ids: list[int] | None = None
) -> tuple[set[int], set[int]]:
    """Which parks and enterprises with a response in ``campaign`` (optionally only in
    ``park_ids``) keep registers, as :func:`register_keepers` defines it; one ``UNION``
    query that selects through the campaign's responses, so its cost follows the register
    entries, not the tens of thousands of respondents. Written in SQL from the models'
    metadata: it runs on every recompute, and compiling the same query through the ORM cost
    thirty times what the database spends on it. Returns ``(enterprise ids, park ids)``."""
    quote = connection.ops.quote_name

    def column(model, name: str) -> str:
        return quote(model._meta.get_field(name).column)

    response = quote(Response._meta.db_table)
    where = f"{column(Response, 'campaign')} = %s"
    params: list[int] = [campaign.pk]
    if park_ids is not None:
        where += (
            f" AND {column(Response, 'park')} IN ({', '.join(['%s'] * len(park_ids)) or 'NULL'})"
        )
        params += [int(p) for p in park_ids]
    enterprise = column(Response, "enterprise")
    respondents = f"SELECT {enterprise} FROM {response} WHERE {where} AND {enterprise} IS NOT NULL"
    parks = (
        f"SELECT {column(Response, 'park')} FROM {response} WHERE {where} AND {enterprise} IS NULL"
    )
    parts = [
        f"SELECT 0, {column(model, 'enterprise')} FROM {quote(model._meta.db_table)} "
        f"WHERE {column(model, 'enterprise')} IN ({respondents})"
        for model in (RECPMeasure, ISOCertificate, SymbiosisParticipant)
    ]
    park = column(SymbiosisExchange, "park")
    parts.append(
        f"SELECT 1, {park} FROM {quote(SymbiosisExchange._meta.db_table)} WHERE {park} IN ({parks})"
    )
    keepers: set[int] = set()
    park_keepers: set[int] = set()
    with connection.cursor() as cursor:
        cursor.execute(" UNION ".join(parts), params * len(parts))
        for kind, pk in cursor.fetchall():
            (park_keepers if kind else keepers).add(pk)
    return keepers, park_keepers


def register_keepers(*, enterprise_ids, park_ids) -> tuple[set[int], set[int]]:
    """Which of the given enterprises and parks keep registers (three queries).

    An enterprise keeps registers when it has at least one RECP measure, ISO certificate or
    symbiosis participation on record; a park when it has at least one symbiosis exchange on
    record (any status). Returns ``(enterprise ids, park ids)``.
    """
    enterprise_ids = [int(e) for e in enterprise_ids]
    park_ids = [int(p) for p in park_ids]
    keepers = set(
        RECPMeasure.objects.filter(enterprise_id__in=enterprise_ids).values_list(
            "enterprise_id", flat=True
        )
    )
    keepers |= set(
        ISOCertificate.objects.filter(enterprise_id__in=enterprise_ids).values_list(
            "enterprise_id", flat=True
        )
    )
    keepers |= set(
        SymbiosisParticipant.objects.filter(enterprise_id__in=enterprise_ids).values_list(
            "enterprise_id", flat=True
        )
    )
    parks = set(
        SymbiosisExchange.objects.filter(park_id__in=park_ids).values_list("park_id", flat=True)
    )
    return keepers, parks
