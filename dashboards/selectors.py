"""Reads for the dashboards: snapshots only, a constant number of queries per page.

Every function here issues a fixed number of SQL queries whatever the number of parks or
enterprises (the tests compare 5 with 100 parks and 5 with 200 enterprises). Callers pass
querysets already filtered by :mod:`enterprises.policy`; nothing here widens a scope.

Shapes used throughout: an *index* is 0–100 (``Decimal`` with 2 places, None without a
result); a *share* is 0–1 (float); a *period* is a year (int).
"""

from __future__ import annotations

import datetime
import math
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.cache import caches
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.expressions import RawSQL
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from common.collation import vi_key, vi_sorted
from enterprises.models import Enterprise, Park, Province
from enterprises.policy import visible_parks
from indicators.formula import FormulaError, parse_formula
from indicators.models import Criterion, DataElement
from surveys.models import Answer, Campaign, Response, Transition
from surveys.periods import default_campaign, opened_campaigns
from surveys.selectors import CampaignReporting, reporting_rates

from . import stamps
from .models import (
    CategoryScore,
    CriterionResult,
    RecomputeState,
    ScoreSnapshot,
    State,
)

#: smallest group of enterprises an anonymous benchmark is shown for: a group of fewer
#: than 3 enterprises is never shown, so no enterprise can be recognised in it
MIN_BENCHMARK_GROUP = 3

#: width of the bins of the index distribution (index points)
HISTOGRAM_BIN_WIDTH = 10


def _english() -> bool:
    return (get_language() or "vi").startswith("en")


def parks_with_latest_scores(user) -> QuerySet[Park]:
    """Visible parks annotated with their latest park result (by campaign period; a snapshot
    without a result — no submitted answers — is skipped):
    ``latest_index``, ``latest_met``, ``latest_applicable``, ``latest_eligible``,
    ``latest_period``, ``latest_campaign``. One query."""
    latest = ScoreSnapshot.objects.filter(
        park=OuterRef("pk"), enterprise__isnull=True, index__isnull=False
    ).order_by("-campaign__period", "-computed_at")
    return (
        visible_parks(user)
        .select_related("province")
        .annotate(
            latest_index=Subquery(latest.values("index")[:1]),
            latest_met=Subquery(latest.values("criteria_met")[:1]),
            latest_applicable=Subquery(latest.values("criteria_applicable")[:1]),
            latest_eligible=Subquery(latest.values("eligible")[:1]),
            latest_period=Subquery(latest.values("campaign__period")[:1]),
            latest_campaign=Subquery(latest.values("campaign_id")[:1]),
        )
        .order_by("province__code", "name_vi")
    )


# --------------------------------------------------------------------------------------
# Campaigns and the cache stamp
# --------------------------------------------------------------------------------------


def stamp_annotations(*names: str) -> dict[str, RawSQL]:
    """Annotations that give any row the cache stamps ``names`` (default: the dashboards'
    counter that every change moves), so a page that looks its subject
    up gets its cache key in the same query (``dashboard_stamp_0``, ``dashboard_stamp_1``…)."""
    names = names or (stamps.DASHBOARDS,)
    return {f"dashboard_stamp_{i}": stamps.annotation(n) for i, n in enumerate(names)}


def park_stamp(park_id: int) -> str:
    """The cache stamp of a park's pages: moves with the park's own changes (its responses,
    results, register entries) and with changes no park scopes; one query."""
    return stamps.key([stamps.SHARED, stamps.park(park_id)])


def province_stamp(province_id: int) -> str:
    """The cache stamp of a province's dashboard: moves with a change of any of its parks
    and with changes no park scopes; one query."""
    return stamps.key([stamps.SHARED, stamps.province(province_id)])


def national_stamp(*, campaign: str | None, framework: str | None) -> str:
    """The cache stamp of a national page (or national scores) showing ``campaign`` (the
    ``?campaign=`` value): moves with changes of that campaign and of the earlier campaigns of
    its framework (the trend compares with them) and with changes no park scopes, so the page
    of an earlier campaign stays cached while the current one is answered. Without a known
    ``campaign`` the page shows a default (:func:`campaign_pick`): every campaign of
    ``framework`` (of any framework when None) counts. One query, two when the list of
    campaigns (kept in the "pages" cache under the shared counter) must be read."""
    rows = stamps.with_campaigns()
    shared = rows.get(stamps.SHARED, 0)
    key = f"campaign-list:{shared}"
    listed = caches["pages"].get(key)
    if listed is None:
        listed = list(
            Campaign.objects.order_by("-period", "-pk").values_list(
                "pk", "period", "framework_version__framework__code"
            )
        )
        caches["pages"].set(key, listed, 3600)
    shown = None
    if campaign:
        shown = next((c for c in listed if str(c[0]) == campaign.strip()), None)
    if shown is not None:
        relevant = [c for c in listed if c[2] == shown[2] and c[1] <= shown[1]]
    else:
        # no (known) campaign asked for: the page shows a default campaign chosen among the
        # opened ones and the parks' coverage (campaign_pick), not always the newest, so
        # every campaign of the framework (of any, without one) counts
        relevant = [c for c in listed if framework in (None, "", c[2])] or listed
    counters = [f"{c[0]}={rows.get(stamps.campaign(c[0]), 0)}" for c in relevant]
    return f"shared={shared}." + ".".join(counters)


def campaigns_all() -> list[Campaign]:
    """Every campaign, newest period first, with its framework version and framework loaded
    (one query)."""
    return list(
        Campaign.objects.select_related("framework_version__framework").order_by("-period", "-pk")
    )


