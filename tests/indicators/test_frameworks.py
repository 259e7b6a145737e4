"""The shipped frameworks against the reference rows (shared/reference/criteria-vn.yaml)."""

from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from indicators.models import Criterion, Framework, FrameworkVersion
from indicators.services import FrameworkFileError, framework_load, frameworks_load_shipped

pytestmark = pytest.mark.django_db

REFERENCE = yaml.safe_load(
    (Path(__file__).resolve().parents[2] / "indicators/data/criteria-vn-reference.yaml").read_text()
)["criteria"]
APPLIES = {"park": "park", "park (new)": "park_new", "enterprise": "enterprise"}


def reference_counts(prefixes):
    return Counter(
        APPLIES[r["applies_to"]] for r in REFERENCE if r["code"].startswith(tuple(prefixes))
    )


def test_shipped_frameworks_have_every_reference_row_per_applies_to():
    frameworks_load_shipped()
    v22 = FrameworkVersion.objects.get(framework__code="VN-2022", number=1)
    v18 = FrameworkVersion.objects.get(framework__code="VN-2018", number=1)
    assert Counter(v22.criteria.values_list("applies_to", flat=True)) == reference_counts(
        ["VN35-", "VN-C05-"]
    )
    assert Counter(v18.criteria.values_list("applies_to", flat=True)) == reference_counts(["VN82-"])
    assert v22.criteria.count() == 42 and v18.criteria.count() == 8
    assert v22.status == "published" and v18.status == "retired"


def test_every_criterion_keeps_its_legal_source_and_status():
    frameworks_load_shipped()
    by_code = {r["code"]: r for r in REFERENCE}
    for c in Criterion.objects.all():
        ref = by_code[c.code]
        assert c.instrument == ref["instrument"]
        assert c.article == ref["article"]
        assert c.verification_status == ref["status"]


def test_no_threshold_is_invented():
    """A numeric threshold exists only where the reference gives a number (">= n", "<= n")."""
    frameworks_load_shipped()
    by_code = {r["code"]: r for r in REFERENCE}
    for c in Criterion.objects.exclude(threshold=None):
        ref = str(by_code[c.code]["threshold"])
        assert ref.startswith((">=", "<=")), c.code
        assert Decimal(ref.split()[-1]) == c.threshold, c.code
    e2 = Criterion.objects.get(code="VN35-EIP-E2")
    e4 = Criterion.objects.get(code="VN35-EIP-E4")
    assert (e2.operator, e2.threshold) == (">=", Decimal("1"))
    assert (e4.operator, e4.threshold) == (">=", Decimal("20"))
    # the Circular 05 form hints "75-100" are not legal thresholds
    assert Criterion.objects.get(code="VN-C05-SOC1").threshold is None
    assert Criterion.objects.get(code="VN-C05-ENV3").threshold is None


def test_loading_twice_adds_nothing():
    frameworks_load_shipped()
    again = frameworks_load_shipped()
    assert again.created == [] and len(again.unchanged) == 2
    assert Framework.objects.count() == 2 and Criterion.objects.count() == 50


def _tiny(formula: str) -> dict:
    return {
        "code": "T",
        "title_vi": "t",
        "title_en": "t",
        "versions": [
            {
                "number": 1,
                "title_vi": "t",
                "title_en": "t",
                "status": "draft",
                "categories": [{"code": "C", "name_vi": "c", "name_en": "c"}],
                "data_elements": [
                    {
                        "code": "n",
                        "applies_to": "park",
                        "value_type": "integer",
                        "label_vi": "n",
                        "label_en": "n",
                    }
                ],
                "indicators": [
                    {"code": "i", "applies_to": "park", "formula": formula, "value_type": "number"}
                ],
                "criteria": [
                    {
                        "code": "X-1",
                        "category": "C",
                        "applies_to": "park",
                        "level": "mandatory",
                        "title_en": "x",
                        "rule": "compare",
                        "operator": ">=",
                        "threshold": 1,
                        "indicator": "i",
                        "instrument": "Decree",
                        "article": "Art. 1",
                        "verification_status": "verified",
                    }
                ],
            }
        ],
    }


def test_a_formula_with_an_unknown_code_is_refused_naming_the_indicator_and_token():
    with pytest.raises(FrameworkFileError) as exc:
        framework_load(data=_tiny("n + symbiosis_cnt"))
    assert "symbiosis_cnt" in str(exc.value) and "i" in str(exc.value)
    assert not Framework.objects.filter(code="T").exists()


def test_a_valid_tiny_framework_loads():
    framework_load(data=_tiny("n * 2"))
    assert Criterion.objects.get(code="X-1").indicator.formula == "n * 2"
