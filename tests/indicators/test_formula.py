"""Tests for the indicator formula language (indicators/formula.py).

Values are worked out by hand in the comments; the property test at the end compares the
vectorised engine with a plain per-subject Python evaluator written here.
"""

import ast
import math
import pickle
from functools import cache

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indicators.formula import (
    Formula,
    FormulaError,
    check_formulas,
    evaluate,
    parse_formula,
)

NAN = float("nan")

PARK_TYPES = {
    "water_m3": "number",
    "water_reused_m3": "number",
    "symbioses_operating": "number",
    "target_share": "number",
    "recp_applied": "boolean",
    "has_ems": "boolean",
}
TENANT_TYPES = {
    "recp_verified": "boolean",
    "recp_applied": "boolean",
    "recp_savings_vnd": "number",
    "energy_saved_mwh": "number",
    "water_m3": "number",
}


def run(source, values, tenants=None, *, element_types=None, tenant_types=None):
    """Check one formula as indicator 'x' and evaluate it; returns its result frame."""
    formulas = check_formulas(
        {"x": source},
        element_types=element_types if element_types is not None else PARK_TYPES,
        tenant_element_types=tenant_types if tenant_types is not None else TENANT_TYPES,
    )
    return evaluate(formulas, values, tenants)["x"]


def values_of(frame):
    return frame["value"].tolist()


def same(actual, expected):
    """Element-wise equality where NaN equals NaN."""
    assert len(actual) == len(expected), (actual, expected)
    for a, e in zip(actual, expected, strict=True):
        if isinstance(e, float) and math.isnan(e):
            assert math.isnan(a), (actual, expected)
        else:
            assert a == pytest.approx(e), (actual, expected)


def numbers(**columns):
    index = pd.Index([f"S{i}" for i in range(len(next(iter(columns.values()))))], name="id")
    return pd.DataFrame({k: pd.Series(v, index=index, dtype="float64") for k, v in columns.items()})


# --------------------------------------------------------------------------------------
# Parks used by the aggregate tests
#
# KCN-A: 5 enterprises, 3 reported (e1, e2, e3).
#   e1 reported, recp_verified True,  savings 2e9  -> cond True
#   e2 reported, recp_verified False, savings NaN  -> False and NaN = False
#   e3 reported, recp_verified False, savings 0    -> False
#   e4 NOT reported, verified True, savings 1e9    -> ignored
#   e5 NOT reported, all NaN                       -> ignored
#   energy_saved_mwh: e1 10, e2 NaN, e3 4, e4 100, e5 7
# KCN-B: 2 enterprises, none reported.
# KCN-C: no enterprises at all.
# A tenant of a park that is not a subject ("KCN-Z") is ignored.
# --------------------------------------------------------------------------------------


@pytest.fixture
def parks():
    return pd.DataFrame(
        {"target_share": [0.3, 0.3, 0.3], "symbioses_operating": [4.0, 1.0, NAN]},
        index=pd.Index(["KCN-A", "KCN-B", "KCN-C"], name="park"),
    )


@pytest.fixture
def tenants():
    return pd.DataFrame(
        {
            "park": ["KCN-A"] * 5 + ["KCN-B"] * 2 + ["KCN-Z"],
            "reported": [True, True, True, False, False, False, False, True],
            "recp_verified": [1.0, 0.0, 0.0, 1.0, NAN, 1.0, 1.0, 1.0],
            "recp_savings_vnd": [2e9, NAN, 0.0, 1e9, NAN, 5.0, 5.0, 5.0],
            "energy_saved_mwh": [10.0, NAN, 4.0, 100.0, 7.0, 1.0, 1.0, 1000.0],
        },
        index=[f"e{i}" for i in range(1, 9)],
    )


# --------------------------------------------------------------------------------------
# Arithmetic
# --------------------------------------------------------------------------------------


def test_arithmetic_follows_usual_precedence():
    values = numbers(water_m3=[6.0, 10.0], water_reused_m3=[3.0, 4.0])
    # 6 + 3*2 = 12 ; 10 + 4*2 = 18
    same(values_of(run("water_m3 + water_reused_m3 * 2", values)), [12.0, 18.0])
    # (6 - 3) / 3 = 1 ; (10 - 4) / 4 = 1.5
    same(values_of(run("(water_m3 - water_reused_m3) / water_reused_m3", values)), [1.0, 1.5])
    # -6 + 1 = -5 ; -10 + 1 = -9
    same(values_of(run("-water_m3 + 1", values)), [-5.0, -9.0])
    # reuse rate in percent: 3/6*100 = 50 ; 4/10*100 = 40
    same(values_of(run("water_reused_m3 / water_m3 * 100", values)), [50.0, 40.0])


