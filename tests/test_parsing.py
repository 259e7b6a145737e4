"""Tests for common.parsing: what people type in Vietnam, read or refused."""

import datetime
from decimal import Decimal

import pytest

from common.parsing import (
    ParseError,
    parse_date,
    parse_number,
    parse_percent,
    parse_yes_no,
)

VI_EXPECTED = (
    'expected a number in Vietnamese format: "." separates thousands in groups of three '
    'and "," marks decimals, e.g. 1.234,5 or 12,5.'
)
EN_EXPECTED = (
    'expected a number in English format: "," separates thousands in groups of three '
    'and "." marks decimals, e.g. 1,234.5 or 12.5.'
)


def refusal(parse, text, **kwargs):
    with pytest.raises(ParseError) as info:
        parse(text, **kwargs)
    return info.value


# --- numbers, Vietnamese -----------------------------------------------------------------


@pytest.mark.parametrize(
    "typed, expected",
    [
        pytest.param("1.234,5", "1234.5", id="vietnamese_thousands_dot_and_decimal_comma"),
        pytest.param("1.234", "1234", id="vietnamese_dot_alone_groups_thousands"),
        pytest.param("12,5", "12.5", id="vietnamese_comma_alone_is_the_decimal_mark"),
        pytest.param("1.234.567,891", "1234567.891", id="vietnamese_several_thousand_groups"),
        pytest.param("1234567,5", "1234567.5", id="plain_digits_need_no_grouping"),
        pytest.param("1 234", "1234", id="space_groups_thousands"),
        pytest.param("1\u00a0234", "1234", id="no_break_space_groups_thousands"),
        pytest.param("1\u202f234,5", "1234.5", id="narrow_no_break_space_groups_thousands"),
        pytest.param("  12,5\u00a0", "12.5", id="surrounding_whitespace_is_ignored"),
        pytest.param("\u22123,2", "-3.2", id="unicode_minus_sign_is_a_minus"),
        pytest.param(",5", "0.5", id="decimal_part_without_integer_part"),
    ],
)
def test_vietnamese_numbers_are_read(typed, expected):
    assert parse_number(typed) == Decimal(expected)


def test_vietnamese_is_the_default_language():
    assert parse_number("1.234,5", language="vi") == parse_number("1.234,5")


def test_leading_minus_and_plus_signs():
    assert parse_number("-1.234,5") == Decimal("-1234.5")
    assert parse_number("+12,5") == Decimal("12.5")


def test_trailing_zeros_typed_are_kept():
    assert str(parse_number("12,50")) == "12.50"


def test_negative_zero_reads_as_zero():
    assert str(parse_number("-0")) == "0"


def test_unambiguous_english_format_is_accepted_in_vietnamese():
    # Both marks, comma first: it can only be English.
    assert parse_number("1,234.5") == Decimal("1234.5")
    assert parse_number("1,234,567.25") == Decimal("1234567.25")


# --- numbers, English ----------------------------------------------------------------------


def test_english_thousands_comma_and_decimal_dot():
    assert parse_number("1,234.5", language="en") == Decimal("1234.5")


def test_english_comma_alone_groups_thousands():
    assert parse_number("1,234", language="en") == Decimal("1234")


def test_english_dot_alone_is_the_decimal_mark():
    assert parse_number("1.234", language="en") == Decimal("1.234")
    assert parse_number("12.5", language="en") == Decimal("12.5")


def test_english_space_groups_thousands():
    assert parse_number("1 234", language="en") == Decimal("1234")
    assert parse_number("1\u00a0234.5", language="en") == Decimal("1234.5")


def test_unambiguous_vietnamese_format_is_accepted_in_english():
    assert parse_number("1.234,5", language="en") == Decimal("1234.5")


def test_language_region_suffix_is_ignored():
    assert parse_number("1,234.5", language="en-us") == Decimal("1234.5")
    assert parse_number("1.234,5", language="vi-VN") == Decimal("1234.5")


