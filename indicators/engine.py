"""The scoring engine: pure functions over pandas DataFrames and numpy arrays, no ORM
(docs/architecture.md).

Three layers: data element (entered) → indicator (computed by a formula, see
:mod:`indicators.formula`) → criterion (judged). One vectorised pass scores every subject of a
campaign: no Python loop over subjects, answers or tenants, no query at all. Python loops run
over periods (at most the longest look-back), scenarios (current, intended), criteria and
formulas only — each iteration handles whole columns.

States (``STATES``): ``met``, ``not_met``, ``no_data`` (an input is missing — never "not
met"), ``no_threshold`` (the source gives no threshold, or no testable rule at all).

Scenarios (UNIDO, *An International Framework for Eco-Industrial Parks* v2.0 (2021) and its
EIP assessment, which reports each park's current performance, its intended performance and
the improvement potential between them): an answer may carry, besides its current value, the
value the respondent intends for the target year. The engine scores both scenarios with the
same rules and reports ``intended − current`` per criterion (indicator value), per category
(share) and for the index (points). An intended value stands in for the campaign period's
value; where a subject gives none, its current value is kept (no change planned); earlier
periods of a look-back keep their reported values. Intended results exist only for subjects
with a plan: an enterprise that gave at least one intended value, a park that gave one or
whose tenants did (``intended_values`` > 0); elsewhere the intended columns are empty.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .formula import Formula, ParkTenants, evaluate_arrays

#: Bumped whenever a scoring rule changes meaning: it is part of every snapshot fingerprint,
#: so stored results computed by an older engine are recomputed.
ENGINE_VERSION = "3"

MET, NOT_MET, NO_DATA, NO_THRESHOLD = "met", "not_met", "no_data", "no_threshold"
STATES = (MET, NOT_MET, NO_DATA, NO_THRESHOLD)
_MET, _NOT_MET, _NO_DATA, _NO_THRESHOLD = range(4)

CURRENT, INTENDED = "current", "intended"
SCENARIOS = (CURRENT, INTENDED)

KINDS = ("park", "enterprise")

#: columns of the answers frame the engine reads (long shape: one row per subject, period and
#: data element; ``value`` float, yes = 1.0, no = 0.0); an optional ``scenario`` column
#: (:data:`SCENARIOS`) and the subject's ``park`` come with it from the survey side
ANSWER_COLUMNS = ["kind", "subject", "period", "element", "value"]

#: columns of the criteria frame the engine reads
CRITERIA_COLUMNS = [
    "code",
    "category",
    "applies_to",
    "level",
    "rule",
    "operator",
    "threshold",
    "lookback_years",
    "weight",
    "indicator",
]

RESULT_COLUMNS = [
    "kind",
    "subject",
    "criterion",
    "category",
    "level",
    "weight",
    "state",
    "value",
    "gap",
    "reported",
    "population",
    "numerator",
    "denominator",
    "state_intended",
    "value_intended",
    "gap_intended",
    "improvement",
]


@dataclass
class ScoreResult:
    """Output of :func:`score_campaign`; every frame has current and intended columns side by
    side (intended columns are NaN / NA for subjects without a plan).

    - ``results``: one row per (kind, subject, criterion), subject-major in criteria order:
      ``state`` (categorical of :data:`STATES`), ``value`` (float, NaN if none), ``gap``
      (float: threshold − value for ≥/>, value − threshold for ≤/<, |value − threshold| for =;
      NaN when not computable), ``reported``/``population`` (roll-up coverage, NaN when the
      indicator rolls nothing up), ``numerator``/``denominator`` (a share's or count's
      enterprises counted and the enterprises it is taken over, NaN otherwise), ``state_intended``, ``value_intended``, ``gap_intended``
      and ``improvement`` = value_intended − value (indicator units).
    - ``categories``: one row per (kind, subject, category): ``met``, ``applicable`` (counts),
      ``share`` = weighted met / weighted applicable (0–1, NaN when nothing is applicable),
      ``met_intended``, ``applicable_intended``, ``share_intended`` and ``improvement`` =
      share_intended − share.
    - ``summary``: one row per (kind, subject): ``index`` 0–100 (weighted share of applicable
      criteria met), ``criteria_met``, ``criteria_applicable``, ``mandatory_met``,
      ``mandatory_total``, ``eligible`` (bool: every applicable mandatory criterion met —
      Decree 35/2022 Art. 37 for parks, Art. 40(2) for enterprises), ``eco_enterprise``
      (enterprises: same as ``eligible``; NA for parks), ``eco_enterprises`` (parks: tenants
      with eco-enterprise status; NaN for enterprises), ``reported`` / ``population`` (parks:
      enterprises that reported / enterprises in the park; NaN for enterprises),
      ``intended_values`` (intended values given: the subject's own, plus its tenants' for a
      park) and the intended counterparts ``index_intended``, ``criteria_met_intended``,
      ``criteria_applicable_intended``, ``mandatory_met_intended``,
      ``mandatory_total_intended``, ``eligible_intended``, ``eco_enterprise_intended``,
      ``eco_enterprises_intended`` and ``index_improvement`` = index_intended − index (points),
      ``has_result`` (bool: the subject has a scored response for the period; without one its
      index and intended index are NaN and it is never eligible — no answers is no result,
      not index 0).

    A kind without criteria has no rows.
    """

    results: pd.DataFrame
    categories: pd.DataFrame
    summary: pd.DataFrame


def _closure(formulas: dict[str, Formula], codes: Iterable[str]) -> dict[str, Formula]:
    """``codes`` (those that are indicators) and every indicator they depend on."""
    todo = [c for c in codes if c in formulas]
    seen: set[str] = set()
    while todo:
        code = todo.pop()
        if code in seen:
            continue
        seen.add(code)
        todo.extend((formulas[code].references & formulas.keys()) - seen)
    return {code: formulas[code] for code in formulas if code in seen}


def _needed_elements(
    formulas: dict[str, dict[str, Formula]], indicators: dict[str, set[str]]
) -> dict[str, dict[str, Formula] | set[str]]:
    """Formulas to evaluate per kind and the element columns they read.

    Returns ``{"park": formulas, "enterprise": formulas, "park_elements": set,
    "enterprise_elements": set}``; enterprise elements include the tenant columns park
    roll-ups read.
    """
    out: dict = {}
    elements = {"park": set(), "enterprise": set()}
    for kind in KINDS:
        chosen = _closure(formulas.get(kind, {}), indicators.get(kind, set()))
        out[kind] = chosen
        for f in chosen.values():
            elements[kind] |= f.references - chosen.keys()
            elements["enterprise"] |= f.tenant_references
    out["park_elements"] = elements["park"]
    out["enterprise_elements"] = elements["enterprise"]
    return out


def lookback_elements(criteria: pd.DataFrame, formulas: dict[str, dict[str, Formula]]) -> set[str]:
    """Data element codes that look-back criteria read in the periods before the campaign's
    (the only answers of earlier periods the engine uses); empty without look-backs."""
    crit = criteria[criteria["rule"] == "lookback"]
    indicators = {
        kind: set(crit.loc[crit["applies_to"] == kind, "indicator"].dropna()) for kind in KINDS
    }
    needed = _needed_elements(formulas, indicators)
    return set(needed["park_elements"]) | set(needed["enterprise_elements"])


def equals(column: pd.Series, value: str) -> np.ndarray:
    """``column == value`` as a bool array; for a categorical, compares codes (no strings)."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        categories = list(column.cat.categories)
        code = categories.index(value) if value in categories else -2
        return column.cat.codes.to_numpy() == code
    return column.to_numpy() == value