def test_arithmetic_with_missing_data_gives_no_data():
    values = numbers(water_m3=[NAN, 5.0], water_reused_m3=[1.0, NAN])
    same(values_of(run("water_m3 + water_reused_m3", values)), [NAN, NAN])
    same(values_of(run("water_m3 * 0", values)), [NAN, 0.0])


def test_division_by_zero_gives_no_data():
    values = numbers(water_m3=[0.0, 0.0, 4.0], water_reused_m3=[3.0, 0.0, 2.0])
    # 3/0 -> NaN, 0/0 -> NaN, 2/4 = 0.5 ; never inf, never an error
    result = run("water_reused_m3 / water_m3", values)
    same(values_of(result), [NAN, NAN, 0.5])
    assert not np.isinf(result["value"]).any()


def test_overflow_gives_no_data_rather_than_infinity():
    values = numbers(water_m3=[1e308])
    same(values_of(run("water_m3 * 10", values)), [NAN])


def test_literal_only_formula_is_broadcast_to_every_subject():
    values = numbers(water_m3=[1.0, 2.0, 3.0])
    same(values_of(run("2.5 * 2", values)), [5.0, 5.0, 5.0])


def test_code_with_no_column_is_no_data():
    values = numbers(water_m3=[1.0, 2.0])
    same(values_of(run("water_reused_m3 + 1", values)), [NAN, NAN])


# --------------------------------------------------------------------------------------
# Kleene logic and comparisons
# --------------------------------------------------------------------------------------

T, F, N = 1.0, 0.0, NAN
P = [T, T, T, F, F, F, N, N, N]
Q = [T, F, N, T, F, N, T, F, N]


def kleene():
    return pd.DataFrame(
        {"recp_applied": P, "has_ems": Q}, index=pd.RangeIndex(9, name="id"), dtype="float64"
    )


def test_and_is_kleene():
    same(values_of(run("recp_applied and has_ems", kleene())), [T, F, N, F, F, F, N, F, N])


def test_or_is_kleene():
    same(values_of(run("recp_applied or has_ems", kleene())), [T, T, T, T, F, N, T, N, N])


def test_not_keeps_no_data():
    same(values_of(run("not recp_applied", kleene())), [F, F, F, T, T, T, N, N, N])


def test_false_and_no_data_is_false_even_in_longer_chains():
    values = kleene()
    # p and q and False -> always False; p or q or True -> always True
    same(values_of(run("recp_applied and has_ems and False", values)), [F] * 9)
    same(values_of(run("recp_applied or has_ems or True", values)), [T] * 9)


def test_comparisons_give_booleans_and_no_data_on_missing():
    values = numbers(symbioses_operating=[1.0, 2.0, 3.0, NAN])
    same(values_of(run("symbioses_operating >= 2", values)), [F, T, T, N])
    same(values_of(run("symbioses_operating < 2", values)), [T, F, F, N])
    same(values_of(run("symbioses_operating == 2", values)), [F, T, F, N])
    same(values_of(run("symbioses_operating != 2", values)), [T, F, T, N])
    same(values_of(run("symbioses_operating > 2", values)), [F, F, T, N])
    same(values_of(run("symbioses_operating <= 2", values)), [T, T, F, N])


def test_chained_comparison_is_a_kleene_and():
    values = numbers(symbioses_operating=[1.0, 2.0, 5.0, NAN], water_m3=[NAN, 3.0, NAN, 1.0])
    same(values_of(run("1 < symbioses_operating <= 4", values)), [F, T, F, N])
    # 0 < 1 < NaN -> True and NaN = NaN ; 0 < 2 < 3 True ; 0 < 5 < NaN NaN ; NaN -> NaN
    same(values_of(run("0 < symbioses_operating < water_m3", values)), [N, T, N, N])
    # 3 < sym fails first for rows 0 and 1 -> False even though water is NaN in row 0
    same(values_of(run("3 < symbioses_operating < water_m3", values)), [F, F, N, N])


def test_booleans_can_be_compared_for_equality():
    same(values_of(run("recp_applied == has_ems", kleene())), [T, F, N, F, T, N, N, N, N])
    same(values_of(run("recp_applied != True", kleene())), [F, F, F, T, T, T, N, N, N])


def test_boolean_columns_of_bool_and_nullable_dtypes_are_read_as_numbers():
    values = pd.DataFrame(
        {
            "recp_applied": pd.Series([True, False, None], dtype="boolean"),
            "has_ems": [True, True, False],
        }
    )
    same(values_of(run("recp_applied and has_ems", values)), [T, F, F])
    same(values_of(run("recp_applied or has_ems", values)), [T, T, N])


# --------------------------------------------------------------------------------------
# Aggregates and coverage
# --------------------------------------------------------------------------------------


