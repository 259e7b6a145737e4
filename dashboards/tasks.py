"""Celery tasks of the read side: recompute snapshots, sweep stale ones."""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import DatabaseError

from .models import RecomputeState
from .services import park_recompute

log = logging.getLogger(__name__)


@shared_task(
    name="dashboards.tasks.recompute_park",
    acks_late=True,
    autoretry_for=(DatabaseError,),
    retry_backoff=2,
    retry_backoff_max=60,
    max_retries=5,
)
def recompute_park(campaign_id: int, park_id: int) -> dict:
    """Recompute one park's snapshots in one campaign; returns ``{"written": bool, "snapshots": n}``."""
    outcome = park_recompute(campaign_id=campaign_id, park_id=park_id)
    return {"written": outcome.written, "snapshots": outcome.snapshots}


@shared_task(name="dashboards.tasks.sweep_stale_snapshots")
def sweep_stale_snapshots() -> int:
    """Recompute every (campaign, park) whose results are stale; returns how many were run."""
    stale = list(RecomputeState.objects.filter(stale=True).values_list("campaign_id", "park_id"))
    for campaign_id, park_id in stale:
        recompute_park.delay(campaign_id, park_id)
    return len(stale)