def campaign_pick(
    campaigns: list[Campaign],
    *,
    campaign_id: int | None,
    framework_code: str | None = None,
    parks: QuerySet[Park] | None = None,
    province: Province | None = None,
    today: datetime.date | None = None,
) -> Campaign | None:
    """The campaign a dashboard shows: ``campaign_id`` when given (raises
    ``Campaign.DoesNotExist`` when it is not among ``campaigns``), else the default among the
    campaigns of ``framework_code`` (any framework when None; ``campaigns`` newest first).

    The default is chosen among the campaigns whose reporting period has opened by ``today``
    (default today's local date), or among all of them when none has
    (:func:`surveys.periods.opened_campaigns`): a campaign not open yet, with nothing to show,
    never becomes a page's default. Without ``parks`` the default is the newest of them (no
    query). With ``parks`` (the
    page's parks) it is the latest campaign that covers them (one query), so a campaign
    opened for a few parks never becomes everyone's default: the newest campaign of the whole
    country (scope "all parks") or, for a province page (``province``), of that province;
    failing that, the campaign with a park response for most of ``parks`` (the newest among
    equals); failing that (no campaign covers any of them), the newest.
    """
    if campaign_id is not None:
        for c in campaigns:
            if c.pk == campaign_id:
                return c
        raise Campaign.DoesNotExist
    chosen = opened_campaigns(
        (
            c
            for c in campaigns
            if framework_code is None or c.framework_version.framework.code == framework_code
        ),
        today,
    )
    if not chosen or parks is None:
        return default_campaign(chosen, today)
    covered = dict(
        Response.objects.filter(
            enterprise__isnull=True, campaign__in=[c.pk for c in chosen], park__in=parks
        )
        .order_by()
        .values("campaign")
        .annotate(n=Count("pk"))
        .values_list("campaign", "n")
    )
    for c in chosen:
        whole = c.scope == Campaign.Scope.ALL or (
            province is not None
            and c.scope == Campaign.Scope.PROVINCE
            and c.province_id == province.pk
        )
        if whole and covered.get(c.pk):
            return c
    most = max(covered.values(), default=0)
    if most:
        return next(c for c in chosen if covered.get(c.pk) == most)
    return chosen[0]


# --------------------------------------------------------------------------------------
# National and province tables
# --------------------------------------------------------------------------------------


@dataclass
class ParkRow:
    """One park of the national (or province) table for one campaign.

    ``snapshot``: its park snapshot (None: no result); ``previous_index`` and
    ``previous_period``: its latest result of the same framework in an earlier period;
    ``trend``: ``index - previous_index`` in index points (None unless both exist);
    ``response_status``: status of its park response in the campaign (None: not in the
    campaign); ``stale``: results are being recomputed; ``corrected_since``: when its approved
    response was reopened, while the correction is not submitted again (the snapshot keeps the
    approved result meanwhile).
    """

    park: Park
    snapshot: ScoreSnapshot | None
    previous_index: Decimal | None
    previous_period: int | None
    response_status: str | None
    stale: bool
    corrected_since: datetime.datetime | None = None

    @property
    def index(self) -> Decimal | None:
        """The park's index 0–100, or None."""
        return self.snapshot.index if self.snapshot else None

    @property
    def result(self) -> ScoreSnapshot | None:
        """The snapshot when the park has a result (criteria met, eligibility); None when it
        has none — no snapshot, or no submitted answers (the tenant coverage stays on
        :attr:`snapshot`)."""
        return self.snapshot if self.snapshot is not None and self.snapshot.has_result else None

    @property
    def trend(self) -> Decimal | None:
        """Change of the index since ``previous_period`` (index points), or None."""
        if self.index is None or self.previous_index is None:
            return None
        return self.index - self.previous_index

    @property
    def coverage(self) -> float | None:
        """Share (0–1) of the park's enterprises that reported, or None without tenants."""
        s = self.snapshot
        if not s or not s.population:
            return None
        return (s.reported or 0) / s.population

    @property
    def response_status_display(self) -> str:
        """The response status in words ("" when the park is not in the campaign)."""
        if self.response_status is None:
            return ""
        return str(dict(Response.Status.choices).get(self.response_status, self.response_status))


@dataclass
class ProvinceSummary:
    """One province's line of the province summary table.

    ``mean_index``: mean index of its parks with a result (0–100, None when none);
    ``reported``/``population``: enterprises that reported / enterprises, summed over parks.
    """

    province: Province
    parks: int = 0
    in_campaign: int = 0
    with_result: int = 0
    eligible: int = 0
    stale: int = 0
    reported: int = 0
    population: int = 0
    index_sum: float = 0.0

    @property
    def mean_index(self) -> float | None:
        """Mean index of the parks with a result, rounded to 0.1, or None."""
        return round(self.index_sum / self.with_result, 1) if self.with_result else None


@dataclass
class HistogramBin:
    """Parks whose index lies in ``[low, high)`` (the last bin includes 100)."""

    low: int
    high: int
    parks: int

    @property
    def label(self) -> str:
        """``"low–high"``."""
        return f"{self.low}–{self.high}"


@dataclass
class ParkTable:
    """The national or province dashboard of one campaign: ``rows`` (visible parks after the
    filters, in Vietnamese alphabetical order of province, then park), ``provinces`` (summary lines, only provinces with a
    listed park), ``histogram`` (10-point bins of the index)."""

    campaign: Campaign | None
    rows: list[ParkRow]
    provinces: list[ProvinceSummary]
    histogram: list[HistogramBin]

    @property
    def with_result(self) -> list[ParkRow]:
        """Rows with an index."""
        return [r for r in self.rows if r.index is not None]

    @property
    def mapped(self) -> list[ParkRow]:
        """Rows with coordinates (drawn on the map)."""
        return [
            r for r in self.rows if r.park.latitude is not None and r.park.longitude is not None
        ]

    @property
    def eligible_count(self) -> int:
        """Parks eligible for certification (Decree 35/2022 Art. 37 gate)."""
        return sum(1 for r in self.rows if r.result and r.result.eligible)

    @property
    def stale_count(self) -> int:
        """Parks whose results are being recomputed."""
        return sum(1 for r in self.rows if r.stale)


def parks_filter(
    parks: QuerySet[Park],
    *,
    province_code: str | None = None,
    kind: str | None = None,
    pilot: bool | None = None,
) -> QuerySet[Park]:
    """Apply the dashboard filters (province code of the 34 units, park kind, EIP pilot)."""
    if province_code:
        parks = parks.filter(province__code=province_code)
    if kind:
        parks = parks.filter(kind=kind)
    if pilot is not None:
        parks = parks.filter(eip_pilot=pilot)
    return parks


def histogram_bins(indices: list[float]) -> list[HistogramBin]:
    """Count ``indices`` (0–100) in 10-point bins ``[0,10) … [90,100]``. Pure."""
    n = 100 // HISTOGRAM_BIN_WIDTH
    counts = [0] * n
    for value in indices:
        i = min(int(math.floor(float(value) / HISTOGRAM_BIN_WIDTH)), n - 1)
        counts[max(i, 0)] += 1
    return [
        HistogramBin(HISTOGRAM_BIN_WIDTH * i, HISTOGRAM_BIN_WIDTH * (i + 1), counts[i])
        for i in range(n)
    ]


