"""The scoring engine: pure functions over pandas DataFrames, no ORM (DESIGN.md §4).

Three layers: data element (entered) → indicator (computed by a formula, see
:mod:`indicators.formula`) → criterion (judged). One vectorised pass scores every subject of a
campaign: no Python loop over subjects, no query per enterprise. Loops run over periods (at
most the longest look-back) and over formulas only.

States (``STATES``): ``met``, ``not_met``, ``no_data`` (an input is missing — never "not
met"), ``no_threshold`` (the source gives no threshold, or no testable rule at all).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .formula import Formula, evaluate

MET, NOT_MET, NO_DATA, NO_THRESHOLD = "met", "not_met", "no_data", "no_threshold"
STATES = (MET, NOT_MET, NO_DATA, NO_THRESHOLD)

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


@dataclass
class ScoreResult:
    """Output of :func:`score_campaign`.

    - ``results``: one row per (kind, subject, criterion): ``state``, ``value`` (float, NaN if
      none), ``gap`` (float: threshold − value for ≥/>, value − threshold for ≤/<, |value −
      threshold| for =; NaN when not computable), ``reported``/``population`` (roll-up coverage,
      NaN when the indicator has no roll-up);
    - ``categories``: one row per (kind, subject, category): ``met``, ``applicable`` (weighted
      sums) and ``share`` = met / applicable (NaN when nothing is applicable);
    - ``summary``: one row per (kind, subject): ``index`` 0–100, ``criteria_met``,
      ``criteria_applicable``, ``mandatory_met``, ``mandatory_total``, ``eligible``,
      ``reported`` and ``population`` (for parks: enterprises that reported / enterprises in
      the park; NaN for enterprises).
    """

    results: pd.DataFrame
    categories: pd.DataFrame
    summary: pd.DataFrame


def _wide(
    answers: pd.DataFrame, kind: str, period: int, index: pd.Index, codes: list[str]
) -> pd.DataFrame:
    """Pivot long answers of one kind and period to subject × element (float, NaN missing)."""
    part = answers[(answers["kind"] == kind) & (answers["period"] == period)]
    if part.empty:
        wide = pd.DataFrame(index=index, columns=codes, dtype="float64")
    else:
        wide = part.pivot_table(
            index="subject", columns="element", values="value", aggfunc="last"
        ).astype("float64")
    wide = wide.reindex(index=index, columns=codes)
    wide.index.name = "subject"
    return wide


def _indicator_values(
    *,
    period: int,
    answers: pd.DataFrame,
    reported: pd.DataFrame,
    parks: pd.Index,
    enterprises: pd.DataFrame,
    formulas: dict[str, dict[str, Formula]],
    element_codes: dict[str, list[str]],
) -> pd.DataFrame:
    """Evaluate every indicator for every subject in one period; long frame
    [kind, subject, indicator, value, reported, population]."""
    frames = []
    ent_index = enterprises.index
    ent_wide = _wide(answers, "enterprise", period, ent_index, element_codes["enterprise"])
    rep = reported[(reported["kind"] == "enterprise") & (reported["period"] == period)]
    tenants = ent_wide.copy()
    tenants["park"] = enterprises["park"]
    tenants["reported"] = tenants.index.isin(rep["subject"])
    for kind, values, tenant_frame in (
        ("enterprise", ent_wide, None),
        ("park", _wide(answers, "park", period, parks, element_codes["park"]), tenants),
    ):
        if not formulas.get(kind) or values.index.empty:
            continue
        evaluated = evaluate(formulas[kind], values, tenant_frame)
        for code, frame in evaluated.items():
            f = frame[["value", "reported", "population"]].astype("float64").copy()
            f["indicator"] = code
            f["kind"] = kind
            f.index.name = "subject"
            frames.append(f.reset_index())
    if not frames:
        return pd.DataFrame(
            columns=["subject", "value", "reported", "population", "indicator", "kind"]
        )
    return pd.concat(frames, ignore_index=True)


def _compare(values: pd.Series, operators: pd.Series, thresholds: pd.Series) -> np.ndarray:
    """Element-wise ``value <op> threshold`` for a column of operators."""
    v = values.to_numpy(dtype="float64")
    t = thresholds.to_numpy(dtype="float64")
    op = operators.to_numpy(dtype=object)
    return np.select(
        [op == ">=", op == ">", op == "<=", op == "<", op == "="],
        [v >= t, v > t, v <= t, v < t, np.isclose(v, t)],
        default=False,
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
    """Score every park in ``parks`` and every enterprise in ``enterprises`` for ``period``.

    Inputs (shapes):

    - ``criteria``: one row per criterion, columns :data:`CRITERIA_COLUMNS`; ``applies_to`` is
      ``park`` or ``enterprise`` (rows for other subjects are ignored); ``threshold`` float or
      NaN; ``weight`` float > 0.
    - ``formulas``: ``{"park": {indicator code: Formula}, "enterprise": {...}}`` already checked.
    - ``element_codes``: ``{"park": [...], "enterprise": [...]}`` every data element code.
    - ``answers``: long frame [kind, subject, period, element, value] of scored responses only,
      values as float in canonical units (yes = 1.0, no = 0.0), for ``period`` and the periods a
      look-back needs.
    - ``reported``: [kind, subject, period], one row per scored response (a response counts as
      reported even when it has no answers).
    - ``parks``: index of park ids; ``enterprises``: index enterprise id, column ``park``.

    Look-back criteria read ``period`` and the ``lookback_years - 1`` periods before it: met when
    yes in all of them, not met when any is no, otherwise no data.
    """
    crit = criteria[criteria["applies_to"].isin(["park", "enterprise"])].copy()
    crit["threshold"] = pd.to_numeric(crit["threshold"], errors="coerce").astype("float64")
    crit["weight"] = crit["weight"].astype("float64")
    crit["lookback_years"] = pd.to_numeric(crit["lookback_years"], errors="coerce").fillna(1)
    longest = int(crit["lookback_years"].max()) if not crit.empty else 1
    periods = [period - k for k in range(longest)]

    per_period = []
    for p in periods:
        vals = _indicator_values(
            period=p,
            answers=answers,
            reported=reported,
            parks=parks,
            enterprises=enterprises,
            formulas=formulas,
            element_codes=element_codes,
        )
        vals["period"] = p
        per_period.append(vals)
    ind = pd.concat(per_period, ignore_index=True)

    subjects = pd.concat(
        [
            pd.DataFrame({"kind": "park", "subject": parks.to_numpy()}),
            pd.DataFrame({"kind": "enterprise", "subject": enterprises.index.to_numpy()}),
        ],
        ignore_index=True,
    )
    grid = subjects.merge(crit, left_on="kind", right_on="applies_to", how="inner")
    current = ind[ind["period"] == period].drop(columns="period")
    grid = grid.merge(current, on=["kind", "subject", "indicator"], how="left")

    value = grid["value"]
    has_value = value.notna()
    rule = grid["rule"]
    state = pd.Series(NO_THRESHOLD, index=grid.index, dtype=object)

    yes_no = rule == "yes_no"
    state[yes_no & ~has_value] = NO_DATA
    state[yes_no & has_value] = np.where(value[yes_no & has_value] >= 0.5, MET, NOT_MET)

    cmp = rule.isin(["compare", "count"]) & grid["threshold"].notna()
    state[cmp & ~has_value] = NO_DATA
    ok = cmp & has_value
    passed = _compare(value[ok], grid.loc[ok, "operator"], grid.loc[ok, "threshold"])
    state[ok] = np.where(passed, MET, NOT_MET)

    gap = pd.Series(np.nan, index=grid.index)
    ge = ok & grid["operator"].isin([">=", ">"])
    le = ok & grid["operator"].isin(["<=", "<"])
    eq = ok & (grid["operator"] == "=")
    gap[ge] = grid.loc[ge, "threshold"] - value[ge]
    gap[le] = value[le] - grid.loc[le, "threshold"]
    gap[eq] = (value[eq] - grid.loc[eq, "threshold"]).abs()

    lb = rule == "lookback"
    if lb.any():
        window = grid.loc[lb, ["kind", "subject", "code", "indicator", "lookback_years"]].merge(
            ind, on=["kind", "subject", "indicator"], how="left"
        )
        window = window[window["period"] > period - window["lookback_years"]]
        agg = (
            window.assign(yes=window["value"] >= 0.5, no=window["value"] < 0.5)
            .groupby(["kind", "subject", "code"], sort=False)
            .agg(yes=("yes", "sum"), no=("no", "sum"))
        )
        keyed = grid.loc[lb, ["kind", "subject", "code", "lookback_years"]].join(
            agg, on=["kind", "subject", "code"]
        )
        keyed[["yes", "no"]] = keyed[["yes", "no"]].fillna(0)
        state[lb] = np.select(
            [keyed["no"] > 0, keyed["yes"] >= keyed["lookback_years"]],
            [NOT_MET, MET],
            default=NO_DATA,
        )

    grid["state"] = state
    grid["gap"] = gap
    results = grid[
        [
            "kind",
            "subject",
            "code",
            "category",
            "level",
            "weight",
            "state",
            "value",
            "gap",
            "reported",
            "population",
        ]
    ].rename(columns={"code": "criterion"})

    applicable = results["state"] != NO_THRESHOLD
    met = results["state"] == MET
    scored = results.assign(
        met_w=np.where(met, results["weight"], 0.0),
        app_w=np.where(applicable, results["weight"], 0.0),
        met_n=met.astype(int),
        app_n=applicable.astype(int),
        mand_met=(met & (results["level"] == "mandatory")).astype(int),
        mand_total=(applicable & (results["level"] == "mandatory")).astype(int),
    )
    categories = (
        scored.groupby(["kind", "subject", "category"], sort=False)
        .agg(
            met=("met_n", "sum"),
            applicable=("app_n", "sum"),
            met_w=("met_w", "sum"),
            app_w=("app_w", "sum"),
        )
        .reset_index()
    )
    categories["share"] = categories["met_w"] / categories["app_w"].where(categories["app_w"] > 0)
    categories = categories.drop(columns=["met_w", "app_w"])

    summary = (
        scored.groupby(["kind", "subject"], sort=False)
        .agg(
            criteria_met=("met_n", "sum"),
            criteria_applicable=("app_n", "sum"),
            met_w=("met_w", "sum"),
            app_w=("app_w", "sum"),
            mandatory_met=("mand_met", "sum"),
            mandatory_total=("mand_total", "sum"),
        )
        .reset_index()
    )
    summary["index"] = 100.0 * summary["met_w"] / summary["app_w"].where(summary["app_w"] > 0)
    summary["eligible"] = (summary["mandatory_total"] > 0) & (
        summary["mandatory_met"] == summary["mandatory_total"]
    )
    summary = summary.drop(columns=["met_w", "app_w"])

    rep_now = reported[(reported["kind"] == "enterprise") & (reported["period"] == period)]
    ent = enterprises.assign(reported=enterprises.index.isin(rep_now["subject"]))
    coverage = ent.groupby("park").agg(
        reported=("reported", "sum"), population=("reported", "size")
    )
    coverage = coverage.reindex(parks, fill_value=0)
    summary = summary.merge(
        coverage.rename_axis("subject").reset_index().assign(kind="park"),
        on=["kind", "subject"],
        how="left",
    )
    return ScoreResult(
        results=results.reset_index(drop=True), categories=categories, summary=summary
    )
