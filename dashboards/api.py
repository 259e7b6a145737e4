"""Score API under ``/api/v1/``: a park's scores in a campaign and the national table.

Both read snapshots only and are scoped by :mod:`enterprises.policy`: ministry → every park,
board → its province's, park manager → its park, enterprise → its own park only (never a
national table beyond it). A park outside the caller's scope answers 404. ``campaign`` (query
parameter) is a campaign id; default: the newest campaign (of the park, for the park
endpoint). A campaign id that is not an integer answers 400 naming the parameter; an unknown
one (or, for the park endpoint, one outside the caller's campaigns, ``surveys.selectors.
campaigns_visible``) 404 "No such campaign."; for the park endpoint, a campaign the caller
sees without the park's response 404 "This park has no response in that campaign.".
"""

from __future__ import annotations

from django.core.cache import caches
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from ecopark.schema import ERROR
from enterprises.policy import scope_key, visible_parks
from surveys.models import Campaign
from surveys.selectors import campaigns_visible

from .pagecache import cache_key, compress, compressed
from .selectors import (
    campaign_pick,
    campaigns_all,
    national_stamp,
    park_campaigns,
    park_dashboard,
    park_stamp,
    park_table,
)
from .views import CACHE_SECONDS

CAMPAIGN_PARAMETER = OpenApiParameter(
    "campaign",
    OpenApiTypes.INT,
    OpenApiParameter.QUERY,
    required=False,
    description=(
        "Campaign id; default: for one park, its newest campaign; for the national table, the "
        "newest campaign of every park, else the one covering most of the caller's parks."
    ),
)


class CampaignSerializer(serializers.Serializer):
    """A campaign: id, name, period (year), framework version (e.g. ``VN-2022 v1``)."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    period = serializers.IntegerField()
    framework_version = serializers.CharField()


class SnapshotSerializer(serializers.Serializer):
    """A park's summary: index 0–100 (null: no result — the park's response is not submitted
    or approved, or nothing is applicable), criteria met of applicable,
    mandatory criteria met of total, eligibility (Decree 35/2022 Art. 37 gate), enterprises
    reported of enterprises in the park, its eco-enterprises (Art. 40(2)), the intended index,
    improvement potential (index points) and eligibility with the intended values (null
    without a plan), when it was computed."""

    index = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    criteria_met = serializers.IntegerField()
    criteria_applicable = serializers.IntegerField()
    mandatory_met = serializers.IntegerField()
    mandatory_total = serializers.IntegerField()
    eligible = serializers.BooleanField()
    reported = serializers.IntegerField(allow_null=True)
    population = serializers.IntegerField(allow_null=True)
    eco_enterprises = serializers.IntegerField(allow_null=True)
    index_intended = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    index_improvement = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    eligible_intended = serializers.BooleanField(allow_null=True)
    computed_at = serializers.DateTimeField()


class CriterionScoreSerializer(serializers.Serializer):
    """One criterion: state (``met``, ``not_met``, ``no_data``, ``no_threshold``), value,
    rule, threshold and gap (positive while not met), roll-up coverage, the intended value and
    state and the improvement potential (null/empty without a plan), legal source (in English
    and in Vietnamese) and the verification status of the research behind it."""

    code = serializers.CharField()
    title_en = serializers.CharField()
    title_vi = serializers.CharField()
    level = serializers.CharField()
    state = serializers.CharField()
    value = serializers.FloatField(allow_null=True)
    rule = serializers.CharField()
    operator = serializers.CharField()
    threshold = serializers.DecimalField(max_digits=20, decimal_places=6, allow_null=True)
    gap = serializers.FloatField(allow_null=True)
    reported = serializers.IntegerField(allow_null=True)
    population = serializers.IntegerField(allow_null=True)
    value_intended = serializers.FloatField(allow_null=True)
    state_intended = serializers.CharField(allow_blank=True)
    improvement = serializers.FloatField(allow_null=True)
    instrument = serializers.CharField()
    article = serializers.CharField()
    instrument_vi = serializers.CharField(allow_blank=True)
    article_vi = serializers.CharField(allow_blank=True)
    verification_status = serializers.CharField()


class CategoryScoreSerializer(serializers.Serializer):
    """Share (0–1) of applicable criteria met in one category."""

    code = serializers.CharField()
    name_en = serializers.CharField()
    name_vi = serializers.CharField()
    met = serializers.IntegerField()
    applicable = serializers.IntegerField()
    share = serializers.FloatField(allow_null=True)


class ParkScoresSerializer(serializers.Serializer):
    """A park's scores in one campaign (``snapshot`` null when not computed yet; ``stale``
    true while a recompute is pending)."""

    park_id = serializers.IntegerField()
    park_name_vi = serializers.CharField()
    park_name_en = serializers.CharField()
    province_code = serializers.CharField()
    campaign = CampaignSerializer(allow_null=True)
    stale = serializers.BooleanField()
    snapshot = SnapshotSerializer(allow_null=True)
    criteria = CriterionScoreSerializer(many=True)
    categories = CategoryScoreSerializer(many=True)


class NationalRowSerializer(serializers.Serializer):
    """One park of the national table; ``trend`` is the change of the index since
    ``previous_period`` (index points); ``response_status`` null when the park is not in the
    campaign; ``index``, criteria counts, ``eligible`` and ``eco_enterprises`` null when the
    park has no result (its response is not submitted or approved)."""

    park_id = serializers.IntegerField()
    park_name_vi = serializers.CharField()
    park_name_en = serializers.CharField()
    province_code = serializers.CharField()
    kind = serializers.CharField()
    eip_pilot = serializers.BooleanField()
    response_status = serializers.CharField(allow_null=True)
    index = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    criteria_met = serializers.IntegerField(allow_null=True)
    criteria_applicable = serializers.IntegerField(allow_null=True)
    mandatory_met = serializers.IntegerField(allow_null=True)
    mandatory_total = serializers.IntegerField(allow_null=True)
    eligible = serializers.BooleanField(allow_null=True)
    previous_period = serializers.IntegerField(allow_null=True)
    previous_index = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    trend = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    reported = serializers.IntegerField(allow_null=True)
    population = serializers.IntegerField(allow_null=True)
    eco_enterprises = serializers.IntegerField(allow_null=True)
    stale = serializers.BooleanField()


class NationalTableSerializer(serializers.Serializer):
    """The national table of one campaign, restricted to the caller's parks."""

    campaign = CampaignSerializer(allow_null=True)
    count = serializers.IntegerField()
    results = NationalRowSerializer(many=True)