def test_share_of_verified_recp_with_savings_is_one_third_with_sixty_percent_coverage(
    parks, tenants
):
    result = run("share(recp_verified and recp_savings_vnd > 0)", parks, tenants)
    assert result.loc["KCN-A", "value"] == pytest.approx(1 / 3)
    assert result.loc["KCN-A", "reported"] == 3
    assert result.loc["KCN-A", "population"] == 5
    coverage = result.loc["KCN-A", "reported"] / result.loc["KCN-A", "population"]
    assert coverage == pytest.approx(0.60)


def test_park_with_no_reporters_has_no_data_and_zero_reported(parks, tenants):
    for source in ("share(recp_verified)", "count(recp_verified)", "sum(energy_saved_mwh)"):
        result = run(source, parks, tenants)
        assert math.isnan(result.loc["KCN-B", "value"]), source
        assert result.loc["KCN-B", "reported"] == 0
        assert result.loc["KCN-B", "population"] == 2
        # KCN-C has no tenants at all
        assert math.isnan(result.loc["KCN-C", "value"]), source
        assert result.loc["KCN-C", "reported"] == 0
        assert result.loc["KCN-C", "population"] == 0


def test_result_is_indexed_like_values_with_float_columns(parks, tenants):
    result = run("count(recp_verified)", parks, tenants)
    assert list(result.index) == ["KCN-A", "KCN-B", "KCN-C"]
    assert list(result.columns) == ["value", "reported", "population"]
    assert all(str(dtype) == "float64" for dtype in result.dtypes)


def test_share_leaves_reporters_with_unknown_condition_out_of_both_counts(parks, tenants):
    # energy > 5: e1 10 True, e2 NaN (excluded), e3 4 False -> 1/2
    result = run("share(energy_saved_mwh > 5)", parks, tenants)
    assert result.loc["KCN-A", "value"] == pytest.approx(0.5)


def test_share_with_where_counts_only_rows_where_the_filter_is_true(parks, tenants):
    # not verified: e2 (cond NaN, excluded), e3 (4 > 5 False) -> 0/1 = 0
    result = run("share(energy_saved_mwh > 5, where=not recp_verified)", parks, tenants)
    assert result.loc["KCN-A", "value"] == 0.0
    # verified: e1 only (10 > 5) -> 1/1
    result = run("share(energy_saved_mwh > 5, where=recp_verified)", parks, tenants)
    assert result.loc["KCN-A", "value"] == 1.0


def test_share_with_nothing_to_count_is_no_data(parks, tenants):
    # where filter true for no reporter -> denominator 0 -> NaN
    result = run("share(recp_verified, where=energy_saved_mwh > 1000)", parks, tenants)
    assert math.isnan(result.loc["KCN-A", "value"])


def test_count_counts_reporters_where_the_condition_is_true(parks, tenants):
    # e1 only (e4 is verified but did not report)
    result = run("count(recp_verified)", parks, tenants)
    assert result.loc["KCN-A", "value"] == 1.0
    # none true but there are reporters -> 0
    result = run("count(energy_saved_mwh > 50)", parks, tenants)
    assert result.loc["KCN-A", "value"] == 0.0


def test_count_with_where(parks, tenants):
    # not verified: e2 (energy NaN, not counted), e3 (4 > 0) -> 1
    result = run("count(energy_saved_mwh > 0, where=not recp_verified)", parks, tenants)
    assert result.loc["KCN-A", "value"] == 1.0


def test_sum_and_mean_skip_missing_values(parks, tenants):
    # reporters e1 10, e2 NaN, e3 4 -> sum 14, mean 7
    assert run("sum(energy_saved_mwh)", parks, tenants).loc["KCN-A", "value"] == 14.0
    assert run("mean(energy_saved_mwh)", parks, tenants).loc["KCN-A", "value"] == 7.0


def test_sum_and_mean_with_where(parks, tenants):
    # verified reporters: e1 -> 10
    assert run("sum(energy_saved_mwh, where=recp_verified)", parks, tenants).loc[
        "KCN-A", "value"
    ] == (10.0)
    assert run("mean(energy_saved_mwh, where=recp_verified)", parks, tenants).loc[
        "KCN-A", "value"
    ] == (10.0)
    # not verified: e2 NaN skipped, e3 4 -> sum 4, mean 4
    assert run("sum(energy_saved_mwh, where=not recp_verified)", parks, tenants).loc[
        "KCN-A", "value"
    ] == (4.0)


def test_sum_over_nothing_matched_is_zero_but_mean_is_no_data(parks, tenants):
    result = run("sum(energy_saved_mwh, where=energy_saved_mwh > 100)", parks, tenants)
    assert result.loc["KCN-A", "value"] == 0.0
    assert math.isnan(result.loc["KCN-B", "value"])  # no reporters at all
    result = run("mean(energy_saved_mwh, where=energy_saved_mwh > 100)", parks, tenants)
    assert math.isnan(result.loc["KCN-A", "value"])


