""" "Recompute everything" for a campaign: the ministry's page with a progress bar, and the same
through the API (``GET``/``POST /api/v1/campaigns/{id}/recompute/``).

Only ministry staff (national scope, see :mod:`enterprises.policy`) may start or watch a run.
As everywhere (README, docs/architecture.md §5): a campaign the user cannot read
(:func:`surveys.selectors.campaigns_visible`) or that does not exist answers 404; one the user
reads (``/api/v1/campaigns/{id}/`` answers 200) answers 403 "Only ministry staff may recompute
a whole campaign.", on the page and through the API. Thin views: the run is
started by :func:`dashboards.services.campaign_recompute_start` and executed by the Celery task
:func:`dashboards.tasks.recompute_campaign`; a request never recomputes itself (with an eager
queue — no broker configured — the task runs right after the request's commit).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from enterprises.policy import Action, can
from surveys.models import Campaign
from surveys.selectors import campaigns_visible

from .models import CampaignRecompute
from .services import campaign_recompute_start


def _campaign_for_ministry(user, pk: int) -> Campaign:
    """The campaign ``pk`` when ``user`` is ministry staff. Raises ``Http404`` when ``user``
    cannot read it (or it does not exist), Django's ``PermissionDenied`` (with the message of
    :func:`dashboards.services.campaign_recompute_start`) when ``user`` reads it without being
    ministry staff."""
    campaign = get_object_or_404(campaigns_visible(user), pk=pk)
    if not can(user, Action.MANAGE, Campaign):
        raise PermissionDenied(_("Only ministry staff may recompute a whole campaign."))
    return campaign


@login_required
@require_http_methods(["GET", "POST"])
def campaign_recompute_page(request, pk: int):
    """GET: the campaign's latest run with a progress bar (parks done of parks, percentage),
    refreshed every 2 s while it runs. POST: start a run (or join the active one)."""
    campaign = _campaign_for_ministry(request.user, pk)
    if request.method == "POST":
        run = campaign_recompute_start(campaign=campaign, user=request.user)
        run.refresh_from_db()  # without a broker the run has finished by now
        messages.success(
            request,
            _("Recompute of %(campaign)s started.") % {"campaign": campaign.name}
            if run.is_active
            else _("Recompute of %(campaign)s finished.") % {"campaign": campaign.name},
        )
        return redirect("dashboards:campaign-recompute", pk=campaign.pk)
    run = CampaignRecompute.objects.latest_for(campaign.pk)
    return render(
        request,
        "dashboards/recompute.html",
        {
            "campaign": campaign,
            "run": run,
            "api_url": f"/api/v1/campaigns/{campaign.pk}/recompute/",
        },
    )


class CampaignRecomputeSerializer(serializers.Serializer):
    """A "recompute everything" run: ``status`` (queued, running, done, failed; null when the
    campaign was never recomputed as a whole), parks done of parks, ``percent`` 0–100, parks
    whose results changed, times (ISO 8601) and the error of a failed run."""

    campaign = serializers.IntegerField()
    id = serializers.IntegerField(allow_null=True)
    status = serializers.CharField(allow_null=True)
    total_parks = serializers.IntegerField()
    done_parks = serializers.IntegerField()
    percent = serializers.IntegerField()
    written_parks = serializers.IntegerField()
    requested_at = serializers.DateTimeField(allow_null=True)
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    error = serializers.CharField(allow_blank=True)


def _run_data(campaign: Campaign, run: CampaignRecompute | None) -> dict:
    if run is None:
        return {
            "campaign": campaign.pk,
            "id": None,
            "status": None,
            "total_parks": 0,
            "done_parks": 0,
            "percent": 0,
            "written_parks": 0,
            "requested_at": None,
            "started_at": None,
            "finished_at": None,
            "error": "",
        }
    return {
        "campaign": campaign.pk,
        "id": run.pk,
        "status": run.status,
        "total_parks": run.total_parks,
        "done_parks": run.done_parks,
        "percent": run.percent,
        "written_parks": run.written_parks,
        "requested_at": run.requested_at,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "error": run.error,
    }


class CampaignRecomputeAPIView(APIView):
    """Progress of "recompute everything" for a campaign (ministry staff only): 404 for a
    campaign the caller cannot read, 403 for one it reads (see module)."""

    not_found_model = Campaign  # the 404 names it (ecopark/errors.py)

    def _campaign(self, request, pk: int) -> Campaign:
        campaign = campaigns_visible(request.user).filter(pk=pk).first()
        if campaign is None:
            raise exceptions.NotFound
        if not can(request.user, Action.MANAGE, Campaign):
            raise exceptions.PermissionDenied(
                _("Only ministry staff may recompute a whole campaign.")
            )
        return campaign

    @extend_schema(responses=CampaignRecomputeSerializer)
    def get(self, request, pk: int):
        """The campaign's latest run."""
        campaign = self._campaign(request, pk)
        run = CampaignRecompute.objects.latest_for(campaign.pk)
        return Response(CampaignRecomputeSerializer(_run_data(campaign, run)).data)

    @extend_schema(request=None, responses={202: CampaignRecomputeSerializer})
    def post(self, request, pk: int):
        """Start a run (or return the one already queued or running): 202 Accepted."""
        campaign = self._campaign(request, pk)
        run = campaign_recompute_start(campaign=campaign, user=request.user)
        run.refresh_from_db()
        return Response(
            CampaignRecomputeSerializer(_run_data(campaign, run)).data,
            status=status.HTTP_202_ACCEPTED,
        )