def test_unknown_language_is_a_programming_error():
    with pytest.raises(ValueError) as info:
        parse_number("1", language="fr")
    assert not isinstance(info.value, ParseError)


# --- numbers, refused ------------------------------------------------------------------------


def test_malformed_groups_and_repeated_decimal_marks_are_refused():
    error = refusal(parse_number, "1.23.4,5,6")
    assert error.code == "invalid_number"
    assert error.value == "1.23.4,5,6"
    assert error.message == f'"1.23.4,5,6" is not a valid number; {VI_EXPECTED}'
    assert str(error) == error.message


def test_trailing_letters_are_refused():
    error = refusal(parse_number, "12abc")
    assert error.code == "invalid_number"
    assert error.message == f'"12abc" is not a valid number; {VI_EXPECTED}'


def test_several_commas_are_refused_in_vietnamese():
    error = refusal(parse_number, "1,2,3")
    assert error.code == "invalid_number"
    assert error.message == f'"1,2,3" is not a valid number; {VI_EXPECTED}'


def test_group_of_two_digits_is_refused():
    error = refusal(parse_number, "1.23,5")
    assert error.message == f'"1.23,5" is not a valid number; {VI_EXPECTED}'


@pytest.mark.parametrize(
    "typed, code",
    [
        pytest.param("1234.567", "invalid_number", id="first_group_of_four_digits_is_refused"),
        # "0.123" must not silently become 123.
        pytest.param(
            "0.123",
            "invalid_number",
            id="zero_point_something_is_not_read_as_thousands_in_vietnamese",
        ),
        pytest.param("1.234 567", "invalid_number", id="mixed_group_separators_are_refused"),
        pytest.param("1  234", "invalid_number", id="double_space_between_groups_is_refused"),
        pytest.param("12,", "invalid_number", id="decimal_mark_without_digits_after_it_is_refused"),
        pytest.param(
            "1,234,5.6", "invalid_number", id="both_marks_in_an_impossible_order_are_refused"
        ),
        pytest.param("\u0661\u0662", "invalid_number", id="non_ascii_digits_are_refused"),
    ],
)
def test_unreadable_numbers_are_refused_with_their_code(typed, code):
    assert refusal(parse_number, typed).code == code


def test_english_decimal_typed_in_vietnamese_is_refused_not_guessed():
    # Neither 125 nor 12.5: the user is told the Vietnamese convention.
    assert refusal(parse_number, "12.5").message == f'"12.5" is not a valid number; {VI_EXPECTED}'


def test_english_refusals_name_the_english_format():
    error = refusal(parse_number, "12,5", language="en")
    assert error.message == f'"12,5" is not a valid number; {EN_EXPECTED}'
    assert refusal(parse_number, "1,2,3", language="en").code == "invalid_number"
    assert refusal(parse_number, "1.23.4,5,6", language="en").code == "invalid_number"
    assert refusal(parse_number, "12abc", language="en").code == "invalid_number"
    assert refusal(parse_number, "1,23.5", language="en").code == "invalid_number"


def test_scientific_notation_is_refused():
    assert refusal(parse_number, "1e5").code == "invalid_number"
    assert refusal(parse_number, "1E5", language="en").code == "invalid_number"


def test_nan_and_infinity_text_are_refused():
    for text in ("NaN", "inf", "Infinity"):
        assert refusal(parse_number, text).code == "invalid_number"


def test_sign_alone_or_doubled_is_refused():
    for text in ("-", "+-1", "- 1"):
        assert refusal(parse_number, text).code == "invalid_number"


# --- numbers, blanks and spreadsheet cells -----------------------------------------------------


def test_blank_and_whitespace_are_none():
    for text in ("", "   ", "\u00a0", "\t\n", None):
        assert parse_number(text) is None


def test_excel_integer_becomes_decimal():
    assert parse_number(1234) == Decimal("1234")


