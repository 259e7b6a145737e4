"""Reads for the dashboards: snapshots only, a constant number of queries per page."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import OuterRef, QuerySet, Subquery

from enterprises.models import Park
from enterprises.policy import visible_parks
from indicators.models import Criterion
from surveys.models import Campaign

from .models import CategoryScore, CriterionResult, RecomputeState, ScoreSnapshot


def parks_with_latest_scores(user) -> QuerySet[Park]:
    """Visible parks annotated with their latest park snapshot (by campaign period):
    ``latest_index``, ``latest_met``, ``latest_applicable``, ``latest_eligible``,
    ``latest_period``, ``latest_campaign``. One query."""
    latest = ScoreSnapshot.objects.filter(park=OuterRef("pk"), enterprise__isnull=True).order_by(
        "-campaign__period", "-computed_at"
    )
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


@dataclass
class ParkDashboard:
    """What the park page shows for one campaign.

    ``rows``: every park criterion of the campaign's framework version with its result (or None
    when no snapshot exists yet); ``categories``: CategoryScore rows; ``stale``: results are
    being recomputed or waiting for the sweep.
    """

    park: Park
    campaign: Campaign | None
    campaigns: list[Campaign]
    snapshot: ScoreSnapshot | None
    rows: list[tuple[Criterion, CriterionResult | None]]
    categories: list[CategoryScore]
    stale: bool


def park_dashboard(*, park: Park, campaign_id: int | None) -> ParkDashboard:
    """Load the park page's data; ``campaign_id`` None picks the latest campaign with a
    response of this park. Raises ``Campaign.DoesNotExist`` for an unknown campaign id."""
    campaigns = list(
        Campaign.objects.filter(responses__park=park, responses__enterprise__isnull=True)
        .select_related("framework_version__framework")
        .order_by("-period", "-pk")
    )
    if campaign_id is not None:
        campaign = next((c for c in campaigns if c.pk == campaign_id), None)
        if campaign is None:
            raise Campaign.DoesNotExist
    else:
        campaign = campaigns[0] if campaigns else None
    if campaign is None:
        return ParkDashboard(park, None, campaigns, None, [], [], False)
    snapshot = ScoreSnapshot.objects.filter(
        campaign=campaign, park=park, enterprise__isnull=True
    ).first()
    results = {}
    categories = []
    if snapshot:
        results = {r.criterion_id: r for r in CriterionResult.objects.filter(snapshot=snapshot)}
        categories = list(
            CategoryScore.objects.filter(snapshot=snapshot)
            .select_related("category")
            .order_by("category__order")
        )
    criteria = list(
        Criterion.objects.filter(version_id=campaign.framework_version_id, applies_to="park")
        .select_related("category")
        .order_by("order")
    )
    stale = RecomputeState.objects.filter(campaign=campaign, park=park, stale=True).exists()
    return ParkDashboard(
        park=park,
        campaign=campaign,
        campaigns=campaigns,
        snapshot=snapshot,
        rows=[(c, results.get(c.pk)) for c in criteria],
        categories=categories,
        stale=stale,
    )
