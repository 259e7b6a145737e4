"""Tests for indicators.units: hand-worked conversions and the refusals."""

from decimal import Decimal

import pytest

from indicators.units import (
    CANONICAL,
    UnitError,
    convert,
    dimension_of,
    to_canonical,
    units_for,
)

# --- canonical units and pickers ---------------------------------------------------------


def test_each_dimension_has_the_agreed_canonical_unit():
    assert CANONICAL == {
        "energy": "kWh",
        "volume": "m³",
        "mass": "t",
        "emissions": "tCO2e",
        "money": "VND",
        "percent": "%",
        "count": "",
    }


def test_unit_picker_offers_canonical_unit_first_for_every_dimension():
    for dimension, canonical in CANONICAL.items():
        assert units_for(dimension)[0] == canonical


def test_energy_picker_offers_all_accepted_energy_units():
    assert units_for("energy") == ["kWh", "MWh", "GWh", "MJ", "GJ", "TJ", "toe"]


def test_picker_offers_one_spelling_per_unit():
    assert units_for("volume") == ["m³", "L", "ML"]
    assert units_for("mass") == ["t", "kg"]
    assert units_for("emissions") == ["tCO2e", "kgCO2e"]
    assert units_for("money") == ["VND", "million VND", "USD"]
    assert units_for("percent") == ["%"]
    assert units_for("count") == [""]


def test_picker_list_is_a_copy_the_caller_may_change():
    units_for("energy").append("foo")
    assert "foo" not in units_for("energy")


def test_unknown_dimension_is_refused_by_the_picker():
    with pytest.raises(UnitError) as info:
        units_for("happiness")
    assert info.value.code == "unknown_dimension"
    assert "happiness" in info.value.message


def test_every_offered_unit_belongs_to_its_dimension():
    for dimension in CANONICAL:
        for unit in units_for(dimension):
            assert dimension_of(unit) == dimension


# --- dimension_of ------------------------------------------------------------------------


def test_alternative_spellings_name_the_same_dimension():
    assert dimension_of("m3") == "volume"
    assert dimension_of("m³") == "volume"
    assert dimension_of("l") == "volume"
    assert dimension_of("L") == "volume"
    assert dimension_of("ML") == "volume"
    assert dimension_of("tonne") == "mass"
    assert dimension_of("kgCO2e") == "emissions"
    assert dimension_of("t CO2e") == "emissions"
    assert dimension_of("percent") == "percent"
    assert dimension_of("USD") == "money"
    assert dimension_of("") == "count"


def test_surrounding_whitespace_around_a_unit_is_ignored():
    assert dimension_of(" kWh ") == "energy"


def test_unknown_unit_foo_is_refused_naming_it():
    with pytest.raises(UnitError) as info:
        dimension_of("foo")
    assert info.value.code == "unknown_unit"
    assert info.value.unit == "foo"
    assert '"foo"' in info.value.message
    assert str(info.value) == info.value.message


def test_unit_case_matters_because_it_carries_the_prefix():
    # mWh would be a milliwatt-hour and ml a millilitre: refused, not guessed.
    for unit in ("mWh", "kwh", "ml"):
        with pytest.raises(UnitError) as info:
            dimension_of(unit)
        assert info.value.code == "unknown_unit"


def test_unit_error_is_a_value_error():
    assert issubclass(UnitError, ValueError)


# --- energy ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, unit, expected, canonical",
    [
        pytest.param(
            "1", "MWh", "1000", "kWh", id="one_megawatt_hour_is_one_thousand_kilowatt_hours"
        ),
        pytest.param(
            "1", "GWh", "1000000", "kWh", id="one_gigawatt_hour_is_one_million_kilowatt_hours"
        ),
        # 1 GJ / 3.6 MJ per kWh = 277.777... kWh, rounded to 15 significant digits.
        pytest.param(
            "1",
            "GJ",
            "277.777777777778",
            "kWh",
            id="one_gigajoule_is_277_point_7_recurring_kilowatt_hours_to_15_digits",
        ),
        # IEA: 1 toe = 41.868 GJ; 41 868 MJ / 3.6 MJ per kWh = 11 630 kWh.
        pytest.param(
            "1", "toe", "11630", "kWh", id="one_tonne_of_oil_equivalent_is_11630_kilowatt_hours"
        ),
        pytest.param("2500", "L", "2.5", "m³", id="2500_litres_are_two_and_a_half_cubic_metres"),
        pytest.param("2500", "l", "2.5", "m³", id="lower_case_l_is_also_a_litre"),
        pytest.param(
            "7.25",
            "m3",
            "7.25",
            "m³",
            id="m3_written_without_superscript_is_the_canonical_cubic_metre",
        ),
        pytest.param("1", "ML", "1000", "m³", id="one_megalitre_is_one_thousand_cubic_metres"),
        pytest.param("1500", "kg", "1.5", "t", id="1500_kilograms_are_one_and_a_half_tonnes"),
        pytest.param("3", "tonne", "3", "t", id="tonne_spelled_out_is_the_canonical_tonne"),
        pytest.param(
            "1500",
            "kgCO2e",
            "1.5",
            "tCO2e",
            id="1500_kilograms_co2e_are_one_and_a_half_tonnes_co2e",
        ),
        pytest.param("1234567", "VND", "1234567", "VND", id="vnd_stays_vnd_without_a_rate"),
        pytest.param("12.5", "percent", "12.5", "%", id="percent_spelled_out_is_the_percent_sign"),
        pytest.param("-1500", "kgCO2e", "-1.5", "tCO2e", id="negative_values_convert_too"),
    ],
)
def test_quantities_are_stored_in_the_canonical_unit(value, unit, expected, canonical):
    assert to_canonical(Decimal(value), unit) == (Decimal(expected), canonical)