def _positions(column: pd.Series, index: pd.Index) -> np.ndarray:
    """Position of each value of ``column`` in ``index`` (-1 when absent), categorical-aware."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        cat_pos = index.get_indexer(column.cat.categories)
        codes = column.cat.codes.to_numpy()
        return np.where(codes >= 0, np.append(cat_pos, -1)[codes], -1)
    return index.get_indexer(column.to_numpy())


class _Inputs:
    """The answers as numpy columns, split by kind, period and scenario with boolean masks over
    whole columns (no frame per part)."""

    def __init__(self, answers: pd.DataFrame, reported: pd.DataFrame):
        self.kind = {k: equals(answers["kind"], k) for k in KINDS}
        self.period = answers["period"].to_numpy()
        if "scenario" in answers.columns:
            self.intended = equals(answers["scenario"], INTENDED)
        else:
            self.intended = np.zeros(len(answers), dtype=bool)
        self.subject = answers["subject"]
        element = answers["element"]
        if not isinstance(element.dtype, pd.CategoricalDtype):
            element = element.astype("category")
        self.element_codes = element.cat.codes.to_numpy()
        self.element_names = pd.Index(element.cat.categories)
        self.value = answers["value"].to_numpy(dtype="float64")
        self.reported = reported
        self._subject_positions: dict[int, tuple[pd.Index, np.ndarray]] = {}

    def mask(self, kind: str, period: int, *, intended: bool) -> np.ndarray:
        return self.kind[kind] & (self.period == period) & (self.intended == intended)

    def subject_positions(self, index: pd.Index) -> np.ndarray:
        """Position of every answer's subject in ``index`` (-1 when absent), once per index."""
        cached = self._subject_positions.get(id(index))
        if cached is None or cached[0] is not index:
            cached = (index, _positions(self.subject, index))
            self._subject_positions[id(index)] = cached
        return cached[1]

    def wide(self, mask: np.ndarray, index: pd.Index, codes: list[str]) -> np.ndarray:
        """The answers under ``mask`` as a subject × element float matrix (NaN missing).

        A numpy scatter (no pivot): rows of unknown subjects or elements are dropped; should a
        key repeat, the later row wins."""
        out = np.full((len(index), len(codes)), np.nan)
        if not codes or not len(index) or not mask.any():
            return out
        rows = self.subject_positions(index)[mask]
        column_of = np.append(pd.Index(codes).get_indexer(self.element_names), -1)
        cols = column_of[self.element_codes[mask]]  # code -1 (no element) reads the -1
        keep = (rows >= 0) & (cols >= 0)
        out[rows[keep], cols[keep]] = self.value[mask][keep]
        return out

    def reporters(self, period: int) -> np.ndarray:
        return self.respondents("enterprise", period)

    def respondents(self, kind: str, period: int) -> np.ndarray:
        """Subjects of ``kind`` with a scored response for ``period``."""
        rep = self.reported
        mask = equals(rep["kind"], kind) & (rep["period"].to_numpy() == period)
        return rep["subject"].to_numpy()[mask]