def park_table(*, parks: QuerySet[Park], campaign: Campaign | None) -> ParkTable:
    """The national/province table of ``parks`` (already scoped and filtered) in ``campaign``.

    Three queries whatever the number of parks: the parks (with their response status in the
    campaign), their snapshots in the campaign, and their earlier snapshots of the same
    framework (for the trend).
    """
    if campaign is None:
        rows = _in_order(
            [ParkRow(p, None, None, None, None, False) for p in parks.select_related("province")]
        )
        return ParkTable(None, rows, _province_summaries(rows), histogram_bins([]))
    status = Response.objects.filter(
        campaign=campaign, park=OuterRef("pk"), enterprise__isnull=True
    ).values("status")[:1]
    stale_q = RecomputeState.objects.filter(campaign=campaign, park=OuterRef("pk"), stale=True)
    park_list = list(
        # the 34 provinces once, not one copy per park (577 model instances fewer)
        parks.prefetch_related("province")
        .annotate(
            response_status=Subquery(status),
            is_stale=Exists(stale_q),
            reopened_at=_reopened_at(campaign=campaign, park=OuterRef("pk"), enterprise=None),
        )
        .order_by("province__code", "name_vi")
    )
    ids = parks.values("pk")
    current = {
        s.park_id: s
        for s in ScoreSnapshot.objects.filter(
            campaign=campaign, enterprise__isnull=True, park__in=ids
        )
    }
    previous: dict[int, tuple[int, Decimal | None]] = {}
    for park_id, period, index in (
        ScoreSnapshot.objects.filter(
            enterprise__isnull=True,
            park__in=ids,
            index__isnull=False,  # a period without a result is no "previous result"
            campaign__framework_version__framework_id=campaign.framework_version.framework_id,
            campaign__period__lt=campaign.period,
        )
        .order_by("park_id", "-campaign__period", "-computed_at")
        .values_list("park_id", "campaign__period", "index")
    ):
        previous.setdefault(park_id, (period, index))
    rows = []
    for p in park_list:
        prev_period, prev_index = previous.get(p.pk, (None, None))
        rows.append(
            ParkRow(
                park=p,
                snapshot=current.get(p.pk),
                previous_index=prev_index,
                previous_period=prev_period,
                response_status=p.response_status,
                stale=p.is_stale,
                corrected_since=_corrected_since(p.response_status, p.reopened_at),
            )
        )
    rows = _in_order(rows)
    return ParkTable(
        campaign=campaign,
        rows=rows,
        provinces=_province_summaries(rows),
        histogram=histogram_bins([float(r.index) for r in rows if r.index is not None]),
    )


def _reopened_at(*, campaign, park, enterprise) -> Subquery:
    """When the response of ``park`` (and ``enterprise``, None for the park's own) in
    ``campaign`` (an object or an outer reference) last left the approved status: a subquery
    for ``annotate``."""
    steps = Transition.objects.filter(
        response__campaign=campaign, response__park=park, from_status=Response.Status.APPROVED
    )
    steps = (
        steps.filter(response__enterprise__isnull=True)
        if enterprise is None
        else steps.filter(response__enterprise=enterprise)
    )
    return Subquery(steps.order_by("-at").values("at")[:1])


def _corrected_since(status: str | None, reopened_at) -> datetime.datetime | None:
    """``reopened_at`` while the response is back with its respondent (draft or returned):
    its approved result is kept and shown as "being corrected since"; None otherwise."""
    return reopened_at if status in Response.EDITABLE_STATUSES else None


def _in_order(rows: list[ParkRow]) -> list[ParkRow]:
    """Rows in Vietnamese alphabetical order of province, then of the park's name in the
    active language (:mod:`common.collation`: Đ after D, Hải before Hưng)."""
    english = _english()  # once, not per row (``Park.name`` asks for the language)
    return sorted(
        rows,
        key=lambda r: (
            vi_key(r.park.province.name_vi),
            vi_key(r.park.name_en if english else r.park.name_vi),
        ),
    )


def _province_summaries(rows: list[ParkRow]) -> list[ProvinceSummary]:
    out: dict[int, ProvinceSummary] = {}
    for r in rows:
        s = out.setdefault(r.park.province_id, ProvinceSummary(province=r.park.province))
        s.parks += 1
        s.in_campaign += r.response_status is not None
        s.stale += r.stale
        snap = r.snapshot
        if snap is None:
            continue
        if snap.has_result:
            s.with_result += 1
            s.index_sum += float(snap.index)
            s.eligible += snap.eligible
        s.reported += snap.reported or 0
        s.population += snap.population or 0
    return vi_sorted(out.values(), key=lambda s: s.province.name_vi)


def campaign_reporting(
    *, campaign: Campaign | None, parks: QuerySet[Park] | list[Park]
) -> CampaignReporting | None:
    """The reporting rate of ``campaign`` over the responses of ``parks`` (already scoped and
    filtered, as the page's table): on time, late, not submitted, per province, per park and
    in total (:func:`surveys.selectors.reporting_rates`, two queries). None without a campaign.
    It reads responses, not snapshots: a submission, a return and an extension move the
    dashboards' cache stamp (``dashboards.receivers.STAMPED_MODELS``), so a cached page never
    shows an old rate."""
    if campaign is None:
        return None
    return reporting_rates(campaign=campaign, responses=Response.objects.filter(park__in=parks))


def approvals_waiting(*, province: Province) -> list[Response]:
    """Park responses of ``province`` submitted and not yet approved (the board's queue under
    Decree 35/2022 Art. 43), oldest submission first. One query."""
    return list(
        Response.objects.filter(
            park__province=province,
            enterprise__isnull=True,
            status=Response.Status.SUBMITTED,
        )
        .select_related("campaign", "park")
        .order_by("submitted_at", "pk")
    )


# --------------------------------------------------------------------------------------
# Park dashboard
# --------------------------------------------------------------------------------------


@dataclass
class Missing:
    """What keeps a mandatory criterion from being met ("path to certification").

    ``kind``: ``"no_data"``, ``"not_met"`` or ``"no_threshold"``; ``elements``: labels of the
    data elements left unanswered in the scored responses (for look-backs, with the periods
    they miss); ``text``: one sentence saying what is missing.
    """

    kind: str
    text: str
    elements: list[str] = field(default_factory=list)


