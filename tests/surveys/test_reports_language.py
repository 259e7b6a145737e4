"""The response page of the official reports in each language: a field's note ("Về trường
này" / "About this field") and the units next to the labels."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.utils import translation

from tests.surveys.test_reports import client_for, enterprise_response, name, post, stored

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("grid_factors")]


def field_html(page: str, anchor: str) -> str:
    """The HTML of the field whose id is ``anchor``, up to the next field."""
    start = page.index(f'id="{anchor}"')
    end = page.find('class="field report-field', start)
    return page[start : end if end != -1 else len(page)]


def note_of(page: str, anchor: str) -> str:
    found = re.search(r'<details class="note">.*?<p>(.*?)</p>', field_html(page, anchor), re.S)
    assert found, anchor
    return found.group(1)


@pytest.mark.parametrize(
    "language, note",
    [
        (
            "vi",
            "Một khối lượng kèm đơn vị (lít, m³, tấn, …): các loại nhiên liệu không bao giờ "
            "được quy đổi sang nhau.",
        ),
        (
            "en",
            "A quantity with its unit (litre, m³, tonne, …): fuels are never converted into "
            "one another.",
        ),
    ],
)
def test_the_fuel_note_is_in_the_pages_language(report_campaign, personas, language, note):
    response = enterprise_response(report_campaign, personas.ent_a)
    page = client_for(personas.enterprise_a, language).get(f"/surveys/responses/{response.pk}/")
    html = page.content.decode()
    assert note_of(html, "item-B4-III-P3-6") == note
    summary = "Về trường này" if language == "vi" else "About this field"
    assert f"<summary>{summary}</summary>" in field_html(html, "item-B4-III-P3-6")


@pytest.mark.parametrize(
    "language, co2, money",
    [("vi", "(tấn/năm)", "(triệu đồng)"), ("en", "(tonnes/year)", "(million VND)")],
)
def test_the_units_next_to_the_labels_are_in_the_pages_language(
    report_campaign, personas, language, co2, money
):
    response = enterprise_response(report_campaign, personas.ent_a)
    page = client_for(personas.enterprise_a, language).get(f"/surveys/responses/{response.pk}/")
    html = page.content.decode()
    # B.4 P3.3 is written in tấn/năm, P3.4 in triệu đồng (indicators/data/forms/B4.yaml)
    assert f'<span class="unit">{co2}</span>' in field_html(html, "item-B4-III-P3-3")
    assert f'<span class="unit">{money}</span>' in field_html(html, "item-B4-III-P3-4")
    # B.4 P2.6, the production table's revenue column (a new row's template included)
    revenue = re.findall(r'<label for="id_prod-[^"]*-revenue_million_vnd">([^<]*)', html)
    assert revenue and all(label.strip().endswith(money) for label in revenue), revenue
    if language == "en":
        assert "tấn/năm" not in field_html(html, "item-B4-III-P3-3")
        assert "triệu đồng" not in field_html(html, "item-B4-III-P3-4")


def options_of(page: str, anchor: str) -> list[tuple[str, str]]:
    select = re.search(r"<select name=\"[^\"]*__unit\".*?</select>", field_html(page, anchor), re.S)
    assert select, anchor
    return re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select.group(0))


@pytest.mark.parametrize(
    "language, labels",
    [("vi", ["tấn/năm", "kg/năm"]), ("en", ["tonnes/year", "kg/year"])],
)
def test_the_co2_of_fuel_saving_is_offered_in_tonnes_or_kg_a_year_and_kg_is_converted(
    report_campaign, personas, language, labels
):
    # B.4 P3.7: the reference writes "tấn/năm" (of CO2), kept in tCO2e; kgCO2e is its
    # only conversion in indicators/units.py, labelled like the form's unit
    response = enterprise_response(report_campaign, personas.ent_a)
    client = client_for(personas.enterprise_a, language)
    page = client.get(f"/surveys/responses/{response.pk}/").content.decode()
    assert options_of(page, "item-B4-III-P3-7") == list(
        zip(["tCO2e", "kgCO2e"], labels, strict=True)
    )
    item = name("B.4", "III.P3.7")
    with translation.override(language):
        post(client, response, {item: "2500", f"{item}__unit": "kgCO2e"})
    value = stored(response, "B.4:III.P3.7")
    assert (value.value_number, value.unit_entered) == (Decimal("2.5"), "kgCO2e")