def test_reporter_whose_where_is_unknown_is_left_out():
    parks = pd.DataFrame(index=pd.Index(["P"], name="park"))
    tenants = pd.DataFrame(
        {
            "park": ["P", "P", "P"],
            "reported": [True, True, True],
            "recp_applied": [1.0, NAN, 0.0],
            "water_m3": [5.0, 7.0, 11.0],
        }
    )
    # where = recp_applied: only the first row -> sum 5, count 1, share 1/1
    assert run("sum(water_m3, where=recp_applied)", parks, tenants).loc["P", "value"] == 5.0
    assert run("count(water_m3 > 0, where=recp_applied)", parks, tenants).loc["P", "value"] == 1
    assert run("share(water_m3 > 0, where=recp_applied)", parks, tenants).loc["P", "value"] == 1
    # share(recp_applied): 1 true of 2 known -> 0.5
    assert run("share(recp_applied)", parks, tenants).loc["P", "value"] == 0.5


def test_reported_flag_with_missing_value_counts_as_not_reported():
    parks = pd.DataFrame(index=pd.Index(["P"], name="park"))
    tenants = pd.DataFrame(
        {
            "park": ["P", "P"],
            "reported": pd.Series([True, None], dtype="boolean"),
            "water_m3": [5.0, 7.0],
        }
    )
    result = run("sum(water_m3)", parks, tenants)
    assert result.loc["P"].tolist() == [5.0, 1.0, 2.0]


def test_aggregate_combines_with_the_parks_own_codes(parks, tenants):
    # KCN-A: share verified = 1/3 >= 0.3 -> True ; KCN-B: NaN >= 0.3 -> NaN
    result = run("share(recp_verified) >= target_share", parks, tenants)
    same(values_of(result), [T, N, N])
    # count(verified) + symbioses: 1 + 4 = 5 ; NaN + 1 ; NaN + NaN
    result = run("count(recp_verified) + symbioses_operating", parks, tenants)
    same(values_of(result), [5.0, N, N])


def test_tenant_codes_and_park_codes_with_the_same_name_are_kept_apart():
    parks = pd.DataFrame({"water_m3": [1000.0]}, index=pd.Index(["P"], name="park"))
    tenants = pd.DataFrame({"park": ["P", "P"], "reported": [True, True], "water_m3": [3.0, 5.0]})
    # sum over tenants 8, divided by the park's own 1000
    result = run("sum(water_m3) / water_m3", parks, tenants)
    assert result.loc["P", "value"] == pytest.approx(0.008)


def test_formula_without_aggregate_has_no_coverage(parks, tenants):
    result = run("symbioses_operating >= 2", parks, tenants)
    assert result["reported"].isna().all()
    assert result["population"].isna().all()


def test_indicator_built_on_a_roll_up_carries_its_coverage(parks, tenants):
    formulas = check_formulas(
        {
            "recp_share": "share(recp_verified and recp_savings_vnd > 0)",
            "recp_percent": "recp_share * 100",
            "recp_target_met": "recp_percent >= 30",
        },
        element_types=PARK_TYPES,
        tenant_element_types=TENANT_TYPES,
    )
    results = evaluate(formulas, parks, tenants)
    assert results["recp_percent"].loc["KCN-A", "value"] == pytest.approx(100 / 3)
    assert results["recp_target_met"].loc["KCN-A", "value"] == 1.0
    assert results["recp_target_met"].loc["KCN-A", ["reported", "population"]].tolist() == [3, 5]


def test_indicators_are_evaluated_in_dependency_order_whatever_the_dict_order():
    values = numbers(water_m3=[10.0, 0.0], water_reused_m3=[4.0, 1.0])
    formulas = check_formulas(
        {
            "reuse_ok": "reuse_pct >= 30",
            "reuse_pct": "reuse_rate * 100",
            "reuse_rate": "water_reused_m3 / water_m3",
        },
        element_types=PARK_TYPES,
    )
    assert formulas["reuse_ok"].result_type == "boolean"
    assert formulas["reuse_pct"].result_type == "number"
    results = evaluate(formulas, values)
    assert list(results) == ["reuse_ok", "reuse_pct", "reuse_rate"]
    same(values_of(results["reuse_pct"]), [40.0, NAN])
    same(values_of(results["reuse_ok"]), [T, N])