@dataclass
class CriterionRow:
    """One criterion on a dashboard: its ``result`` in the campaign (None: no snapshot yet),
    its ``history`` ``[(period, state, value)]`` over the periods of the same framework, oldest
    first, its ``answers`` (data element label → answer as entered) used as evidence,
    ``missing`` for unmet mandatory criteria and ``reason`` (see :attr:`why`) for every unmet
    one."""

    criterion: Criterion
    result: CriterionResult | None
    history: list[tuple[int, str, float | None]] = field(default_factory=list)
    answers: list[tuple[str, str]] = field(default_factory=list)
    missing: Missing | None = None
    reason: Missing | None = None

    @property
    def why(self) -> str:
        """Why the state is neither met nor not met (which input is missing, which look-back
        year, or that the source gives no threshold); "" for met and not met."""
        if self.state in (State.MET, State.NOT_MET) or self.reason is None:
            return ""
        return self.reason.text

    @property
    def state(self) -> str:
        """The criterion's state (``no_data`` without a result)."""
        return self.result.state if self.result else State.NO_DATA

    @property
    def title(self) -> str:
        """The criterion's title in the active language."""
        return self.criterion.title

    @property
    def intended_value(self) -> float | None:
        """The value the intended performance (target year) would give, when the respondent
        gave intended values (``CriterionResult.value_intended``); None otherwise."""
        return getattr(self.result, "value_intended", None) if self.result else None

    @property
    def intended_state(self) -> str:
        """The state the intended values reach (``""`` without a plan)."""
        return (getattr(self.result, "state_intended", "") or "") if self.result else ""

    @property
    def intended_state_display(self) -> str:
        """:attr:`intended_state` in words (``""`` without a plan)."""
        state = self.intended_state
        return str(dict(State.choices).get(state, state)) if state else ""

    @property
    def improvement(self) -> float | None:
        """Intended minus current value, in the indicator's unit (UNIDO EIP assessment's
        improvement potential); None without a plan."""
        return getattr(self.result, "improvement", None) if self.result else None


@dataclass
class Tenant:
    """A tenant enterprise of the park with its result in the campaign. ``eco_enterprise``
    is True when every mandatory eco-enterprise criterion is met (Decree 35/2022 Art. 40(2):
    the enterprise snapshot's ``eco_enterprise``, or its ``eligible`` when the former is
    empty); None without a result."""

    enterprise: Enterprise
    index: Decimal | None
    criteria_met: int | None
    criteria_applicable: int | None
    eco_enterprise: bool | None
    response_status: str | None

    @property
    def response_status_display(self) -> str:
        """The response status in words ("" when the enterprise has no response)."""
        return status_display(self.response_status)


def status_display(status: str | None) -> str:
    """A response status (``surveys.models.Response.Status``) in words in the active
    language; "" for None (no response)."""
    if status is None:
        return ""
    return str(dict(Response.Status.choices).get(status, status))


def _eco_enterprise(has: bool, index, eco: bool | None, eligible: bool | None) -> bool | None:
    """A tenant's eco-enterprise status (:class:`Tenant`) from its snapshot's columns: None
    without a snapshot or an index; the snapshot's ``eco_enterprise``, or its ``eligible``
    when the former is empty."""
    if not has or index is None:
        return None
    return bool(eco if eco is not None else eligible)


@dataclass
class ParkDashboard:
    """What the park page shows for one campaign.

    ``rows``: every park criterion of the campaign's framework version with its result, history
    and evidence; ``categories``: CategoryScore rows with at least one applicable criterion (an
    empty category, 0/0, has no share to show); ``stale``: results are being recomputed;
    ``history``: ``[(period, snapshot)]`` of the same framework, oldest first (the index
    trend); ``tenants``: None when the viewer may not see them (enterprises never do); on the
    park page (``dashboards.views.park_detail``) the shown page of the tenant table only.
    """

    park: Park
    campaign: Campaign | None
    campaigns: list[Campaign]
    snapshot: ScoreSnapshot | None
    rows: list[CriterionRow]
    categories: list[CategoryScore]
    stale: bool
    history: list[tuple[int, ScoreSnapshot]] = field(default_factory=list)
    tenants: list[Tenant] | None = None

    @property
    def submitted(self) -> bool:
        """True when the park's response to the campaign is submitted or approved (only then
        do its answers count), or approved and reopened (its approved answers count)."""
        status = getattr(self.campaign, "park_response_status", Response.Status.SUBMITTED)
        return status in Response.SCORED_STATUSES or self.corrected_since is not None

    @property
    def corrected_since(self) -> datetime.datetime | None:
        """When the park's approved response was reopened, while it is being corrected (the
        approved result is shown meanwhile); None otherwise."""
        return _corrected_since(
            getattr(self.campaign, "park_response_status", None),
            getattr(self.campaign, "reopened_at", None),
        )

    @property
    def path(self) -> list[CriterionRow]:
        """Unmet mandatory criteria (not met, no data, or without threshold): the path to
        certification under Decree 35/2022 Art. 37."""
        return [r for r in self.rows if r.missing is not None]

    @property
    def rollups(self) -> list[CriterionRow]:
        """Criteria computed from tenant data, with their coverage."""
        return [r for r in self.rows if r.result and r.result.population is not None]

    @property
    def has_intended(self) -> bool:
        """True when at least one result carries an intended value."""
        return any(r.intended_value is not None or r.intended_state for r in self.rows)

    @property
    def periods(self) -> list[int]:
        """Periods of the criterion history, oldest first."""
        return [p for p, _s in self.history]


def park_campaigns(park: Park) -> list[Campaign]:
    """Campaigns in which ``park`` has a park response, newest first, each annotated with
    ``park_response_status``, ``park_stale`` (its results are being recomputed) and
    ``reopened_at`` (when its response last left the approved status); one query."""
    status = Response.objects.filter(
        campaign=OuterRef("pk"), park=park, enterprise__isnull=True
    ).values("status")[:1]
    stale = RecomputeState.objects.filter(campaign=OuterRef("pk"), park=park, stale=True)
    return list(
        Campaign.objects.filter(responses__park=park, responses__enterprise__isnull=True)
        .select_related("framework_version__framework")
        .annotate(
            park_response_status=Subquery(status),
            park_stale=Exists(stale),
            reopened_at=_reopened_at(campaign=OuterRef("pk"), park=park, enterprise=None),
        )
        .order_by("-period", "-pk")
    )