def _campaign_param(request) -> int | None:
    raw = request.query_params.get("campaign")
    if raw is None:
        return None
    try:
        return int(raw)
    except ValueError:
        raise ValidationError({"campaign": [_("A campaign id (integer) is required.")]}) from None


def _campaign_data(c: Campaign | None) -> dict | None:
    if c is None:
        return None
    return {
        "id": c.pk,
        "name": c.name,
        "period": c.period,
        "framework_version": str(c.framework_version),
    }


def _cached_json(request, key_parts: tuple, build):
    """The JSON of ``build()`` (serializer data) from the "pages" cache, or rendered and
    stored with a gzipped copy made once; served gzipped to a client that accepts it. The key
    holds the caller's scope (role and ids: everyone with the same scope shares it), the path, the query and ``key_parts`` (the dashboards' cache stamps of
    what the answer shows), so a new snapshot or a changed scope is never answered from an old
    copy. ``build`` may raise an API error (nothing is stored then). The browsable API (HTML)
    is rendered as usual."""
    if not isinstance(request.accepted_renderer, JSONRenderer):
        return Response(build())
    query = sorted((k, tuple(v)) for k, v in request.query_params.lists())
    key = cache_key("api", scope_key(request.user), request.path, query, *key_parts)
    pages = caches["pages"]
    entry = pages.get(key)
    if entry is None:
        content = JSONRenderer().render(build())
        entry = (content, compress(content))
        pages.set(key, entry, CACHE_SECONDS)
    return compressed(request, HttpResponse(entry[0], content_type="application/json"), entry[1])


