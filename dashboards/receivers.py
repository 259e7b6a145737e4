"""Receivers of the survey and register signals, and the publishing of recompute tasks.

A change of scored answers marks the park's results stale inside the surveys transaction;
after commit one recompute task is published per park — unless one is already queued for that
park and campaign (its ``RecomputeState.pending`` flag), so duplicate requests collapse into
one. Publishing never raises: when the broker is unreachable the results stay stale, the flag
is released, and the periodic sweep publishes later.
"""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from enterprises.models import Enterprise, Park, Province, Sector
from indicators.models import FrameworkVersion
from registers.models import (
    ISOCertificate,
    RECPMeasure,
    RoadmapAction,
    Stream,
    SymbiosisExchange,
    SymbiosisParticipant,
)
from surveys.models import Campaign, Response, Transition

from . import stamps
from .models import RecomputeState, ScoreSnapshot

log = logging.getLogger(__name__)


def enqueue_recompute(
    sender, *, campaign_id: int, park_ids: list[int], reason: str = "", **kwargs
) -> None:
    """Mark each park's results stale (and count the change in ``generation``) in the current
    transaction; publish the recomputes after commit (see :func:`send_recompute`).

    Receiver of :data:`surveys.signals.scored_answers_changed` (submit, approve, reopen,
    import). Two queries whatever the number of parks.
    """
    park_ids = sorted({int(p) for p in park_ids})
    now = timezone.now()
    RecomputeState.objects.bulk_create(
        [RecomputeState(campaign_id=campaign_id, park_id=p) for p in park_ids],
        ignore_conflicts=True,
    )
    RecomputeState.objects.filter(campaign_id=campaign_id, park_id__in=park_ids).update(
        stale=True, generation=F("generation") + 1, requested_at=now
    )
    stamps.bump()  # the dashboards show the parks as being recomputed
    transaction.on_commit(lambda: send_recompute(campaign_id=campaign_id, park_ids=park_ids))


def enqueue_register_recompute(sender, *, park_ids: list[int], **kwargs) -> None:
    """Receiver of :data:`registers.signals.register_entries_changed`: the registers of these
    parks changed, so every campaign with a response of one of them is announced to
    :func:`enqueue_recompute` for those parks (inside the registers' transaction)."""
    by_campaign: dict[int, set[int]] = defaultdict(set)
    for campaign_id, park_id in Response.objects.filter(
        park_id__in=park_ids, enterprise__isnull=True
    ).values_list("campaign_id", "park_id"):
        by_campaign[campaign_id].add(park_id)
    for campaign_id, parks in sorted(by_campaign.items()):
        enqueue_recompute(
            sender, campaign_id=campaign_id, park_ids=sorted(parks), reason="registers"
        )


def claim_parks(*, campaign_id: int, park_ids: list[int]) -> list[int]:
    """Set ``pending`` on the parks that have no recompute queued (or whose flag expired) and
    return them; the others already have a task on its way. Row locks make two concurrent
    claims of one park give it to one caller only."""
    now = timezone.now()
    expired = now - datetime.timedelta(seconds=RecomputeState.PENDING_EXPIRES)
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
    from ecopark.celery import app

    from .tasks import recompute_park

    claimed = claim_parks(campaign_id=campaign_id, park_ids=park_ids)
    sent = 0
    try:
        with app.connection_for_write(url=settings.CELERY_BROKER_URL or None) as connection:
            for park_id in claimed:
                recompute_park.apply_async(
                    args=[campaign_id, park_id], connection=connection, retry=False
                )
                sent += 1
    except Exception:  # broker down, or (eager mode) the computation itself failed
        log.exception(
            "recompute of parks %s in campaign %s not run now; left stale for the sweep",
            claimed[sent:],
            campaign_id,
        )
        RecomputeState.objects.filter(
            campaign_id=campaign_id, park_id__in=claimed[sent:], pending=True
        ).update(pending=False, pending_since=None)
    return sent


def send_campaign_recompute(*, run_id: int) -> bool:
    """Publish the "recompute everything" task of a :class:`CampaignRecompute` run; True when
    published. Never raises: if the broker is unreachable the run stays queued and the sweep
    publishes it again."""
    from ecopark.celery import app

    from .tasks import recompute_campaign

    try:
        with app.connection_for_write(url=settings.CELERY_BROKER_URL or None) as connection:
            recompute_campaign.apply_async(args=[run_id], connection=connection, retry=False)
    except Exception:
        log.exception("campaign recompute run %s not started now; left for the sweep", run_id)
        return False
    return True


def bump_stamp(sender, **kwargs) -> None:
    """Receiver of ``post_save``/``post_delete`` of the models whose rows a dashboard shows
    (:data:`STAMPED_MODELS`): the dashboards' cache stamp moves once the change commits.

    A response counts when created or deleted; its status changes are recorded as
    :class:`surveys.models.Transition` rows, so an autosave of answers leaves the cached
    pages alone. Bulk writes send no signals; their writers call :func:`stamps.bump`.
    """
    if sender is Response and kwargs.get("created") is False:
        return
    stamps.bump()


#: the models a dashboard page shows; see :func:`bump_stamp`
STAMPED_MODELS = (
    ScoreSnapshot,
    RecomputeState,
    Province,
    Park,
    Enterprise,
    Sector,
    FrameworkVersion,
    Campaign,
    Response,
    Transition,
    RECPMeasure,
    SymbiosisExchange,
    SymbiosisParticipant,
    ISOCertificate,
    Stream,
    RoadmapAction,
)
