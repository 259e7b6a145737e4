"""Receivers of the survey and register signals, and the publishing of recompute tasks.

A change of scored answers marks the park's results stale inside the surveys transaction;
after commit one recompute task is published per park — unless one is already queued for that
park and campaign (its ``RecomputeState.pending`` flag), so duplicate requests collapse into
one. Publishing never raises: when the broker is unreachable the results stay stale, the flag
is released, and the periodic sweep publishes later.
"""

from __future__ import annotations

import logging
from collections import defaultdict

from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction
from django.db.models import F
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
from surveys.models import Campaign, Extension, Response, Transition

from . import publish, stamps
from .models import RecomputeState, ScoreSnapshot

log = logging.getLogger(__name__)


def enqueue_recompute(
    sender, *, campaign_id: int, park_ids: list[int], reason: str = "", **kwargs
) -> None:
    """Mark each park's results stale (and count the change in ``generation``) in the current
    transaction; publish the recomputes after commit (see :func:`dashboards.publish.send_recompute`).

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
    # the dashboards show the parks as being recomputed
    stamps.bump(parks=park_ids, campaigns=[campaign_id])
    transaction.on_commit(
        lambda: publish.send_recompute(campaign_id=campaign_id, park_ids=park_ids)
    )


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


def _scope(instance) -> tuple[list[int] | None, list[int]]:
    """The parks and campaigns a changed row concerns: (None, []) for a row no park scopes
    (a province, sector, park or enterprise edited, a framework version, a campaign)."""
    if isinstance(instance, Transition):
        instance = instance.response
    if isinstance(instance, ScoreSnapshot | RecomputeState | Response):
        return [instance.park_id], [instance.campaign_id]
    if isinstance(instance, Province | Park | Enterprise | Sector | FrameworkVersion | Campaign):
        return None, []
    parks = set()  # a register entry: its park, its enterprise's, its exchange's
    try:
        holders = (
            instance,
            getattr(instance, "enterprise", None),
            getattr(instance, "exchange", None),
        )
    except ObjectDoesNotExist:  # deleted with its enterprise or exchange: scope unknown
        return None, []
    for holder in holders:
        if holder is not None and getattr(holder, "park_id", None):
            parks.add(holder.park_id)
    return (sorted(parks) or None), []


def bump_stamp(sender, instance=None, **kwargs) -> None:
    """Receiver of ``post_save``/``post_delete`` of the models whose rows a dashboard shows
    (:data:`STAMPED_MODELS`): the dashboards' cache stamps of the parks and campaigns the row
    concerns (:func:`_scope`) move once the change commits.

    A response counts when created or deleted; its status changes are recorded as
    :class:`surveys.models.Transition` rows (a submission with its timeliness, a return with
    its due date) and its extensions as :class:`surveys.models.Extension` rows, so an
    autosave of answers leaves the cached pages alone. Bulk writes send no signals; their writers call :func:`stamps.bump`.
    """
    if sender is Response and kwargs.get("created") is False:
        return
    parks, campaigns = _scope(instance) if instance is not None else (None, [])
    stamps.bump(parks=parks, campaigns=campaigns)


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
    Extension,
    RECPMeasure,
    SymbiosisExchange,
    SymbiosisParticipant,
    ISOCertificate,
    Stream,
    RoadmapAction,
)