def test_excel_float_goes_through_its_shortest_text():
    assert parse_number(0.1) == Decimal("0.1")
    assert parse_number(1234.5) == Decimal("1234.5")


def test_excel_decimal_is_returned_as_is():
    assert parse_number(Decimal("12.50")) == Decimal("12.50")


def test_pandas_empty_cell_nan_is_none():
    assert parse_number(float("nan")) is None
    assert parse_number(Decimal("NaN")) is None


def test_excel_infinity_and_booleans_are_refused():
    assert refusal(parse_number, float("inf")).code == "invalid_number"
    error = refusal(parse_number, True)
    assert error.code == "invalid_number"
    assert error.value is True


def test_a_date_cell_is_not_a_number():
    assert refusal(parse_number, datetime.date(2024, 3, 15)).code == "invalid_number"


# --- percent -------------------------------------------------------------------------------


def test_vietnamese_percent_with_sign():
    assert parse_percent("12,5%") == Decimal("12.5")


def test_percent_sign_is_optional():
    assert parse_percent("12,5") == Decimal("12.5")


def test_percent_sign_may_follow_a_space():
    assert parse_percent("12,5 %") == Decimal("12.5")
    assert parse_percent("12,5\u00a0%") == Decimal("12.5")


def test_english_percent():
    assert parse_percent("12.5%", language="en") == Decimal("12.5")
    assert parse_percent("1,250.5%", language="en") == Decimal("1250.5")


def test_negative_and_over_one_hundred_percent_are_allowed():
    assert parse_percent("-3,5%") == Decimal("-3.5")
    assert parse_percent("150%") == Decimal("150")


def test_percent_cell_value_is_not_multiplied_by_one_hundred():
    assert parse_percent(0.125) == Decimal("0.125")


def test_blank_percent_is_none():
    assert parse_percent("  ") is None
    assert parse_percent(None) is None


def test_malformed_percent_is_refused_naming_the_text():
    error = refusal(parse_percent, "12,5%%")
    assert error.code == "invalid_percent"
    assert error.value == "12,5%%"
    assert error.message == (
        '"12,5%%" is not a valid percentage; expected a percentage such as 12,5 or 12,5%.'
    )


def test_percent_sign_alone_or_in_front_is_refused():
    assert refusal(parse_percent, "%").code == "invalid_percent"
    assert refusal(parse_percent, "%12").code == "invalid_percent"


def test_english_percent_refusal_shows_the_english_example():
    error = refusal(parse_percent, "abc", language="en")
    assert error.message == (
        '"abc" is not a valid percentage; expected a percentage such as 12.5 or 12.5%.'
    )


# --- yes / no --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["Có", "có", "CÓ", "Co", "co", "C", "c", "Yes", "YES", "Y", "y", "True", "1", "x", "X"]
)
def test_yes_spellings_read_as_true(text):
    assert parse_yes_no(text) is True


@pytest.mark.parametrize(
    "text", ["Không", "không", "KHÔNG", "Khong", "K", "k", "No", "N", "n", "False", "FALSE", "0"]
)
def test_no_spellings_read_as_false(text):
    assert parse_yes_no(text) is False


def test_common_vietnamese_extras_are_understood():
    assert parse_yes_no("ko") is False
    assert parse_yes_no("Đúng") is True
    assert parse_yes_no("Sai") is False


def test_decomposed_accents_are_handled_like_composed_ones():
    assert parse_yes_no("Kho\u0302ng") is False  # o + combining circumflex


def test_yes_no_ignores_surrounding_whitespace():
    assert parse_yes_no("  Có ") is True


def test_blank_yes_no_is_none():
    for text in ("", "   ", None, float("nan")):
        assert parse_yes_no(text) is None


def test_excel_booleans_and_ones_and_zeros_are_read():
    assert parse_yes_no(True) is True
    assert parse_yes_no(False) is False
    assert parse_yes_no(1) is True
    assert parse_yes_no(0.0) is False
    assert parse_yes_no(Decimal("1")) is True


