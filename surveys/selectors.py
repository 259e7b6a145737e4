"""Reads of survey data: answers in the engine's long shape, the inbox, review rights,
completion per park, answer history and reviewers' comments."""

from __future__ import annotations

import datetime
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field

import pandas as pd
from django.db import connection
from django.db.models import (
    Count,
    Exists,
    Max,
    OuterRef,
    Q,
    QuerySet,
)
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from enterprises.models import Park
from enterprises.policy import Action, can, can_respond, follows_others, restrict
from indicators.models import DataElement
from registers.models import ISOCertificate, RECPMeasure, SymbiosisExchange, SymbiosisParticipant
from registers.selectors import register_values_frame

from .codes import filter_by_code, parse_report_code
from .models import Answer, AnswerComment, Campaign, Extension, Response, Transition
from .periods import PeriodState, response_period

REPORTED_COLUMNS = ["kind", "subject", "period"]


def campaign_answers_frame(
    *,
    campaign: Campaign,
    park_ids: list[int] | None = None,
    lookback: int = 1,
    lookback_elements: set[str] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Scored answers of a campaign and, for look-backs, of the same framework's campaigns of
    the ``lookback - 1`` periods before, for the campaign's parks (or only ``park_ids``).

    Three queries whatever the number of parks, enterprises and answers (element codes with
    earlier campaigns, answers, responses). On PostgreSQL the answers stream through ``COPY … TO
    STDOUT`` (CSV, JIT off for the statement) into pandas' C parser; elsewhere one cursor
    fetch. No Python object per answer beyond what the driver builds. The answers of this
    campaign are found through its responses; earlier campaigns' through the (response, data
    element) index, for the look-back elements only.

    ``lookback_elements``: data element codes to read in the earlier periods (the engine's
    :func:`indicators.engine.lookback_elements`); None reads every element.

    Returns ``(answers, reported)``:

    - ``answers`` [kind, subject, period, element, value, scenario, park]: ``kind``
      categorical ``park``/``enterprise``, ``subject`` the park or enterprise id, ``element``
      categorical of codes, ``value`` float in canonical units (yes = 1.0, no = 0.0; text
      answers are not scored), ``scenario`` categorical ``current``/``intended`` (an intended
      row carries ``Answer.value_intended``, for this campaign only), ``park`` the response's
      park. Where several campaigns of one earlier period answer the same element, the latest
      campaign wins.
    - ``reported`` [kind, subject, period, park]: one row per submitted or approved response.

    Only responses in ``Response.SCORED_STATUSES`` count, and responses being corrected (see
    :func:`corrected_answers_rows`, two queries more when there are any) with their answers
    as they were approved.
    """
    # Local imports keep this function self-contained (the rest of the module is unrelated).
    import io

    import numpy as np
    from django.db import connection, transaction

    from indicators.models import DataElement, FrameworkVersion

    answer_t, response_t = Answer._meta.db_table, Response._meta.db_table
    # The framework's element codes (every version: codes repeat) and its earlier campaigns,
    # in one query written from the models' metadata (compiling it through the ORM cost more
    # than running it, on every recompute).
    quote = connection.ops.quote_name
    version_t = quote(FrameworkVersion._meta.db_table)
    framework = quote(FrameworkVersion._meta.get_field("framework").column)
    same_framework = (
        f"SELECT v.id FROM {version_t} v WHERE v.{framework} = "
        f"(SELECT w.{framework} FROM {version_t} w WHERE w.id = %s)"
    )
    element_version = quote(DataElement._meta.get_field("version").column)
    campaign_version = quote(Campaign._meta.get_field("framework_version").column)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, code, NULL FROM {quote(DataElement._meta.db_table)} "
            f"WHERE {element_version} IN ({same_framework}) "
            f"UNION ALL SELECT id, '', period FROM {quote(Campaign._meta.db_table)} "
            f"WHERE {campaign_version} IN ({same_framework}) AND period > %s AND period < %s",
            [
                campaign.framework_version_id,
                campaign.framework_version_id,
                campaign.period - lookback,
                campaign.period,
            ],
        )
        elements, earlier = [], []
        for pk, code, period in cursor.fetchall():
            if period is None:
                elements.append((pk, code))
            else:
                earlier.append((pk, period))
    periods = {campaign.pk: campaign.period, **dict(earlier)}
    # several campaigns of one period: the latest wins (else nothing needs deduplicating)
    shared_periods = len(set(periods.values())) < len(periods)
    earlier_ids = [pk for pk, _ in earlier]
    earlier_elements = [
        pk for pk, code in elements if lookback_elements is None or code in lookback_elements
    ]

    def marks(values) -> str:
        return ", ".join(["%s"] * len(values))

    scored = [str(s) for s in Response.SCORED_STATUSES]
    if park_ids is None:
        own_parks, own_params = "", []
        parks_sql = f"SELECT r2.park_id FROM {response_t} r2 WHERE r2.campaign_id = %s"
        parks_params = [campaign.pk]
    else:
        own_parks = f" AND r.park_id IN ({marks(park_ids) or 'NULL'})"
        own_params = [int(p) for p in park_ids]
        parks_sql, parks_params = marks(park_ids) or "NULL", list(own_params)
    value = (
        "COALESCE(a.value_number, CASE WHEN a.value_bool THEN 1 WHEN NOT a.value_bool THEN 0 END)"
    )
    columns = "r.park_id, COALESCE(r.enterprise_id, 0), r.campaign_id, a.data_element_id"
    answers_sql = (
        f"SELECT {columns}, {value}, a.value_intended "
        f"FROM {response_t} r JOIN {answer_t} a ON a.response_id = r.id "
        f"WHERE r.campaign_id = %s AND r.status IN ({marks(scored)}){own_parks}"
    )
    answers_params: list = [campaign.pk, *scored, *own_params]
    if earlier_ids and earlier_elements:
        answers_sql += (
            f" UNION ALL SELECT {columns}, {value}, NULL "
            f"FROM {response_t} r JOIN {answer_t} a ON a.response_id = r.id "
            f"WHERE r.campaign_id IN ({marks(earlier_ids)}) AND r.status IN ({marks(scored)}) "
            f"AND a.data_element_id IN ({marks(earlier_elements)}) "
            f"AND r.park_id IN ({parks_sql})"
        )
        answers_params += [*earlier_ids, *scored, *earlier_elements, *parks_params]
    # reported: the scored responses and the responses being corrected (approved once, back
    # with their respondent), with their last approval
    editable = [str(s) for s in Response.EDITABLE_STATUSES]
    transition_t = Transition._meta.db_table
    approved_at = (
        f"(SELECT MAX(t.at) FROM {transition_t} t WHERE t.response_id = r.id AND t.to_status = %s)"
    )
    reported_sql = (
        f"SELECT r.park_id, COALESCE(r.enterprise_id, 0), r.campaign_id, r.id, "
        f"CASE WHEN r.status IN ({marks(editable)}) THEN {approved_at} END "
        f"FROM {response_t} r WHERE (r.status IN ({marks(scored)}) "
        f"OR (r.status IN ({marks(editable)}) AND {approved_at} IS NOT NULL)) "
        f"AND (r.campaign_id = %s{own_parks}"
    )
    approved = str(Response.Status.APPROVED)
    reported_params: list = [
        *editable,
        approved,
        *scored,
        *editable,
        approved,
        campaign.pk,
        *own_params,
    ]
    if earlier_ids:
        reported_sql += (
            f" OR (r.campaign_id IN ({marks(earlier_ids)}) AND r.park_id IN ({parks_sql}))"
        )
        reported_params += [*earlier_ids, *parks_params]
    reported_sql += ")"
    columns = ["park", "enterprise", "campaign", "element_id", "value", "intended"]
    dtypes = {
        "park": "int64",
        "enterprise": "int64",
        "campaign": "int64",
        "element_id": "int64",
        "value": "float64",
        "intended": "float64",
    }
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw = cursor.cursor
            query = raw.mogrify(answers_sql, answers_params).decode()
            buffer = io.BytesIO()
            with transaction.atomic(using=connection.alias):
                raw.execute("SET LOCAL jit = off")  # JIT only slows this plain scan down
                raw.copy_expert(f"COPY ({query}) TO STDOUT WITH (FORMAT csv)", buffer)
            buffer.seek(0)
            rows = pd.read_csv(buffer, header=None, names=columns, dtype=dtypes, engine="c")
        else:
            cursor.execute(answers_sql, answers_params)
            rows = pd.DataFrame(cursor.fetchall(), columns=columns).astype(dtypes)
        cursor.execute(reported_sql, reported_params)
        fetched = cursor.fetchall()
    rep = pd.DataFrame([r[:3] for r in fetched], columns=["park", "enterprise", "campaign"])
    corrected = [r for r in fetched if r[4] is not None]
    if corrected:
        rows = pd.concat(
            [rows, corrected_answers_rows(corrected).astype(dtypes)], ignore_index=True
        )
    rep = rep.astype("int64")
    period_of = pd.Series(periods, dtype="int64")

    # element ids → codes (codes repeat across versions of the framework)
    codes = sorted({code for _, code in elements})
    id_index = pd.Index([pk for pk, _ in elements])
    code_pos = pd.Index(codes).get_indexer([code for _, code in elements])
    element_pos = id_index.get_indexer(rows["element_id"].to_numpy())
    element_pos = np.where(element_pos >= 0, np.append(code_pos, -1)[element_pos], -1)
    rows_period = period_of.reindex(rows["campaign"].to_numpy()).to_numpy()

    keep = element_pos >= 0
    this = rows["campaign"].to_numpy() == campaign.pk
    if shared_periods and (~this).any():  # earlier periods: the latest campaign wins
        earlier_rows = rows.loc[~this, ["park", "enterprise", "campaign"]].assign(
            period=rows_period[~this], element=element_pos[~this]
        )
        kept = earlier_rows.sort_values("campaign", kind="stable").drop_duplicates(
            ["park", "enterprise", "period", "element"], keep="last"
        )
        earlier_keep = np.zeros(len(rows), dtype=bool)
        earlier_keep[kept.index.to_numpy()] = True
        keep &= this | earlier_keep
    value = rows["value"].to_numpy()
    intended = rows["intended"].to_numpy()
    take_current = np.flatnonzero(keep & ~np.isnan(value))
    take_intended = np.flatnonzero(keep & this & ~np.isnan(intended))
    take = np.concatenate([take_current, take_intended])
    enterprise = rows["enterprise"].to_numpy()[take]
    park = rows["park"].to_numpy()[take]
    is_enterprise = enterprise > 0
    answers = pd.DataFrame(
        {
            "kind": pd.Categorical.from_codes(
                is_enterprise.astype(np.int8), categories=["park", "enterprise"]
            ),
            "subject": np.where(is_enterprise, enterprise, park),
            "period": rows_period[take],
            "element": pd.Categorical.from_codes(element_pos[take], categories=codes),
            "value": np.concatenate([value[take_current], intended[take_intended]]),
            "scenario": pd.Categorical.from_codes(
                np.concatenate(
                    [
                        np.zeros(len(take_current), dtype=np.int8),
                        np.ones(len(take_intended), dtype=np.int8),
                    ]
                ),
                categories=["current", "intended"],
            ),
            "park": park,
        }
    )
    rep = rep.assign(period=period_of.reindex(rep["campaign"].to_numpy()).to_numpy())
    if shared_periods:
        rep = rep.sort_values("campaign", kind="stable").drop_duplicates(
            ["park", "enterprise", "period"], keep="last"
        )
    rep_is_enterprise = rep["enterprise"].to_numpy() > 0
    reported = pd.DataFrame(
        {
            "kind": np.where(rep_is_enterprise, "enterprise", "park"),
            "subject": np.where(rep_is_enterprise, rep["enterprise"], rep["park"]),
            "period": rep["period"].to_numpy(),
            "park": rep["park"].to_numpy(),
        }
    ).reset_index(drop=True)
    return answers, reported


def corrected_answers_rows(corrected: list[tuple]) -> pd.DataFrame:
    """The answers that count for responses being corrected — approved once, then reopened
    and not yet submitted again: as they were at their last approval, read from the answers'
    history (django-simple-history), so a reopened response keeps its approved result on every
    dashboard until the correction is submitted. An answer without history rows counts as
    stored when it was not changed since the approval.

    ``corrected``: ``[(park id, enterprise id or 0, campaign id, response id, last approval
    datetime)]``. Two queries. Returns [park, enterprise, campaign, element_id, value (yes = 1,
    no = 0; text answers are left out), intended], the shape :func:`campaign_answers_frame`
    reads from the database."""
    columns = ["park", "enterprise", "campaign", "element_id", "value", "intended"]
    by_id = {r[3]: r for r in corrected}
    fields = ("response_id", "data_element_id", "value_number", "value_bool", "value_intended")
    state: dict[int, tuple | None] = {}  # answer id → its fields at the approval (None: deleted)
    for answer_id, date, kind, *values in (
        Answer.history.model.objects.filter(response_id__in=list(by_id))
        .order_by("history_date", "history_id")
        .values_list("id", "history_date", "history_type", *fields)
    ):
        if date <= _aware(by_id[values[0]][4]):
            state[answer_id] = None if kind == "-" else tuple(values)
    for answer_id, updated_at, *values in Answer.objects.filter(
        response_id__in=list(by_id)
    ).values_list("pk", "updated_at", *fields):
        if answer_id not in state and updated_at <= _aware(by_id[values[0]][4]):
            state[answer_id] = tuple(values)
    out = []
    for values in state.values():
        if values is None:
            continue
        response_id, element_id, number, flag, intended = values
        value = float(number) if number is not None else (None if flag is None else float(flag))
        if value is None:
            continue
        park, enterprise, campaign_id, _pk, _at = by_id[response_id]
        out.append(
            (
                park,
                enterprise,
                campaign_id,
                element_id,
                value,
                None if intended is None else float(intended),
            )
        )
    return pd.DataFrame(out, columns=columns)


def _aware(value) -> datetime.datetime:
    """A datetime read by a raw query as an aware datetime (SQLite gives text or naive UTC)."""
    from django.utils import timezone
    from django.utils.dateparse import parse_datetime

    if isinstance(value, str):
        value = parse_datetime(value)
    if timezone.is_naive(value):
        value = timezone.make_aware(value, datetime.UTC)
    return value


def responses_visible(user) -> QuerySet[Response]:
    """Responses in the user's scope (enterprise: its own; park manager: its park's and its
    tenants'; board: its province's; ministry: all)."""
    return restrict(Response.objects.select_related("campaign", "park", "enterprise"), user)


# --- review rights (Decree 35/2022/ND-CP Art. 43: who receives which report) -------------
# The rules are the permission policy's (enterprises/policy.py, "surveys.response").


def responses_reviewable(user) -> QuerySet[Response]:
    """Responses the user may return or approve, whatever their status.

    Board: every response (park and enterprise) of its province. Park manager: the enterprise
    responses of its park (its tenants'), never its own park response. Anyone else: none
    (ministry staff read but take no workflow step; see ``surveys.services``).
    """
    qs = Response.objects.select_related("campaign", "park", "enterprise")
    return restrict(qs, user, Action.REVIEW)


def can_review(user, response: Response) -> bool:
    """True when the user may return or approve ``response`` (see :func:`responses_reviewable`).

    Reads ``response.park.province_id`` (select_related ``park`` to avoid a query).
    """
    return can(user, Action.REVIEW, response)


def response_editable_by(user, response: Response, today: datetime.date | None = None) -> bool:
    """True when ``user`` may change and submit ``response`` now: its respondent, while the
    response is a draft or returned and its reporting period is open (``surveys.periods``).
    Pages use it to offer the form; the services check the same rule on every write."""
    return (
        response.is_editable
        and can_respond(user, park_id=response.park_id, enterprise_id=response.enterprise_id)
        and response_period(response, today).is_open
    )


def can_extend(user, response: Response) -> bool:
    """True when ``user`` may grant ``response`` an extension (the permission policy's
    ``extend`` action: the board of its province, the ministry)."""
    return can(user, Action.EXTEND, response)


def response_extensions(*, response: Response) -> list[Extension]:
    """The extensions granted to ``response``, oldest first, with ``granted_by`` loaded."""
    return list(
        Extension.objects.filter(response=response)
        .select_related("granted_by")
        .order_by("granted_at", "pk")
    )


def can_reopen(user, response: Response) -> bool:
    """True when the user may reopen an approved ``response``: the board of its province."""
    return can(user, Action.REOPEN, response)


def is_reviewer(user) -> bool:
    """True for roles that follow other people's responses: ministry, board, park manager."""
    return follows_others(user)


def can_open_campaigns(user) -> bool:
    """True for ministry staff (any scope) and provincial boards (their province only)."""
    return restrict(Park.objects.all(), user, Action.MANAGE).exists()


# --- campaigns ----------------------------------------------------------------------------


def campaigns_visible(user) -> QuerySet[Campaign]:
    """Campaigns the user may read: ministry all; others those with at least one response in
    their scope (a board also sees its province's campaigns before any response exists).
    Newest period first."""
    qs = Campaign.objects.select_related("framework_version__framework", "province")
    return restrict(qs, user).order_by("-period", "name")


def campaigns_followed(user) -> QuerySet[Campaign]:
    """Campaigns whose completion page the user may open: the visible campaigns of a reviewer
    (ministry, board, park manager); none for an enterprise."""
    if not is_reviewer(user):
        return Campaign.objects.none()
    return campaigns_visible(user)


@dataclass(frozen=True)
class ParkCompletion:
    """One park's progress in a campaign.

    ``invited`` counts its tenants' responses; ``started`` those with at least one answer;
    ``submitted`` those submitted or approved (approved ones count as submitted too);
    ``approved`` those approved. ``park_response_id`` / ``park_status`` are the park's own
    response (None when the campaign has none for it).
    """

    park_id: int
    park_name_vi: str
    park_name_en: str
    province_name: str
    park_response_id: int | None
    park_status: str | None
    park_started: bool
    invited: int
    started: int
    submitted: int
    approved: int

    @property
    def park_name(self) -> str:
        """The park's name in the active language (Vietnamese unless English is active)."""
        return self.park_name_en if (get_language() or "vi").startswith("en") else self.park_name_vi

    @property
    def submitted_share(self) -> float | None:
        """``submitted / invited`` as a percentage (0–100), None when no tenant is invited."""
        return round(100 * self.submitted / self.invited, 1) if self.invited else None


def campaign_completion(*, campaign: Campaign, user) -> list[ParkCompletion]:
    """Completion per park of ``campaign`` in the user's scope, in ONE query whatever the
    number of parks and enterprises; ordered by province then park name.

    An enterprise user gets its own response only, so callers show this to reviewers.
    """
    started = Exists(Answer.objects.filter(response_id=OuterRef("pk")))
    tenant = Q(enterprise__isnull=False)
    reported = Q(status__in=Response.SCORED_STATUSES)
    rows = (
        restrict(Response.objects.filter(campaign=campaign), user)
        .annotate(has_answers=started)
        .values("park_id", "park__name_vi", "park__name_en", "park__province__name_vi")
        .annotate(
            park_response_id=Max("pk", filter=Q(enterprise__isnull=True)),
            park_status=Max("status", filter=Q(enterprise__isnull=True)),
            park_started=Count("pk", filter=Q(enterprise__isnull=True, has_answers=True)),
            invited=Count("pk", filter=tenant),
            started=Count("pk", filter=tenant & Q(has_answers=True)),
            submitted=Count("pk", filter=tenant & reported),
            approved=Count("pk", filter=tenant & Q(status=Response.Status.APPROVED)),
        )
        .order_by("park__province__name_vi", "park__name_vi")
    )
    return [
        ParkCompletion(
            park_id=r["park_id"],
            park_name_vi=r["park__name_vi"],
            park_name_en=r["park__name_en"] or r["park__name_vi"],
            province_name=r["park__province__name_vi"],
            park_response_id=r["park_response_id"],
            park_status=r["park_status"],
            park_started=bool(r["park_started"]),
            invited=r["invited"],
            started=r["started"],
            submitted=r["submitted"],
            approved=r["approved"],
        )
        for r in rows
    ]


# --- the inbox ----------------------------------------------------------------------------


@dataclass
class Inbox:
    """A user's reporting calendar, each list of :class:`~surveys.models.Response`.

    Respondent lists (their own responses): ``due`` (draft, its due date not passed, the
    period open or not yet open), ``overdue`` (draft past its due date), ``returned`` (sent
    back to them; each carries ``return_step`` (the Transition) and ``return_comments``),
    ``submitted`` (waiting for review), ``approved``. Every response of these lists carries
    ``period`` (:class:`surveys.periods.Period`) and ``is_overdue`` (not submitted and past
    its due date). Reviewer list: ``to_review`` (submitted responses in their review scope).
    """

    due: list[Response] = field(default_factory=list)
    overdue: list[Response] = field(default_factory=list)
    returned: list[Response] = field(default_factory=list)
    submitted: list[Response] = field(default_factory=list)
    approved: list[Response] = field(default_factory=list)
    to_review: list[Response] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        """True when every list is empty."""
        return not (
            self.due
            or self.overdue
            or self.returned
            or self.submitted
            or self.approved
            or self.to_review
        )


def responses_of_respondent(user) -> QuerySet[Response]:
    """The responses the user answers: an enterprise's own; a park manager's park response."""
    qs = Response.objects.select_related("campaign", "park", "enterprise")
    return restrict(qs, user, Action.CHANGE)


def inbox_for(*, user, today: datetime.date, limit: int = 200) -> Inbox:
    """The user's :class:`Inbox` on ``today``, in at most four queries.

    Each list holds at most ``limit`` responses (closest close date first).
    """
    inbox = Inbox()
    own = list(
        responses_of_respondent(user).order_by("campaign__closes_on", "campaign__name", "pk")[
            : limit * 4
        ]
    )
    for r in own:
        attach_period(r, today)
        if r.status == Response.Status.DRAFT:
            (inbox.overdue if r.is_overdue else inbox.due).append(r)
        elif r.status == Response.Status.RETURNED:
            inbox.returned.append(r)
        elif r.status == Response.Status.SUBMITTED:
            inbox.submitted.append(r)
        else:
            inbox.approved.append(r)
    for name in ("due", "overdue", "returned", "submitted", "approved"):
        setattr(inbox, name, getattr(inbox, name)[:limit])
    attach_return_notes(inbox.returned)
    inbox.to_review = [
        attach_period(r, today)
        for r in responses_reviewable(user)
        .filter(status=Response.Status.SUBMITTED)
        .order_by("submitted_at", "pk")[:limit]
    ]
    return inbox


def attach_period(response: Response, today: datetime.date) -> Response:
    """Set ``period`` (:class:`surveys.periods.Period` on ``today``) and ``is_overdue`` (not
    submitted and past its due date) on ``response``; no query once ``campaign`` is loaded.
    Returns the response."""
    response.period = response_period(response, today)
    response.is_overdue = (
        response.period.state == PeriodState.CLOSED
        and response.status in Response.EDITABLE_STATUSES
    )
    return response


def responses_search(*, user, text: str, today: datetime.date, limit: int = 200) -> list[Response]:
    """The responses in the user's scope that ``text`` names: by report code (``EZ_A4_17``,
    ``EZ_A5_17``, … see ``surveys.codes``: at most one), otherwise by the respondent's name
    (enterprise or park, Vietnamese or English, any part). Newest campaign first, at most
    ``limit``, each with :func:`attach_period`."""
    text = (text or "").strip()
    if not text:
        return []
    visible = responses_visible(user)
    if parse_report_code(text) is not None:
        found = filter_by_code(visible, text)
    else:
        found = visible.filter(
            Q(enterprise__name__icontains=text)
            | Q(enterprise__isnull=True, park__name_vi__icontains=text)
            | Q(enterprise__isnull=True, park__name_en__icontains=text)
        )
    rows = found.order_by("-campaign__period", "-campaign__pk", "park__name_vi", "pk")[:limit]
    return [attach_period(r, today) for r in rows]


def attach_return_notes(responses: list[Response]) -> None:
    """Set ``return_step`` (the latest return or reopen Transition, or None) and
    ``return_comments`` (its :class:`AnswerComment` list, with ``data_element``) on each
    response while that round is open (the response is back with its respondent: draft or
    returned). Once it is submitted again, the comments belong to the past round: they stay
    in the workflow steps (:func:`response_transitions`) and are no longer attached. Two
    queries whatever the number of responses."""
    for r in responses:
        r.return_step, r.return_comments = None, []
    responses = [r for r in responses if r.status in Response.EDITABLE_STATUSES]
    if not responses:
        return
    by_id = {r.pk: r for r in responses}
    steps = Transition.objects.filter(
        response_id__in=by_id, to_status=Response.Status.RETURNED
    ).select_related("by")
    latest: dict[int, Transition] = {}
    for step in steps.order_by("at", "pk"):
        latest[step.response_id] = step
    for response_id, step in latest.items():
        by_id[response_id].return_step = step
    comments = AnswerComment.objects.filter(
        transition_id__in=[s.pk for s in latest.values()]
    ).select_related("data_element")
    for comment in comments.order_by("data_element__order", "data_element__code"):
        by_id[comment.response_id].return_comments.append(comment)


def response_latest_comments(*, response: Response) -> dict[int, AnswerComment]:
    """``{data_element_id: AnswerComment}`` of the latest return or reopen of ``response``
    while that round is open ({} when it was never returned, or once it is submitted
    again)."""
    attach_return_notes([response])
    return {c.data_element_id: c for c in response.return_comments}


def response_transitions(*, response: Response) -> list[Transition]:
    """The workflow steps of ``response``, oldest first, with ``by`` and ``comments`` loaded."""
    return list(
        Transition.objects.filter(response=response)
        .select_related("by")
        .prefetch_related("comments__data_element")
        .order_by("at", "pk")
    )


# --- answers and their history --------------------------------------------------------------


def format_answer(*, number, flag, text: str, raw: str, unit: str = "") -> str:
    """An answer as a person reads it: what was typed (with its unit) when known, else the
    stored value; Yes/No for yes/no; "" when blank."""
    if flag is not None:
        return _("Yes") if flag else _("No")
    if raw:
        return f"{raw} {unit}".strip() if unit else raw
    if number is not None:
        return f"{number.normalize():f}"
    return text or ""


def format_stored(record) -> str:
    """:func:`format_answer` of a stored value: ``record`` is an ``Answer``, a
    ``ReportValue`` or a history row of either (``value_number``, ``value_bool``,
    ``value_text``, ``raw``, ``unit_entered``)."""
    return format_answer(
        number=record.value_number,
        flag=record.value_bool,
        text=record.value_text,
        raw=record.raw,
        unit=record.unit_entered,
    )


@dataclass(frozen=True)
class HistoryEntry:
    """One change of one answer: ``kind`` is ``"+"`` (first value), ``"~"`` (changed) or
    ``"-"`` (cleared); ``old`` / ``new`` are display strings ("" when blank); ``by`` the user
    (None when unknown, e.g. a data load)."""

    at: datetime.datetime
    by: object
    kind: str
    old: str
    new: str


def response_answer_history(*, response: Response) -> dict[int, list[HistoryEntry]]:
    """``{data_element_id: [HistoryEntry, newest first]}`` for every answer of ``response``
    that was ever stored, from django-simple-history's records, in one query."""
    records = (
        Answer.history.filter(response_id=response.pk)
        .select_related("history_user")
        .order_by("data_element_id", "history_date", "history_id")
    )
    history: dict[int, list[HistoryEntry]] = defaultdict(list)
    previous: dict[int, str] = {}
    for rec in records:
        element_id = rec.data_element_id
        old = previous.get(element_id, "")
        if rec.history_type == "-":
            new = ""
        else:
            new = format_stored(rec)
        kind = "-" if rec.history_type == "-" else ("~" if old else "+")
        history[element_id].append(
            HistoryEntry(at=rec.history_date, by=rec.history_user, kind=kind, old=old, new=new)
        )
        previous[element_id] = new
    return {k: list(reversed(v)) for k, v in history.items()}


def scoring_answers_frame(
    *,
    campaign: Campaign,
    park_ids: list[int] | None = None,
    lookback: int = 1,
    lookback_elements: set[str] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """What the scoring engine reads: :func:`campaign_answers_frame` with the values the RECP
    and symbiosis registers give laid over the typed answers (recorded once in the registers,
    read by the criteria, no second entry).

    For the campaign's own period and the current scenario, a register value replaces the
    typed answer of the same subject and data element when the subject keeps registers
    (:func:`campaign_register_keepers`): Decree 35/2022 Art. 37(2) asks for savings
    that are demonstrated and ISO systems that are in force, which a dated register shows and a
    typed "yes" does not (a certificate that expires changes the result at the next
    recompute). A park or enterprise that keeps no register is scored on its survey answers.
    Which responses count as reported is unchanged. Same shapes as
    :func:`campaign_answers_frame`; a constant number of queries (that function's, one for
    the keepers and, when there are any, the registers' six and one for the enterprises'
    parks).
    """
    import numpy as np

    from enterprises.models import Enterprise

    answers, reported = campaign_answers_frame(
        campaign=campaign,
        park_ids=park_ids,
        lookback=lookback,
        lookback_elements=lookback_elements,
    )
    keepers = campaign_register_keepers(campaign=campaign, park_ids=park_ids)
    if not keepers[0] and not keepers[1]:
        return answers, reported
    registered = register_answers_frame(campaign=campaign, park_ids=park_ids, keepers=keepers)
    if registered.empty:
        return answers, reported
    ent_ids = registered.loc[registered["kind"] == "enterprise", "subject"].unique().tolist()
    park_of = dict(Enterprise.objects.filter(pk__in=ent_ids).values_list("pk", "park_id"))
    subject = registered["subject"].astype("int64")
    registered = registered.assign(
        scenario="current",
        park=np.where(
            registered["kind"] == "enterprise",
            subject.map(park_of).fillna(0).astype("int64"),
            subject,
        ),
    )
    # only the keepers' current answers can be replaced: compare those, not every answer
    is_ent = (answers["kind"] == "enterprise").to_numpy()
    subjects = answers["subject"].to_numpy()
    current = (
        (answers["period"] == campaign.period).to_numpy()
        & (answers["scenario"] == "current").to_numpy()
        & np.where(
            is_ent,
            np.isin(subjects, list(keepers[0])),
            np.isin(subjects, list(keepers[1])),
        )
    )
    key = ["kind", "subject", "element"]
    overridden = pd.MultiIndex.from_frame(registered[key].astype({"kind": str, "element": str}))
    candidates = np.flatnonzero(current)
    typed = pd.MultiIndex.from_frame(
        answers.iloc[candidates][key].astype({"kind": str, "element": str})
    )
    drop = np.zeros(len(answers), dtype=bool)
    drop[candidates[typed.isin(overridden)]] = True
    kept = answers[~drop]
    # same categorical types on both sides, so the concatenation keeps them (no object copy)
    elements = kept["element"].astype("category")
    new_elements = sorted(set(registered["element"]) - set(elements.cat.categories))
    element_type = pd.CategoricalDtype([*elements.cat.categories, *new_elements])
    types = {
        "kind": pd.CategoricalDtype(["park", "enterprise"]),
        "element": element_type,
        "scenario": pd.CategoricalDtype(["current", "intended"]),
        "subject": "int64",
        "period": "int64",
        "park": "int64",
        "value": "float64",
    }
    merged = pd.concat(
        [kept.astype(types), registered[list(kept.columns)].astype(types)], ignore_index=True
    )
    return merged, reported


# --- what the registers give the scoring --------------------------------------------------


def campaign_register_keepers(
    *, campaign: Campaign, park_ids: list[int] | None = None
) -> tuple[set[int], set[int]]:
    """Which parks and enterprises with a response in ``campaign`` (optionally only in
    ``park_ids``) keep registers, as :func:`register_keepers` defines it; one ``UNION``
    query that selects through the campaign's responses, so its cost follows the register
    entries, not the tens of thousands of respondents. Written in SQL from the models'
    metadata: it runs on every recompute, and compiling the same query through the ORM cost
    thirty times what the database spends on it. Returns ``(enterprise ids, park ids)``."""
    quote = connection.ops.quote_name

    def column(model, name: str) -> str:
        return quote(model._meta.get_field(name).column)

    response = quote(Response._meta.db_table)
    where = f"{column(Response, 'campaign')} = %s"
    params: list[int] = [campaign.pk]
    if park_ids is not None:
        where += (
            f" AND {column(Response, 'park')} IN ({', '.join(['%s'] * len(park_ids)) or 'NULL'})"
        )
        params += [int(p) for p in park_ids]
    enterprise = column(Response, "enterprise")
    respondents = f"SELECT {enterprise} FROM {response} WHERE {where} AND {enterprise} IS NOT NULL"
    parks = (
        f"SELECT {column(Response, 'park')} FROM {response} WHERE {where} AND {enterprise} IS NULL"
    )
    parts = [
        f"SELECT 0, {column(model, 'enterprise')} FROM {quote(model._meta.db_table)} "
        f"WHERE {column(model, 'enterprise')} IN ({respondents})"
        for model in (RECPMeasure, ISOCertificate, SymbiosisParticipant)
    ]
    park = column(SymbiosisExchange, "park")
    parts.append(
        f"SELECT 1, {park} FROM {quote(SymbiosisExchange._meta.db_table)} WHERE {park} IN ({parks})"
    )
    keepers: set[int] = set()
    park_keepers: set[int] = set()
    with connection.cursor() as cursor:
        cursor.execute(" UNION ".join(parts), params * len(parts))
        for kind, pk in cursor.fetchall():
            (park_keepers if kind else keepers).add(pk)
    return keepers, park_keepers


def register_answers_frame(
    *,
    campaign: Campaign,
    park_ids: list[int] | None = None,
    reference_date: datetime.date | None = None,
    keepers: tuple[set[int], set[int]] | None = None,
) -> pd.DataFrame:
    """:func:`registers.selectors.register_values_frame` for the parks and enterprises with a
    response in ``campaign`` (optionally only in ``park_ids``; with ``keepers``, as
    :func:`campaign_register_keepers` returns them, only those), the campaign's period and its
    framework version's data elements. Two queries more than that function."""
    codes = set(
        DataElement.objects.filter(version_id=campaign.framework_version_id).values_list(
            "code", flat=True
        )
    )
    responses = Response.objects.filter(campaign=campaign)
    if park_ids is not None:
        responses = responses.filter(park_id__in=park_ids)
    subjects = list(responses.values_list("park_id", "enterprise_id"))
    parks = {p for p, e in subjects if e is None}
    ents = {e for _p, e in subjects if e is not None}
    if keepers is not None:
        ents &= keepers[0]
        parks &= keepers[1]
    return register_values_frame(
        period=campaign.period,
        codes=codes,
        park_ids=sorted(parks),
        enterprise_ids=sorted(ents),
        reference_date=reference_date,
    )


# --- reporting rates (timeliness) --------------------------------------------------------


@dataclass(frozen=True)
class ReportingRate:
    """How the ``expected`` responses of a group came in (``surveys.periods``): ``on_time``
    (first submitted on or before the campaign's close date), ``late`` (after it), the rest
    not submitted. A response submitted once and returned for correction counts as submitted.
    Shares are percentages of ``expected`` (None when nothing is expected)."""

    expected: int = 0
    on_time: int = 0
    late: int = 0

    @property
    def not_submitted(self) -> int:
        """Responses never submitted."""
        return self.expected - self.on_time - self.late

    @property
    def submitted(self) -> int:
        """Responses submitted, on time or late."""
        return self.on_time + self.late

    def _share(self, count: int) -> float | None:
        return 100.0 * count / self.expected if self.expected else None

    @property
    def on_time_share(self) -> float | None:
        """On time, % of expected."""
        return self._share(self.on_time)

    @property
    def late_share(self) -> float | None:
        """Late, % of expected."""
        return self._share(self.late)

    @property
    def not_submitted_share(self) -> float | None:
        """Not submitted, % of expected."""
        return self._share(self.not_submitted)

    @property
    def submitted_share(self) -> float | None:
        """Submitted (on time or late), % of expected: the reporting rate."""
        return self._share(self.submitted)

    def __add__(self, other: ReportingRate) -> ReportingRate:
        return ReportingRate(
            self.expected + other.expected, self.on_time + other.on_time, self.late + other.late
        )

    def as_dict(self) -> dict:
        """Counts and shares (percent, rounded to 0.1; None when nothing is expected)."""

        def rounded(value: float | None) -> float | None:
            return None if value is None else round(value, 1)

        return {
            "expected": self.expected,
            "on_time": self.on_time,
            "late": self.late,
            "not_submitted": self.not_submitted,
            "on_time_share": rounded(self.on_time_share),
            "late_share": rounded(self.late_share),
            "not_submitted_share": rounded(self.not_submitted_share),
            "submitted_share": rounded(self.submitted_share),
        }


def _name_key(name: str) -> str:
    """``name`` folded for sorting the Vietnamese way enough for a table: without tone marks
    and with đ as d (``"Đồng Nai"`` → ``"dong nai"``)."""
    decomposed = unicodedata.normalize("NFD", name.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _lowest_first(item) -> tuple:
    """Sort key: the lowest share submitted first, then the lowest share on time."""
    rate = item.rate
    return (rate.submitted_share if rate.expected else 101.0, rate.on_time_share or 0.0)


@dataclass(frozen=True)
class ParkReporting:
    """One park's reporting rate: its own response and its tenants' together."""

    park_id: int
    park_name_vi: str
    park_name_en: str
    province_id: int
    rate: ReportingRate

    @property
    def park_name(self) -> str:
        """The park's name in the active language (Vietnamese unless English is active)."""
        return self.park_name_en if (get_language() or "vi").startswith("en") else self.park_name_vi


@dataclass(frozen=True)
class ProvinceReporting:
    """One province's reporting rate, summed over its parks."""

    province_id: int
    province_code: str
    province_name: str
    parks: int
    rate: ReportingRate


@dataclass(frozen=True)
class CampaignReporting:
    """The reporting rate of a campaign over a set of responses: ``total``, ``provinces``
    and ``parks``, each list with the lowest rate first (the smallest share submitted, then
    the smallest share on time, then by name)."""

    campaign: Campaign
    total: ReportingRate
    provinces: list[ProvinceReporting]
    parks: list[ParkReporting]


def reporting_rates(*, campaign: Campaign, responses: QuerySet[Response]) -> CampaignReporting:
    """On time, late and not submitted (``surveys.periods``) among ``responses`` (already
    scoped: the caller's, or a dashboard's parks) of ``campaign``, per park, per province and
    in total. A park counts its own response and its tenants'. Two queries whatever the
    number of responses: a count per park (grouped by the park's key alone: grouping 25,000
    responses by the park's and province's names as well took twice as long), then the
    names of those parks and their provinces."""
    counts = list(
        responses.filter(campaign=campaign)
        .order_by()
        .values("park_id")
        .annotate(
            expected=Count("pk"),
            on_time=Count("pk", filter=Q(days_late=0)),
            late=Count("pk", filter=Q(days_late__gt=0)),
        )
    )
    names = {
        row[0]: row[1:]
        for row in Park.objects.filter(pk__in=[c["park_id"] for c in counts]).values_list(
            "pk", "name_vi", "name_en", "province_id", "province__code", "province__name_vi"
        )
    }
    rows = [
        dict(
            zip(
                (
                    "park__name_vi",
                    "park__name_en",
                    "park__province_id",
                    "park__province__code",
                    "park__province__name_vi",
                ),
                names[c["park_id"]],
                strict=True,
            ),
            **c,
        )
        for c in counts
    ]
    parks: list[ParkReporting] = []
    provinces: dict[int, ProvinceReporting] = {}
    for row in rows:
        rate = ReportingRate(row["expected"], row["on_time"], row["late"])
        parks.append(
            ParkReporting(
                park_id=row["park_id"],
                park_name_vi=row["park__name_vi"],
                park_name_en=row["park__name_en"] or row["park__name_vi"],
                province_id=row["park__province_id"],
                rate=rate,
            )
        )
        province_id = row["park__province_id"]
        before = provinces.get(province_id)
        provinces[province_id] = ProvinceReporting(
            province_id=province_id,
            province_code=row["park__province__code"],
            province_name=row["park__province__name_vi"],
            parks=(before.parks if before else 0) + 1,
            rate=(before.rate if before else ReportingRate()) + rate,
        )
    total = sum((p.rate for p in parks), ReportingRate())
    return CampaignReporting(
        campaign=campaign,
        total=total,
        provinces=sorted(
            provinces.values(), key=lambda p: (*_lowest_first(p), _name_key(p.province_name))
        ),
        parks=sorted(parks, key=lambda p: (*_lowest_first(p), _name_key(p.park_name_vi))),
    )
