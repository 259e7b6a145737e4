"""Celery tasks of the read side: recompute snapshots, sweep what stayed stale.

Every task acknowledges late (``acks_late``) and is rejected back to the queue when its worker
dies (``reject_on_worker_lost``): a recompute interrupted by a killed worker runs again on the
next one (with Redis, after the broker's ``visibility_timeout``, ``CELERY_VISIBILITY_TIMEOUT``);
a park left stale meanwhile is swept sooner, and a "recompute everything" run whose heartbeat
stops is resumed within a minute (:func:`watch_recompute_runs`). Results are written in one
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
from celery.signals import worker_ready
from django.conf import settings
from django.db import DatabaseError
from django.utils.translation import gettext as _

from surveys.models import Campaign

from .models import CampaignRecompute, RecomputeState
from .publish import send_recompute
from .services import (
    campaign_recompute,
    campaign_recompute_claim,
    campaign_recompute_fail,
    campaign_recompute_resend,
    park_recompute,
)

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
def recompute_campaign(self, run_id: int, attempt: int = 0) -> dict:
    """Run a :class:`CampaignRecompute` ("recompute everything") for its ``attempt``: progress
    and a heartbeat are recorded on the run; a finished or failed run, or an attempt the run
    no longer expects (it was sent again meanwhile), is skipped. A run an earlier attempt
    started resumes after its completed parks. Database errors retry with backoff, then mark
    the run failed."""
    run = campaign_recompute_claim(run_id=run_id, attempt=attempt)
    if run is None:
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
    on its way (e.g. the broker was down at submit time) or whose task was queued longer than
    a sweep period ago (its message was lost: sent again within two periods), and send again
    campaign runs queued for longer than a period or whose worker is gone. Returns how many
    park recomputes were published. Scheduled by Celery beat every ``ECOPARK_SWEEP_SECONDS``
    (default 300 s)."""
    by_campaign: dict[int, list[int]] = defaultdict(list)
    for campaign_id, park_id in RecomputeState.objects.to_sweep().values_list(
        "campaign_id", "park_id"
    ):
        by_campaign[campaign_id].append(park_id)
    sent = sum(send_recompute(campaign_id=c, park_ids=p) for c, p in by_campaign.items())
    campaign_recompute_resend(queued_seconds=settings.ECOPARK_SWEEP_SECONDS)
    return sent


@shared_task(name="dashboards.tasks.watch_recompute_runs")
def watch_recompute_runs() -> list[int]:
    """Send again the "recompute everything" runs whose worker is gone (no heartbeat for
    :attr:`CampaignRecompute.SILENT_SECONDS`); returns their ids. Under beat every 30 s, and
    on every worker's start (:func:`watch_after_start`)."""
    return campaign_recompute_resend()


@worker_ready.connect
def watch_after_start(sender=None, **kwargs) -> None:
    """A worker started (perhaps replacing one that died): look for runs left silent now and
    once more when a dead worker's last heartbeat must have aged past
    :attr:`CampaignRecompute.SILENT_SECONDS`, so a run is resumed even without beat."""
    for countdown in (0, CampaignRecompute.SILENT_SECONDS + 1):
        try:
            watch_recompute_runs.apply_async(countdown=countdown, retry=False)
        except Exception:  # the broker went away again: beat's watch will do it
            log.warning("could not schedule the recompute watch after the worker's start")