def test_aggregate_without_tenants_frame_is_refused(parks):
    formulas = check_formulas(
        {"E1": "count(recp_verified)"},
        element_types=PARK_TYPES,
        tenant_element_types=TENANT_TYPES,
    )
    with pytest.raises(FormulaError, match="E1: aggregate 'count' needs the tenants frame"):
        evaluate(formulas, parks)


def test_tenants_frame_without_reported_column_is_refused(parks):
    formulas = check_formulas(
        {"E1": "count(recp_verified)"},
        element_types=PARK_TYPES,
        tenant_element_types=TENANT_TYPES,
    )
    with pytest.raises(ValueError, match="reported"):
        evaluate(formulas, parks, pd.DataFrame({"park": ["KCN-A"], "recp_verified": [1.0]}))


# --------------------------------------------------------------------------------------
# Parsing
# --------------------------------------------------------------------------------------


def test_parse_formula_collects_references_inside_and_outside_aggregates():
    formula = parse_formula(
        "share(recp_applied, where=water_m3 > 0) >= target_share and not has_ems"
    )
    assert formula.references == {"target_share", "has_ems"}
    assert formula.tenant_references == {"recp_applied", "water_m3"}
    assert formula.has_aggregate is True
    assert formula.result_type == "boolean"
    assert parse_formula("a + b").has_aggregate is False
    assert parse_formula("a + b").result_type == "number"


def test_bare_name_formula_has_unknown_type_until_checked():
    assert parse_formula("recp_applied").result_type == "unknown"
    checked = check_formulas({"x": "recp_applied"}, element_types=PARK_TYPES)
    assert checked["x"].result_type == "boolean"


def test_formula_may_span_several_lines():
    formula = parse_formula("recp_applied\n  and has_ems")
    assert formula.references == {"recp_applied", "has_ems"}
    assert formula.source == "recp_applied\n  and has_ems"


def test_formulas_compare_by_source_and_analysis():
    assert parse_formula("a + 1") == parse_formula("a + 1")
    assert isinstance(parse_formula("a + 1"), Formula)


@pytest.mark.parametrize(
    ("source", "token"),
    [
        ("os.path", "os.path"),
        ("__import__('os')", "__import__"),
        ("'text'", "'text'"),
        ('"a" == "a"', '"a"'),
        ("x[0]", "x[0]"),
        ("lambda: 1", "lambda: 1"),
        ("open(f)", "open"),
        ("a.b(c)", "a.b"),
        ("a ** 2", "**"),
        ("a // 2", "//"),
        ("a % 2", "%"),
        ("+a", "+"),
        ("~a", "~"),
        ("a in b", "in"),
        ("a is b", "is"),
        ("a if b else c", "a if b else c"),
        ("(a := 1)", "a := 1"),
        ("[a]", "[a]"),
        ("a, b", "a, b"),
        ("f'{a}'", "f'{a}'"),
        ("1j", "1j"),
        ("None", "None"),
        ("share", "share"),
        ("share(a, b)", "share(a, b)"),
        ("share(*a)", "share(*a)"),
        ("share(a, how=b)", "how"),
        ("sum(a, **b)", "**"),
        ("share(count(a))", "count"),
        ("1e999", "1e999"),
        ("a # comment", "#"),
        ("a + é", "é"),
        ("", ""),
    ],
)
def test_constructs_outside_the_language_are_refused(source, token):
    with pytest.raises(FormulaError) as caught:
        parse_formula(source, code="VN35-EIP-E4")
    assert caught.value.code == "VN35-EIP-E4"
    assert caught.value.token == token
    assert str(caught.value).startswith("VN35-EIP-E4: ")


def test_syntax_error_names_the_offending_token():
    with pytest.raises(FormulaError) as caught:
        parse_formula("water_m3 water_reused_m3", code="E2")
    assert caught.value.token == "water_reused_m3"
    assert "E2: syntax error at 'water_reused_m3'" in str(caught.value)
    with pytest.raises(FormulaError, match="syntax error at 'end of formula'"):
        parse_formula("water_m3 +")


def test_very_long_or_deeply_nested_formulas_are_refused():
    with pytest.raises(FormulaError, match="longer than"):
        parse_formula("a + " * 2000 + "a")
    with pytest.raises(FormulaError, match="nested deeper"):
        parse_formula(" + ".join(["a"] * 500))


def test_formula_error_survives_pickling():
    error = FormulaError("unknown code 'x'", code="E1", token="x")
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.code, copy.token, copy.message, str(copy)) == (
        "E1",
        "x",
        "unknown code 'x'",
        "E1: unknown code 'x'",
    )


def test_formula_error_without_code_is_just_the_message():
    with pytest.raises(FormulaError) as caught:
        parse_formula("a.b")
    assert caught.value.code is None
    assert str(caught.value) == "attribute access is not allowed: 'a.b'"


# --------------------------------------------------------------------------------------
# Checking
# --------------------------------------------------------------------------------------


