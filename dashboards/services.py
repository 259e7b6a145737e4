"""Writes of the read side: recomputing and storing score snapshots (DESIGN.md §3, §4).

:func:`park_recompute` loads one park's inputs with a constant number of queries (whatever
the number of its enterprises), runs the pure engine and replaces the park's snapshots in one
transaction, so a half-written snapshot is never visible.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd
from django.db import transaction
from django.utils import timezone

from enterprises.models import Enterprise
from indicators.engine import ScoreResult, score_campaign
from indicators.selectors import version_scoring_inputs
from surveys.models import Campaign
from surveys.selectors import campaign_answers_frame

from .models import CategoryScore, CriterionResult, RecomputeState, ScoreSnapshot

log = logging.getLogger(__name__)


@dataclass
class RecomputeOutcome:
    """What a recompute did: ``written`` (False when the inputs were unchanged) and counts."""

    written: bool
    snapshots: int
    fingerprint: str


def _fingerprint(
    version_id: int,
    period: int,
    answers: pd.DataFrame,
    reported: pd.DataFrame,
    enterprises: pd.DataFrame,
) -> str:
    h = hashlib.sha256()
    h.update(f"v{version_id}|p{period}|".encode())
    for frame in (
        answers.sort_values(["kind", "subject", "period", "element"]),
        reported.sort_values(["kind", "subject", "period"]),
        enterprises.sort_index(),
    ):
        h.update(pd.util.hash_pandas_object(frame, index=True).to_numpy().tobytes())
    return h.hexdigest()


def _nan_to_none(value):
    if value is None:
        return None
    try:
        return None if np.isnan(value) else float(value)
    except TypeError:
        return value


def park_recompute(*, campaign_id: int, park_id: int) -> RecomputeOutcome:
    """Recompute the snapshots of one park and its enterprises in one campaign.

    Idempotent: when the input fingerprint equals the stored one, nothing is written. Two
    concurrent recomputes of the same park are serialised by a row lock on its
    :class:`RecomputeState` and give the same rows as one. Raises ``Campaign.DoesNotExist``.
    """
    campaign = Campaign.objects.select_related("framework_version").get(pk=campaign_id)
    version = campaign.framework_version
    inputs = version_scoring_inputs(version)
    enterprises = pd.DataFrame(
        list(
            Enterprise.objects.filter(
                park_id=park_id, responses__campaign_id=campaign_id
            ).values_list("pk", "park_id")
        ),
        columns=["enterprise", "park"],
    ).set_index("enterprise")
    answers, reported = campaign_answers_frame(
        campaign=campaign, park_ids=[park_id], lookback=inputs.longest_lookback
    )
    fingerprint = _fingerprint(version.pk, campaign.period, answers, reported, enterprises)

    with transaction.atomic():
        state, _ = RecomputeState.objects.select_for_update().get_or_create(
            campaign_id=campaign_id, park_id=park_id
        )
        current = (
            ScoreSnapshot.objects.filter(
                campaign_id=campaign_id, park_id=park_id, enterprise__isnull=True
            )
            .values_list("fingerprint", flat=True)
            .first()
        )
        if current == fingerprint:
            RecomputeState.objects.filter(pk=state.pk).update(
                stale=False, computed_at=timezone.now()
            )
            return RecomputeOutcome(written=False, snapshots=0, fingerprint=fingerprint)
        result = score_campaign(
            criteria=inputs.criteria,
            formulas=inputs.formulas,
            element_codes=inputs.element_codes,
            answers=answers,
            reported=reported,
            parks=pd.Index([park_id]),
            enterprises=enterprises,
            period=campaign.period,
        )
        count = _write_snapshots(
            campaign=campaign,
            park_id=park_id,
            result=result,
            inputs=inputs,
            fingerprint=fingerprint,
        )
        RecomputeState.objects.filter(pk=state.pk).update(stale=False, computed_at=timezone.now())
    return RecomputeOutcome(written=True, snapshots=count, fingerprint=fingerprint)


def _write_snapshots(
    *, campaign, park_id: int, result: ScoreResult, inputs, fingerprint: str
) -> int:
    """Replace the park's snapshots with ``result`` (caller holds the transaction)."""
    ScoreSnapshot.objects.filter(campaign=campaign, park_id=park_id).delete()
    now = timezone.now()
    summary = result.summary
    snaps = []
    for row in summary.itertuples(index=False):
        is_park = row.kind == "park"
        snaps.append(
            ScoreSnapshot(
                campaign=campaign,
                framework_version_id=campaign.framework_version_id,
                park_id=park_id,
                enterprise_id=None if is_park else int(row.subject),
                computed_at=now,
                fingerprint=fingerprint,
                index=None if pd.isna(row.index) else round(float(row.index), 2),
                criteria_met=int(row.criteria_met),
                criteria_applicable=int(row.criteria_applicable),
                mandatory_met=int(row.mandatory_met),
                mandatory_total=int(row.mandatory_total),
                eligible=bool(row.eligible),
                reported=None if pd.isna(row.reported) else int(row.reported),
                population=None if pd.isna(row.population) else int(row.population),
            )
        )
    ScoreSnapshot.objects.bulk_create(snaps)
    key = {
        (("park" if s.enterprise_id is None else "enterprise"), s.enterprise_id or park_id): s.pk
        for s in snaps
    }
    res = result.results
    crit_ids = inputs.criterion_ids
    cat_ids = inputs.category_ids
    CriterionResult.objects.bulk_create(
        [
            CriterionResult(
                snapshot_id=key[(r.kind, int(r.subject))],
                criterion_id=crit_ids[r.criterion],
                state=r.state,
                value=_nan_to_none(r.value),
                gap=_nan_to_none(r.gap),
                reported=None if pd.isna(r.reported) else int(r.reported),
                population=None if pd.isna(r.population) else int(r.population),
            )
            for r in res.itertuples(index=False)
        ],
        batch_size=2000,
    )
    CategoryScore.objects.bulk_create(
        [
            CategoryScore(
                snapshot_id=key[(c.kind, int(c.subject))],
                category_id=cat_ids[c.category],
                met=int(c.met),
                applicable=int(c.applicable),
                share=_nan_to_none(c.share),
            )
            for c in result.categories.itertuples(index=False)
        ],
        batch_size=2000,
    )
    return len(snaps)