def _element_labels(version_id: int) -> dict[str, DataElement]:
    return {e.code: e for e in DataElement.objects.filter(version_id=version_id)}


def criterion_references(criterion: Criterion) -> tuple[list[str], list[str]]:
    """Codes the criterion's indicator reads: (subject-level, tenant-level). No query."""
    indicator = criterion.indicator
    if indicator is None:
        return [], []
    try:
        f = parse_formula(indicator.formula, code=indicator.code)
    except FormulaError:
        return [], []
    return sorted(f.references), sorted(f.tenant_references)


def _answer_text(a: dict) -> str:
    from surveys.selectors import format_answer

    return format_answer(
        number=a["value_number"],
        flag=a["value_bool"],
        text=a["value_text"],
        raw=a["raw"],
        unit=a["unit_entered"],
    )


def _missing(
    row: CriterionRow,
    *,
    period: int,
    answered: dict[tuple[str, int], str],
    elements: dict[str, DataElement],
    submitted: bool = True,
) -> Missing | None:
    """What keeps a mandatory criterion from being met (:func:`_reason`); None for a
    criterion met or not mandatory. Pure (no query)."""
    if row.criterion.level != Criterion.Level.MANDATORY or row.state == State.MET:
        return None
    return _reason(row, period=period, answered=answered, elements=elements, submitted=submitted)


def _reason(
    row: CriterionRow,
    *,
    period: int,
    answered: dict[tuple[str, int], str],
    elements: dict[str, DataElement],
    submitted: bool = True,
    subject: str = "park",
) -> Missing | None:
    """Why a criterion is not met: the source gives no threshold; its value against the
    threshold; or, without data, which inputs are unanswered in the scored responses and, for
    a look-back, for which years. Pure (no query); None when the criterion is met.
    ``answered``: ``{(data element code, period): answer text}`` of the subject's scored
    responses; ``submitted``: whether its response to the campaign is submitted or approved
    (False: one sentence says so instead of the inputs); ``subject``: ``"park"`` or
    ``"enterprise"``."""
    c = row.criterion
    if row.state == State.MET:
        return None
    english = _english()

    def label(code: str) -> str:
        e = elements.get(code)
        if e is None:
            return code
        return e.label_en if english or not e.label_vi else e.label_vi

    if row.state == State.NO_THRESHOLD:
        return Missing(
            "no_threshold",
            _("The source gives no threshold for this criterion; it cannot be assessed yet."),
        )
    if row.state == State.NOT_MET:
        r = row.result
        unit = c.unit if c.unit == "%" else ""
        value = "—" if r.value is None else f"{r.value:g}{' ' + unit if unit else ''}"
        if c.indicator and c.indicator.value_type == "boolean" and r.value is not None:
            value = _("yes") if r.value >= 0.5 else _("no")
        text = _("Current value %(value)s; required %(threshold)s.") % {
            "value": value,
            "threshold": c.threshold_display or "—",
        }
        if r.gap is not None and c.rule in (Criterion.Rule.COMPARE, Criterion.Rule.COUNT):
            text += " " + _("Gap: %(gap)s.") % {"gap": f"{r.gap:g}"}
        return Missing("not_met", text)
    # no data
    refs, tenant_refs = criterion_references(c)
    periods = [period]
    if c.rule == Criterion.Rule.LOOKBACK and c.lookback_years:
        periods = list(range(period - c.lookback_years + 1, period + 1))
    unanswered = []
    for code in refs:
        gaps = [p for p in periods if (code, p) not in answered]
        if not gaps:
            continue
        if len(periods) > 1:
            unanswered.append(
                _("%(element)s (missing for %(periods)s)")
                % {"element": label(code), "periods": ", ".join(str(p) for p in gaps)}
            )
        else:
            unanswered.append(label(code))
    if tenant_refs:
        r = row.result
        cover = (
            _("%(a)s of %(b)s enterprises reported") % {"a": r.reported or 0, "b": r.population}
            if r and r.population is not None
            else _("no enterprise reported")
        )
        unanswered.append(
            _("enterprise answers: %(elements)s (%(coverage)s)")
            % {"elements": ", ".join(label(t) for t in tenant_refs), "coverage": cover}
        )
    if not submitted:
        text = _(
            "The park's response to this campaign is not submitted yet: its answers count "
            "only once it is submitted."
        )
    elif unanswered:
        text = _("Unanswered in the submitted responses: %(elements)s.") % {
            "elements": "; ".join(unanswered)
        }
    elif row.result is None and subject == "enterprise":
        text = _("No results yet: the enterprise's response has not been submitted.")
    elif row.result is None:
        text = _("No result yet: the park's response has not been submitted.")
    else:
        text = _("An input is missing.")
    return Missing("no_data", text, unanswered)


def _answered(*, campaign: Campaign, criteria: list[Criterion], **subject) -> dict:
    """``{(data element code, period): answer text}`` of one subject's scored responses
    (``subject``: lookups of Answer to its response's park and enterprise) in ``campaign``'s
    framework, over the longest look-back of ``criteria`` up to the campaign's period. One
    query."""
    longest = max((c.lookback_years or 1 for c in criteria), default=1)
    answered: dict[tuple[str, int], str] = {}
    for a in Answer.objects.filter(
        response__status__in=Response.SCORED_STATUSES,
        response__campaign__framework_version__framework_id=(
            campaign.framework_version.framework_id
        ),
        response__campaign__period__gt=campaign.period - longest,
        response__campaign__period__lte=campaign.period,
        **subject,
    ).values(
        "data_element__code",
        "response__campaign__period",
        "value_number",
        "value_bool",
        "value_text",
        "raw",
        "unit_entered",
    ):
        text = _answer_text(a)
        if text:
            answered[(a["data_element__code"], a["response__campaign__period"])] = text
    return answered


