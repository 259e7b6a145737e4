"""Property test: on random small campaigns the vectorised engine gives exactly what a plain,
per-subject reference implementation (written here, loops and dicts only) gives — current and
intended scenarios, improvement potential, category shares, index, eligibility, eco-enterprise
status and roll-up coverage."""

from __future__ import annotations

import math

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indicators.engine import CRITERIA_COLUMNS, score_campaign
from indicators.formula import check_formulas

PERIOD = 2025
PERIODS = (2023, 2024, 2025)
PARK_TYPES = {"flag": "boolean", "num": "number"}
ENT_TYPES = {"t_flag": "boolean", "t_num": "number", "t_den": "number"}
FORMULAS = {
    "park": check_formulas(
        {
            "p_flag": "flag",
            "p_num": "num",
            "p_share": "100 * share(t_flag)",
            "p_sum": "sum(t_num)",
        },
        element_types=PARK_TYPES,
        tenant_element_types=ENT_TYPES,
    ),
    "enterprise": check_formulas(
        {"e_flag": "t_flag", "e_num": "t_num", "e_ratio": "t_num / t_den"},
        element_types=ENT_TYPES,
    ),
}
BOOLEAN_INDICATORS = {"park": ["p_flag"], "enterprise": ["e_flag"]}
NUMBER_INDICATORS = {"park": ["p_num", "p_share", "p_sum"], "enterprise": ["e_num", "e_ratio"]}
ROLLUPS = {"p_share", "p_sum"}
NAN = float("nan")


# --- the reference: one subject at a time ---------------------------------------------------


def ref_indicator(code, kind, subject, period, values, tenants_of, reporters):
    """Indicator value (and coverage) of one subject, by hand."""

    def v(s, element):
        return values.get((s, period, element), NAN)

    if kind == "enterprise":
        if code == "e_flag":
            return v(subject, "t_flag"), NAN, NAN
        if code == "e_num":
            return v(subject, "t_num"), NAN, NAN
        num, den = v(subject, "t_num"), v(subject, "t_den")
        if math.isnan(num) or math.isnan(den) or den == 0:
            return NAN, NAN, NAN
        return num / den, NAN, NAN
    if code == "p_flag":
        return v(subject, "flag"), NAN, NAN
    if code == "p_num":
        return v(subject, "num"), NAN, NAN
    tenants = tenants_of.get(subject, [])
    reporting = [t for t in tenants if (t, period) in reporters]
    coverage = (float(len(reporting)), float(len(tenants)))
    if code == "p_share":
        known = [v(t, "t_flag") for t in reporting if not math.isnan(v(t, "t_flag"))]
        if not known:
            return (NAN, *coverage)
        return (100.0 * sum(1 for x in known if x != 0) / len(known), *coverage)
    # p_sum
    if not reporting:
        return (NAN, *coverage)
    return (
        float(sum(v(t, "t_num") for t in reporting if not math.isnan(v(t, "t_num")))),
        *coverage,
    )


def ref_state(crit, value, window):
    rule, op, thr = crit["rule"], crit["operator"], crit["threshold"]
    if rule == "yes_no":
        return "no_data" if math.isnan(value) else ("met" if value >= 0.5 else "not_met")
    if rule in ("compare", "count"):
        if thr is None or math.isnan(thr):
            return "no_threshold"
        if math.isnan(value):
            return "no_data"
        ok = {
            ">=": value >= thr,
            ">": value > thr,
            "<=": value <= thr,
            "<": value < thr,
            "=": math.isclose(value, thr, rel_tol=1e-05, abs_tol=1e-08),
        }[op]
        return "met" if ok else "not_met"
    if rule == "lookback":
        if any(not math.isnan(x) and x < 0.5 for x in window):
            return "not_met"
        if sum(1 for x in window if x >= 0.5) >= crit["lookback_years"]:
            return "met"
        return "no_data"
    return "no_threshold"