def test_unknown_code_names_the_indicator_and_the_token():
    with pytest.raises(FormulaError) as caught:
        check_formulas({"VN35-EIP-E4": "recp_aplied and has_ems"}, element_types=PARK_TYPES)
    assert str(caught.value) == "VN35-EIP-E4: unknown code 'recp_aplied'"
    assert caught.value.code == "VN35-EIP-E4"
    assert caught.value.token == "recp_aplied"
    assert caught.value.message == "unknown code 'recp_aplied'"


def test_unknown_enterprise_code_inside_an_aggregate_is_refused():
    with pytest.raises(FormulaError) as caught:
        check_formulas(
            {"E4": "share(recp_verifed)"},
            element_types=PARK_TYPES,
            tenant_element_types=TENANT_TYPES,
        )
    assert str(caught.value) == "E4: unknown enterprise code 'recp_verifed'"


def test_park_code_is_not_visible_inside_an_aggregate():
    with pytest.raises(FormulaError, match="unknown enterprise code 'target_share'"):
        check_formulas(
            {"E4": "share(recp_verified, where=target_share > 0)"},
            element_types=PARK_TYPES,
            tenant_element_types=TENANT_TYPES,
        )


def test_cycle_is_refused_naming_its_path():
    with pytest.raises(FormulaError) as caught:
        check_formulas({"a": "b + 1", "b": "c * 2", "c": "a - water_m3"}, element_types=PARK_TYPES)
    assert "a -> b -> c -> a" in str(caught.value)
    assert caught.value.code == "a"
    assert caught.value.token == "a -> b -> c -> a"


def test_self_reference_is_a_cycle():
    with pytest.raises(FormulaError, match="cycle a -> a"):
        check_formulas({"a": "a + 1"}, element_types=PARK_TYPES)


def test_cycle_reached_from_an_acyclic_start_names_only_the_cycle():
    with pytest.raises(FormulaError, match=r"b: cycle b -> c -> b$"):
        check_formulas({"a": "b", "b": "c + 1", "c": "b + 1"}, element_types=PARK_TYPES)


def test_evaluate_also_refuses_a_cycle():
    formulas = {"a": parse_formula("b + 1"), "b": parse_formula("a + 1")}
    with pytest.raises(FormulaError, match="a -> b -> a"):
        evaluate(formulas, numbers(water_m3=[1.0]))


@pytest.mark.parametrize(
    ("source", "token", "message"),
    [
        ("recp_applied + 1", "recp_applied", "'recp_applied' is boolean, '+' needs numbers"),
        ("-has_ems", "has_ems", "'has_ems' is boolean, unary '-' needs numbers"),
        ("water_m3 and has_ems", "water_m3", "'water_m3' is number, 'and' needs a boolean"),
        ("not water_m3", "water_m3", "'water_m3' is number, 'not' needs a boolean"),
        ("recp_applied < 2", "recp_applied", "'recp_applied' is boolean, '<' needs numbers"),
        ("recp_applied == 1", "1", "'==' compares 'recp_applied' (boolean) with '1' (number)"),
        ("(water_m3 > 1) + 1", "water_m3 > 1", "'water_m3 > 1' is boolean, '+' needs"),
        ("share(water_m3)", "water_m3", "'water_m3' is number, share() needs a boolean"),
        ("count(energy_saved_mwh)", "energy_saved_mwh", "count() needs a boolean"),
        ("sum(recp_applied)", "recp_applied", "'recp_applied' is boolean, sum() needs numbers"),
        ("mean(recp_verified)", "recp_verified", "mean() needs numbers"),
        ("sum(water_m3, where=water_m3)", "water_m3", "where= needs a boolean"),
        ("share(recp_applied) and has_ems", "share(recp_applied)", "is number, 'and'"),
    ],
)
def test_type_mismatch_is_refused_naming_the_token(source, token, message):
    with pytest.raises(FormulaError) as caught:
        check_formulas({"E9": source}, element_types=PARK_TYPES, tenant_element_types=TENANT_TYPES)
    assert caught.value.code == "E9"
    assert caught.value.token == token
    assert message in str(caught.value)
    assert str(caught.value).startswith("E9: type mismatch: ")


def test_type_of_a_referenced_indicator_is_inferred():
    with pytest.raises(FormulaError, match="'reuse_ok' is boolean, '\\+' needs numbers"):
        check_formulas(
            {"reuse_ok": "water_reused_m3 > 0", "bad": "reuse_ok + 1"},
            element_types=PARK_TYPES,
        )


