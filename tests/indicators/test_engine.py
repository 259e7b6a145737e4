"""Hand-worked cases for the scoring engine (pure pandas, no database)."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from indicators.engine import CRITERIA_COLUMNS, score_campaign
from indicators.formula import check_formulas

PARK_TYPES = {
    "symbioses_operating": "number",
    "recp_share_pct": "number",
    "developer_compliant": "boolean",
}
ENT_TYPES = {"recp_verified": "boolean", "recp_savings_vnd": "number"}


def criteria(*rows):
    return pd.DataFrame([dict(zip(CRITERIA_COLUMNS, r, strict=True)) for r in rows])


CRITERIA = criteria(
    # code, category, applies_to, level, rule, operator, threshold, lookback, weight, indicator
    ("E2", "ENT", "park", "mandatory", "count", ">=", 1.0, None, 1.0, "i_sym"),
    ("E4", "ENT", "park", "mandatory", "compare", ">=", 20.0, None, 1.0, "i_share"),
    ("ROLL", "ENV", "park", "performance", "compare", ">=", 20.0, None, 1.0, "i_roll"),
    ("I1", "DEV", "park", "mandatory", "lookback", None, None, 3, 1.0, "i_comp"),
    ("ENV1", "ENV", "park", "performance", "compare", ">=", None, None, 1.0, "i_sym"),
)
FORMULAS = {
    "park": check_formulas(
        {
            "i_sym": "symbioses_operating",
            "i_share": "recp_share_pct",
            "i_roll": "100 * share(recp_verified and recp_savings_vnd > 0)",
            "i_comp": "developer_compliant",
        },
        element_types=PARK_TYPES,
        tenant_element_types=ENT_TYPES,
    ),
    "enterprise": {},
}
CODES = {"park": sorted(PARK_TYPES), "enterprise": sorted(ENT_TYPES)}


def run(answers, *, parks=(1,), enterprises=None, reported=None, period=2025):
    answers = pd.DataFrame(answers, columns=["kind", "subject", "period", "element", "value"])
    if enterprises is None:
        enterprises = pd.DataFrame({"park": []}, index=pd.Index([], name="enterprise"))
    if reported is None:
        reported = pd.DataFrame(columns=["kind", "subject", "period"])
    result = score_campaign(
        criteria=CRITERIA,
        formulas=FORMULAS,
        element_codes=CODES,
        answers=answers,
        reported=reported,
        parks=pd.Index(list(parks)),
        enterprises=enterprises,
        period=period,
    )
    return result


def state(result, code, subject=1, kind="park"):
    r = result.results
    row = r[(r["kind"] == kind) & (r["subject"] == subject) & (r["criterion"] == code)]
    assert len(row) == 1
    return row.iloc[0]


@pytest.mark.parametrize(
    ("count", "expected"), [(0, "not_met"), (1, "met"), (2, "met"), (None, "no_data")]
)
def test_vn35_eip_e2_needs_one_operating_symbiosis(count, expected):
    answers = [] if count is None else [("park", 1, 2025, "symbioses_operating", float(count))]
    assert state(run(answers), "E2")["state"] == expected


@pytest.mark.parametrize(
    ("share", "expected"), [(19.0, "not_met"), (20.0, "met"), (19.99, "not_met")]
)
def test_share_of_19_percent_fails_a_20_percent_criterion_and_20_meets_it(share, expected):
    row = state(run([("park", 1, 2025, "recp_share_pct", share)]), "E4")
    assert row["state"] == expected
    assert row["gap"] == pytest.approx(20.0 - share)


def test_criterion_without_threshold_is_no_threshold_set_even_with_a_value():
    row = state(run([("park", 1, 2025, "symbioses_operating", 3.0)]), "ENV1")
    assert row["state"] == "no_threshold"
    assert row["value"] == 3.0


def test_look_back_needs_three_years_of_yes():
    years = [("park", 1, y, "developer_compliant", 1.0) for y in (2023, 2024, 2025)]
    assert state(run(years), "I1")["state"] == "met"
    # one year missing: no data, not "not met"
    assert state(run(years[1:]), "I1")["state"] == "no_data"
    # a "no" in the window: not met
    broken = [("park", 1, 2023, "developer_compliant", 0.0)] + years[1:]
    assert state(run(broken), "I1")["state"] == "not_met"
    # a "no" before the window does not count
    older = [("park", 1, 2022, "developer_compliant", 0.0)] + years
    assert state(run(older), "I1")["state"] == "met"


def test_roll_up_with_partial_coverage_three_of_five_reported():
    # 5 enterprises in park 1; 10, 11, 12 reported; only 10 has verified RECP with savings
    enterprises = pd.DataFrame({"park": [1, 1, 1, 1, 1]}, index=pd.Index([10, 11, 12, 13, 14]))
    reported = pd.DataFrame(
        [("enterprise", e, 2025) for e in (10, 11, 12)], columns=["kind", "subject", "period"]
    )
    answers = [
        ("enterprise", 10, 2025, "recp_verified", 1.0),
        ("enterprise", 10, 2025, "recp_savings_vnd", 5e6),
        ("enterprise", 11, 2025, "recp_verified", 1.0),  # savings missing: not counted
        ("enterprise", 11, 2025, "recp_savings_vnd", 0.0),
        ("enterprise", 12, 2025, "recp_verified", 0.0),
    ]
    result = run(answers, enterprises=enterprises, reported=reported)
    row = state(result, "ROLL")
    assert row["value"] == pytest.approx(100 / 3)
    assert row["state"] == "met"  # 33.3 % ≥ 20 %
    assert (row["reported"], row["population"]) == (3, 5)
    summary = result.summary.set_index(["kind", "subject"]).loc[("park", 1)]
    assert (summary["reported"], summary["population"]) == (3, 5)


def test_category_share_index_and_eligibility_worked_by_hand():
    answers = [
        ("park", 1, 2025, "symbioses_operating", 1.0),  # E2 met, ENV1 no threshold
        ("park", 1, 2025, "recp_share_pct", 10.0),  # E4 not met
    ]
    result = run(answers)
    cats = result.categories.set_index("category")
    # ENT: E2 met, E4 not met → 1/2
    assert (cats.loc["ENT", "met"], cats.loc["ENT", "applicable"]) == (1, 2)
    assert cats.loc["ENT", "share"] == 0.5
    # ENV: ROLL no data (applicable, not met), ENV1 not applicable → 0/1
    assert (cats.loc["ENV", "met"], cats.loc["ENV", "applicable"]) == (0, 1)
    s = result.summary.iloc[0]
    # applicable: E2, E4, ROLL, I1 = 4; met: E2 → index 25
    assert s["criteria_applicable"] == 4
    assert s["index"] == pytest.approx(25.0)
    assert (s["mandatory_met"], s["mandatory_total"]) == (1, 3)
    assert not s["eligible"]


def test_every_mandatory_criterion_met_makes_the_park_eligible_whatever_its_index():
    answers = [
        ("park", 1, 2025, "symbioses_operating", 2.0),
        ("park", 1, 2025, "recp_share_pct", 25.0),
    ] + [("park", 1, y, "developer_compliant", 1.0) for y in (2023, 2024, 2025)]
    s = run(answers).summary.iloc[0]
    assert (s["mandatory_met"], s["mandatory_total"]) == (3, 3)
    assert s["eligible"]
    assert s["index"] == pytest.approx(75.0)  # ROLL (performance) has no data


def test_many_parks_are_scored_in_one_pass():
    answers = [("park", p, 2025, "symbioses_operating", float(p % 2)) for p in range(1, 101)]
    result = run(answers, parks=range(1, 101))
    e2 = result.results[result.results["criterion"] == "E2"].set_index("subject")["state"]
    assert e2.loc[1] == "met" and e2.loc[2] == "not_met"
    assert (e2 == "met").sum() == 50
    assert math.isnan(state(result, "E4", subject=7)["value"])