def ref_gap(crit, value, state):
    if crit["rule"] not in ("compare", "count") or state == "no_threshold" or math.isnan(value):
        return NAN
    thr = crit["threshold"]
    if crit["operator"] in (">=", ">"):
        return thr - value
    if crit["operator"] in ("<=", "<"):
        return value - thr
    return abs(value - thr)


def reference(campaign):
    """Every subject's results, categories and summary, computed one subject at a time."""
    crits, parks, ent_park = campaign["criteria"], campaign["parks"], campaign["enterprises"]
    reporters = {(s, p) for s, p in campaign["reported"]}
    tenants_of = {}
    for e, p in ent_park.items():
        tenants_of.setdefault(p, []).append(e)
    current = campaign["values"]
    planned = campaign["intended"]
    scenario_values = {"current": current, "intended": {**current, **planned}}
    plans = {("enterprise", e): sum(1 for (s, _, _) in planned if s == e) for e in ent_park}
    for p in parks:
        own = sum(1 for (s, _, _) in planned if s == p)
        plans[("park", p)] = own + sum(plans[("enterprise", t)] for t in tenants_of.get(p, []))
    out = {}
    for kind, subjects in (("park", parks), ("enterprise", list(ent_park))):
        for s in subjects:
            for scenario, values in scenario_values.items():
                rows = {}
                for c in crits:
                    if c["applies_to"] != kind:
                        continue
                    if c["indicator"] is None:
                        value = reported = population = NAN
                    else:
                        value, reported, population = ref_indicator(
                            c["indicator"], kind, s, PERIOD, values, tenants_of, reporters
                        )
                    window = [value] + [
                        ref_indicator(
                            c["indicator"], kind, s, PERIOD - k, current, tenants_of, reporters
                        )[0]
                        for k in range(1, int(c["lookback_years"] or 1))
                    ]
                    state = ref_state(c, value, window)
                    rows[c["code"]] = (state, value, ref_gap(c, value, state), reported, population)
                out[(kind, s, scenario)] = rows
    return out, plans


def ref_totals(crits, rows, *, has_result: bool = True):
    cats, met_w, app_w, met_n, app_n, mand_met, mand_total = {}, 0.0, 0.0, 0, 0, 0, 0
    for c in crits:
        if c["code"] not in rows:
            continue
        state = rows[c["code"]][0]
        cat = cats.setdefault(c["category"], [0, 0, 0.0, 0.0])
        if state != "no_threshold":
            cat[1] += 1
            cat[3] += c["weight"]
            app_w += c["weight"]
            app_n += 1
            mand_total += c["level"] == "mandatory"
        if state == "met":
            cat[0] += 1
            cat[2] += c["weight"]
            met_w += c["weight"]
            met_n += 1
            mand_met += c["level"] == "mandatory"
    index = 100.0 * met_w / app_w if app_w > 0 and has_result else NAN
    eligible = has_result and mand_total > 0 and mand_met == mand_total
    shares = {k: (v[0], v[1], v[2] / v[3] if v[3] > 0 else NAN) for k, v in cats.items()}
    return shares, index, met_n, app_n, eligible


# --- random campaigns -----------------------------------------------------------------------