def _snapshot_history(snapshots: QuerySet[ScoreSnapshot], campaign: Campaign):
    """One subject's snapshots of ``campaign``'s framework up to its period and their results
    (two queries whatever the number of periods).

    Returns ``(snapshot, by_period, current, history)``: the snapshot of ``campaign`` (or
    None); ``{period: snapshot}`` (the campaign's own for its period, otherwise the latest
    computed); ``{criterion id: CriterionResult}`` of ``campaign``; ``{criterion code: {period:
    (state, value)}}``. Other campaigns of the same period are not this page's and are skipped.
    """
    snaps = list(
        snapshots.filter(
            campaign__framework_version__framework_id=campaign.framework_version.framework_id,
            campaign__period__lte=campaign.period,
        )
        .select_related("campaign", "framework_version__framework")
        .order_by("campaign__period", "computed_at", "pk")
    )
    snapshot = None
    by_period: dict[int, ScoreSnapshot] = {}
    for snap in snaps:
        if snap.campaign_id == campaign.pk:
            snapshot = snap
        elif snap.campaign.period >= campaign.period:
            continue
        by_period[snap.campaign.period] = snap  # ordered by computed_at: the latest wins
    current: dict[int, CriterionResult] = {}
    history: dict[str, dict[int, tuple[str, float | None]]] = defaultdict(dict)
    period_of = {snap.pk: period for period, snap in by_period.items()}
    for r in CriterionResult.objects.filter(snapshot_id__in=list(period_of)).select_related(
        "criterion"
    ):
        history[r.criterion.code][period_of[r.snapshot_id]] = (r.state, r.value)
        if snapshot is not None and r.snapshot_id == snapshot.pk:
            r.snapshot = snapshot
            current[r.criterion_id] = r
    return snapshot, by_period, current, history


def park_dashboard(
    *,
    park: Park,
    campaign_id: int | None,
    campaigns: list[Campaign] | None = None,
    with_tenants: bool = False,
) -> ParkDashboard:
    """Load the park page's data; ``campaign_id`` None picks the default campaign with a
    response of this park (:func:`surveys.periods.default_campaign`: the latest one open). Raises ``Campaign.DoesNotExist`` for an unknown campaign id.

    Queries (whatever the number of tenants or periods): campaigns (unless given), results of
    every period with their snapshots, categories, criteria, data elements, answers (for the
    path to certification and the evidence), and, ``with_tenants``, one for the tenants.
    """
    if campaigns is None:
        campaigns = park_campaigns(park)
    if campaign_id is not None:
        campaign = next((c for c in campaigns if c.pk == campaign_id), None)
        if campaign is None:
            raise Campaign.DoesNotExist
    else:
        campaign = default_campaign(campaigns)
    if campaign is None:
        return ParkDashboard(park, None, campaigns, None, [], [], False, [], None)
    snapshot, by_period, current, history = _snapshot_history(
        ScoreSnapshot.objects.filter(park=park, enterprise__isnull=True), campaign
    )

    categories = (
        list(
            CategoryScore.objects.filter(snapshot=snapshot, applicable__gt=0)
            .select_related("category")
            .order_by("category__order")
        )
        if snapshot
        else []
    )
    criteria = list(
        Criterion.objects.filter(version_id=campaign.framework_version_id, applies_to="park")
        .select_related("category", "indicator")
        .order_by("order")
    )
    elements = _element_labels(campaign.framework_version_id)
    answered = _answered(
        campaign=campaign,
        criteria=criteria,
        response__park=park,
        response__enterprise__isnull=True,
    )

    english = _english()
    rows = []
    for c in criteria:
        row = CriterionRow(
            criterion=c,
            result=current.get(c.pk),
            history=[(p, *history[c.code][p]) for p in sorted(history[c.code])],
        )
        refs, _tenant = criterion_references(c)
        for code in refs:
            if (code, campaign.period) in answered:
                e = elements.get(code)
                name = (
                    code if e is None else (e.label_en if english or not e.label_vi else e.label_vi)
                )
                row.answers.append((name, answered[(code, campaign.period)]))
        # the page says once that the response is not submitted; each row names its inputs
        row.reason = _reason(row, period=campaign.period, answered=answered, elements=elements)
        row.missing = _missing(
            row,
            period=campaign.period,
            answered=answered,
            elements=elements,
            submitted=getattr(campaign, "park_response_status", Response.Status.SUBMITTED)
            in Response.SCORED_STATUSES,
        )
        rows.append(row)

    tenants = park_tenants(park=park, campaign=campaign) if with_tenants else None
    stale = getattr(campaign, "park_stale", None)
    if stale is None:
        stale = RecomputeState.objects.filter(campaign=campaign, park=park, stale=True).exists()
    return ParkDashboard(
        park=park,
        campaign=campaign,
        campaigns=campaigns,
        snapshot=snapshot,
        rows=rows,
        categories=categories,
        stale=stale,
        history=sorted(by_period.items()),
        tenants=tenants,
    )


@dataclass(frozen=True)
class TenantKey:
    """What the tenant table sorts and searches on, for one tenant: its primary key, name and
    tax code (:func:`park_tenant_keys`)."""

    pk: int
    name: str
    tax_code: str


def _tenants_of(*, park: Park, campaign: Campaign) -> QuerySet[Enterprise]:
    """The park's tenants in ``campaign``: the enterprises whose response in the campaign was
    filed in this park (a tenant that moved since stays with the park it belonged to then),
    and the park's active tenants without a response filed elsewhere."""
    filed = Response.objects.filter(campaign=campaign, enterprise=OuterRef("pk"))
    return Enterprise.objects.filter(
        Exists(filed.filter(park=park))
        | (Q(park=park, is_active=True) & ~Exists(filed.exclude(park=park)))
    )


def park_tenant_keys(*, park: Park, campaign: Campaign) -> list[TenantKey]:
    """Every tenant of the park in ``campaign`` (as :func:`park_tenants`) as a
    :class:`TenantKey`, in Vietnamese alphabetical order of the names (then primary key): the
    tenant table is sorted, searched and paged on these, and only the shown page's tenants are
    loaded with their results (``park_tenants(..., pks=...)``). One query of three columns."""
    keys = [
        TenantKey(pk, name, tax_code)
        for pk, name, tax_code in _tenants_of(park=park, campaign=campaign)
        .order_by("name", "pk")
        .values_list("pk", "name", "tax_code")
    ]
    return vi_sorted(keys, key=lambda k: k.name)


#: the tenant table's columns whose values :func:`park_tenant_sort_values` reads
TENANT_VALUE_COLUMNS = ("sector", "response", "index", "met", "eco")


