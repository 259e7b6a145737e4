"""Hand-worked cases for the scoring engine (pure pandas, no database)."""

from __future__ import annotations

import math

import numpy as np
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
    # every park responded unless the test says otherwise (a subject without a scored
    # response has no result: see the tests of ``has_result``)
    parks_reported = pd.DataFrame({"kind": "park", "subject": list(parks), "period": period})
    reported = pd.concat([parks_reported, reported], ignore_index=True)
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


def row_of(result, code, subject=1, kind="park"):
    """The one result row of criterion ``code`` for ``subject`` (a park, or an enterprise)."""
    r = result.results
    row = r[(r["kind"] == kind) & (r["subject"] == subject) & (r["criterion"] == code)]
    assert len(row) == 1
    return row.iloc[0]


@pytest.mark.parametrize(
    ("count", "expected"), [(0, "not_met"), (1, "met"), (2, "met"), (None, "no_data")]
)
def test_vn35_eip_e2_needs_one_operating_symbiosis(count, expected):
    answers = [] if count is None else [("park", 1, 2025, "symbioses_operating", float(count))]
    assert row_of(run(answers), "E2")["state"] == expected


@pytest.mark.parametrize(
    ("share", "expected"), [(19.0, "not_met"), (20.0, "met"), (19.99, "not_met")]
)
def test_share_of_19_percent_fails_a_20_percent_criterion_and_20_meets_it(share, expected):
    row = row_of(run([("park", 1, 2025, "recp_share_pct", share)]), "E4")
    assert row["state"] == expected
    assert row["gap"] == pytest.approx(20.0 - share)


def test_criterion_without_threshold_is_no_threshold_set_even_with_a_value():
    row = row_of(run([("park", 1, 2025, "symbioses_operating", 3.0)]), "ENV1")
    assert row["state"] == "no_threshold"
    assert row["value"] == 3.0


def test_look_back_needs_three_years_of_yes():
    years = [("park", 1, y, "developer_compliant", 1.0) for y in (2023, 2024, 2025)]
    assert row_of(run(years), "I1")["state"] == "met"
    # one year missing: no data, not "not met"
    assert row_of(run(years[1:]), "I1")["state"] == "no_data"
    # a "no" in the window: not met
    broken = [("park", 1, 2023, "developer_compliant", 0.0)] + years[1:]
    assert row_of(run(broken), "I1")["state"] == "not_met"
    # a "no" before the window does not count
    older = [("park", 1, 2022, "developer_compliant", 0.0)] + years
    assert row_of(run(older), "I1")["state"] == "met"


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
    row = row_of(result, "ROLL")
    assert row["value"] == pytest.approx(100 / 3)
    assert row["state"] == "met"  # 33.3 % ≥ 20 %
    assert (row["reported"], row["population"]) == (3, 5)
    summary = result.summary.set_index(["kind", "subject"]).loc[("park", 1)]
    assert (summary["reported"], summary["population"]) == (3, 5)


def test_a_park_that_did_not_report_has_no_index_and_is_never_eligible():
    # park 1 reported one operating symbiosis; park 2 has no scored response
    answers = [("park", 1, 2025, "symbioses_operating", 1.0)]
    result = score_campaign(
        criteria=CRITERIA,
        formulas=FORMULAS,
        element_codes=CODES,
        answers=pd.DataFrame(answers, columns=["kind", "subject", "period", "element", "value"]),
        reported=pd.DataFrame([("park", 1, 2025)], columns=["kind", "subject", "period"]),
        parks=pd.Index([1, 2]),
        enterprises=pd.DataFrame({"park": []}, index=pd.Index([], name="enterprise")),
        period=2025,
    )
    s = result.summary.set_index("subject")
    assert bool(s.loc[1, "has_result"]) and s.loc[1, "index"] > 0
    assert not s.loc[2, "has_result"]
    assert np.isnan(s.loc[2, "index"]) and not s.loc[2, "eligible"]  # not "index 0"
    assert row_of(result, "E2", subject=2)["state"] == "no_data"


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
    assert math.isnan(row_of(result, "E4", subject=7)["value"])


# --- every rule kind, weights, intended values, eco-enterprises ------------------

ENT_ELEMENTS = {
    "located": "boolean",
    "compliant": "boolean",
    "recp": "boolean",
    "energy_mwh": "number",
    "emissions_t": "number",
}
PARK_ELEMENTS = {"sym": "number", "plan": "boolean", "ratio": "number"}


