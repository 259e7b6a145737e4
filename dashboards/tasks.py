"""Celery tasks of the read side: recompute snapshots, sweep what stayed stale.

Every task acknowledges late (``acks_late``) and is rejected back to the queue when its worker
dies (``reject_on_worker_lost``): a recompute interrupted by a killed worker runs again on the
next one (with Redis, after the broker's ``visibility_timeout``). Results are written in one
transaction per park, so the interrupted run left nothing partial behind. Database errors
retry with exponential backoff (2, 4, 8 … s, at most 60 s, 5 times). Soft and hard time
limits come from ``CELERY_TASK_SOFT_TIME_LIMIT`` / ``CELERY_TASK_TIME_LIMIT``; a recompute
stopped by them leaves the park stale for the sweep.
"""

from __future__ import annotations

import logging
from collections import defaultdict

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import DatabaseError
from django.utils.translation import gettext as _

from surveys.models import Campaign

from .models import CampaignRecompute, RecomputeState
from .publish import send_campaign_recompute, send_recompute
from .services import campaign_recompute, campaign_recompute_fail, park_recompute

log = logging.getLogger(__name__)

RETRY_OPTIONS = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "max_retries": 5,
}


@shared_task(
    name="dashboards.tasks.recompute_park",
    autoretry_for=(DatabaseError,),
    retry_backoff=2,
    retry_backoff_max=60,
    retry_jitter=False,
    **RETRY_OPTIONS,
)
def recompute_park(campaign_id: int, park_id: int) -> dict:
    """Recompute one park's snapshots in one campaign; returns ``{"written": bool,
    "snapshots": n}`` (``{"missing": True}`` when the campaign no longer exists)."""
    try:
        outcome = park_recompute(campaign_id=campaign_id, park_id=park_id)
    except Campaign.DoesNotExist:
        return {"written": False, "snapshots": 0, "missing": True}
    return {"written": outcome.written, "snapshots": outcome.snapshots}


@shared_task(bind=True, name="dashboards.tasks.recompute_campaign", **RETRY_OPTIONS)
def recompute_campaign(self, run_id: int) -> dict:
    """Run a :class:`CampaignRecompute` ("recompute everything"): progress is recorded on the
    run; a finished or failed run is not run again. Database errors retry with backoff, then
    mark the run failed."""
    run = CampaignRecompute.objects.filter(pk=run_id).first()
    if run is None or not run.is_active:
        return {"skipped": True}
    try:
        outcome = campaign_recompute(campaign_id=run.campaign_id, run=run)
    except DatabaseError as exc:
        if self.request.retries < self.max_retries:
            raise self.retry(exc=exc, countdown=min(60, 2 * 2**self.request.retries)) from exc
        campaign_recompute_fail(run_id=run_id, error=str(exc))
        raise
    except SoftTimeLimitExceeded:
        campaign_recompute_fail(
            run_id=run_id,
            error=_(
                "The recompute took longer than the time limit; parks already written are kept."
            ),
        )
        raise
    except Exception as exc:
        campaign_recompute_fail(run_id=run_id, error=str(exc) or type(exc).__name__)
        raise
    return {"parks": outcome.parks, "written": outcome.parks_written}


@shared_task(name="dashboards.tasks.sweep_stale_snapshots")
def sweep_stale_snapshots() -> int:
    """Publish a recompute for every (campaign, park) whose results stayed stale with no task
    on its way (e.g. the broker was down at submit time), and re-publish campaign runs silent
    for longer than twice the hard time limit. Returns how many park recomputes were published.
    Scheduled by Celery beat every ``ECOPARK_SWEEP_SECONDS`` (default 300 s)."""
    by_campaign: dict[int, list[int]] = defaultdict(list)
    for campaign_id, park_id in RecomputeState.objects.to_sweep().values_list(
        "campaign_id", "park_id"
    ):
        by_campaign[campaign_id].append(park_id)
    sent = sum(send_recompute(campaign_id=c, park_ids=p) for c, p in by_campaign.items())
    silent = 2 * settings.CELERY_TASK_TIME_LIMIT
    for run_id in CampaignRecompute.objects.silent(silent).values_list("pk", flat=True):
        send_campaign_recompute(run_id=run_id)
    return sent