def _evaluate_period(
    *,
    wide: dict[str, np.ndarray],
    subjects: dict[str, pd.Index],
    tenant_park: np.ndarray,
    tenant_reported: np.ndarray,
    needed: dict,
) -> dict[str, dict[str, dict[str, np.ndarray]]]:
    """Evaluate the needed formulas of both kinds on one period's wide values; returns
    ``{kind: {indicator: {"value", "reported", "population": float arrays}}}`` aligned on
    ``subjects``."""
    out: dict[str, dict[str, dict[str, np.ndarray]]] = {}
    ent_cols = sorted(needed["enterprise_elements"])
    columns = {
        "enterprise": ent_cols,
        "park": sorted(needed["park_elements"]),
    }

    def reader(matrix: np.ndarray, cols: list[str]):
        position = {c: j for j, c in enumerate(cols)}
        length = len(matrix)

        def column(name: str) -> np.ndarray:
            if name not in position:
                return np.full(length, np.nan)
            values = matrix[:, position[name]]
            return np.where(np.isfinite(values), values, np.nan)

        return column

    def parks() -> ParkTenants:
        return ParkTenants(
            park=tenant_park,
            reported=np.asarray(tenant_reported, dtype=bool),
            column=reader(wide["enterprise"], ent_cols),
            subjects=subjects["park"],
        )

    for kind in KINDS:
        if not needed[kind] or not len(subjects[kind]):
            out[kind] = {}
            continue
        out[kind] = evaluate_arrays(
            needed[kind],
            n=len(subjects[kind]),
            column=reader(wide[kind], columns[kind]),
            parks=parks if kind == "park" else None,
        )
    return out


def _stacked_id(ids: np.ndarray) -> np.ndarray:
    """Ids of the intended copy of subjects in a stacked evaluation (negative: never real)."""
    return -np.asarray(ids, dtype="int64") - 1


def _period_values(
    inputs: _Inputs,
    *,
    period: int,
    subjects: dict[str, pd.Index],
    enterprises: pd.DataFrame,
    needed: dict,
    with_intended: bool,
) -> tuple[dict, dict | None, dict[str, np.ndarray]]:
    """Indicator values of one period: current, and (``with_intended``) intended, both from ONE
    evaluation over the subjects stacked twice (the intended copy under negative ids, its
    tenants rolled up into the intended copy of their park). Also returns the intended-value
    counts per subject (own values only)."""
    codes = {
        "park": sorted(needed["park_elements"]),
        "enterprise": sorted(needed["enterprise_elements"]),
    }
    wide, counts = {}, {}
    for kind in KINDS:
        current = inputs.wide(
            inputs.mask(kind, period, intended=False), subjects[kind], codes[kind]
        )
        counts[kind] = np.zeros(len(subjects[kind]), dtype=np.int64)
        if with_intended:
            mask = inputs.mask(kind, period, intended=True)
            override = inputs.wide(mask, subjects[kind], codes[kind])
            intended = np.where(~np.isnan(override), override, current)
            rows = inputs.subject_positions(subjects[kind])[mask]
            counts[kind] = np.bincount(rows[rows >= 0], minlength=len(subjects[kind]))
            current = np.vstack([current, intended])
        wide[kind] = current
    reported = subjects["enterprise"].isin(inputs.reporters(period))
    tenant_park = enterprises["park"].to_numpy(dtype="int64")
    stacked_subjects = subjects
    if with_intended:
        stacked_subjects = {
            kind: pd.Index(
                np.concatenate([subjects[kind].to_numpy(), _stacked_id(subjects[kind])]),
                name="subject",
            )
            for kind in KINDS
        }
        tenant_park = np.concatenate([tenant_park, _stacked_id(tenant_park)])
        reported = np.concatenate([reported, reported])
    values = _evaluate_period(
        wide=wide,
        subjects=stacked_subjects,
        tenant_park=tenant_park,
        tenant_reported=reported,
        needed=needed,
    )
    if not with_intended:
        return values, None, counts
    now, planned = {}, {}
    for kind in KINDS:
        n = len(subjects[kind])
        now[kind] = {c: {f: a[:n] for f, a in v.items()} for c, v in values[kind].items()}
        planned[kind] = {c: {f: a[n:] for f, a in v.items()} for c, v in values[kind].items()}
    return now, planned, counts