def test_converted_whole_numbers_are_written_without_exponent():
    value, _ = to_canonical(Decimal("1"), "MWh")
    assert str(value) == "1000"


@pytest.mark.parametrize(
    "value, unit, to, expected",
    [
        # 1 / 3.6 = 0.2777..., 15 significant digits.
        pytest.param(
            "1",
            "MJ",
            "kWh",
            "0.277777777777778",
            id="one_megajoule_is_a_three_point_six_th_of_a_kilowatt_hour",
        ),
        pytest.param(
            "36", "TJ", "kWh", "10000000", id="thirty_six_terajoules_are_ten_gigawatt_hours"
        ),
        pytest.param(
            "1", "toe", "GJ", "41.868", id="one_tonne_of_oil_equivalent_is_41_868_gigajoules"
        ),
        pytest.param(
            "2500", "kWh", "MWh", "2.5", id="conversion_out_of_the_canonical_unit_works_too"
        ),
    ],
)
def test_quantities_convert_between_units(value, unit, to, expected):
    assert convert(Decimal(value), unit, to) == Decimal(expected)


# --- volume, mass, emissions ---------------------------------------------------------------


def test_emissions_are_not_interchangeable_with_plain_mass():
    with pytest.raises(UnitError) as info:
        convert(Decimal("1"), "t", "tCO2e")
    assert info.value.code == "wrong_dimension"
    with pytest.raises(UnitError):
        to_canonical(Decimal("1"), "kgCO2e", dimension="mass")


# --- dimension checks ------------------------------------------------------------------------


def test_cubic_metres_given_where_energy_expected_is_refused_naming_the_unit():
    with pytest.raises(UnitError) as info:
        to_canonical(Decimal("5"), "m³", dimension="energy")
    error = info.value
    assert error.code == "wrong_dimension"
    assert error.unit == "m³"
    assert error.expected == "energy"
    assert error.message == (
        '"m³" is a unit of volume, but a unit of energy was expected '
        '("kWh", "MWh", "GWh", "MJ", "GJ", "TJ", "toe").'
    )


def test_matching_dimension_is_accepted():
    assert to_canonical(Decimal("2"), "GWh", dimension="energy") == (Decimal("2000000"), "kWh")


def test_unknown_dimension_asked_of_to_canonical_is_refused():
    with pytest.raises(UnitError) as info:
        to_canonical(Decimal("1"), "kWh", dimension="power")
    assert info.value.code == "unknown_dimension"


def test_converting_between_dimensions_is_refused():
    with pytest.raises(UnitError) as info:
        convert(Decimal("1"), "m3", "kWh")
    assert info.value.code == "wrong_dimension"
    assert info.value.unit == "m3"
    assert info.value.expected == "energy"


def test_unknown_unit_is_refused_by_to_canonical_and_convert():
    with pytest.raises(UnitError) as info:
        to_canonical(Decimal("1"), "foo")
    assert info.value.code == "unknown_unit"
    with pytest.raises(UnitError) as info:
        convert(Decimal("1"), "kWh", "foo")
    assert info.value.code == "unknown_unit"
    assert info.value.unit == "foo"


# --- money -------------------------------------------------------------------------------


def test_usd_to_vnd_without_a_rate_is_refused():
    with pytest.raises(UnitError) as info:
        to_canonical(Decimal("2"), "USD")
    assert info.value.code == "no_rate"
    assert info.value.unit == "USD"
    assert "exchange rate" in info.value.message


def test_vnd_to_usd_without_a_rate_is_refused():
    with pytest.raises(UnitError) as info:
        convert(Decimal("50000"), "VND", "USD")
    assert info.value.code == "no_rate"


def test_two_dollars_at_25000_dong_per_dollar_are_50000_dong():
    assert to_canonical(Decimal("2"), "USD", rate=Decimal("25000")) == (Decimal("50000"), "VND")


def test_dong_to_dollars_divides_by_the_rate():
    assert convert(Decimal("50000"), "VND", "USD", rate=Decimal("25000")) == Decimal("2")


