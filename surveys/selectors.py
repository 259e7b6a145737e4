"""Reads of survey data: answers in the engine's long shape, respondents' work lists."""

from __future__ import annotations

import pandas as pd
from django.db.models import QuerySet

from enterprises.policy import filter_visible

from .models import Answer, Campaign, Response

ANSWER_COLUMNS = ["kind", "subject", "period", "element", "value"]
REPORTED_COLUMNS = ["kind", "subject", "period"]


def campaign_answers_frame(
    *, campaign: Campaign, park_ids: list[int] | None = None, lookback: int = 1
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Scored answers of a campaign (and, for look-backs, of the same framework's campaigns of
    the ``lookback - 1`` periods before), in two queries whatever the number of enterprises.

    Returns ``(answers, reported)``: ``answers`` [kind, subject, period, element, value] with
    yes = 1.0, no = 0.0, numbers in canonical units (text answers are not scored);
    ``reported`` [kind, subject, period], one row per submitted or approved response.
    Only responses in ``Response.SCORED_STATUSES`` count.
    """
    responses = Response.objects.filter(
        status__in=Response.SCORED_STATUSES,
        campaign__framework_version__framework_id=campaign.framework_version.framework_id,
        campaign__period__gt=campaign.period - lookback,
        campaign__period__lte=campaign.period,
    )
    if park_ids is not None:
        responses = responses.filter(park_id__in=park_ids)
    rows = Answer.objects.filter(response__in=responses).values_list(
        "response__enterprise_id",
        "response__park_id",
        "response__campaign__period",
        "data_element__code",
        "value_number",
        "value_bool",
    )
    data = [
        (
            "enterprise" if ent else "park",
            ent or park,
            period,
            code,
            float(num) if num is not None else (1.0 if flag else 0.0) if flag is not None else None,
        )
        for ent, park, period, code, num, flag in rows
    ]
    answers = pd.DataFrame(data, columns=ANSWER_COLUMNS).dropna(subset=["value"])
    answers["value"] = answers["value"].astype("float64")
    rep = [
        ("enterprise" if ent else "park", ent or park, period)
        for ent, park, period in responses.values_list(
            "enterprise_id", "park_id", "campaign__period"
        )
    ]
    reported = pd.DataFrame(rep, columns=REPORTED_COLUMNS)
    return answers, reported


def responses_visible(user) -> QuerySet[Response]:
    """Responses in the user's scope (enterprise: its own; park manager: its park's and its
    tenants'; board: its province's; ministry: all)."""
    return filter_visible(Response.objects.select_related("campaign", "park", "enterprise"), user)