def score(rows, answers, *, parks=(1,), enterprises=None, reported=None, scenario_rows=()):
    """Score hand-written criteria rows; ``scenario_rows`` are intended answers."""
    crit = criteria(*rows)
    formulas = {
        "park": check_formulas(
            {
                "p_sym": "sym",
                "p_plan": "plan",
                "p_ratio": "ratio",
                "p_recp": "100 * share(recp)",
                "p_energy": "sum(energy_mwh)",
            },
            element_types=PARK_ELEMENTS,
            tenant_element_types=ENT_ELEMENTS,
        ),
        "enterprise": check_formulas(
            {
                "e_located": "located",
                "e_compliant": "compliant",
                "e_recp": "recp",
                "e_intensity": "emissions_t / energy_mwh",
            },
            element_types=ENT_ELEMENTS,
        ),
    }
    frame = pd.DataFrame(answers, columns=["kind", "subject", "period", "element", "value"])
    frame["scenario"] = "current"
    if scenario_rows:
        extra = pd.DataFrame(
            scenario_rows, columns=["kind", "subject", "period", "element", "value"]
        )
        extra["scenario"] = "intended"
        frame = pd.concat([frame, extra], ignore_index=True)
    if enterprises is None:
        enterprises = pd.DataFrame({"park": []}, index=pd.Index([], name="enterprise"))
    if reported is None:  # every enterprise responded
        reported = pd.DataFrame(
            {"kind": "enterprise", "subject": enterprises.index.to_list(), "period": 2025}
        )
    # every park responded (a subject without a scored response has no result)
    parks_reported = pd.DataFrame({"kind": "park", "subject": list(parks), "period": 2025})
    reported = pd.concat([parks_reported, reported], ignore_index=True)
    return score_campaign(
        criteria=crit,
        formulas=formulas,
        element_codes={"park": sorted(PARK_ELEMENTS), "enterprise": sorted(ENT_ELEMENTS)},
        answers=frame,
        reported=reported,
        parks=pd.Index(list(parks)),
        enterprises=enterprises,
        period=2025,
    )


@pytest.mark.parametrize(
    ("operator", "value", "expected", "gap"),
    [
        (">=", 2.0, "met", 0.0),
        (">", 2.0, "not_met", 0.0),
        (">", 2.5, "met", -0.5),
        ("<=", 2.0, "met", 0.0),
        ("<=", 3.0, "not_met", 1.0),
        ("<", 2.0, "not_met", 0.0),
        ("<", 1.5, "met", -0.5),
        ("=", 2.0, "met", 0.0),
        ("=", 3.5, "not_met", 1.5),
    ],
)
def test_every_comparison_operator_against_a_threshold_of_2(operator, value, expected, gap):
    rows = [("C", "ENV", "park", "performance", "compare", operator, 2.0, None, 1.0, "p_ratio")]
    row = row_of(score(rows, [("park", 1, 2025, "ratio", value)]), "C")
    assert row["state"] == expected
    assert row["gap"] == pytest.approx(gap)


def test_yes_no_rule_and_rule_without_test_and_missing_answer():
    rows = [
        ("Y", "PM", "park", "mandatory", "yes_no", None, None, None, 1.0, "p_plan"),
        ("N", "PM", "park", "performance", "none", None, None, None, 1.0, None),
        ("C", "PM", "park", "performance", "count", ">=", 1.0, None, 1.0, "p_sym"),
    ]
    yes = score(rows, [("park", 1, 2025, "plan", 1.0)])
    assert row_of(yes, "Y")["state"] == "met"
    assert row_of(yes, "N")["state"] == "no_threshold"
    assert row_of(yes, "C")["state"] == "no_data"  # no answer is never "not met"
    no = score(rows, [("park", 1, 2025, "plan", 0.0), ("park", 1, 2025, "sym", 0.0)])
    assert row_of(no, "Y")["state"] == "not_met"
    assert row_of(no, "C")["state"] == "not_met"
    assert row_of(no, "C")["gap"] == 1.0


def test_weighted_category_share_and_index_worked_by_hand():
    # ENV: A (weight 3) met, B (weight 1) not met → 3/4; PM: C (weight 2) not met → 0/2
    rows = [
        ("A", "ENV", "park", "performance", "yes_no", None, None, None, 3.0, "p_plan"),
        ("B", "ENV", "park", "performance", "compare", ">=", 5.0, None, 1.0, "p_sym"),
        ("C", "PM", "park", "mandatory", "compare", "<=", 1.0, None, 2.0, "p_ratio"),
    ]
    result = score(
        rows,
        [
            ("park", 1, 2025, "plan", 1.0),
            ("park", 1, 2025, "sym", 4.0),
            ("park", 1, 2025, "ratio", 3.0),
        ],
    )
    cats = result.categories.set_index("category")
    assert cats.loc["ENV", "share"] == pytest.approx(0.75)
    assert (cats.loc["ENV", "met"], cats.loc["ENV", "applicable"]) == (1, 2)
    assert cats.loc["PM", "share"] == 0.0
    s = result.summary.iloc[0]
    assert s["index"] == pytest.approx(100 * 3 / 6)  # weighted: 3 met of 3 + 1 + 2
    assert (s["criteria_met"], s["criteria_applicable"]) == (1, 3)
    assert not s["eligible"]


