"""Cross-field rules (surveys/validation.py): reused wastewater cannot exceed the total."""

from decimal import Decimal

import pytest
from django.utils import translation

from indicators.models import DataElement
from surveys.forms import AnswerValue, ResponseForm
from surveys.validation import cross_field_errors

LABELS = {
    "wastewater_total_m3": "Total wastewater",
    "wastewater_reused_m3": "Reused wastewater",
}


def values(reused, total):
    return {
        "wastewater_reused_m3": AnswerValue(number=None if reused is None else Decimal(reused)),
        "wastewater_total_m3": AnswerValue(number=None if total is None else Decimal(total)),
    }


def test_reused_above_total_is_refused_with_both_fields_and_values_named():
    with translation.override("en"):
        errors = cross_field_errors(values("2000", "1500"), labels=LABELS)
    assert errors == {
        "wastewater_reused_m3": "«Reused wastewater» (2,000 m³) cannot exceed "
        "«Total wastewater» (1,500 m³)."
    }


def test_numbers_in_the_message_are_written_the_vietnamese_way_in_vietnamese():
    with translation.override("vi"):
        errors = cross_field_errors(values("2000.5", "1500"), labels=LABELS)
    assert "(2.000,5 m³)" in errors["wastewater_reused_m3"]
    assert "(1.500 m³)" in errors["wastewater_reused_m3"]


@pytest.mark.parametrize(
    "reused,total", [("1500", "1500"), ("0", "1500"), (None, "10"), ("10", None), (None, None)]
)
def test_reused_up_to_the_total_or_a_blank_side_is_accepted(reused, total):
    assert cross_field_errors(values(reused, total), labels=LABELS) == {}


def test_codes_stand_in_for_labels_when_none_are_given():
    errors = cross_field_errors(values("3", "2"))
    assert "«wastewater_reused_m3»" in errors["wastewater_reused_m3"]
    assert "«wastewater_total_m3»" in errors["wastewater_reused_m3"]


@pytest.fixture
def park_elements(catalogue):
    return list(
        DataElement.objects.filter(version=catalogue.vn2022, applies_to="park").order_by(
            "order", "code"
        )
    )


def test_the_response_form_refuses_reused_above_total_after_unit_conversion(park_elements):
    # 2 ML = 2 000 m³ is more than 1 500 m³
    with translation.override("en"):
        form = ResponseForm(
            {
                "version": "1",
                "wastewater_total_m3": "1,500",
                "wastewater_reused_m3": "2",
                "wastewater_reused_m3__unit": "ML",
            },
            elements=park_elements,
        )
        assert not form.is_valid()
        assert form.errors["wastewater_reused_m3"] == [
            "«Industrial wastewater reused or recirculated in the year» (2,000 m³) cannot "
            "exceed «Industrial wastewater generated in the park in the year» (1,500 m³)."
        ]
        assert "wastewater_total_m3" not in form.errors


def test_the_response_form_accepts_reused_below_total(park_elements):
    form = ResponseForm(
        {"version": "1", "wastewater_total_m3": "1.500", "wastewater_reused_m3": "1.499,5"},
        elements=park_elements,
    )
    assert form.is_valid(), form.errors