@st.composite
def campaigns(draw):
    n_parks = draw(st.integers(1, 3))
    parks = list(range(1, n_parks + 1))
    n_ent = draw(st.integers(0, 6))
    enterprises = {100 + i: draw(st.sampled_from(parks)) for i in range(n_ent)}
    reported = [(e, p) for e in enterprises for p in PERIODS if draw(st.booleans())]
    # parks with a scored response this period (most do; one without has no result)
    parks_reported = [p for p in parks if draw(st.integers(0, 3)) > 0]
    number = st.sampled_from([0.0, 1.0, 2.0, 3.0, 5.0])
    values, intended = {}, {}
    for kind, subjects, types in (
        ("park", parks, PARK_TYPES),
        ("enterprise", list(enterprises), ENT_TYPES),
    ):
        for s in subjects:
            for period in PERIODS:
                for element, typ in types.items():
                    if draw(st.integers(0, 3)) == 0:
                        continue  # missing answer
                    gen = st.sampled_from([0.0, 1.0]) if typ == "boolean" else number
                    values[(s, period, element)] = draw(gen)
                    if period == PERIOD and draw(st.integers(0, 4)) == 0:
                        intended[(s, period, element)] = draw(gen)
            if kind == "park":
                continue
    crits = []
    for i in range(draw(st.integers(1, 7))):
        kind = draw(st.sampled_from(["park", "enterprise"]))
        rule = draw(st.sampled_from(["yes_no", "compare", "count", "lookback", "none"]))
        if rule in ("yes_no", "lookback"):
            indicator = draw(st.sampled_from(BOOLEAN_INDICATORS[kind]))
        elif rule == "none":
            indicator = None
        else:
            indicator = draw(st.sampled_from(NUMBER_INDICATORS[kind]))
        crits.append(
            {
                "code": f"C{i}",
                "category": draw(st.sampled_from(["A", "B"])),
                "applies_to": kind,
                "level": draw(st.sampled_from(["mandatory", "performance"])),
                "rule": rule,
                "operator": draw(st.sampled_from([">=", ">", "<=", "<", "="]))
                if rule in ("compare", "count")
                else "",
                "threshold": draw(st.sampled_from([None, 0.0, 1.0, 2.0, 50.0]))
                if rule in ("compare", "count")
                else None,
                "lookback_years": draw(st.integers(1, 3)) if rule == "lookback" else None,
                "weight": draw(st.sampled_from([1.0, 2.0, 0.5])),
                "indicator": indicator,
            }
        )
    return {
        "parks": parks,
        "enterprises": enterprises,
        "reported": reported,
        "parks_reported": parks_reported,
        "values": values,
        "intended": intended,
        "criteria": crits,
    }


def engine(campaign):
    kinds = {p: "park" for p in campaign["parks"]}
    kinds.update({e: "enterprise" for e in campaign["enterprises"]})
    rows = [
        (kinds[s], s, period, element, value, "current")
        for (s, period, element), value in campaign["values"].items()
    ] + [
        (kinds[s], s, period, element, value, "intended")
        for (s, period, element), value in campaign["intended"].items()
    ]
    answers = pd.DataFrame(
        rows, columns=["kind", "subject", "period", "element", "value", "scenario"]
    )
    reported = pd.DataFrame(
        [("enterprise", e, p) for e, p in campaign["reported"]]
        + [("park", p, PERIOD) for p in campaign["parks_reported"]],
        columns=["kind", "subject", "period"],
    )
    enterprises = pd.DataFrame(
        {"park": list(campaign["enterprises"].values())},
        index=pd.Index(list(campaign["enterprises"]), name="enterprise"),
    )
    criteria = pd.DataFrame(
        [{k: c[k] for k in CRITERIA_COLUMNS} for c in campaign["criteria"]],
        columns=CRITERIA_COLUMNS,
    )
    return score_campaign(
        criteria=criteria,
        formulas=FORMULAS,
        element_codes={"park": sorted(PARK_TYPES), "enterprise": sorted(ENT_TYPES)},
        answers=answers,
        reported=reported,
        parks=pd.Index(campaign["parks"]),
        enterprises=enterprises,
        period=PERIOD,
    )


def same(a, b) -> bool:
    if isinstance(a, float) and math.isnan(a):
        return b is None or pd.isna(b)
    if b is None or (not isinstance(b, str) and pd.isna(b)):
        return False
    return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-9)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(campaigns())