def _column(values: dict[str, dict[str, np.ndarray]], code, field: str, n: int) -> np.ndarray:
    if code is None or (isinstance(code, float) and np.isnan(code)) or code not in values:
        return np.full(n, np.nan)
    return values[code].get(field, np.full(n, np.nan))


def _judge(
    crit: pd.DataFrame,
    *,
    n: int,
    now: dict[str, pd.DataFrame],
    history: dict[int, dict[str, pd.DataFrame]],
    period: int,
) -> dict[str, np.ndarray]:
    """Judge ``crit`` (one kind's criteria) for ``n`` subjects: (n, C) matrices of state
    codes, values, gaps and coverage."""
    indicators = crit["indicator"].tolist()
    value = np.column_stack([_column(now, c, "value", n) for c in indicators])
    reported = np.column_stack([_column(now, c, "reported", n) for c in indicators])
    population = np.column_stack([_column(now, c, "population", n) for c in indicators])
    numerator = np.column_stack([_column(now, c, "numerator", n) for c in indicators])
    denominator = np.column_stack([_column(now, c, "denominator", n) for c in indicators])
    rule = crit["rule"].to_numpy(dtype=object)[None, :]
    op = crit["operator"].fillna("").to_numpy(dtype=object)[None, :]
    thr = crit["threshold"].to_numpy(dtype="float64")[None, :]
    has = ~np.isnan(value)

    state = np.full(value.shape, _NO_THRESHOLD, dtype=np.int8)
    yes_no = np.broadcast_to(rule == "yes_no", value.shape)
    state = np.where(yes_no, np.where(has, np.where(value >= 0.5, _MET, _NOT_MET), _NO_DATA), state)

    compared = np.broadcast_to(np.isin(rule, ["compare", "count"]) & ~np.isnan(thr), value.shape)
    with np.errstate(invalid="ignore"):
        passed = np.select(
            [op == ">=", op == ">", op == "<=", op == "<", op == "="],
            [value >= thr, value > thr, value <= thr, value < thr, np.isclose(value, thr)],
            default=False,
        )
    state = np.where(compared, np.where(has, np.where(passed, _MET, _NOT_MET), _NO_DATA), state)
    ok = compared & has
    gap = np.full(value.shape, np.nan)
    gap = np.where(ok & np.isin(op, [">=", ">"]), thr - value, gap)
    gap = np.where(ok & np.isin(op, ["<=", "<"]), value - thr, gap)
    gap = np.where(ok & (op == "="), np.abs(value - thr), gap)

    lookback = crit["rule"].to_numpy(dtype=object) == "lookback"
    if lookback.any():
        years = crit["lookback_years"].to_numpy(dtype="float64")
        for j in np.flatnonzero(lookback):
            yes = np.zeros(n)
            no = np.zeros(n)
            for k in range(int(years[j])):
                source = now if k == 0 else history.get(period - k, {})
                v = _column(source, indicators[j], "value", n)
                yes += v >= 0.5
                no += v < 0.5
            state[:, j] = np.select([no > 0, yes >= years[j]], [_NOT_MET, _MET], _NO_DATA)
    return {
        "state": state.astype(np.int8),
        "value": value,
        "gap": gap,
        "reported": reported,
        "population": population,
        "numerator": numerator,
        "denominator": denominator,
    }