def test_aggregate_in_an_enterprise_formula_is_refused():
    with pytest.raises(FormulaError) as caught:
        check_formulas({"DN-1": "recp_applied and share(recp_applied)"}, element_types=PARK_TYPES)
    assert caught.value.code == "DN-1"
    assert caught.value.token == "share"
    assert "only allowed in park formulas" in str(caught.value)


def test_indicator_code_that_is_also_a_data_element_code_is_refused():
    with pytest.raises(FormulaError, match="water_m3: indicator code 'water_m3' is also"):
        check_formulas({"water_m3": "water_reused_m3 * 2"}, element_types=PARK_TYPES)


def test_unknown_element_type_is_a_value_error():
    with pytest.raises(ValueError, match="'number' or 'boolean'"):
        check_formulas({"x": "a"}, element_types={"a": "text"})


def test_check_keeps_the_order_of_the_given_formulas():
    checked = check_formulas({"b": "a * 2", "a": "water_m3 + 1"}, element_types=PARK_TYPES)
    assert list(checked) == ["b", "a"]
    assert checked["b"].references == {"a"}


# --------------------------------------------------------------------------------------
# Property test: vectorised engine == plain per-subject Python loop
# --------------------------------------------------------------------------------------

SUBJECT_NUMBERS = ["water_m3", "water_reused_m3"]
SUBJECT_BOOLEANS = ["recp_applied", "has_ems"]
TENANT_NUMBERS = ["energy_saved_mwh", "recp_savings_vnd"]
TENANT_BOOLEANS = ["recp_verified", "recp_applied"]
NUMBER_LITERALS = ["0", "2", "0.5", "-1"]


@cache
def expressions(kind, depth, tenant):
    """Source strings of the given kind ('number'/'boolean') up to `depth` levels deep."""
    if kind == "number":
        names = TENANT_NUMBERS if tenant else SUBJECT_NUMBERS
        leaf = st.sampled_from(names + NUMBER_LITERALS)
    else:
        names = TENANT_BOOLEANS if tenant else SUBJECT_BOOLEANS
        leaf = st.sampled_from([*names, "True", "False"])
    if depth == 0:
        return leaf
    num = expressions("number", depth - 1, tenant)
    boolean = expressions("boolean", depth - 1, tenant)
    options = [leaf]
    if kind == "number":
        options.append(
            st.tuples(num, st.sampled_from("+-*/"), num).map(lambda t: f"({t[0]} {t[1]} {t[2]})")
        )
        options.append(num.map(lambda s: f"(-{s})"))
        if not tenant:
            inner_num = expressions("number", 2, True)
            inner_bool = expressions("boolean", 2, True)
            where = st.one_of(st.just(""), inner_bool.map(lambda s: f", where={s}"))
            options.append(
                st.tuples(st.sampled_from(["share", "count"]), inner_bool, where).map(
                    lambda t: f"{t[0]}({t[1]}{t[2]})"
                )
            )
            options.append(
                st.tuples(st.sampled_from(["sum", "mean"]), inner_num, where).map(
                    lambda t: f"{t[0]}({t[1]}{t[2]})"
                )
            )
    else:
        options.append(
            st.tuples(boolean, st.sampled_from(["and", "or"]), boolean).map(
                lambda t: f"({t[0]} {t[1]} {t[2]})"
            )
        )
        options.append(boolean.map(lambda s: f"(not {s})"))
        options.append(
            st.tuples(num, st.sampled_from(["<", "<=", ">", ">=", "==", "!="]), num).map(
                lambda t: f"({t[0]} {t[1]} {t[2]})"
            )
        )
        options.append(st.tuples(num, num, num).map(lambda t: f"({t[0]} < {t[1]} <= {t[2]})"))
        options.append(
            st.tuples(boolean, st.sampled_from(["==", "!="]), boolean).map(
                lambda t: f"({t[0]} {t[1]} {t[2]})"
            )
        )
    return st.one_of(*options)


NUMBER_VALUES = st.sampled_from([0.0, 1.0, 2.0, -1.5, 0.5, NAN])
BOOLEAN_VALUES = st.sampled_from([0.0, 1.0, NAN])
PARK_IDS = ["P0", "P1", "P2"]


@st.composite
def frames(draw):
    n_parks = len(PARK_IDS)
    subject = {
        name: draw(st.lists(NUMBER_VALUES, min_size=n_parks, max_size=n_parks))
        for name in SUBJECT_NUMBERS
    }
    subject |= {
        name: draw(st.lists(BOOLEAN_VALUES, min_size=n_parks, max_size=n_parks))
        for name in SUBJECT_BOOLEANS
    }
    values = pd.DataFrame(subject, index=pd.Index(PARK_IDS, name="park"))
    m = draw(st.integers(0, 10))
    rows = {
        "park": draw(st.lists(st.sampled_from([*PARK_IDS, "PX"]), min_size=m, max_size=m)),
        "reported": draw(st.lists(st.booleans(), min_size=m, max_size=m)),
    }
    rows |= {name: draw(st.lists(NUMBER_VALUES, min_size=m, max_size=m)) for name in TENANT_NUMBERS}
    rows |= {
        name: draw(st.lists(BOOLEAN_VALUES, min_size=m, max_size=m)) for name in TENANT_BOOLEANS
    }
    return values, pd.DataFrame(rows)