def test_unclear_answer_is_refused_naming_the_text():
    error = refusal(parse_yes_no, "maybe")
    assert error.code == "invalid_yes_no"
    assert error.value == "maybe"
    assert error.message == (
        '"maybe" is not a yes/no answer; expected Có or Không '
        "(also accepted: C/K, Yes/No, Y/N, True/False, 1/0, x for yes)."
    )


def test_other_numbers_are_not_yes_or_no():
    assert refusal(parse_yes_no, 2).code == "invalid_yes_no"
    assert refusal(parse_yes_no, "2").code == "invalid_yes_no"


# --- dates -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed, expected",
    [
        pytest.param("15/03/2024", datetime.date(2024, 3, 15), id="day_first_date_with_slashes"),
        pytest.param("5/3/2024", datetime.date(2024, 3, 5), id="single_digit_day_and_month"),
        pytest.param(
            "03/04/2024", datetime.date(2024, 4, 3), id="ambiguous_looking_date_is_read_day_first"
        ),
        pytest.param("2024-03-15", datetime.date(2024, 3, 15), id="iso_date"),
        pytest.param(
            " 15/03/2024 ", datetime.date(2024, 3, 15), id="date_surrounding_whitespace_is_ignored"
        ),
        pytest.param(
            "29/02/2024", datetime.date(2024, 2, 29), id="leap_day_is_accepted_in_a_leap_year"
        ),
    ],
)
def test_dates_are_read(typed, expected):
    assert parse_date(typed) == expected


def test_day_first_with_dashes_or_dots():
    assert parse_date("15-03-2024") == datetime.date(2024, 3, 15)
    assert parse_date("15.3.2024") == datetime.date(2024, 3, 15)


def test_openpyxl_datetime_cell_gives_its_date():
    assert parse_date(datetime.datetime(2024, 3, 15, 0, 0)) == datetime.date(2024, 3, 15)
    assert parse_date(datetime.datetime(2024, 3, 15, 23, 59)) == datetime.date(2024, 3, 15)


def test_date_cell_is_returned_as_is():
    assert parse_date(datetime.date(2024, 3, 15)) == datetime.date(2024, 3, 15)


def test_blank_date_is_none():
    for text in ("", "  ", None, float("nan")):
        assert parse_date(text) is None


def test_month_first_date_is_refused_because_dates_are_read_day_first():
    error = refusal(parse_date, "12/25/2024")
    assert error.code == "invalid_date"
    assert error.value == "12/25/2024"
    assert error.message == (
        '"12/25/2024" is not a valid date: there is no month 25 (dates are read day first); '
        "expected a date written day first, dd/mm/yyyy (e.g. 15/03/2024), or yyyy-mm-dd."
    )


def test_day_that_does_not_exist_is_refused():
    error = refusal(parse_date, "29/02/2023")
    assert error.message.startswith(
        '"29/02/2023" is not a valid date: month 2 of 2023 has no day 29;'
    )


def test_two_digit_year_is_refused():
    error = refusal(parse_date, "15/03/24")
    assert error.message == (
        '"15/03/24" is not a valid date; '
        "expected a date written day first, dd/mm/yyyy (e.g. 15/03/2024), or yyyy-mm-dd."
    )


def test_implausible_year_is_refused_as_a_typo():
    error = refusal(parse_date, "15/03/0224")
    assert "year 224 is outside 1900-2100" in error.message


def test_mixed_separators_and_words_are_refused():
    for text in ("15/03-2024", "2024/03/15", "15 March 2024", "hôm nay"):
        assert refusal(parse_date, text).code == "invalid_date"


def test_excel_serial_number_is_refused():
    error = refusal(parse_date, 45366)
    assert error.code == "invalid_date"
    assert error.value == 45366
