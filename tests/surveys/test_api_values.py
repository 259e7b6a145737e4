"""The responses API reads values one way: JSON numbers or plain decimal strings ("1234.5")
for numbers, JSON booleans for yes/no, ISO 8601 for dates; anything else is refused with a
message naming the field. The API docs say so, and the register API's dates agree."""

from __future__ import annotations

from decimal import Decimal

import pytest

from surveys.models import Answer

from .test_survey_api import api, as_user, patch, r  # noqa: F401 (fixtures)

pytestmark = pytest.mark.usefixtures("keep_language")


def _stored(response, code):
    return Answer.objects.filter(response=response, data_element__code=code).first()


@pytest.mark.parametrize("value", ["1.234,5", "0,5", "1,234.5", "12abc", "1 000", True])
def test_a_number_written_any_other_way_is_refused_naming_the_field(api, personas, r, value):  # noqa: F811
    res = patch(
        as_user(api, personas.park_manager),
        r.amata,
        1,
        {"data_element": "wastewater_total_m3", "value": value},
    )
    assert res.status_code == 400, res.json()
    body = res.json()
    assert list(body["errors"]) == ["wastewater_total_m3"]
    assert "wastewater_total_m3" in body["detail"] or "wastewater" in body["detail"].lower()
    assert _stored(r.amata, "wastewater_total_m3") is None


@pytest.mark.parametrize("value", [1234.5, "1234.5", 1234, "0.5", "-2"])
def test_json_numbers_and_plain_decimal_strings_are_read(api, personas, r, value):  # noqa: F811
    res = patch(
        as_user(api, personas.park_manager),
        r.amata,
        1,
        {"data_element": "wastewater_total_m3", "value": value},
    )
    if value == "-2":  # a plain decimal string, read, then refused by the minimum 0
        assert res.status_code == 400 and "wastewater_total_m3" in res.json()["errors"]
        return
    assert res.status_code == 200, res.json()
    assert _stored(r.amata, "wastewater_total_m3").value_number == Decimal(str(value))


@pytest.mark.parametrize("value", ["yes", "có", 1, "true"])
def test_yes_no_takes_json_booleans_only(api, personas, r, value):  # noqa: F811
    res = patch(
        as_user(api, personas.park_manager),
        r.amata,
        1,
        {"data_element": "basic_services_provided", "value": value},
    )
    assert res.status_code == 400
    assert list(res.json()["errors"]) == ["basic_services_provided"]
    ok = patch(
        as_user(api, personas.park_manager),
        r.amata,
        1,
        {"data_element": "basic_services_provided", "value": True},
    )
    assert ok.status_code == 200 and _stored(r.amata, "basic_services_provided").value_bool is True


def test_the_api_docs_say_how_values_and_dates_are_written(api, personas):  # noqa: F811
    schema = as_user(api, personas.ministry).get("/api/v1/schema/?format=json").json()
    value = schema["components"]["schemas"]["AnswerChange"]["properties"]["value"]
    text = value.get("description", "")
    assert "JSON number" in text and "true" in text and "ISO 8601" in text
    assert "dd/mm/yyyy" not in str(schema)
    exchange = schema["components"]["schemas"]["Exchange"]["properties"]["started_on"]
    assert exchange["format"] == "date"  # ISO 8601 in the register API too