class ParkScoresView(APIView):
    """``GET /api/v1/parks/{id}/scores/?campaign=…``: one park's scores."""

    @extend_schema(
        parameters=[CAMPAIGN_PARAMETER],
        responses=ParkScoresSerializer,
        operation_id="park_scores",
        summary="A park's criteria states, categories and index in a campaign",
    )
    def get(self, request, pk: int):
        def build():
            park = get_object_or_404(visible_parks(request.user).select_related("province"), pk=pk)
            campaigns = park_campaigns(park)
            campaign_id = _campaign_param(request)
            try:
                campaign = campaign_pick(campaigns, campaign_id=campaign_id)
            except Campaign.DoesNotExist:
                if not campaigns_visible(request.user).filter(pk=campaign_id).exists():
                    raise NotFound(_("No such campaign.")) from None
                raise NotFound(_("This park has no response in that campaign.")) from None
            data = park_dashboard(
                park=park, campaign_id=campaign.pk if campaign else None, campaigns=campaigns
            )
            s = data.snapshot
            payload = {
                "park_id": park.pk,
                "park_name_vi": park.name_vi,
                "park_name_en": park.name_en,
                "province_code": park.province.code,
                "campaign": _campaign_data(campaign),
                "stale": data.stale,
                "snapshot": None
                if s is None
                else {
                    f: getattr(s, f)
                    for f in (
                        "index",
                        "criteria_met",
                        "criteria_applicable",
                        "mandatory_met",
                        "mandatory_total",
                        "eligible",
                        "reported",
                        "population",
                        "computed_at",
                    )
                }
                | {
                    f: getattr(s, f, None)
                    for f in (
                        "eco_enterprises",
                        "index_intended",
                        "index_improvement",
                        "eligible_intended",
                    )
                },
                "criteria": [
                    {
                        "code": r.criterion.code,
                        "title_en": r.criterion.title_en,
                        "title_vi": r.criterion.title_vi,
                        "level": r.criterion.level,
                        "state": r.state,
                        "value": r.result.value if r.result else None,
                        "rule": r.criterion.rule,
                        "operator": r.criterion.operator,
                        "threshold": r.criterion.threshold,
                        "gap": r.result.gap if r.result else None,
                        "reported": r.result.reported if r.result else None,
                        "population": r.result.population if r.result else None,
                        "value_intended": r.intended_value,
                        "state_intended": r.intended_state,
                        "improvement": r.improvement,
                        "instrument": r.criterion.instrument,
                        "article": r.criterion.article,
                        "instrument_vi": r.criterion.instrument_vi,
                        "article_vi": r.criterion.article_vi,
                        "verification_status": r.criterion.verification_status,
                    }
                    for r in data.rows
                ],
                "categories": [
                    {
                        "code": c.category.code,
                        "name_en": c.category.name_en,
                        "name_vi": c.category.name_vi,
                        "met": c.met,
                        "applicable": c.applicable,
                        "share": c.share,
                    }
                    for c in data.categories
                ],
            }
            return ParkScoresSerializer(payload).data

        park_stamp_ = park_stamp(pk)  # read before the data: a change after it moves it
        return _cached_json(request, ("park", pk, park_stamp_), build)


class NationalScoresView(APIView):
    """``GET /api/v1/scores/?campaign=…``: the national table, restricted to the caller's
    parks (an enterprise gets its own park only)."""

    @extend_schema(
        parameters=[CAMPAIGN_PARAMETER],
        responses={
            200: NationalTableSerializer,
            404: OpenApiResponse(ERROR, description="No such campaign in the user's scope."),
        },
        operation_id="national_scores",
        summary="Every park in scope with its index, eligibility, trend and coverage",
    )
    def get(self, request):
        def build():
            campaigns = campaigns_all()
            try:
                campaign = campaign_pick(
                    campaigns,
                    campaign_id=_campaign_param(request),
                    parks=visible_parks(request.user),
                )
            except Campaign.DoesNotExist:
                raise NotFound(_("No such campaign.")) from None
            table = park_table(parks=visible_parks(request.user), campaign=campaign)
            results = []
            for r in table.rows:
                s, res = r.snapshot, r.result
                results.append(
                    {
                        "park_id": r.park.pk,
                        "park_name_vi": r.park.name_vi,
                        "park_name_en": r.park.name_en,
                        "province_code": r.park.province.code,
                        "kind": r.park.kind,
                        "eip_pilot": r.park.eip_pilot,
                        "response_status": r.response_status,
                        "index": r.index,
                        "criteria_met": res.criteria_met if res else None,
                        "criteria_applicable": res.criteria_applicable if res else None,
                        "mandatory_met": res.mandatory_met if res else None,
                        "mandatory_total": res.mandatory_total if res else None,
                        "eligible": res.eligible if res else None,
                        "previous_period": r.previous_period,
                        "previous_index": r.previous_index,
                        "trend": r.trend,
                        "reported": s.reported if s else None,
                        "population": s.population if s else None,
                        "eco_enterprises": getattr(res, "eco_enterprises", None) if res else None,
                        "stale": r.stale,
                    }
                )
            payload = {
                "campaign": _campaign_data(campaign),
                "count": len(results),
                "results": results,
            }
            return NationalTableSerializer(payload).data

        stamp = national_stamp(campaign=request.query_params.get("campaign"), framework=None)
        return _cached_json(request, ("national", stamp), build)
