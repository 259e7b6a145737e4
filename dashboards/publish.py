"""Publishing of the recompute tasks, by their names (``dashboards.tasks`` registers them):
one task per park not already queued, and the "recompute everything" run. Publishing never
raises: when the broker is unreachable the results stay stale, the ``pending`` flag is
released, and the periodic sweep publishes later.

Used by the receivers (after a change commits), the sweep and the services; it imports none
of them, so the task modules can import it.
"""

from __future__ import annotations

import datetime
import logging
import sys

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from kombu.exceptions import OperationalError

from ecopark.celery import app

from .models import RecomputeState

log = logging.getLogger(__name__)

#: True from a publish that found the broker unreachable until one succeeds (per process):
#: the outage is logged with its traceback once, each publish skipped meanwhile on one line
_broker_down = False


def _publish_failed(message: str, *args) -> None:
    """Log a failed publish (inside ``except``): the broker's outage once, with its traceback,
    then one INFO line per publish; any other error (eager mode: the task itself) always."""
    global _broker_down
    exc = sys.exc_info()[1]
    if not isinstance(exc, BROKER_ERRORS):
        log.exception(message, *args)
        return
    if _broker_down:
        log.info(message + " (broker still unreachable)", *args)
        return
    _broker_down = True
    log.exception(message + "; the broker is unreachable (logged once until it answers)", *args)


def _published() -> None:
    global _broker_down
    if _broker_down:
        _broker_down = False
        log.warning("the broker answers again; recomputes are published")


#: errors of an unreachable broker
BROKER_ERRORS = (OperationalError, ConnectionError, OSError)

#: the registered names of the tasks (``dashboards/tasks.py``)
RECOMPUTE_PARK = "dashboards.tasks.recompute_park"
RECOMPUTE_CAMPAIGN = "dashboards.tasks.recompute_campaign"


def claim_parks(*, campaign_id: int, park_ids: list[int]) -> list[int]:
    """Set ``pending`` on the parks that have no recompute queued (or whose flag expired) and
    return them; the others already have a task on its way. Row locks make two concurrent
    claims of one park give it to one caller only."""
    now = timezone.now()
    expired = now - datetime.timedelta(seconds=RecomputeState.pending_expires())
    with transaction.atomic():
        claimed = list(
            RecomputeState.objects.select_for_update()
            .filter(campaign_id=campaign_id, park_id__in=park_ids)
            .filter(Q(pending=False) | Q(pending_since__isnull=True) | Q(pending_since__lt=expired))
            .order_by("park_id")
            .values_list("park_id", flat=True)
        )
        RecomputeState.objects.filter(campaign_id=campaign_id, park_id__in=claimed).update(
            pending=True, pending_since=now
        )
    return claimed


def send_recompute(*, campaign_id: int, park_ids: list[int]) -> int:
    """Publish one recompute task per park not already queued; return how many were
    published. Never raises: a broker error is logged, the unpublished parks' ``pending`` flag
    is released and their results stay stale for the sweep."""
    claimed = claim_parks(campaign_id=campaign_id, park_ids=park_ids)
    sent = 0
    try:
        with app.connection_for_write(url=settings.CELERY_BROKER_URL or None) as connection:
            for park_id in claimed:
                app.tasks[RECOMPUTE_PARK].apply_async(
                    args=[campaign_id, park_id], connection=connection, retry=False
                )
                sent += 1
        _published()
    except Exception:  # broker down, or (eager mode) the computation itself failed
        _publish_failed(
            "recompute of parks %s in campaign %s not run now; left stale for the sweep",
            claimed[sent:],
            campaign_id,
        )
        RecomputeState.objects.filter(
            campaign_id=campaign_id, park_id__in=claimed[sent:], pending=True
        ).update(pending=False, pending_since=None)
    return sent


def send_campaign_recompute(*, run_id: int, attempt: int = 0) -> bool:
    """Publish the "recompute everything" task of a :class:`CampaignRecompute` run, for its
    ``attempt``; True when published. Never raises: if the broker is unreachable the run stays
    queued (or silent) and the sweep or the watch publishes it again."""
    try:
        with app.connection_for_write(url=settings.CELERY_BROKER_URL or None) as connection:
            app.tasks[RECOMPUTE_CAMPAIGN].apply_async(
                args=[run_id, attempt], connection=connection, retry=False
            )
    except Exception:
        _publish_failed("campaign recompute run %s not started now; left for the sweep", run_id)
        return False
    _published()
    return True