def park_tenant_sort_values(*, park: Park, campaign: Campaign, column: str) -> dict[int, object]:
    """One column of the tenant table for every tenant of the park in ``campaign`` (as
    :func:`park_tenant_keys`), to sort the whole table before it is paged: ``{enterprise pk:
    value}``, None where the table shows "—". ``column`` (one of
    :data:`TENANT_VALUE_COLUMNS`): ``sector`` the VSIC code (str), ``response`` the response
    status in words (:func:`status_display`), ``index`` the index 0–100 (``Decimal``),
    ``met`` the share of applicable criteria met 0–1 (float; None without an index or with
    0 applicable), ``eco`` the eco-enterprise status (bool, as :class:`Tenant`). One query of
    that column only (the tenants' other results are not read); ``ValueError`` for another
    column."""
    tenants = _tenants_of(park=park, campaign=campaign)
    snap = ScoreSnapshot.objects.filter(campaign=campaign, enterprise=OuterRef("pk"))
    if column == "sector":
        return dict(tenants.values_list("pk", "sector__code"))
    if column == "response":
        status = Response.objects.filter(campaign=campaign, enterprise=OuterRef("pk"))
        rows = tenants.annotate(v=Subquery(status.values("status")[:1])).values_list("pk", "v")
        return {pk: status_display(v) or None for pk, v in rows}
    if column == "index":
        rows = tenants.annotate(v=Subquery(snap.values("index")[:1])).values_list("pk", "v")
        return dict(rows)
    if column == "met":
        rows = tenants.annotate(
            i=Subquery(snap.values("index")[:1]),
            m=Subquery(snap.values("criteria_met")[:1]),
            a=Subquery(snap.values("criteria_applicable")[:1]),
        ).values_list("pk", "i", "m", "a")
        return {pk: (m or 0) / a if i is not None and a else None for pk, i, m, a in rows}
    if column == "eco":
        rows = tenants.annotate(
            i=Subquery(snap.values("index")[:1]),
            e=Subquery(snap.values("eco_enterprise")[:1]),
            g=Subquery(snap.values("eligible")[:1]),
            h=Exists(snap),
        ).values_list("pk", "h", "i", "e", "g")
        return {pk: _eco_enterprise(h, i, e, g) for pk, h, i, e, g in rows}
    raise ValueError(f"not a tenant table column: {column!r}")


def park_tenants(*, park: Park, campaign: Campaign, pks: list[int] | None = None) -> list[Tenant]:
    """The park's enterprises with their result and response status in ``campaign``, in
    Vietnamese alphabetical order of their names: those whose response in the campaign was
    filed in this park (a tenant that moved since stays with the park it belonged to then),
    and the park's active tenants without a response filed elsewhere. ``pks``: only these
    tenants, in this order (the shown page of :func:`park_tenant_keys`). One query whatever
    the number of enterprises. Shown to park managers and above only."""
    snap = ScoreSnapshot.objects.filter(campaign=campaign, enterprise=OuterRef("pk"))
    status = Response.objects.filter(campaign=campaign, enterprise=OuterRef("pk")).values("status")[
        :1
    ]
    if pks is not None:
        if not pks:
            return []
        # the keys were read from the same tenants; the page's rows only
        ents = Enterprise.objects.filter(pk__in=pks)
    else:
        ents = _tenants_of(park=park, campaign=campaign)
    ents = (
        ents.select_related("sector")
        .annotate(
            s_index=Subquery(snap.values("index")[:1]),
            s_met=Subquery(snap.values("criteria_met")[:1]),
            s_applicable=Subquery(snap.values("criteria_applicable")[:1]),
            s_eligible=Subquery(snap.values("eligible")[:1]),
            s_eco=Subquery(snap.values("eco_enterprise")[:1]),
            s_has=Exists(snap),
            s_status=Subquery(status),
        )
        .order_by("name", "pk")
    )
    if pks is not None:
        position = {pk: i for i, pk in enumerate(pks)}
        ents = sorted(ents, key=lambda e: position[e.pk])
    else:
        ents = vi_sorted(ents, key=lambda e: e.name)
    return [
        Tenant(
            enterprise=e,
            index=e.s_index,
            criteria_met=e.s_met,
            criteria_applicable=e.s_applicable,
            eco_enterprise=_eco_enterprise(e.s_has, e.s_index, e.s_eco, e.s_eligible),
            response_status=e.s_status,
        )
        for e in ents
    ]


# --------------------------------------------------------------------------------------
# Enterprise dashboard
# --------------------------------------------------------------------------------------


@dataclass
class Benchmark:
    """An anonymous comparison of the enterprise's index with a group (its park or its VSIC
    sector) in one campaign.

    ``size``: enterprises of the group with an index (the enterprise included); ``withheld``:
    True when ``size < MIN_BENCHMARK_GROUP`` — then ``percentile`` and ``median`` are None and
    nothing about the group is shown; ``percentile``: the mean percentile rank of the
    enterprise's index in the group, 0–100 (100 × (#below + #at-or-below) / (2 × size));
    ``median``: the group's median index; ``reason``: why it is withheld (``"small_group"``
    or ``"no_index"`` when the enterprise itself has no index yet).
    """

    group: str
    name: str
    size: int
    withheld: bool
    percentile: float | None = None
    median: float | None = None
    reason: str = ""


def benchmark_of(*, group: str, name: str, own: float | None, indices: list[float]) -> Benchmark:
    """Build a :class:`Benchmark` from the group's indices (the enterprise's own included).
    Pure. Withheld when fewer than :data:`MIN_BENCHMARK_GROUP` enterprises have an index or
    when the enterprise itself has none."""
    size = len(indices)
    if size < MIN_BENCHMARK_GROUP:
        return Benchmark(group, name, size, True, reason="small_group")
    if own is None:
        return Benchmark(group, name, size, True, reason="no_index")
    below = sum(1 for v in indices if v < own)
    at_or_below = sum(1 for v in indices if v <= own)
    ordered = sorted(indices)
    mid = size // 2
    median = ordered[mid] if size % 2 else (ordered[mid - 1] + ordered[mid]) / 2
    return Benchmark(
        group,
        name,
        size,
        False,
        percentile=round(100 * (below + at_or_below) / (2 * size), 1),
        median=round(median, 1),
    )


