"""Vietnamese number and date conventions everywhere (common/formats.py): grouped thousands
with "." and a decimal ","; charts too; lists read "30 và 7"; no capital "Ngày" mid-sentence."""

from __future__ import annotations

import datetime
import json
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from common.formats import format_fixed, format_list, format_quantity, plotly_separators
from dashboards.figures import index_trend_figure
from registers.services import ParticipantSpec, exchange_save, measure_save, stream_save

from .conftest import PASSWORD

pytestmark = pytest.mark.usefixtures("keep_language")


def _text(html: str) -> str:
    html = re.sub(r"<script.*?</script>", " ", html, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_the_helpers_write_each_language_its_own_way():
    with translation.override("vi"):
        assert format_quantity(Decimal("1234.5"), "MWh") == "1.234,5 MWh"
        assert format_quantity(Decimal("900000"), "kWh") == "900.000 kWh"
        assert format_fixed(12, 1) == "12,0" and format_fixed(Decimal("1234.56"), 1) == "1.234,6"
        assert format_list([30, 7]) == "30 và 7" and format_list([30, 14, 7]) == "30, 14 và 7"
        assert plotly_separators() == ",."
    with translation.override("en"):
        assert format_quantity(Decimal("1234.5"), "MWh") == "1,234.5 MWh"
        assert format_fixed(12, 1) == "12.0"
        assert format_list([30, 7]) == "30 and 7"
        assert plotly_separators() == ".,"


def test_the_trend_chart_labels_and_axes_use_vietnamese_separators():
    class Snap:
        def __init__(self, index):
            self.index = Decimal(index)

    history = [(2023, Snap("12")), (2024, Snap("20")), (2025, Snap("84"))]
    with translation.override("vi"):
        figure = json.loads(index_trend_figure(history))
    assert figure["data"][0]["text"] == ["12,0", "20,0", "84,0"]
    assert figure["layout"]["separators"] == ",."


def test_a_measure_typed_in_mwh_shows_both_quantities_the_vietnamese_way(client, personas):
    m = measure_save(
        user=personas.enterprise_a,
        enterprise=personas.ent_a,
        data={
            "area": "energy",
            "title": "Heat recovery",
            "status": "implemented",
            "year": 2024,
            "saving_value": Decimal("1234.5"),
            "saving_unit": "MWh",
            "energy_carrier": "fuel_heat",
        },
    )
    assert client.login(username=personas.enterprise_a.username, password=PASSWORD)
    text = _text(client.get(reverse("registers:measure", args=[m.pk])).content.decode())
    assert "1.234.500 kWh (= 1.234,5 MWh)" in text


def test_matching_reasons_and_the_exchange_table_group_thousands(client, personas):
    manager = personas.park_manager
    stream_save(
        user=manager,
        enterprise=personas.ent_a,
        data={
            "direction": "output",
            "category": "heat",
            "quantity_per_year": 900000,
            "unit": "kWh",
        },
    )
    stream_save(
        user=manager,
        enterprise=personas.ent_b,
        data={
            "direction": "input",
            "category": "heat",
            "quantity_per_year": 1200000,
            "unit": "kWh",
        },
    )
    exchange_save(
        user=manager,
        park=personas.catalogue.amata,
        data={
            "kind": "water",
            "title": "Treated water",
            "status": "operating",
            "started_on": datetime.date(2024, 1, 1),
            "quantity_per_year": 36000,
            "unit": "m³",
        },
        participants=[
            ParticipantSpec(kind="enterprise", role="provides", enterprise=personas.ent_a),
            ParticipantSpec(kind="enterprise", role="receives", enterprise=personas.ent_b),
        ],
    )
    assert client.login(username=manager.username, password=PASSWORD)
    matching = _text(client.get(reverse("registers:matching")).content.decode())
    assert "900.000 kWh/năm" in matching and "1.200.000 kWh/năm" in matching
    panel = _text(
        client.get(
            reverse("park_registers", args=[personas.catalogue.amata.pk]), {"year": 2024}
        ).content.decode()
    )
    assert "36.000 m³" in panel


def test_the_campaign_page_says_30_and_7_days_and_dates_have_no_capital_mid_sentence(
    client, personas, campaign_2025
):
    assert client.login(username=personas.ministry.username, password=PASSWORD)
    text = _text(client.get(reverse("surveys:campaign", args=[campaign_2025.pk])).content.decode())
    assert "30 và 7 ngày" in text and "30,7" not in text
    with translation.override("vi"):
        from django.utils.formats import date_format

        when = date_format(datetime.datetime(2026, 12, 5, 6, 19), "DATETIME_FORMAT")
    assert when == "06:19 ngày 05 tháng 12 năm 2026"