def test_intended_values_score_the_same_rules_and_give_the_improvement_potential():
    rows = [
        ("A", "ENV", "park", "performance", "yes_no", None, None, None, 1.0, "p_plan"),
        ("B", "ENV", "park", "mandatory", "compare", ">=", 2.0, None, 1.0, "p_sym"),
        ("C", "PM", "park", "performance", "compare", "<=", 1.0, None, 1.0, "p_ratio"),
    ]
    current = [
        ("park", 1, 2025, "plan", 0.0),
        ("park", 1, 2025, "sym", 1.0),
        ("park", 1, 2025, "ratio", 0.5),
        ("park", 2, 2025, "sym", 3.0),
    ]
    # park 1 plans: the plan (A) and 3 symbioses (B); C has no intended value: kept at 0.5
    intended = [("park", 1, 2025, "plan", 1.0), ("park", 1, 2025, "sym", 3.0)]
    result = score(rows, current, parks=(1, 2), scenario_rows=intended)
    b = row_of(result, "B")
    assert (b["state"], b["state_intended"]) == ("not_met", "met")
    assert (b["value"], b["value_intended"], b["improvement"]) == (1.0, 3.0, 2.0)
    assert (b["gap"], b["gap_intended"]) == (1.0, -1.0)
    c = row_of(result, "C")
    assert (c["state_intended"], c["value_intended"], c["improvement"]) == ("met", 0.5, 0.0)
    cats = result.categories.set_index(["subject", "category"])
    assert cats.loc[(1, "ENV"), "share"] == 0.0
    assert cats.loc[(1, "ENV"), "share_intended"] == 1.0
    assert cats.loc[(1, "ENV"), "improvement"] == 1.0
    s = result.summary.set_index("subject")
    # current: C met of A, B, C → 33.3; intended: all three → 100; potential 66.7 points
    assert s.loc[1, "index"] == pytest.approx(100 / 3)
    assert s.loc[1, "index_intended"] == pytest.approx(100.0)
    assert s.loc[1, "index_improvement"] == pytest.approx(200 / 3)
    assert not s.loc[1, "eligible"] and s.loc[1, "eligible_intended"]
    assert s.loc[1, "intended_values"] == 2
    # park 2 gave no intended value: no intended results at all
    assert s.loc[2, "intended_values"] == 0
    assert math.isnan(s.loc[2, "index_intended"]) and pd.isna(s.loc[2, "eligible_intended"])
    assert pd.isna(row_of(result, "B", subject=2)["state_intended"])


def test_without_any_intended_value_the_intended_columns_are_empty():
    rows = [("B", "ENV", "park", "mandatory", "compare", ">=", 2.0, None, 1.0, "p_sym")]
    result = score(rows, [("park", 1, 2025, "sym", 3.0)])
    row = row_of(result, "B")
    assert pd.isna(row["state_intended"]) and math.isnan(row["improvement"])
    assert result.summary.iloc[0]["intended_values"] == 0


def test_tenants_intended_values_move_the_park_roll_up_and_give_the_park_a_plan():
    rows = [("R", "ENV", "park", "performance", "compare", ">=", 50.0, None, 1.0, "p_recp")]
    enterprises = pd.DataFrame({"park": [1, 1, 1, 1]}, index=pd.Index([10, 11, 12, 13]))
    reported = pd.DataFrame(
        [("enterprise", e, 2025) for e in (10, 11, 12)], columns=["kind", "subject", "period"]
    )
    current = [("enterprise", e, 2025, "recp", v) for e, v in ((10, 1.0), (11, 0.0), (12, 0.0))]
    intended = [("enterprise", 11, 2025, "recp", 1.0)]  # enterprise 11 plans RECP
    result = score(
        rows, current, enterprises=enterprises, reported=reported, scenario_rows=intended
    )
    r = row_of(result, "R")
    # current 1 of 3 reporters → 33.3 % (not met); intended 2 of 3 → 66.7 % (met)
    assert r["value"] == pytest.approx(100 / 3) and r["state"] == "not_met"
    assert r["value_intended"] == pytest.approx(200 / 3) and r["state_intended"] == "met"
    assert r["improvement"] == pytest.approx(100 / 3)
    assert (r["reported"], r["population"]) == (3, 4)
    assert result.summary.iloc[0]["intended_values"] == 1  # its tenant's plan