@dataclass
class EnterpriseDashboard:
    """What the enterprise page shows for one campaign: its own ``rows`` (enterprise criteria),
    ``categories``, ``history`` ``[(period, snapshot)]`` and two anonymous ``benchmarks`` (its
    park, its sector). No other enterprise is named."""

    enterprise: Enterprise
    campaign: Campaign | None
    campaigns: list[Campaign]
    snapshot: ScoreSnapshot | None
    rows: list[CriterionRow]
    categories: list[CategoryScore]
    history: list[tuple[int, ScoreSnapshot]]
    benchmarks: list[Benchmark]
    stale: bool

    @property
    def periods(self) -> list[int]:
        """Periods of the criterion history, oldest first."""
        return [p for p, _s in self.history]

    @property
    def has_intended(self) -> bool:
        """True when at least one result carries an intended value."""
        return any(r.intended_value is not None or r.intended_state for r in self.rows)

    @property
    def corrected_since(self) -> datetime.datetime | None:
        """When the enterprise's approved response was reopened, while it is being corrected
        (the approved result is shown meanwhile); None otherwise."""
        return _corrected_since(
            getattr(self.campaign, "response_status", None),
            getattr(self.campaign, "reopened_at", None),
        )


def enterprise_campaigns(enterprise: Enterprise) -> list[Campaign]:
    """Campaigns in which ``enterprise`` has a response, newest first, each annotated with
    ``park_stale`` (its park's results are being recomputed), ``response_status`` and
    ``reopened_at`` (when its response last left the approved status); one query."""
    stale = RecomputeState.objects.filter(
        campaign=OuterRef("pk"), park_id=enterprise.park_id, stale=True
    )
    status = Response.objects.filter(campaign=OuterRef("pk"), enterprise=enterprise).values(
        "status"
    )[:1]
    return list(
        Campaign.objects.filter(responses__enterprise=enterprise)
        .select_related("framework_version__framework")
        .annotate(
            park_stale=Exists(stale),
            response_status=Subquery(status),
            reopened_at=_reopened_at(
                campaign=OuterRef("pk"), park=enterprise.park_id, enterprise=enterprise
            ),
        )
        .order_by("-period", "-pk")
    )


def enterprise_dashboard(
    *,
    enterprise: Enterprise,
    campaign_id: int | None,
    campaigns: list[Campaign] | None = None,
) -> EnterpriseDashboard:
    """Load the enterprise page's data (``enterprise`` with ``park`` and ``sector`` loaded).
    Raises ``Campaign.DoesNotExist`` for a campaign id the enterprise has no response in.

    Queries, whatever the number of enterprises: campaigns (unless given), results of every
    period, categories, criteria, and one per benchmark group (values only: no other
    enterprise's name or id leaves this function).
    """
    if campaigns is None:
        campaigns = enterprise_campaigns(enterprise)
    if campaign_id is not None:
        campaign = next((c for c in campaigns if c.pk == campaign_id), None)
        if campaign is None:
            raise Campaign.DoesNotExist
    else:
        campaign = default_campaign(campaigns)
    if campaign is None:
        return EnterpriseDashboard(enterprise, None, campaigns, None, [], [], [], [], False)
    snapshot, by_period, current, history = _snapshot_history(
        ScoreSnapshot.objects.filter(enterprise=enterprise), campaign
    )
    categories = (
        list(
            CategoryScore.objects.filter(snapshot=snapshot, applicable__gt=0)
            .select_related("category")
            .order_by("category__order")
        )
        if snapshot
        else []
    )
    criteria = list(
        Criterion.objects.filter(version_id=campaign.framework_version_id, applies_to="enterprise")
        .select_related("category", "indicator")
        .order_by("order")
    )
    rows = [
        CriterionRow(
            criterion=c,
            result=current.get(c.pk),
            history=[(p, *history[c.code][p]) for p in sorted(history[c.code])],
        )
        for c in criteria
    ]
    answered = _answered(campaign=campaign, criteria=criteria, response__enterprise=enterprise)
    elements = _element_labels(campaign.framework_version_id)
    for row in rows:
        row.reason = _reason(
            row, period=campaign.period, answered=answered, elements=elements, subject="enterprise"
        )
    own = float(snapshot.index) if snapshot and snapshot.index is not None else None
    park_values = [
        float(v)
        for v in ScoreSnapshot.objects.filter(
            campaign=campaign,
            park_id=enterprise.park_id,
            enterprise__isnull=False,
            index__isnull=False,
        ).values_list("index", flat=True)
    ]
    english = _english()
    benchmarks = [
        benchmark_of(
            group="park",
            name=enterprise.park.name_en if english else enterprise.park.name_vi,
            own=own,
            indices=park_values,
        )
    ]
    if enterprise.sector_id:
        sector_values = [
            float(v)
            for v in ScoreSnapshot.objects.filter(
                campaign=campaign,
                enterprise__sector_id=enterprise.sector_id,
                index__isnull=False,
            ).values_list("index", flat=True)
        ]
        sector = enterprise.sector
        benchmarks.append(
            benchmark_of(
                group="sector",
                name=f"VSIC {sector.code} {sector.name_en if english else sector.name_vi}",
                own=own,
                indices=sector_values,
            )
        )
    stale = getattr(campaign, "park_stale", None)
    if stale is None:
        stale = RecomputeState.objects.filter(
            campaign=campaign, park_id=enterprise.park_id, stale=True
        ).exists()
    return EnterpriseDashboard(
        enterprise=enterprise,
        campaign=campaign,
        campaigns=campaigns,
        snapshot=snapshot,
        rows=rows,
        categories=categories,
        history=sorted(by_period.items()),
        benchmarks=benchmarks,
        stale=stale,
    )


# --------------------------------------------------------------------------------------
# Report (Art. 41 dossier)
# --------------------------------------------------------------------------------------


#: criteria of the Decree 35/2022 Art. 37 eco-industrial park gate in the shipped framework
ART37_PREFIX = "VN35-EIP-"


def art37_rows(data: ParkDashboard) -> list[CriterionRow]:
    """The park's Art. 37 criteria (codes ``VN35-EIP-*``, or an article citing Art. 37); all
    park criteria when the framework has none (e.g. Decree 82/2018)."""
    rows = [
        r
        for r in data.rows
        if r.criterion.code.startswith(ART37_PREFIX) or r.criterion.article.startswith("Art. 37")
    ]
    return rows or list(data.rows)


def park_evidence(*, park: Park, campaign: Campaign) -> dict[str, list]:
    """Evidence files of the park's response in ``campaign``: ``{data element code:
    [Evidence]}`` (one query; empty when the survey side stores none)."""
    try:
        from surveys.models import Evidence
    except ImportError:  # pragma: no cover - older survey app
        return {}
    out: dict[str, list] = defaultdict(list)
    for e in Evidence.objects.filter(
        response__campaign=campaign, response__park=park, response__enterprise__isnull=True
    ).select_related("data_element"):
        out[e.data_element.code].append(e)
    return dict(out)
