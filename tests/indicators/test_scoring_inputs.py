"""A framework version's scoring inputs: prepared once, memoised by their catalogue rows."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pandas as pd

from indicators.engine import CRITERIA_COLUMNS, prepare_criteria
from indicators.models import Criterion
from indicators.selectors import version_scoring_inputs


def test_unchanged_catalogue_rows_give_the_same_inputs_without_rebuilding(
    catalogue, django_assert_num_queries
):
    first = version_scoring_inputs(catalogue.vn2022)
    with django_assert_num_queries(3):  # elements, indicators, criteria
        again = version_scoring_inputs(catalogue.vn2022.pk)
    assert again is first


def test_an_edited_threshold_is_read_at_once(catalogue):
    before = version_scoring_inputs(catalogue.vn2022)
    criterion = (
        Criterion.objects.filter(version=catalogue.vn2022, rule="compare")
        .exclude(threshold=None)
        .order_by("code")
        .first()
    )
    old = float(criterion.threshold)
    row = before.criteria.set_index("code").loc[criterion.code]
    assert row["threshold"] == old

    criterion.threshold = criterion.threshold + Decimal("5")
    criterion.save(update_fields=["threshold"])

    after = version_scoring_inputs(catalogue.vn2022)
    assert after is not before
    assert after.criteria.set_index("code").loc[criterion.code, "threshold"] == old + 5
    assert after.content != before.content  # so every snapshot fingerprint changes too


def test_prepared_criteria_are_typed_and_preparing_them_again_returns_them_as_they_are():
    raw = pd.DataFrame(
        [
            ["A1", "cat", "park", "mandatory", "compare", ">=", "20", None, "2", "i1"],
            ["A2", "cat", "enterprise", "optional", "lookback", None, None, 3, 1, np.nan],
            ["A3", "cat", "province", "optional", "yes_no", None, None, None, 1, "i3"],
        ],
        columns=CRITERIA_COLUMNS,
    )
    prepared = prepare_criteria(raw)
    assert prepared["code"].tolist() == ["A1", "A2"]  # only parks and enterprises are scored
    assert prepared["threshold"].tolist()[0] == 20.0 and np.isnan(prepared["threshold"][1])
    assert prepared["weight"].tolist() == [2.0, 1.0]
    assert prepared["lookback_years"].tolist() == [1, 3]  # none given: the period alone
    assert prepared["indicator"].tolist() == ["i1", None]
    assert prepare_criteria(prepared) is prepared