def _aggregate(crit: pd.DataFrame, state: np.ndarray, categories: list[str]) -> dict:
    """Category and subject totals of one kind's judged matrix (weights from ``crit``)."""
    weight = crit["weight"].to_numpy(dtype="float64")
    mandatory = crit["level"].to_numpy(dtype=object) == "mandatory"
    onehot = (
        crit["category"].to_numpy(dtype=object)[:, None] == np.array(categories, dtype=object)
    ).astype("float64")
    met = state == _MET
    applicable = state != _NO_THRESHOLD
    met_w = met * weight
    app_w = applicable * weight
    cat_met_w = met_w @ onehot
    cat_app_w = app_w @ onehot
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(cat_app_w > 0, cat_met_w / np.where(cat_app_w > 0, cat_app_w, 1), np.nan)
        total_w = app_w.sum(axis=1)
        index = np.where(
            total_w > 0, 100.0 * met_w.sum(axis=1) / np.where(total_w > 0, total_w, 1), np.nan
        )
    mandatory_met = (met & mandatory).sum(axis=1)
    mandatory_total = (applicable & mandatory).sum(axis=1)
    return {
        "cat_met": (met.astype("float64") @ onehot).astype(np.int64),
        "cat_applicable": (applicable.astype("float64") @ onehot).astype(np.int64),
        "share": share,
        "criteria_met": met.sum(axis=1),
        "criteria_applicable": applicable.sum(axis=1),
        "mandatory_met": mandatory_met,
        "mandatory_total": mandatory_total,
        "index": index,
        "eligible": (mandatory_total > 0) & (mandatory_met == mandatory_total),
    }


def prepare_criteria(criteria: pd.DataFrame) -> pd.DataFrame:
    """The criteria frame (columns :data:`CRITERIA_COLUMNS`) as :func:`score_campaign` reads
    it: rows for parks and enterprises only, ``threshold``/``weight`` float64 (NaN where
    unreadable), ``lookback_years`` numeric (1 when empty), ``indicator`` a code or None, a
    fresh 0..n-1 index.

    Idempotent: a frame already in this form is returned as is (not copied), so a caller that
    prepares a framework version's criteria once (:func:`indicators.selectors.version_scoring_inputs`)
    saves the work on every scoring."""
    if _is_prepared(criteria):
        return criteria
    crit = criteria[criteria["applies_to"].isin(KINDS)].copy()
    crit["threshold"] = pd.to_numeric(crit["threshold"], errors="coerce").astype("float64")
    crit["weight"] = pd.to_numeric(crit["weight"], errors="coerce").astype("float64")
    crit["lookback_years"] = pd.to_numeric(crit["lookback_years"], errors="coerce").fillna(1)
    crit["indicator"] = crit["indicator"].astype(object).where(crit["indicator"].notna(), None)
    return crit.reset_index(drop=True)


def _is_prepared(criteria: pd.DataFrame) -> bool:
    if not isinstance(criteria.index, pd.RangeIndex) or criteria.index.start != 0:
        return False
    if not criteria["applies_to"].isin(KINDS).all():
        return False
    if criteria["threshold"].dtype.kind != "f" or criteria["weight"].dtype.kind != "f":
        return False
    lookback = criteria["lookback_years"]
    if lookback.dtype.kind not in "fi" or lookback.isna().any():
        return False
    return criteria["indicator"].dtype == object and all(
        code is None or isinstance(code, str) for code in criteria["indicator"]
    )