def test_the_engine_equals_a_per_subject_reference_on_random_campaigns(campaign):
    result = engine(campaign)
    expected, plans = reference(campaign)
    crits = campaign["criteria"]
    results = result.results.set_index(["kind", "subject", "criterion"])
    summary = result.summary.set_index(["kind", "subject"])
    categories = result.categories.set_index(["kind", "subject", "category"])
    eco = {"current": {}, "intended": {}}
    for kind, subjects in (
        ("enterprise", list(campaign["enterprises"])),
        ("park", campaign["parks"]),
    ):
        if not any(c["applies_to"] == kind for c in crits):
            assert kind not in set(result.summary["kind"])
            continue
        for s in subjects:
            plan = plans[(kind, s)] > 0
            # a subject without a scored response this period has no result
            has_result = (
                s in campaign["parks_reported"]
                if kind == "park"
                else (s, PERIOD) in set(campaign["reported"])
            )
            assert bool(summary.loc[(kind, s), "has_result"]) == has_result
            assert summary.loc[(kind, s), "intended_values"] == plans[(kind, s)]
            totals = {}
            for scenario in ("current", "intended"):
                rows = expected[(kind, s, scenario)]
                suffix = "" if scenario == "current" else "_intended"
                for code, (state, value, gap, reported, population) in rows.items():
                    got = results.loc[(kind, s, code)]
                    if scenario == "intended" and not plan:
                        assert pd.isna(got["state_intended"]) and pd.isna(got["value_intended"])
                        continue
                    assert got[f"state{suffix}"] == state, (kind, s, code, scenario)
                    assert same(value, got[f"value{suffix}"]), (kind, s, code, scenario)
                    assert same(gap, got[f"gap{suffix}"]), (kind, s, code, scenario)
                    if scenario == "current":
                        assert same(reported, got["reported"]) and same(
                            population, got["population"]
                        )
                totals[scenario] = ref_totals(crits, rows, has_result=has_result)
                shares, index, met_n, app_n, eligible = totals[scenario]
                eco[scenario][s] = eligible
                if scenario == "intended" and not plan:
                    assert math.isnan(summary.loc[(kind, s), "index_intended"])
                    continue
                assert same(index, summary.loc[(kind, s), f"index{suffix}"])
                assert summary.loc[(kind, s), f"criteria_met{suffix}"] == met_n
                assert summary.loc[(kind, s), f"criteria_applicable{suffix}"] == app_n
                assert bool(summary.loc[(kind, s), f"eligible{suffix}"]) == eligible
                for cat, (met, applicable, share) in shares.items():
                    assert categories.loc[(kind, s, cat), f"met{suffix}"] == met
                    assert categories.loc[(kind, s, cat), f"applicable{suffix}"] == applicable
                    assert same(share, categories.loc[(kind, s, cat), f"share{suffix}"])
            if plan:
                for code, (_, value, *_rest) in expected[(kind, s, "current")].items():
                    value_intended = expected[(kind, s, "intended")][code][1]
                    assert same(value_intended - value, results.loc[(kind, s, code), "improvement"])
                assert same(
                    totals["intended"][1] - totals["current"][1],
                    summary.loc[(kind, s), "index_improvement"],
                )
            if kind == "enterprise" and not has_result:
                assert pd.isna(summary.loc[(kind, s), "eco_enterprise"])
            elif kind == "enterprise":
                assert bool(summary.loc[(kind, s), "eco_enterprise"]) == eco["current"][s]
            else:
                tenants = [e for e, p in campaign["enterprises"].items() if p == s]
                if any(c["applies_to"] == "enterprise" for c in crits):
                    count = sum(eco["current"][e] for e in tenants)
                    assert summary.loc[(kind, s), "eco_enterprises"] == count
                (reported_now, population) = (
                    sum(1 for e in tenants if (e, PERIOD) in set(campaign["reported"])),
                    len(tenants),
                )
                assert summary.loc[(kind, s), "reported"] == reported_now
                assert summary.loc[(kind, s), "population"] == population
