"""Receivers of survey signals: mark results stale, then enqueue a recompute after commit."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import RecomputeState

log = logging.getLogger(__name__)


def enqueue_recompute(
    sender, *, campaign_id: int, park_ids: list[int], reason: str = "", **kwargs
) -> None:
    """Mark each park's results stale in the current transaction; enqueue after commit.

    If the broker is unreachable, the submission still commits; the state stays stale and the
    periodic sweep (``dashboards.tasks.sweep_stale_snapshots``) recomputes it later.
    """
    now = timezone.now()
    for park_id in park_ids:
        RecomputeState.objects.update_or_create(
            campaign_id=campaign_id, park_id=park_id, defaults={"stale": True, "requested_at": now}
        )
    transaction.on_commit(lambda: send_recompute(campaign_id=campaign_id, park_ids=park_ids))


def send_recompute(*, campaign_id: int, park_ids: list[int]) -> int:
    """Publish one recompute task per park; return how many were published.

    Never raises: a broker error is logged and leaves the results stale for the sweep.
    """
    from ecopark.celery import app

    from .tasks import recompute_park

    sent = 0
    try:
        with app.connection_for_write(url=settings.CELERY_BROKER_URL or None) as connection:
            for park_id in park_ids:
                recompute_park.apply_async(
                    args=[campaign_id, park_id], connection=connection, retry=False
                )
                sent += 1
    except Exception:  # broker down, or (eager mode) the computation itself failed
        log.exception(
            "recompute of parks %s in campaign %s not run now; left stale for the sweep",
            park_ids[sent:],
            campaign_id,
        )
    return sent