def test_a_zero_or_negative_exchange_rate_is_refused():
    for rate in (Decimal("0"), Decimal("-25000"), Decimal("NaN")):
        with pytest.raises(UnitError) as info:
            convert(Decimal("2"), "USD", "VND", rate=rate)
        assert info.value.code == "invalid_rate"


def test_a_rate_is_ignored_where_no_currency_changes():
    assert to_canonical(Decimal("1"), "MWh", rate=Decimal("25000")) == (Decimal("1000"), "kWh")


# --- percent and count ---------------------------------------------------------------------


def test_a_fraction_is_not_silently_turned_into_a_percentage():
    with pytest.raises(UnitError) as info:
        convert(Decimal("0.125"), "", "%")
    assert info.value.code == "wrong_dimension"
    with pytest.raises(UnitError):
        to_canonical(Decimal("0.125"), "", dimension="percent")


def test_a_count_has_no_unit():
    assert to_canonical(3, "") == (Decimal("3"), "")


def test_wrong_dimension_message_names_the_empty_unit_readably():
    with pytest.raises(UnitError) as info:
        to_canonical(Decimal("1"), "", dimension="energy")
    assert info.value.message.startswith("(no unit) is a unit of count")


# --- values ------------------------------------------------------------------------------


def test_float_values_are_read_through_their_shortest_text():
    assert to_canonical(0.1, "MWh") == (Decimal("100"), "kWh")


def test_int_values_are_accepted():
    assert to_canonical(1500, "kg") == (Decimal("1.5"), "t")


def test_zero_converts_to_plain_zero():
    assert str(convert(Decimal("0"), "MWh", "kWh")) == "0"


def test_a_value_already_in_the_canonical_unit_is_returned_unrounded():
    precise = Decimal("1.23456789012345678901")
    assert to_canonical(precise, "kWh") == (precise, "kWh")


def test_infinite_or_nan_values_are_refused():
    for value in (float("inf"), float("nan"), Decimal("Infinity")):
        with pytest.raises(UnitError) as info:
            to_canonical(value, "MWh")
        assert info.value.code == "invalid_value"


def test_text_and_booleans_are_not_values():
    for value in ("1", True):
        with pytest.raises(TypeError):
            to_canonical(value, "MWh")


@pytest.mark.parametrize(
    "megawatt_hours", ["0.001", "1", "2.5", "-7.125", "123456.789", "999999999.999"]
)
def test_megawatt_hours_round_trip_through_kilowatt_hours_exactly(megawatt_hours):
    value = Decimal(megawatt_hours)
    kwh, _ = to_canonical(value, "MWh")
    assert kwh == value * 1000
    assert convert(kwh, "kWh", "MWh") == value


def test_million_vnd_converts_to_vnd_without_a_rate_and_to_usd_only_with_one():
    assert to_canonical(Decimal("1.5"), "triệu đồng") == (Decimal("1500000"), "VND")
    assert convert(Decimal("1234567"), "VND", "million VND") == Decimal("1.234567")
    with pytest.raises(UnitError) as info:
        convert(Decimal("1"), "million VND", "USD")
    assert info.value.code == "no_rate"
    assert convert(Decimal("25"), "million VND", "USD", rate=Decimal("25000")) == Decimal("1000")


def test_a_forms_unit_is_labelled_in_english_and_kept_as_written_in_vietnamese():
    from indicators.units import unit_label

    assert unit_label("tấn/năm", "en") == "tonnes/year"
    assert unit_label("triệu đồng", "en") == "million VND"
    assert unit_label("m³/năm", "en") == "m³/year"
    assert unit_label("m³/giờ", "en-gb") == "m³/hour"
    assert unit_label("tấn/năm", "vi") == "tấn/năm"
    assert unit_label("triệu đồng") == "triệu đồng"
    assert [unit_label(u, "en") for u in ("kWh", "ha", "%", "")] == ["kWh", "ha", "%", ""]


def test_every_unit_the_forms_write_has_an_english_label_or_reads_the_same():
    from indicators.official_forms import official_forms
    from indicators.units import UNIT_LABELS_EN

    written = {i.unit for f in official_forms() for i in f.data_items() if i.unit}
    same = {"kWh", "m³", "ha", "%"}
    assert written - same == set(UNIT_LABELS_EN) - {"m/năm", "m²/năm", "m³/giờ"}


def test_a_pickers_units_are_labelled_like_the_forms_unit():
    from indicators.units import picker_label

    assert picker_label("tCO2e", "tấn/năm", "tCO2e") == "tấn/năm"
    assert picker_label("kgCO2e", "tấn/năm", "tCO2e") == "kg/năm"
    assert picker_label("kgCO2e", "tấn/năm", "tCO2e", "en") == "kg/year"
    assert picker_label("tCO2e", "tấn/năm", "tCO2e", "en") == "tonnes/year"
    assert picker_label("VND", "triệu đồng", "million VND") == "đồng"
    assert picker_label("MWh", "kWh", "kWh", "en") == "MWh"
    assert picker_label("kWh", "", "") == "kWh"