def test_look_back_with_intended_values_replaces_only_the_campaign_year():
    rows = [("L", "DEV", "enterprise", "mandatory", "lookback", None, None, 3, 1.0, "e_compliant")]
    enterprises = pd.DataFrame({"park": [1]}, index=pd.Index([10]))
    answers = [("enterprise", 10, y, "compliant", 1.0) for y in (2023, 2024)] + [
        ("enterprise", 10, 2025, "compliant", 0.0)
    ]
    result = score(
        rows,
        answers,
        enterprises=enterprises,
        scenario_rows=[("enterprise", 10, 2025, "compliant", 1.0)],
    )
    row = row_of(result, "L", subject=10, kind="enterprise")
    assert (row["state"], row["state_intended"]) == ("not_met", "met")


def test_eco_enterprise_status_needs_every_applicable_mandatory_enterprise_criterion():
    # Decree 35/2022 Art. 40(2): every mandatory eco-enterprise criterion met
    rows = [
        ("E1", "ECO", "enterprise", "mandatory", "yes_no", None, None, None, 1.0, "e_located"),
        ("E2", "ECO", "enterprise", "mandatory", "yes_no", None, None, None, 1.0, "e_recp"),
        ("E3", "ECO", "enterprise", "mandatory", "compare", "<=", None, None, 1.0, "e_intensity"),
        ("P", "ECO", "enterprise", "performance", "compare", "<=", 0.5, None, 1.0, "e_intensity"),
        ("K", "ENT", "park", "mandatory", "count", ">=", 1.0, None, 1.0, "p_sym"),
    ]
    enterprises = pd.DataFrame({"park": [1, 1, 1]}, index=pd.Index([10, 11, 12]))
    answers = [
        ("enterprise", 10, 2025, "located", 1.0),
        ("enterprise", 10, 2025, "recp", 1.0),
        ("enterprise", 10, 2025, "energy_mwh", 10.0),
        ("enterprise", 10, 2025, "emissions_t", 8.0),  # intensity 0.8: performance P not met
        ("enterprise", 11, 2025, "located", 1.0),  # recp missing: no data → not eco
        ("enterprise", 12, 2025, "located", 1.0),
        ("enterprise", 12, 2025, "recp", 0.0),
    ]
    result = score(
        rows,
        answers,
        enterprises=enterprises,
        scenario_rows=[("enterprise", 12, 2025, "recp", 1.0)],
    )
    s = result.summary.set_index(["kind", "subject"])
    # E3 has no threshold in the source: not applicable, so it does not block the status
    assert s.loc[("enterprise", 10), "eco_enterprise"]
    assert (
        s.loc[("enterprise", 10), "mandatory_met"],
        s.loc[("enterprise", 10), "mandatory_total"],
    ) == (2, 2)
    assert not s.loc[("enterprise", 11), "eco_enterprise"]
    assert not s.loc[("enterprise", 12), "eco_enterprise"]
    assert s.loc[("enterprise", 12), "eco_enterprise_intended"]
    assert s.loc[("park", 1), "eco_enterprises"] == 1
    assert s.loc[("park", 1), "eco_enterprises_intended"] == 2
    assert pd.isna(s.loc[("park", 1), "eco_enterprise"])


def test_an_indicator_built_on_another_indicator_sees_its_value():
    formulas = {
        "park": check_formulas(
            {"p_base": "sym", "p_double": "2 * p_base"},
            element_types=PARK_ELEMENTS,
            tenant_element_types=ENT_ELEMENTS,
        ),
        "enterprise": {},
    }
    crit = criteria(
        ("D", "ENV", "park", "performance", "compare", ">=", 4.0, None, 1.0, "p_double")
    )
    result = score_campaign(
        criteria=crit,
        formulas=formulas,
        element_codes={"park": sorted(PARK_ELEMENTS), "enterprise": sorted(ENT_ELEMENTS)},
        answers=pd.DataFrame(
            [("park", 1, 2025, "sym", 2.0)],
            columns=["kind", "subject", "period", "element", "value"],
        ),
        reported=pd.DataFrame(columns=["kind", "subject", "period"]),
        parks=pd.Index([1]),
        enterprises=pd.DataFrame({"park": []}, index=pd.Index([], name="enterprise")),
        period=2025,
    )
    row = result.results.iloc[0]
    assert (row["value"], row["state"]) == (4.0, "met")
