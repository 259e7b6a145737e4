"""Writes of the read side: recomputing and storing score snapshots (docs/architecture.md).

One code path serves one park (:func:`park_recompute`, after a submission) and a whole
campaign (:func:`campaign_recompute`, "recompute everything"): read the answers with a
constant number of queries, score every subject in one vectorised pass of the pure engine
(:func:`indicators.engine.score_campaign`), fingerprint each park's inputs, then write the
parks whose fingerprint changed in bulk — one transaction per chunk of parks, so a park's
snapshots (park, enterprises, criterion results, category scores) appear all at once or not
at all. PostgreSQL receives the rows through ``COPY … FROM STDIN`` (binary for large frames,
CSV for small ones; a campaign's chunks on parallel connections, large chunks merged into the
stored rows in place); other databases through one ``executemany`` per table. On the
development machine a campaign of 25,000 enterprises recomputes in about 4.5 s and one park of
31 enterprises in about 65 ms (``benchmarks/recompute.py``).

Reproducible: a park's fingerprint is a SHA-256 over the engine version, the framework
version's scoring content (criteria, formulas, element codes), the period, and the park's
answers, responses and roster in a canonical byte order. The same inputs give the same
fingerprint whether the park is scored alone or with the whole country, and then nothing is
written (idempotent: no duplicates, the same rows).

Test hook (documented in ``benchmarks/README.md``): the environment variable
``ECOPARK_TEST_RECOMPUTE_DELAY`` (seconds, float) makes every snapshot write sleep after the
snapshot rows are inserted and before their results are, inside the transaction — so a test
can kill a worker mid-write and check that nothing partial is ever visible. Unset in
production.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db import IntegrityError, connection, connections, transaction
from django.db.models import F
from django.db.models.functions import Least
from django.utils import timezone
from django.utils.translation import gettext as _

from enterprises.policy import Action, can
from indicators.engine import (
    ENGINE_VERSION,
    ScoreResult,
    equals,
    score_campaign,
)
from indicators.selectors import ScoringInputs, version_scoring_inputs
from surveys.models import Campaign, Response
from surveys.selectors import scoring_answers_frame

from . import stamps
from .models import (
    CampaignRecompute,
    CategoryScore,
    CriterionResult,
    RecomputeState,
    ScoreSnapshot,
)
from .publish import send_campaign_recompute

log = logging.getLogger(__name__)

TEST_DELAY_ENV = "ECOPARK_TEST_RECOMPUTE_DELAY"

#: parks written per transaction by a campaign recompute
CHUNK_PARKS = 40
#: parallel writer connections of a campaign recompute on PostgreSQL
WRITERS = 3
#: result rows from which a chunk is merged in place rather than deleted and inserted again
#: (PostgreSQL): merging needs more statements but re-checks no foreign key and leaves
#: unchanged rows alone, which pays off from a few thousand rows (a campaign's chunk); one
#: park is cheaper to replace
MERGE_MIN_ROWS = 5000
#: rows from which a frame is sent to PostgreSQL in binary COPY format rather than CSV: the
#: binary encoder costs about 2 ms whatever the size and little per row, pandas' CSV writer
#: little at first and about 2 µs per row (measured with ``benchmarks/recompute.py``'s data:
#: 351 result rows 1.2 ms CSV / 2.1 ms binary, 7,531 rows 16.6 ms / 3.3 ms)
BINARY_MIN_ROWS = 1000


@dataclass
class RecomputeOutcome:
    """What a recompute did.

    ``written``: True when at least one park's snapshots were (re)written (False when every
    fingerprint was unchanged); ``snapshots``: snapshot rows written; ``fingerprint``: the
    park's input fingerprint (one-park recompute; "" for a campaign); ``parks``: parks
    scored; ``parks_written``: parks whose snapshots were replaced.
    """

    written: bool
    snapshots: int
    fingerprint: str
    parks: int = 1
    parks_written: int = 0


@dataclass
class _Prepared:
    campaign: Campaign
    inputs: ScoringInputs
    parks: list[int]
    enterprises: pd.DataFrame
    result: ScoreResult
    fingerprints: dict[int, str]
    generations: dict[int, int]
    frames: dict[str, pd.DataFrame] = field(default_factory=dict)


# --------------------------------------------------------------------------------------
# Fingerprints
# --------------------------------------------------------------------------------------


def _version_digest(campaign: Campaign, inputs: ScoringInputs) -> bytes:
    """SHA-256 of everything but the answers that decides a result: engine version, framework
    version id, period and the version's scoring content (``inputs.content``: criteria,
    formulas, element codes, ids)."""
    head = json.dumps(
        {
            "engine": ENGINE_VERSION,
            "version": campaign.framework_version_id,
            "period": int(campaign.period),
        },
        sort_keys=True,
    )
    return hashlib.sha256(f"{head}\n{inputs.content}".encode()).digest()


def _sorted_rows(columns: list[np.ndarray]) -> np.ndarray:
    """An (n, k) little-endian int64 matrix of ``columns``, rows sorted by the columns in
    order (byte-exact and platform-free; float columns are stored as their IEEE bits)."""
    n = len(columns[0])
    out = np.empty((n, len(columns)), dtype="<i8")
    for j, values in enumerate(columns):
        out[:, j] = values.view("<i8") if values.dtype.kind == "f" else values
    if n:
        out = out[np.lexsort([out[:, j] for j in reversed(range(len(columns) - 1))])]
    return np.ascontiguousarray(out)


def park_fingerprints(
    *,
    digest: bytes,
    parks: list[int],
    answers: pd.DataFrame,
    reported: pd.DataFrame,
    enterprises: pd.DataFrame,
) -> dict[int, str]:
    """SHA-256 hex per park over ``digest`` and the park's rows of ``answers`` (kind, subject,
    period, element, scenario, value), ``reported`` (kind, subject, period) and roster
    (``enterprises``: index enterprise, column park), each in a canonical order.

    Elements are identified by their position in the ``element`` categorical's categories
    (:func:`surveys.selectors.campaign_answers_frame` gives every element code of the
    framework, whatever parks are read), and those categories are hashed too. Vectorised: the
    rows are packed into little-endian int64 records and sorted once; the only Python loop runs
    over parks, hashing one contiguous byte slice of each table.
    """
    element = answers["element"]
    if not isinstance(element.dtype, pd.CategoricalDtype):
        element = element.astype("category")
    base = hashlib.sha256(digest)
    base.update(json.dumps([str(c) for c in element.cat.categories]).encode())
    scenario = (
        equals(answers["scenario"], "intended")
        if "scenario" in answers.columns
        else np.zeros(len(answers), dtype=bool)
    )
    period = answers["period"].to_numpy(dtype="int64")
    a = _sorted_rows(
        [
            answers["park"].to_numpy(dtype="int64"),
            answers["subject"].to_numpy(dtype="int64") * 2 + equals(answers["kind"], "enterprise"),
            ((period * 2 + scenario) << 20) + element.cat.codes.to_numpy().astype("int64"),
            answers["value"].to_numpy(dtype="float64"),
        ]
    )
    r = _sorted_rows(
        [
            reported["park"].to_numpy(dtype="int64"),
            reported["subject"].to_numpy(dtype="int64") * 2
            + equals(reported["kind"], "enterprise"),
            reported["period"].to_numpy(dtype="int64"),
        ]
    )
    e = _sorted_rows(
        [enterprises["park"].to_numpy(dtype="int64"), enterprises.index.to_numpy(dtype="int64")]
    )
    slices = []
    for name, rec in (("a", a), ("r", r), ("e", e)):
        keys = rec[:, 0]
        slices.append(
            (
                name.encode(),
                rec,
                np.searchsorted(keys, parks, side="left"),
                np.searchsorted(keys, parks, side="right"),
            )
        )
    out = {}
    for i, park in enumerate(parks):
        h = base.copy()
        h.update(int(park).to_bytes(8, "little", signed=True))
        for name, rec, lo, hi in slices:
            h.update(name + int(hi[i] - lo[i]).to_bytes(8, "little"))
            h.update(rec[lo[i] : hi[i]].tobytes())
        out[int(park)] = h.hexdigest()
    return out


# --------------------------------------------------------------------------------------
# Scoring
# --------------------------------------------------------------------------------------


def _prepare(campaign: Campaign, park_ids: list[int] | None) -> _Prepared:
    """Read and score the campaign's parks (all, or ``park_ids``): a constant number of
    queries, whatever the number of parks, enterprises and answers."""
    # .order_by(): the models' default orderings would join tables only to sort
    states = RecomputeState.objects.filter(campaign_id=campaign.pk).order_by()
    roster_qs = Response.objects.filter(campaign_id=campaign.pk).order_by()
    if park_ids is not None:
        states = states.filter(park_id__in=park_ids)
        roster_qs = roster_qs.filter(park_id__in=park_ids)
    # the generation is read BEFORE the answers: a change committed after this read leaves
    # the park stale (see _write_chunk), one committed before is in the answers
    generations = dict(states.values_list("park_id", "generation"))
    inputs = version_scoring_inputs(campaign.framework_version_id)
    roster = pd.DataFrame(
        list(roster_qs.values_list("park_id", "enterprise_id")), columns=["park", "enterprise"]
    )
    parks = sorted(set(roster["park"].astype("int64").tolist()) | set(park_ids or []))
    tenants = roster[roster["enterprise"].notna()].astype({"enterprise": "int64"})
    enterprises = (
        tenants.drop_duplicates("enterprise")
        .set_index("enterprise")
        .sort_index()[["park"]]
        .astype("int64")
    )
    answers, reported = scoring_answers_frame(
        campaign=campaign,
        park_ids=park_ids,
        lookback=inputs.longest_lookback,
        lookback_elements=inputs.lookback_codes,
    )
    result = score_campaign(
        criteria=inputs.criteria,
        formulas=inputs.formulas,
        element_codes=inputs.element_codes,
        answers=answers,
        reported=reported,
        parks=pd.Index(parks, dtype="int64"),
        enterprises=enterprises,
        period=campaign.period,
    )
    fingerprints = park_fingerprints(
        digest=_version_digest(campaign, inputs),
        parks=parks,
        answers=answers,
        reported=reported,
        enterprises=enterprises,
    )
    prepared = _Prepared(
        campaign=campaign,
        inputs=inputs,
        parks=parks,
        enterprises=enterprises,
        result=result,
        fingerprints=fingerprints,
        generations=generations,
    )
    prepared.frames = _row_frames(prepared)
    return prepared


def _park_of(frame: pd.DataFrame, enterprises: pd.DataFrame) -> np.ndarray:
    """The park of each row of an engine frame: the subject for park rows, the enterprise's
    park for enterprise rows (0 for an enterprise outside ``enterprises``)."""
    is_ent = equals(frame["kind"], "enterprise")
    subject = frame["subject"].to_numpy(dtype="int64")
    position = enterprises.index.get_indexer(subject)
    tenant_park = np.append(enterprises["park"].to_numpy(dtype="int64"), 0)[position]
    return np.where(is_ent, tenant_park, subject)


def _int_or_na(values) -> pd.arrays.IntegerArray:
    """Float values (NaN = none) as a nullable Int64 array, rounded to the nearest integer."""
    values = np.asarray(values, dtype="float64")
    missing = np.isnan(values)
    return pd.arrays.IntegerArray(np.where(missing, 0, np.round(values)).astype("int64"), missing)


def _ids_of(column: pd.Series, ids: dict[str, int]) -> np.ndarray:
    """Primary keys of a categorical column of codes (criterion or category), via its
    categories: one lookup per category, not per row."""
    if not isinstance(column.dtype, pd.CategoricalDtype):  # e.g. an empty frame
        return column.map(ids).to_numpy(dtype="int64")
    table = np.array([ids[code] for code in column.cat.categories], dtype="int64")
    return table[column.cat.codes.to_numpy()]


def _row_frames(p: _Prepared) -> dict[str, pd.DataFrame]:
    """The engine's frames in the stored tables' column names (without snapshot ids)."""
    res, cats, summ = p.result.results, p.result.categories, p.result.summary
    summary = pd.DataFrame(
        {
            "park_id": _park_of(summ, p.enterprises),
            "enterprise_id": pd.arrays.IntegerArray(
                summ["subject"].to_numpy(dtype="int64"), ~equals(summ["kind"], "enterprise")
            ),
            "index": summ["index"].round(2).to_numpy(),
            "criteria_met": summ["criteria_met"].to_numpy(dtype="int64"),
            "criteria_applicable": summ["criteria_applicable"].to_numpy(dtype="int64"),
            "mandatory_met": summ["mandatory_met"].to_numpy(dtype="int64"),
            "mandatory_total": summ["mandatory_total"].to_numpy(dtype="int64"),
            "eligible": summ["eligible"].to_numpy(dtype=bool),
            "reported": _int_or_na(summ["reported"]),
            "population": _int_or_na(summ["population"]),
            "eco_enterprise": pd.array(summ["eco_enterprise"], dtype="boolean"),
            "eco_enterprises": _int_or_na(summ["eco_enterprises"]),
            "intended_values": summ["intended_values"].to_numpy(dtype="int64"),
            "index_intended": summ["index_intended"].round(2).to_numpy(),
            "criteria_met_intended": _int_or_na(summ["criteria_met_intended"]),
            "criteria_applicable_intended": _int_or_na(summ["criteria_applicable_intended"]),
            "mandatory_met_intended": _int_or_na(summ["mandatory_met_intended"]),
            "eligible_intended": pd.array(summ["eligible_intended"], dtype="boolean"),
            "eco_enterprise_intended": pd.array(summ["eco_enterprise_intended"], dtype="boolean"),
            "eco_enterprises_intended": _int_or_na(summ["eco_enterprises_intended"]),
            "index_improvement": (
                summ["index_intended"].round(2) - summ["index"].round(2)
            ).to_numpy(),
        }
    )
    crit_ids = p.inputs.criterion_ids
    cat_ids = p.inputs.category_ids
    results = pd.DataFrame(
        {
            "park_id": _park_of(res, p.enterprises),
            "kind": equals(res["kind"], "enterprise"),
            "subject": res["subject"].to_numpy(dtype="int64"),
            "criterion_id": _ids_of(res["criterion"], crit_ids),
            "state": res["state"],
            "value": res["value"].to_numpy(dtype="float64"),
            "gap": res["gap"].to_numpy(dtype="float64"),
            "reported": _int_or_na(res["reported"]),
            "population": _int_or_na(res["population"]),
            "numerator": _int_or_na(res["numerator"]),
            "denominator": _int_or_na(res["denominator"]),
            "state_intended": res["state_intended"].cat.add_categories([""]).fillna(""),
            "value_intended": res["value_intended"].to_numpy(dtype="float64"),
            "gap_intended": res["gap_intended"].to_numpy(dtype="float64"),
            "improvement": res["improvement"].to_numpy(dtype="float64"),
        }
    )
    categories = pd.DataFrame(
        {
            "park_id": _park_of(cats, p.enterprises),
            "kind": equals(cats["kind"], "enterprise"),
            "subject": cats["subject"].to_numpy(dtype="int64"),
            "category_id": _ids_of(cats["category"], cat_ids),
            "met": cats["met"].to_numpy(dtype="int64"),
            "applicable": cats["applicable"].to_numpy(dtype="int64"),
            "share": cats["share"].to_numpy(dtype="float64"),
            "met_intended": _int_or_na(cats["met_intended"]),
            "applicable_intended": _int_or_na(cats["applicable_intended"]),
            "share_intended": cats["share_intended"].to_numpy(dtype="float64"),
            "improvement": cats["improvement"].to_numpy(dtype="float64"),
        }
    )
    return {"summary": summary, "results": results, "categories": categories}


# --------------------------------------------------------------------------------------
# Bulk writing
# --------------------------------------------------------------------------------------


def _test_pause() -> None:
    raw = os.environ.get(TEST_DELAY_ENV, "")
    if not raw:
        return
    try:
        seconds = float(raw)
    except ValueError:
        raise ImproperlyConfigured(
            f"{TEST_DELAY_ENV} must be a number of seconds, not {raw!r}"
        ) from None
    time.sleep(seconds)


_BINARY = {"bigint": ">i8", "integer": ">i4", "double precision": ">f8", "boolean": "u1"}


def _binary_types(model, columns) -> dict[str, str] | None:
    """PostgreSQL binary COPY codes of ``columns`` of ``model`` (``">i8"``, ``">i4"``,
    ``">f8"``, ``"u1"`` or ``"text"``), or None when a column has another type."""
    fields = {f.column: f for f in model._meta.concrete_fields}
    out = {}
    for column in columns:
        db_type = (fields[column].db_type(connection) or "").lower()
        if db_type.startswith("varchar") or db_type == "text":
            out[column] = "text"
        elif db_type in _BINARY:
            out[column] = _BINARY[db_type]
        else:
            return None
    return out


def _binary_copy(frame: pd.DataFrame, types: dict[str, str]) -> bytes:
    """``frame`` in PostgreSQL's binary COPY format, built with numpy only.

    Rows are grouped by their layout (which fields are NULL, which text value each text field
    holds — text columns must be categorical or have few distinct values); each group is one
    packed big-endian structured array. The number of groups, not rows, bounds the loop.
    """
    n = len(frame)
    columns = list(frame.columns)
    values, nulls, texts = {}, {}, {}
    key = np.zeros(n, dtype=np.int64)
    for column in columns:
        series = frame[column]
        if types[column] == "text":
            cat = series.astype("category")
            texts[column] = [str(c).encode() for c in cat.cat.categories]
            codes = cat.cat.codes.to_numpy().astype(np.int64)
            nulls[column] = codes < 0
            values[column] = codes
            key = key * (len(texts[column]) + 1) + (codes + 1)
        else:
            isnull = series.isna().to_numpy()
            nulls[column] = isnull
            if types[column] == "u1":
                values[column] = series.fillna(False).to_numpy(dtype=bool).astype("u1")
            else:
                kind = "float64" if types[column] == ">f8" else "int64"
                values[column] = series.to_numpy(dtype="float64", na_value=0).astype(kind)
            key = key * 2 + isnull
    parts = [b"PGCOPY\n\xff\r\n\x00", (0).to_bytes(4, "big"), (0).to_bytes(4, "big")]
    patterns, inverse = np.unique(key, return_inverse=True)
    order = np.argsort(inverse, kind="stable")
    bounds = np.searchsorted(inverse[order], np.arange(len(patterns) + 1))
    for g in range(len(patterns)):
        rows = order[bounds[g] : bounds[g + 1]]
        first = rows[0]
        fields = [("count", ">i2")]
        for j, column in enumerate(columns):
            fields.append((f"n{j}", ">i4"))
            if nulls[column][first]:
                continue
            if types[column] == "text":
                length = len(texts[column][values[column][first]])
                if length:
                    fields.append((f"v{j}", f"S{length}"))
            else:
                fields.append((f"v{j}", types[column]))
        packed = np.empty(len(rows), dtype=np.dtype(fields))
        packed["count"] = len(columns)
        for j, column in enumerate(columns):
            if nulls[column][first]:
                packed[f"n{j}"] = -1
            elif types[column] == "text":
                text = texts[column][values[column][first]]
                packed[f"n{j}"] = len(text)
                if text:
                    packed[f"v{j}"] = text
            else:
                packed[f"n{j}"] = np.dtype(types[column]).itemsize
                packed[f"v{j}"] = values[column][rows]
        parts.append(packed.tobytes())
    parts.append((-1).to_bytes(2, "big", signed=True))
    return b"".join(parts)


def _insert(model, frame: pd.DataFrame) -> None:
    """Insert every row of ``frame`` (columns = ``model``'s column names) in one statement:
    ``COPY … FROM STDIN`` on PostgreSQL (binary format from :data:`BINARY_MIN_ROWS` rows when
    every column is an integer, float, boolean or text; CSV otherwise), one ``executemany``
    elsewhere."""
    if frame.empty:
        return
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    cols = ", ".join(quote(c) for c in frame.columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            types = _binary_types(model, frame.columns) if len(frame) >= BINARY_MIN_ROWS else None
            if types is not None:
                payload = io.BytesIO(_binary_copy(frame, types))
                cursor.cursor.copy_expert(
                    f"COPY {table} ({cols}) FROM STDIN WITH (FORMAT binary)", payload
                )
                return
            text = [
                quote(f.column)
                for f in model._meta.concrete_fields
                if f.column in frame.columns and f.get_internal_type() in ("CharField", "TextField")
            ]
            buffer = io.StringIO()
            frame.to_csv(buffer, header=False, index=False, na_rep="")
            buffer.seek(0)
            force = f", FORCE_NOT_NULL ({', '.join(text)})" if text else ""
            cursor.cursor.copy_expert(
                f"COPY {table} ({cols}) FROM STDIN WITH (FORMAT csv{force})", buffer
            )
        else:
            marks = ", ".join(["%s"] * len(frame.columns))
            rows = (
                frame.astype(object).where(frame.notna(), None).itertuples(index=False, name=None)
            )
            cursor.executemany(f"INSERT INTO {table} ({cols}) VALUES ({marks})", list(rows))


def _delete_snapshots(campaign_id: int, park_ids: list[int]) -> None:
    """Delete the parks' snapshots and their rows: three statements whatever their number."""
    quote = connection.ops.quote_name
    snap = quote(ScoreSnapshot._meta.db_table)
    marks = ", ".join(["%s"] * len(park_ids))
    chosen = f"SELECT id FROM {snap} WHERE campaign_id = %s AND park_id IN ({marks})"
    params = [campaign_id, *park_ids]
    with connection.cursor() as cursor:
        for model in (CriterionResult, CategoryScore):
            table = quote(model._meta.db_table)
            cursor.execute(f"DELETE FROM {table} WHERE snapshot_id IN ({chosen})", params)
        cursor.execute(
            f"DELETE FROM {snap} WHERE campaign_id = %s AND park_id IN ({marks})", params
        )


def _rows_of(p: _Prepared, park_ids: list[int]) -> int:
    """Result rows the parks' snapshots hold."""
    return int(p.frames["results"]["park_id"].isin(park_ids).sum())


def _write_chunk(p: _Prepared, park_ids: list[int], *, force: bool) -> tuple[int, int]:
    """Replace the snapshots of the parks in ``park_ids`` whose fingerprint changed (all with
    ``force``) in ONE transaction, and clear their staleness when no change arrived since the
    inputs were read. Returns (parks written, snapshots written). Constant query count.

    On PostgreSQL a chunk of at least :data:`MERGE_MIN_ROWS` result rows is merged in place
    (:func:`_merge_snapshots`: a snapshot keeps its id, only changed result rows are
    rewritten); smaller ones, and every chunk elsewhere, are deleted and inserted again."""
    campaign = p.campaign
    now = timezone.now()
    postgres = connection.vendor == "postgresql"
    with transaction.atomic():
        if postgres:
            generations, stored = _lock_states(campaign.pk, park_ids)
        else:
            RecomputeState.objects.bulk_create(
                [RecomputeState(campaign_id=campaign.pk, park_id=pid) for pid in park_ids],
                ignore_conflicts=True,
            )
            generations = dict(
                RecomputeState.objects.select_for_update()
                .filter(campaign_id=campaign.pk, park_id__in=park_ids)
                .order_by("park_id")
                .values_list("park_id", "generation")
            )
            stored = dict(
                ScoreSnapshot.objects.filter(
                    campaign_id=campaign.pk, park_id__in=park_ids, enterprise__isnull=True
                ).values_list("park_id", "fingerprint")
            )
        changed = [pid for pid in park_ids if force or stored.get(pid) != p.fingerprints[pid]]
        fresh = [pid for pid in park_ids if generations.get(pid, 0) == p.generations.get(pid, 0)]
        marked = False
        snapshots = 0
        if changed and postgres and _rows_of(p, changed) >= MERGE_MIN_ROWS:
            snapshots = _merge_snapshots(p, changed, computed_at=now)
        elif changed and postgres:
            count = int(p.frames["summary"]["park_id"].isin(changed).sum())
            ids = _clear_and_number(campaign.pk, changed, fresh=fresh, now=now, count=count)
            marked = True
            snapshots = _insert_snapshots(p, changed, computed_at=now, ids=ids)
        elif changed:
            _delete_snapshots(campaign.pk, changed)
            snapshots = _insert_snapshots(p, changed, computed_at=now)
        if fresh and not marked:
            RecomputeState.objects.filter(campaign_id=campaign.pk, park_id__in=fresh).update(
                stale=False, computed_at=now
            )
        if changed or fresh:  # after commit: these parks' cached pages are rebuilt
            stamps.bump(parks=sorted({*changed, *fresh}), campaigns=[campaign.pk])
    return len(changed), snapshots


def _lock_states(campaign_id: int, park_ids: list[int]) -> tuple[dict[int, int], dict[int, str]]:
    """PostgreSQL, first statements of a chunk's transaction, in one round trip: commit
    without waiting for the WAL flush, create the parks' missing :class:`RecomputeState` rows
    (the model's defaults), lock the states in park order and read each park's generation and
    its stored park snapshot's fingerprint. Returns ``(generations, fingerprints)`` by park.

    Snapshots are derived data: should the commit be lost in a crash, the stale flag cleared
    in the same transaction is lost with it and the sweep recomputes; not waiting for the WAL
    flush saves a disk round trip per chunk."""
    quote = connection.ops.quote_name
    state = quote(RecomputeState._meta.db_table)
    snapshot = quote(ScoreSnapshot._meta.db_table)
    defaults = {
        f.column: f.get_default()
        for f in RecomputeState._meta.concrete_fields
        if not f.primary_key and f.column not in ("campaign_id", "park_id")
    }
    columns = ", ".join(quote(c) for c in ("campaign_id", "park_id", *defaults))
    marks = ", ".join(["%s"] * len(defaults))
    with connection.cursor() as cursor:
        cursor.execute(
            "SET LOCAL synchronous_commit TO OFF; "
            f"INSERT INTO {state} ({columns}) SELECT %s, p, {marks} "
            "FROM unnest(%s::bigint[]) AS p ON CONFLICT DO NOTHING; "
            f"SELECT s.park_id, s.generation, f.fingerprint FROM {state} s "
            f"LEFT JOIN {snapshot} f ON f.campaign_id = s.campaign_id "
            "AND f.park_id = s.park_id AND f.enterprise_id IS NULL "
            "WHERE s.campaign_id = %s AND s.park_id = ANY(%s) "
            "ORDER BY s.park_id FOR UPDATE OF s",
            [campaign_id, *defaults.values(), park_ids, campaign_id, park_ids],
        )
        rows = cursor.fetchall()
    generations = {park: generation for park, generation, _ in rows}
    fingerprints = {park: fingerprint for park, _, fingerprint in rows if fingerprint}
    return generations, fingerprints


def _clear_and_number(
    campaign_id: int, park_ids: list[int], *, fresh: list[int], now, count: int
) -> list[int]:
    """PostgreSQL, in one round trip: delete the parks' snapshots with their rows, mark the
    ``fresh`` parks' states up to date (computed ``now``), and reserve ``count`` ids for the
    new snapshots from the table's own sequence (so their rows can be written without reading
    the ids back). Returns the ids in ascending order."""
    quote = connection.ops.quote_name
    snapshot = quote(ScoreSnapshot._meta.db_table)
    chosen = f"SELECT id FROM {snapshot} WHERE campaign_id = %s AND park_id = ANY(%s)"
    statements, params = [], []
    for model in (CriterionResult, CategoryScore):
        statements.append(
            f"DELETE FROM {quote(model._meta.db_table)} WHERE snapshot_id IN ({chosen})"
        )
        params += [campaign_id, park_ids]
    statements.append(f"DELETE FROM {snapshot} WHERE campaign_id = %s AND park_id = ANY(%s)")
    params += [campaign_id, park_ids]
    if fresh:
        statements.append(
            f"UPDATE {quote(RecomputeState._meta.db_table)} SET stale = false, computed_at = %s "
            "WHERE campaign_id = %s AND park_id = ANY(%s)"
        )
        params += [now, campaign_id, fresh]
    statements.append(
        "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)"
    )
    params += [ScoreSnapshot._meta.db_table, count]
    with connection.cursor() as cursor:
        cursor.execute("; ".join(statements), params)
        return sorted(row[0] for row in cursor.fetchall())


def _temp_table(model, frame: pd.DataFrame, *, key: tuple[str, ...] = ()) -> str:
    """A temporary table (dropped at commit) with ``frame``'s columns typed like ``model``'s,
    filled with ``frame`` by COPY; returns its quoted name. PostgreSQL only."""
    quote = connection.ops.quote_name
    fields = {f.column: f for f in model._meta.concrete_fields}
    name = quote(f"tmp_{model._meta.db_table}_{os.urandom(4).hex()}")
    columns = ", ".join(
        f"{quote(c)} {'bigint' if c in key else fields[c].db_type(connection)}"
        for c in frame.columns
    )
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE {name} ({columns}) ON COMMIT DROP")
        cols = ", ".join(quote(c) for c in frame.columns)
        types = _binary_types(model, [c for c in frame.columns if c not in key])
        if types is not None:
            types.update({c: ">i8" for c in key})
            payload = io.BytesIO(_binary_copy(frame, types))
            cursor.cursor.copy_expert(
                f"COPY {name} ({cols}) FROM STDIN WITH (FORMAT binary)", payload
            )
        else:
            text = [
                quote(c)
                for c in frame.columns
                if c in fields and fields[c].get_internal_type() in ("CharField", "TextField")
            ]
            buffer = io.StringIO()
            frame.to_csv(buffer, header=False, index=False, na_rep="")
            buffer.seek(0)
            force = f", FORCE_NOT_NULL ({', '.join(text)})" if text else ""
            cursor.cursor.copy_expert(
                f"COPY {name} ({cols}) FROM STDIN WITH (FORMAT csv{force})", buffer
            )
    return name


def _merge_rows(model, frame: pd.DataFrame, *, keys: tuple[str, str], existing: list[int]):
    """Make ``model``'s rows of the ``existing`` snapshots equal ``frame`` (PostgreSQL).

    The rows whose values differ are updated in place (same keys, so the database re-checks no
    foreign key; unchanged rows are not touched). Only when the stored keys differ from
    ``frame``'s (e.g. a criterion set edited by hand) are missing rows inserted and extra rows
    deleted. At most five statements whatever the number of rows."""
    if not existing:
        return
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    other = quote(keys[1])
    marks = ", ".join(["%s"] * len(existing))
    wanted = sorted(set(frame[keys[1]].tolist()))
    wanted_marks = ", ".join(["%s"] * len(wanted)) or "NULL"
    tmp = _temp_table(model, frame)
    match = " AND ".join(f"t.{quote(k)} = s.{quote(k)}" for k in keys)
    values = [c for c in frame.columns if c not in keys]
    cols = ", ".join(quote(c) for c in frame.columns)
    with connection.cursor() as cursor:
        # "t.snapshot_id = ANY(…)" lets the planner read only these snapshots' rows through
        # the unique (snapshot, …) index instead of hashing the whole table
        cursor.execute(
            f"UPDATE {table} t SET {', '.join(f'{quote(c)} = s.{quote(c)}' for c in values)} "
            f"FROM {tmp} s WHERE {match} AND t.snapshot_id = ANY(%s) AND "
            f"({', '.join(f't.{quote(c)}' for c in values)}) IS DISTINCT FROM "
            f"({', '.join(f's.{quote(c)}' for c in values)})",
            [existing],
        )
        cursor.execute(
            f"SELECT count(*), count(*) FILTER (WHERE {other} IN ({wanted_marks})) "
            f"FROM {table} WHERE snapshot_id IN ({marks})",
            [*wanted, *existing],
        )
        stored, expected = cursor.fetchone()
        if stored == expected == len(frame):
            return  # the same keys: the update above was all
        cursor.execute(
            f"INSERT INTO {table} ({cols}) "
            f"SELECT {', '.join(f's.{quote(c)}' for c in frame.columns)} "
            f"FROM {tmp} s WHERE NOT EXISTS (SELECT 1 FROM {table} t WHERE {match})"
        )
        cursor.execute(
            f"DELETE FROM {table} t WHERE t.snapshot_id IN ({marks}) "
            f"AND NOT EXISTS (SELECT 1 FROM {tmp} s WHERE {match})",
            existing,
        )


def _merge_snapshots(p: _Prepared, park_ids: list[int], *, computed_at) -> int:
    """PostgreSQL: merge the parks' snapshots in place (caller holds the transaction). A
    snapshot keeps its id; new subjects are inserted, departed ones deleted with their rows."""
    campaign = p.campaign
    frames = p.frames
    quote = connection.ops.quote_name
    snap_table = quote(ScoreSnapshot._meta.db_table)
    summary = frames["summary"][frames["summary"]["park_id"].isin(park_ids)].copy()
    summary.insert(0, "campaign_id", campaign.pk)
    summary.insert(1, "framework_version_id", campaign.framework_version_id)
    summary.insert(4, "computed_at", computed_at.isoformat())
    summary.insert(5, "fingerprint", summary["park_id"].map(p.fingerprints))
    existing = pd.DataFrame(
        list(
            ScoreSnapshot.objects.filter(campaign_id=campaign.pk, park_id__in=park_ids).values_list(
                "pk", "park_id", "enterprise_id"
            )
        ),
        columns=["id", "park_id", "enterprise"],
    )
    existing["enterprise"] = existing["enterprise"].fillna(0).astype("int64")
    subject = summary["enterprise_id"].fillna(0).astype("int64").to_numpy()
    keyed = existing.set_index(["park_id", "enterprise"])["id"]
    ids = keyed.reindex(pd.MultiIndex.from_arrays([summary["park_id"].to_numpy(), subject]))
    summary.insert(0, "id", ids.to_numpy())
    departed = sorted(set(existing["id"]) - set(summary["id"].dropna().astype("int64")))
    with connection.cursor() as cursor:
        if departed:
            gone = ", ".join(["%s"] * len(departed))
            for model in (CriterionResult, CategoryScore):
                cursor.execute(
                    f"DELETE FROM {quote(model._meta.db_table)} WHERE snapshot_id IN ({gone})",
                    departed,
                )
            cursor.execute(f"DELETE FROM {snap_table} WHERE id IN ({gone})", departed)
        known = summary[summary["id"].notna()].astype({"id": "int64"})
        if len(known):  # existing snapshots: new values, same id
            tmp = _temp_table(ScoreSnapshot, known, key=("id",))
            values = [c for c in known.columns if c != "id"]
            cursor.execute(
                f"UPDATE {snap_table} t SET "
                f"{', '.join(f'{quote(c)} = s.{quote(c)}' for c in values)} "
                f"FROM {tmp} s WHERE t.id = s.id AND t.id = ANY(%s)",
                [[int(i) for i in known["id"]]],
            )
        _insert(ScoreSnapshot, summary[summary["id"].isna()].drop(columns=["id"]))
    _test_pause()
    stored = pd.DataFrame(
        list(
            ScoreSnapshot.objects.filter(campaign_id=campaign.pk, park_id__in=park_ids).values_list(
                "pk", "park_id", "enterprise_id"
            )
        ),
        columns=["id", "park", "enterprise"],
    )
    snapshot_ids = _snapshot_id_mapper(stored)
    kept = [int(i) for i in known["id"]]
    for name, model, other in (
        ("results", CriterionResult, "criterion_id"),
        ("categories", CategoryScore, "category_id"),
    ):
        frame = frames[name][frames[name]["park_id"].isin(park_ids)]
        out = frame.drop(columns=["park_id", "kind", "subject"])
        out.insert(0, "snapshot_id", snapshot_ids(frame))
        old = out["snapshot_id"].isin(kept).to_numpy()
        _merge_rows(model, out[old], keys=("snapshot_id", other), existing=kept)
        _insert(model, out[~old])  # rows of new snapshots: plain inserts
    return len(summary)


def _snapshot_id_mapper(stored: pd.DataFrame):
    """A function giving, for rows of a results/categories frame (columns ``kind``: True for
    an enterprise, ``subject``), their snapshot's id; ``stored`` has one row per snapshot
    [id, park, enterprise (NA for the park's own)]. Raises ``LookupError`` for a row whose
    snapshot is not in ``stored`` (a bug: rows are written with their snapshots)."""
    is_park = stored["enterprise"].isna().to_numpy()
    ids = stored["id"].to_numpy(dtype="int64")
    park_index = pd.Index(stored["park"].to_numpy(dtype="int64")[is_park])
    enterprise_index = pd.Index(stored["enterprise"][~is_park].to_numpy(dtype="int64", na_value=0))
    park_ids, enterprise_ids = ids[is_park], ids[~is_park]

    def snapshot_ids(frame: pd.DataFrame) -> np.ndarray:
        subject = frame["subject"].to_numpy(dtype="int64")
        of_enterprise = frame["kind"].to_numpy(dtype=bool)
        out = np.empty(len(subject), dtype="int64")
        for mask, index, values in (
            (of_enterprise, enterprise_index, enterprise_ids),
            (~of_enterprise, park_index, park_ids),
        ):
            position = index.get_indexer(subject[mask])
            if (position < 0).any():
                raise LookupError(f"no snapshot for subject {subject[mask][position < 0][0]}")
            out[mask] = values[position]
        return out

    return snapshot_ids


def _insert_snapshots(
    p: _Prepared, park_ids: list[int], *, computed_at, ids: list[int] | None = None
) -> int:
    """Insert the parks' snapshots and their result and category rows (their old rows are
    gone). ``ids``: primary keys reserved for the snapshots, one per row in the summary
    frame's order (PostgreSQL, :func:`_clear_and_number`); without them the database numbers
    the snapshots and the ids are read back. Returns the number of snapshots."""
    campaign = p.campaign
    frames = p.frames
    chosen = frames["summary"]["park_id"].isin(park_ids).to_numpy()
    summary = frames["summary"][chosen] if not chosen.all() else frames["summary"].copy()
    summary.insert(0, "campaign_id", campaign.pk)
    summary.insert(1, "framework_version_id", campaign.framework_version_id)
    stamp = connection.ops.adapt_datetimefield_value(computed_at)
    summary.insert(4, "computed_at", stamp if isinstance(stamp, str) else stamp.isoformat())
    summary.insert(5, "fingerprint", summary["park_id"].map(p.fingerprints))
    if ids is not None:
        summary.insert(0, "id", np.asarray(ids, dtype="int64"))
    _insert(ScoreSnapshot, summary)
    _test_pause()
    if ids is not None:
        stored = pd.DataFrame(
            {
                "id": summary["id"].to_numpy(),
                "park": summary["park_id"].to_numpy(),
                "enterprise": summary["enterprise_id"].array,
            }
        )
    else:
        stored = pd.DataFrame(
            list(
                ScoreSnapshot.objects.filter(
                    campaign_id=campaign.pk, park_id__in=park_ids
                ).values_list("pk", "park_id", "enterprise_id")
            ),
            columns=["id", "park", "enterprise"],
        )
    snapshot_ids = _snapshot_id_mapper(stored)
    for name, model in (("results", CriterionResult), ("categories", CategoryScore)):
        chosen = frames[name]["park_id"].isin(park_ids).to_numpy()
        frame = frames[name] if chosen.all() else frames[name][chosen]
        out = frame.drop(columns=["park_id", "kind", "subject"])
        out.insert(0, "snapshot_id", snapshot_ids(frame))
        _insert(model, out)
    return len(summary)


# --------------------------------------------------------------------------------------
# Services
# --------------------------------------------------------------------------------------


def park_recompute(*, campaign_id: int, park_id: int, force: bool = False) -> RecomputeOutcome:
    """Recompute the snapshots of one park and its enterprises in one campaign.

    Idempotent: when the input fingerprint equals the stored one, nothing is written (unless
    ``force``). Two concurrent recomputes of the same park are serialised by a row lock on
    its :class:`RecomputeState` and give the same rows as one. The number of queries does
    not depend on the park's enterprises. Clears the state's ``pending`` flag first: a
    change committed from now on publishes a new recompute. Raises
    ``Campaign.DoesNotExist``.
    """
    RecomputeState.objects.filter(campaign_id=campaign_id, park_id=park_id, pending=True).update(
        pending=False, pending_since=None
    )
    campaign = Campaign.objects.select_related("framework_version").get(pk=campaign_id)
    prepared = _prepare(campaign, [park_id])
    parks_written, snapshots = _write_chunk(prepared, [park_id], force=force)
    return RecomputeOutcome(
        written=bool(parks_written),
        snapshots=snapshots,
        fingerprint=prepared.fingerprints[park_id],
        parks=1,
        parks_written=parks_written,
    )


def _writers() -> int:
    """Parallel writer connections for a campaign's chunks: ``WRITERS`` on PostgreSQL outside
    a transaction (each chunk is its own transaction on its own connection, so the database
    checks one chunk's foreign keys while the next is being encoded); 1 elsewhere (SQLite has
    one writer; inside a transaction, e.g. a test, other connections would not see its rows)."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return 1
    return WRITERS


def _run_chunks(write, chunks: list[list[int]]) -> list[tuple[int, int]]:
    """``write(chunk)`` for every chunk, on :func:`_writers` threads; the first error raised
    by any chunk propagates (chunks already committed stay: each is complete)."""
    workers = min(_writers(), len(chunks))
    if workers <= 1:
        return [write(chunk) for chunk in chunks]

    def in_thread(chunk):
        try:
            return write(chunk)
        finally:
            connections.close_all()  # this thread's connection

    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="recompute")
    try:
        return list(pool.map(in_thread, chunks))
    finally:  # on an error (or a soft time limit) the chunks not yet started are dropped
        pool.shutdown(wait=True, cancel_futures=True)


@contextmanager
def _heartbeat(run_id: int, attempt: int):
    """While the block runs, move the run's ``heartbeat_at`` every
    :attr:`CampaignRecompute.HEARTBEAT_SECONDS` from a thread of its own (the vectorised pass
    may take longer than that without writing a chunk). Only outside a transaction (a worker):
    inside one (a test, the eager mode) its own connection would not see the run."""
    if connection.in_atomic_block:
        yield
        return
    stop = threading.Event()

    def beat() -> None:
        try:
            while not stop.wait(CampaignRecompute.HEARTBEAT_SECONDS):
                CampaignRecompute.objects.filter(
                    pk=run_id, attempt=attempt, status=CampaignRecompute.Status.RUNNING
                ).update(heartbeat_at=timezone.now())
        finally:
            connections.close_all()  # this thread's connection

    thread = threading.Thread(target=beat, name=f"heartbeat-{run_id}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def campaign_recompute(
    *,
    campaign_id: int,
    run: CampaignRecompute | None = None,
    force: bool = False,
    chunk_parks: int | None = None,
) -> RecomputeOutcome:
    """Recompute every park of a campaign (and every enterprise in them) in one vectorised
    pass; write in chunks of ``chunk_parks`` parks (default :data:`CHUNK_PARKS`), one
    transaction each (a park is never half-written). Parks whose fingerprint is unchanged are
    skipped unless ``force``.

    ``run``: the :class:`CampaignRecompute` whose progress to record (status, parks done,
    heartbeat). A run that an earlier attempt started (its worker died) resumes: the parks
    completed since the run started (their results marked up to date at or after
    ``started_at``) are kept as they are and only the others are computed, giving the rows an
    undisturbed run gives. Raises ``Campaign.DoesNotExist``; database errors propagate (the
    task retries) and leave already written chunks in place.
    """
    chunk_parks = chunk_parks or CHUNK_PARKS
    campaign = Campaign.objects.select_related("framework_version").get(pk=campaign_id)
    done: set[int] = set()
    if run is not None:
        now = timezone.now()
        started = run.started_at or now
        roster = set(
            Response.objects.filter(campaign_id=campaign_id)
            .order_by()
            .values_list("park_id", flat=True)
            .distinct()
        )
        if run.started_at is not None and run.status == CampaignRecompute.Status.RUNNING:
            done = roster & set(
                RecomputeState.objects.filter(
                    campaign_id=campaign_id, stale=False, computed_at__gte=run.started_at
                ).values_list("park_id", flat=True)
            )
        progress = {"written_parks": 0, "error": ""} if not done else {}
        CampaignRecompute.objects.filter(pk=run.pk).update(
            status=CampaignRecompute.Status.RUNNING,
            started_at=started,
            heartbeat_at=now,
            finished_at=None,
            done_parks=len(done),
            total_parks=len(roster),
            **progress,
        )
    with _heartbeat(run.pk, run.attempt) if run is not None else nullcontext():
        prepared = _prepare(campaign, sorted(roster - done) if done else None)
        parks = [p for p in prepared.parks if p not in done]
        if run is not None and not done:
            CampaignRecompute.objects.filter(pk=run.pk).update(total_parks=len(parks))
        chunks = [parks[i : i + chunk_parks] for i in range(0, len(parks), chunk_parks)]

        def write(chunk: list[int]) -> tuple[int, int]:
            written, count = _write_chunk(prepared, chunk, force=force)
            if run is not None:
                CampaignRecompute.objects.filter(pk=run.pk).update(
                    done_parks=Least(F("done_parks") + len(chunk), F("total_parks")),
                    written_parks=F("written_parks") + written,
                    heartbeat_at=timezone.now(),
                )
            return written, count

        outcomes = _run_chunks(write, chunks)
    parks_written = sum(w for w, _ in outcomes)
    snapshots = sum(c for _, c in outcomes)
    if run is not None:
        CampaignRecompute.objects.filter(pk=run.pk).update(
            status=CampaignRecompute.Status.DONE,
            done_parks=F("total_parks"),
            finished_at=timezone.now(),
        )
    return RecomputeOutcome(
        written=bool(parks_written),
        snapshots=snapshots,
        fingerprint="",
        parks=len(parks) + len(done),
        parks_written=parks_written,
    )


def campaign_recompute_claim(*, run_id: int, attempt: int) -> CampaignRecompute | None:
    """A worker's claim on a run before computing it: the run, when it is still active and
    ``attempt`` is its current attempt; None otherwise (finished, failed, or superseded by a
    later attempt — e.g. a message the broker redelivered after the run was sent again)."""
    claimed = (
        CampaignRecompute.objects.active()
        .filter(pk=run_id, attempt=attempt)
        .update(heartbeat_at=timezone.now())
    )
    return CampaignRecompute.objects.get(pk=run_id) if claimed else None


def campaign_recompute_resend(*, queued_seconds: float | None = None) -> list[int]:
    """Send again every run whose worker is gone (running without a heartbeat for
    :attr:`CampaignRecompute.SILENT_SECONDS`) and, with ``queued_seconds``, every run queued
    longer than that (a lost message): each gets a new ``attempt`` (one conditional update, so
    two watchers never send one run twice) and is published. Returns the ids sent."""
    sent = []
    for run in CampaignRecompute.objects.silent(queued_seconds=queued_seconds).only(
        "pk", "attempt", "status", "heartbeat_at"
    ):
        again = (
            CampaignRecompute.objects.active()
            .filter(pk=run.pk, attempt=run.attempt)
            .update(attempt=F("attempt") + 1, heartbeat_at=timezone.now())
        )
        if again:
            log.warning(
                "campaign recompute run %s silent (worker lost or message lost): sent again",
                run.pk,
            )
            send_campaign_recompute(run_id=run.pk, attempt=run.attempt + 1)
            sent.append(run.pk)
    return sent


def campaign_recompute_fail(*, run_id: int, error: str) -> None:
    """Mark a run failed with ``error`` (shown to ministry staff); its written chunks stay."""
    CampaignRecompute.objects.filter(pk=run_id).update(
        status=CampaignRecompute.Status.FAILED, finished_at=timezone.now(), error=error[:2000]
    )


@transaction.atomic
def campaign_recompute_start(*, campaign: Campaign, user) -> CampaignRecompute:
    """Start "recompute everything" for ``campaign`` on behalf of ministry staff.

    Returns the new run, or the campaign's run already queued or running (requests collapse:
    at most one active run per campaign, enforced by the database); an active run whose worker
    is gone is sent again then (:func:`campaign_recompute_resend`). The task is published
    after commit; if the broker is unreachable the run stays queued and the periodic sweep
    publishes it later. Raises ``PermissionDenied`` for anyone but ministry staff.
    """
    if not can(user, Action.MANAGE, Campaign):
        raise PermissionDenied(_("Only ministry staff may recompute a whole campaign."))
    active = CampaignRecompute.objects.active().filter(campaign=campaign).first()
    if active is not None:
        transaction.on_commit(campaign_recompute_resend)
        return active
    total = Response.objects.filter(campaign=campaign).values("park_id").distinct().count()
    try:
        with transaction.atomic():
            run = CampaignRecompute.objects.create(
                campaign=campaign,
                total_parks=total,
                requested_by=user if getattr(user, "pk", None) else None,
            )
    except IntegrityError:  # a concurrent request created it first
        return CampaignRecompute.objects.active().get(campaign=campaign)
    transaction.on_commit(lambda: send_campaign_recompute(run_id=run.pk))
    return run