def score_campaign(
    *,
    criteria: pd.DataFrame,
    formulas: dict[str, dict[str, Formula]],
    element_codes: dict[str, list[str]],
    answers: pd.DataFrame,
    reported: pd.DataFrame,
    parks: pd.Index,
    enterprises: pd.DataFrame,
    period: int,
) -> ScoreResult:
    """Score every park in ``parks`` and every enterprise in ``enterprises`` for ``period``,
    for the current values and (when any are given) the intended ones.

    Inputs (shapes):

    - ``criteria``: one row per criterion, columns :data:`CRITERIA_COLUMNS`; ``applies_to`` is
      ``park`` or ``enterprise`` (rows for other subjects are ignored); ``threshold`` float or
      NaN; ``weight`` float > 0.
    - ``formulas``: ``{"park": {indicator code: Formula}, "enterprise": {...}}`` already checked.
    - ``element_codes``: ``{"park": [...], "enterprise": [...]}`` every data element code;
      answers of other codes are ignored.
    - ``answers``: long frame [kind, subject, period, element, value] (+ optional
      ``scenario``: ``"current"`` (default) or ``"intended"``) of scored responses only, values
      as float in canonical units (yes = 1.0, no = 0.0), for ``period`` and the periods a
      look-back needs; intended rows count for ``period`` only. Other columns are ignored.
    - ``reported``: [kind, subject, period], one row per scored response (a response counts as
      reported even when it has no answers).
    - ``parks``: index of park ids; ``enterprises``: index enterprise id (unique), column
      ``park``: the population of each park's roll-ups.

    Look-back criteria read ``period`` and the ``lookback_years - 1`` periods before it: met
    when yes in all of them, not met when any is no, otherwise no data (Decree 35/2022
    Art. 37(1): compliance over the 3 years before certification).

    Returns a :class:`ScoreResult`. Raises :class:`~indicators.formula.FormulaError` only for
    formulas that were not checked (a cycle, an aggregate in an enterprise formula).
    """
    crit = prepare_criteria(criteria)
    subjects = {
        "park": pd.Index(pd.Index(parks).to_numpy(), name="subject"),
        "enterprise": pd.Index(enterprises.index.to_numpy(), name="subject"),
    }
    formulas = {kind: formulas.get(kind, {}) for kind in KINDS}
    # Answers are used by exact (kind, period, scenario) masks; unknown subjects and elements
    # never reach a formula (formulas reference checked element codes only).
    inputs = _Inputs(answers, reported)
    by_kind = {kind: crit[crit["applies_to"] == kind].reset_index(drop=True) for kind in KINDS}
    needed_now = _needed_elements(
        formulas, {k: set(by_kind[k]["indicator"].dropna()) for k in KINDS}
    )
    lookback_crit = crit[crit["rule"] == "lookback"]
    longest = int(lookback_crit["lookback_years"].max()) if not lookback_crit.empty else 1
    needed_past = _needed_elements(
        formulas,
        {
            k: set(lookback_crit.loc[lookback_crit["applies_to"] == k, "indicator"].dropna())
            for k in KINDS
        },
    )
    history = {}
    for k in range(1, longest):
        history[period - k], _, _ = _period_values(
            inputs,
            period=period - k,
            subjects=subjects,
            enterprises=enterprises,
            needed=needed_past,
            with_intended=False,
        )
    has_intended = bool(inputs.intended.any())
    now, now_intended, counts = _period_values(
        inputs,
        period=period,
        subjects=subjects,
        enterprises=enterprises,
        needed=needed_now,
        with_intended=has_intended,
    )

    # Plans: an enterprise's own intended values; a park's own plus its tenants'.
    tenant_pos = subjects["park"].get_indexer(enterprises["park"].to_numpy())
    tenant_known = tenant_pos >= 0
    park_plans = counts["park"] + np.bincount(
        tenant_pos[tenant_known],
        weights=counts["enterprise"][tenant_known],
        minlength=len(subjects["park"]),
    ).astype(np.int64)
    plans = {"park": park_plans, "enterprise": counts["enterprise"]}

    reporters = subjects["enterprise"].isin(inputs.reporters(period))
    coverage_reported = np.bincount(
        tenant_pos[tenant_known], weights=reporters[tenant_known], minlength=len(subjects["park"])
    )
    coverage_population = np.bincount(tenant_pos[tenant_known], minlength=len(subjects["park"]))

    # A subject without a scored response for the period has no result (no index, never
    # eligible): its criteria are still judged on what the registers give, for information.
    has_result = {kind: subjects[kind].isin(inputs.respondents(kind, period)) for kind in KINDS}

    judged: dict[str, dict] = {}
    for kind in ("enterprise", "park"):  # enterprises first: parks count eco-enterprises
        c = by_kind[kind]
        n = len(subjects[kind])
        if c.empty:
            continue
        categories = list(dict.fromkeys(c["category"].tolist()))
        cur = _judge(
            c,
            n=n,
            now=now.get(kind, {}),
            history={p: h.get(kind, {}) for p, h in history.items()},
            period=period,
        )
        cur_tot = _without_result(_aggregate(c, cur["state"], categories), has_result[kind])
        entry = {"crit": c, "categories": categories, "current": cur, "current_tot": cur_tot}
        if has_intended:
            ints = _judge(
                c,
                n=n,
                now=now_intended.get(kind, {}),
                history={p: h.get(kind, {}) for p, h in history.items()},
                period=period,
            )
            entry["intended"] = ints
            entry["intended_tot"] = _without_result(
                _aggregate(c, ints["state"], categories), has_result[kind]
            )
        judged[kind] = entry

    universe = {
        name: pd.CategoricalDtype(list(dict.fromkeys(crit[column].tolist())))
        for name, column in (("criterion", "code"), ("category", "category"), ("level", "level"))
    }
    results, cats, summaries = [], [], []
    eco_now = eco_int = None
    if "enterprise" in judged:
        eco_now = judged["enterprise"]["current_tot"]["eligible"]
        if has_intended:
            eco_int = judged["enterprise"]["intended_tot"]["eligible"]
    for kind in KINDS:
        if kind not in judged:
            continue
        entry = judged[kind]
        ids = subjects[kind].to_numpy()
        n = len(ids)
        plan = plans[kind] > 0
        if kind == "park":
            eco_i = _count_by_park(eco_int, tenant_pos, tenant_known, n)
            extra = {
                "reported": coverage_reported.astype("float64"),
                "population": coverage_population.astype("float64"),
                "eco_enterprise": _unknown_flags(n),
                "eco_enterprise_intended": _unknown_flags(n),
                "eco_enterprises": _count_by_park(eco_now, tenant_pos, tenant_known, n),
                "eco_enterprises_intended": np.where(plan, eco_i, np.nan),
            }
        else:
            extra = {
                "reported": np.full(n, np.nan),
                "population": np.full(n, np.nan),
                "eco_enterprises": np.full(n, np.nan),
                "eco_enterprises_intended": np.full(n, np.nan),
            }
        extra["intended_values"] = plans[kind]
        extra["has_result"] = has_result[kind]
        r, cg, s = _frames(kind, ids, entry, plan, has_intended, universe, extra)
        results.append(r)
        cats.append(cg)
        summaries.append(s)

    return ScoreResult(
        results=_concat(results, RESULT_COLUMNS),
        categories=_concat(cats, CATEGORY_COLUMNS),
        summary=_concat(summaries, SUMMARY_COLUMNS),
    )