def _known(x):
    return x is not None


def reference_eval(node, row, tenant_rows):
    """Evaluate one subject with plain Python. Values are floats or None (no data)."""
    if isinstance(node, ast.Expression):
        return reference_eval(node.body, row, tenant_rows)
    if isinstance(node, ast.Constant):
        return float(node.value)
    if isinstance(node, ast.Name):
        value = row[node.id]
        return None if value != value else float(value)
    if isinstance(node, ast.UnaryOp):
        x = reference_eval(node.operand, row, tenant_rows)
        if x is None:
            return None
        return (1.0 if x == 0 else 0.0) if isinstance(node.op, ast.Not) else -x
    if isinstance(node, ast.BinOp):
        a = reference_eval(node.left, row, tenant_rows)
        b = reference_eval(node.right, row, tenant_rows)
        if a is None or b is None:
            return None
        if isinstance(node.op, ast.Div):
            if b == 0:
                return None
            r = a / b
        elif isinstance(node.op, ast.Add):
            r = a + b
        elif isinstance(node.op, ast.Sub):
            r = a - b
        else:
            r = a * b
        return r if math.isfinite(r) else None
    if isinstance(node, ast.BoolOp):
        xs = [reference_eval(v, row, tenant_rows) for v in node.values]
        if isinstance(node.op, ast.And):
            if any(x == 0 for x in xs if _known(x)):
                return 0.0
            return None if None in xs else 1.0
        if any(x != 0 for x in xs if _known(x)):
            return 1.0
        return None if None in xs else 0.0
    if isinstance(node, ast.Compare):
        xs = [reference_eval(v, row, tenant_rows) for v in [node.left, *node.comparators]]
        links = []
        ops = {
            ast.Lt: lambda a, b: a < b,
            ast.LtE: lambda a, b: a <= b,
            ast.Gt: lambda a, b: a > b,
            ast.GtE: lambda a, b: a >= b,
            ast.Eq: lambda a, b: a == b,
            ast.NotEq: lambda a, b: a != b,
        }
        for op, a, b in zip(node.ops, xs, xs[1:], strict=False):
            links.append(None if a is None or b is None else float(ops[type(op)](a, b)))
        if any(x == 0 for x in links if _known(x)):
            return 0.0
        return None if None in links else 1.0
    if isinstance(node, ast.Call):
        reporters = [t for t in tenant_rows if t["reported"]]
        if node.keywords:
            reporters = [
                t
                for t in reporters
                if reference_eval(node.keywords[0].value, t, None) not in (None, 0.0)
            ]
        xs = [reference_eval(node.args[0], t, None) for t in reporters]
        any_reporter = any(t["reported"] for t in tenant_rows)
        name = node.func.id
        if name == "share":
            known = [x for x in xs if x is not None]
            return sum(1 for x in known if x != 0) / len(known) if known else None
        if name == "count":
            return float(sum(1 for x in xs if x is not None and x != 0)) if any_reporter else None
        known = [x for x in xs if x is not None]
        total = 0.0
        for x in known:
            total += x
        if not math.isfinite(total):
            return None
        if name == "sum":
            return total if any_reporter else None
        return total / len(known) if known else None
    raise AssertionError(type(node))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=frames(),
    source=st.deferred(
        lambda: st.one_of(expressions("number", 3, False), expressions("boolean", 3, False))
    ),
)
def test_vectorised_engine_agrees_with_a_plain_python_loop(data, source):
    values, tenants = data
    result = run(source, values, tenants)
    tree = ast.parse(source, mode="eval")
    has_aggregate = any(isinstance(n, ast.Call) for n in ast.walk(tree))
    for park, row in values.iterrows():
        mine = [t for _, t in tenants.iterrows() if t["park"] == park]
        expected = reference_eval(tree, row, mine)
        actual = result.loc[park, "value"]
        if expected is None:
            assert math.isnan(actual), (source, park, actual)
        else:
            assert actual == pytest.approx(expected, rel=1e-9, abs=1e-12), (source, park)
        if has_aggregate:
            assert result.loc[park, "population"] == len(mine)
            assert result.loc[park, "reported"] == sum(bool(t["reported"]) for t in mine)
        else:
            assert math.isnan(result.loc[park, "reported"])
            assert math.isnan(result.loc[park, "population"])
