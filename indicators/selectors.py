"""Reads of the criteria catalogue shaped for the scoring engine and the screens."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from .engine import CRITERIA_COLUMNS
from .formula import Formula, check_formulas
from .models import Criterion, DataElement, FrameworkVersion, Indicator


@dataclass
class ScoringInputs:
    """A framework version in the engine's shapes (see :func:`indicators.engine.score_campaign`).

    ``criterion_ids``/``category_ids`` map codes back to primary keys for writing results;
    ``longest_lookback`` is the number of periods the engine needs (1 without look-backs).
    """

    criteria: pd.DataFrame
    formulas: dict[str, dict[str, Formula]]
    element_codes: dict[str, list[str]]
    criterion_ids: dict[str, int]
    category_ids: dict[str, int]
    longest_lookback: int


def version_scoring_inputs(version: FrameworkVersion) -> ScoringInputs:
    """Load a version's criteria, indicators and data elements (3 queries) and check formulas.

    Raises ``indicators.formula.FormulaError`` if a stored formula no longer checks (loading
    refuses such formulas, so this means the database was edited by hand).
    """
    elements = list(
        DataElement.objects.filter(version=version).values("code", "applies_to", "value_type")
    )
    types = {"park": {}, "enterprise": {}}
    for e in elements:
        kind = "enterprise" if e["applies_to"] == "enterprise" else "park"
        vt = e["value_type"]
        if vt == "yes_no":
            types[kind][e["code"]] = "boolean"
        elif vt in DataElement.NUMERIC_TYPES:
            types[kind][e["code"]] = "number"
    indicators = list(
        Indicator.objects.filter(version=version).values("code", "applies_to", "formula")
    )
    formulas = {
        "enterprise": check_formulas(
            {i["code"]: i["formula"] for i in indicators if i["applies_to"] == "enterprise"},
            element_types=types["enterprise"],
        ),
        "park": check_formulas(
            {i["code"]: i["formula"] for i in indicators if i["applies_to"] != "enterprise"},
            element_types=types["park"],
            tenant_element_types=types["enterprise"],
        ),
    }
    rows = list(
        Criterion.objects.filter(version=version).values(
            "pk",
            "code",
            "category_id",
            "category__code",
            "applies_to",
            "level",
            "rule",
            "operator",
            "threshold",
            "lookback_years",
            "weight",
            "indicator__code",
        )
    )
    criteria = pd.DataFrame(
        [
            {
                "code": r["code"],
                "category": r["category__code"],
                "applies_to": r["applies_to"],
                "level": r["level"],
                "rule": r["rule"],
                "operator": r["operator"],
                "threshold": None if r["threshold"] is None else float(r["threshold"]),
                "lookback_years": r["lookback_years"],
                "weight": float(r["weight"]),
                "indicator": r["indicator__code"],
            }
            for r in rows
        ],
        columns=CRITERIA_COLUMNS,
    )
    lookbacks = [r["lookback_years"] for r in rows if r["lookback_years"]]
    return ScoringInputs(
        criteria=criteria,
        formulas=formulas,
        element_codes={k: sorted(v) for k, v in types.items()},
        criterion_ids={r["code"]: r["pk"] for r in rows},
        category_ids={r["category__code"]: r["category_id"] for r in rows},
        longest_lookback=max(lookbacks, default=1),
    )