CATEGORY_COLUMNS = [
    "kind",
    "subject",
    "category",
    "met",
    "applicable",
    "share",
    "met_intended",
    "applicable_intended",
    "share_intended",
    "improvement",
]
SUMMARY_COLUMNS = [
    "kind",
    "subject",
    "criteria_met",
    "criteria_applicable",
    "mandatory_met",
    "mandatory_total",
    "index",
    "eligible",
    "eco_enterprise",
    "eco_enterprises",
    "reported",
    "population",
    "intended_values",
    "criteria_met_intended",
    "criteria_applicable_intended",
    "mandatory_met_intended",
    "mandatory_total_intended",
    "index_intended",
    "eligible_intended",
    "eco_enterprise_intended",
    "eco_enterprises_intended",
    "index_improvement",
    "has_result",
]


def _without_result(totals: dict, has_result: np.ndarray) -> dict:
    """``totals`` of :func:`_aggregate` with no index (NaN) and no eligibility for the
    subjects without a result (``has_result`` False): a subject that did not report is not
    "index 0, not eligible"."""
    totals["index"] = np.where(has_result, totals["index"], np.nan)
    totals["eligible"] = totals["eligible"] & has_result
    return totals


def _count_by_park(flags, tenant_pos, tenant_known, n_parks) -> np.ndarray:
    if flags is None:
        return np.full(n_parks, np.nan) if n_parks else np.zeros(0)
    return np.bincount(
        tenant_pos[tenant_known], weights=flags[tenant_known].astype("float64"), minlength=n_parks
    )


_STATE_TYPE = pd.CategoricalDtype(list(STATES))
_KIND_TYPE = pd.CategoricalDtype(list(KINDS))


def _states(codes: np.ndarray, mask: np.ndarray | None = None) -> pd.Categorical:
    codes = codes.astype(np.int8)
    if mask is not None:
        codes = np.where(mask, codes, -1)
    return pd.Categorical.from_codes(codes, dtype=_STATE_TYPE)


def _masked(values: np.ndarray, mask: np.ndarray) -> np.ndarray:
    return np.where(mask, values, np.nan)


def _tiled(values, universe: pd.CategoricalDtype, n: int) -> pd.Categorical:
    """``values`` repeated ``n`` times as a categorical of type ``universe`` (cheap to build,
    to compare and to map; the same categories for both kinds, so concatenation keeps them)."""
    codes = universe.categories.get_indexer(np.asarray(values, dtype=object))
    return pd.Categorical.from_codes(np.tile(codes, n), dtype=universe)


def _kind_column(kind: str, length: int) -> pd.Categorical:
    return pd.Categorical.from_codes(
        np.full(length, KINDS.index(kind), dtype=np.int8), dtype=_KIND_TYPE
    )


def _unknown_flags(n: int) -> pd.arrays.BooleanArray:
    return pd.arrays.BooleanArray(np.zeros(n, dtype=bool), np.ones(n, dtype=bool))


def _frames(kind, ids, entry, plan, has_intended, universe, extra):
    """Columns of one kind's long frames (results, categories, summary) from its judged
    matrices, as dicts of arrays: :func:`_concat` stacks the kinds and builds each frame once
    (adding columns one by one to a frame costs more than the frame). ``extra``: further
    summary columns."""
    crit = entry["crit"]
    cur, tot = entry["current"], entry["current_tot"]
    n, c = cur["state"].shape
    categories = entry["categories"]
    k = len(categories)
    value = cur["value"].ravel()
    share = tot["share"].ravel()
    results = {
        "kind": _kind_column(kind, n * c),
        "subject": np.repeat(ids, c),
        "criterion": _tiled(crit["code"], universe["criterion"], n),
        "category": _tiled(crit["category"], universe["category"], n),
        "level": _tiled(crit["level"], universe["level"], n),
        "weight": np.tile(crit["weight"].to_numpy(dtype="float64"), n),
        "state": _states(cur["state"].ravel()),
        "value": value,
        "gap": cur["gap"].ravel(),
        "reported": cur["reported"].ravel(),
        "population": cur["population"].ravel(),
        "numerator": cur["numerator"].ravel(),
        "denominator": cur["denominator"].ravel(),
    }
    cats = {
        "kind": _kind_column(kind, n * k),
        "subject": np.repeat(ids, k),
        "category": _tiled(categories, universe["category"], n),
        "met": tot["cat_met"].ravel(),
        "applicable": tot["cat_applicable"].ravel(),
        "share": share,
    }
    summary = {
        "kind": _kind_column(kind, n),
        "subject": ids,
        "criteria_met": tot["criteria_met"],
        "criteria_applicable": tot["criteria_applicable"],
        "mandatory_met": tot["mandatory_met"],
        "mandatory_total": tot["mandatory_total"],
        "index": tot["index"],
        "eligible": tot["eligible"].astype(bool),
    }
    totals = ("criteria_met", "criteria_applicable", "mandatory_met", "mandatory_total")
    if has_intended:
        ints, itot = entry["intended"], entry["intended_tot"]
        row_plan = np.repeat(plan, c)
        cat_plan = np.repeat(plan, k)
        results["state_intended"] = _states(ints["state"].ravel(), row_plan)
        results["value_intended"] = _masked(ints["value"].ravel(), row_plan)
        results["gap_intended"] = _masked(ints["gap"].ravel(), row_plan)
        cats["met_intended"] = _masked(itot["cat_met"].ravel().astype("float64"), cat_plan)
        cats["applicable_intended"] = _masked(
            itot["cat_applicable"].ravel().astype("float64"), cat_plan
        )
        cats["share_intended"] = _masked(itot["share"].ravel(), cat_plan)
        for name in totals:
            summary[f"{name}_intended"] = _masked(itot[name].astype("float64"), plan)
        summary["index_intended"] = _masked(itot["index"], plan)
        summary["eligible_intended"] = pd.arrays.BooleanArray(
            itot["eligible"].astype(bool), ~np.asarray(plan, dtype=bool)
        )
    else:
        results["state_intended"] = _states(np.zeros(n * c), np.zeros(n * c, dtype=bool))
        for name in ("value_intended", "gap_intended"):
            results[name] = np.full(n * c, np.nan)
        for name in ("met_intended", "applicable_intended", "share_intended"):
            cats[name] = np.full(n * k, np.nan)
        for name in totals:
            summary[f"{name}_intended"] = np.full(n, np.nan)
        summary["index_intended"] = np.full(n, np.nan)
        summary["eligible_intended"] = _unknown_flags(n)
    results["improvement"] = results["value_intended"] - value
    cats["improvement"] = cats["share_intended"] - share
    summary["index_improvement"] = summary["index_intended"] - summary["index"]
    summary.update(extra)
    if kind == "enterprise":  # Art. 40(2): an eco-enterprise is an eligible enterprise
        summary["eco_enterprise"] = pd.arrays.BooleanArray(
            summary["eligible"], ~np.asarray(summary["has_result"], dtype=bool)
        )
        summary["eco_enterprise_intended"] = summary["eligible_intended"].copy()
    return results, cats, summary


def _concat(parts: list[dict], columns: list[str]) -> pd.DataFrame:
    """One frame with ``columns`` from the kinds' column dicts (:func:`_frames`), stacked in
    order; categoricals share their categories, so their codes are simply concatenated."""
    parts = [p for p in parts if len(p["subject"])]
    if not parts:
        return pd.DataFrame(columns=columns)
    out = {}
    for column in columns:
        pieces = [p[column] for p in parts]
        first = pieces[0]
        if len(pieces) == 1:
            out[column] = first
        elif isinstance(first, pd.Categorical):
            out[column] = pd.Categorical.from_codes(
                np.concatenate([piece.codes for piece in pieces]), dtype=first.dtype
            )
        elif isinstance(first, pd.arrays.BooleanArray):
            out[column] = pd.arrays.BooleanArray(
                np.concatenate([piece.to_numpy(dtype=bool, na_value=False) for piece in pieces]),
                np.concatenate([piece.isna() for piece in pieces]),
            )
        else:
            out[column] = np.concatenate([np.asarray(piece) for piece in pieces])
    return pd.DataFrame(out, columns=columns)
