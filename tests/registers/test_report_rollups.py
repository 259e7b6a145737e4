"""What the registers give the annual reports (forms A.4 and B.4), worked by hand: RECP
counts by period, savings per carrier from measures and exchanges in mixed units, money in
million VND, never two carriers added together."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import translation

from indicators.official_forms import official_forms
from registers.models import SymbiosisParticipant
from registers.selectors import report_rollups
from registers.services import ParticipantSpec, exchange_save, measure_save, saving_save

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("grid_factors")]


def measure(user, ent, **data):
    base = {"title": f"measure {data.get('year')} {data.get('area')}", "status": "verified"}
    return measure_save(user=user, enterprise=ent, data=base | data)


def exchange(personas, kind, title, parties, status="operating", started=datetime.date(2024, 1, 1)):
    return exchange_save(
        user=personas.park_manager,
        park=personas.catalogue.amata,
        data={"kind": kind, "title": title, "status": status, "started_on": started},
        participants=parties,
    )


@pytest.fixture
def amata_registers(personas):
    """:func:`build_amata_registers` as a fixture."""
    return build_amata_registers(personas)


def build_amata_registers(personas):
    """Four measures (grid electricity in MWh, steam in GJ, water in ML, diesel in litres)
    and three exchanges with their 2025 savings (and one 2024 saving that must not count)."""
    pm, a, b = personas.park_manager, personas.ent_a, personas.ent_b
    measure(
        pm,
        a,
        area="energy",
        year=2022,
        saving_value=Decimal("310"),
        saving_unit="MWh",
        energy_carrier="electricity",
        saving_money_vnd=560_000_000,
    )
    measure(
        pm,
        b,
        area="energy",
        year=2023,
        saving_value=Decimal("3600"),
        saving_unit="GJ",
        energy_carrier="fuel_heat",
        fuel="hơi nước",
        saving_money_vnd=950_000_000,
    )
    measure(
        pm,
        a,
        area="water",
        year=2024,
        saving_value=Decimal("36"),
        saving_unit="ML",
        saving_money_vnd=420_000_000,
    )
    measure(
        pm,
        b,
        area="energy",
        year=2025,
        saving_value=Decimal("12000"),
        saving_unit="L",
        fuel="dầu DO",
        saving_money_vnd=300_000_000,
    )
    dev = ParticipantSpec(kind="developer", role="provides", park=personas.catalogue.amata)
    water = exchange(
        personas,
        "water",
        "Treated water for cooling",
        [dev, ParticipantSpec(kind="enterprise", role="receives", enterprise=a)],
    )
    material = exchange(
        personas,
        "material",
        "PE scrap",
        [
            ParticipantSpec(kind="enterprise", role="provides", enterprise=a),
            ParticipantSpec(kind="enterprise", role="receives", enterprise=b),
        ],
    )
    steam = exchange(
        personas,
        "energy",
        "Surplus steam",
        [
            ParticipantSpec(kind="enterprise", role="provides", enterprise=b),
            ParticipantSpec(kind="enterprise", role="receives", enterprise=a),
        ],
    )

    def save(x, carrier, qty=None, unit="", money=None, ent=None, fuel="", year=2025):
        saving_save(
            user=pm,
            exchange=x,
            data={
                "year": year,
                "carrier": carrier,
                "quantity": qty,
                "unit": unit,
                "money_vnd": money,
                "enterprise": ent,
                "fuel": fuel,
            },
        )

    save(water, "water", Decimal("36000"), "m3", 180_000_000, a)
    save(water, "wastewater", Decimal("30000"), "m³", 90_000_000)
    save(water, "water", Decimal("99999"), "m³", 999_000_000, a, year=2024)
    save(material, "materials_received", Decimal("45"), "t", 135_000_000, b)
    save(material, "materials_supplied", Decimal("45000"), "kg", 67_500_000, a)
    save(material, "waste_recycled", Decimal("2000"), "kg", 10_000_000, a)
    save(steam, "fuel", Decimal("1800"), "GJ", 250_000_000, a, fuel="hơi nước")
    save(steam, "electricity", Decimal("50"), "MWh", 90_000_000, a)
    return personas


def test_park_savings_are_totalled_per_carrier_from_four_measures_and_three_exchanges(
    amata_registers,
):
    p = amata_registers
    with translation.override("en"):
        r = report_rollups(period=2025, park_id=p.catalogue.amata.pk)
    # RECP: 310 MWh = 310 000 kWh of grid electricity, 0.6766 t/MWh in 2022 → 209.746 t
    assert r["recp.electricity_kwh"].value == Decimal("310000")
    assert r["recp.electricity_money"].value == Decimal("560")
    assert r["recp.electricity_tco2e"].value == Decimal("209.746")
    # steam (3 600 GJ = 1 000 000 kWh) and diesel (12 000 L = 12 m³) stay apart, each in
    # its unit, with their money; never added to the electricity
    assert r["recp.fuels_text"].value == (
        "dầu DO: 12 m³ (300 million VND saved); hơi nước: 1,000,000 kWh (950 million VND saved)"
    )
    assert r["recp.fuel_money"].value == Decimal("1250")
    assert r["recp.water_m3"].value == Decimal("36000")  # 36 ML
    assert r["recp.water_money"].value == Decimal("420")
    assert r["recp.wastewater_m3"].value == Decimal("0")
    # symbiosis, 2025 only (the 2024 line is left out)
    assert r["symbiosis.water_m3"].value == Decimal("36000")
    assert r["symbiosis.water_money"].value == Decimal("180")
    assert r["symbiosis.wastewater_m3"].value == Decimal("30000")
    assert r["symbiosis.materials_received_t"].value == Decimal("45")
    assert r["symbiosis.materials_supplied_t"].value == Decimal("45")  # 45 000 kg
    assert r["symbiosis.materials_supplied_money"].value == Decimal("67.5")
    assert r["symbiosis.waste_recycled_t"].value == Decimal("2")
    # 50 MWh of electricity and 1 800 GJ (500 000 kWh) of steam: 50 000 kWh, not 550 000
    assert r["symbiosis.electricity_kwh"].value == Decimal("50000")
    assert r["symbiosis.fuels_text"].value == "hơi nước: 500,000 kWh (250 million VND saved)"
    # no official grid factor for 2025: no CO2e is invented
    assert r["symbiosis.electricity_tco2e"].value == Decimal("0")
    assert r["symbiosis.electricity_tco2e"].basis == "no symbiosis saving recorded"
    assert r["symbiosis.operating"].value == 3
    assert r["symbiosis.type_io_exchange"].value is True
    assert r["symbiosis.type_services"].value is False
    assert set(r["symbiosis.partners_in_park"].value) == {p.ent_a.tax_code, p.ent_b.tax_code}


def test_an_enterprise_report_counts_only_its_own_lines(amata_registers):
    p = amata_registers
    a = report_rollups(period=2025, park_id=p.catalogue.amata.pk, enterprise_id=p.ent_a.pk)
    assert a["recp.electricity_kwh"].value == Decimal("310000")
    assert a["recp.fuels_text"].value is None
    assert a["symbiosis.water_m3"].value == Decimal("36000")
    assert a["symbiosis.wastewater_m3"].value == Decimal("0")  # the exchange's, not A's
    assert a["symbiosis.fuel_quantity"].value == Decimal("500000")
    assert a["symbiosis.fuel_quantity"].unit == "kWh"
    assert a["symbiosis.types"].value == ("io_exchange",)
    assert a["symbiosis.partners_in_park"].value == (p.ent_b.tax_code,)
    b = report_rollups(period=2025, park_id=p.catalogue.amata.pk, enterprise_id=p.ent_b.pk)
    assert b["symbiosis.materials_received_t"].value == Decimal("45")
    assert b["recp.fuel_quantity"].value is None  # two fuels: no single figure
    assert b["recp.fuel_money"].value == Decimal("1250")


def test_recp_counts_for_n_minus_2_n_minus_1_and_n_plus_3_from_several_years(personas):
    pm, a, b, c = personas.park_manager, personas.ent_a, personas.ent_b, personas.ent_c
    for ent, year, status in (
        (a, 2022, "implemented"),
        (a, 2023, "verified"),
        (a, 2025, "implemented"),
        (a, 2027, "identified"),
        (b, 2024, "identified"),  # not applied: counts nowhere
        (b, 2025, "verified"),
        (b, 2029, "identified"),
        (b, 2030, "identified"),  # after [N+3] = 2029
    ):
        measure(pm, ent, area="water", year=year, status=status, title=f"{ent.pk}-{year}")
    measure(personas.other_enterprise, c, area="water", year=2023, title="other park")
    r = report_rollups(period=2025, park_id=personas.catalogue.amata.pk)
    # [N-2] = up to 2024: A's 2022 and 2023 measures
    assert (r["recp.enterprises_to_n_minus_2"].value, r["recp.solutions_to_n_minus_2"].value) == (
        1,
        2,
    )
    # [N-1] = 2025: A's and B's
    assert (r["recp.enterprises_in_n_minus_1"].value, r["recp.solutions_in_n_minus_1"].value) == (
        2,
        2,
    )
    # [N+3]: planned for 2026–2029: A (2027) and B (2029)
    assert r["recp.enterprises_planned_to_n_plus_3"].value == 2


def test_a_water_measure_typed_in_tonnes_is_left_out_and_said_so(personas):
    measure(
        personas.park_manager,
        personas.ent_a,
        area="water",
        year=2024,
        saving_value=Decimal("5"),
        saving_unit="t",
    )
    with translation.override("en"):
        r = report_rollups(period=2025, park_id=personas.catalogue.amata.pk)
    assert r["recp.water_m3"].value == Decimal("0")
    assert r["recp.water_m3"].basis == "0 RECP measures; 1 in another unit left out"


def test_an_exchange_with_an_enterprise_of_another_park_ticks_that_type(personas):
    x = exchange(
        personas,
        "waste",
        "Sludge to Đình Vũ",
        [
            ParticipantSpec(kind="enterprise", role="provides", enterprise=personas.ent_a),
            ParticipantSpec(kind="outside", role="receives", name="Hợp tác xã Môi trường"),
        ],
    )
    # proposed from a matching candidate across parks (registers.matching reaches them)
    SymbiosisParticipant.objects.create(
        exchange=x, kind="enterprise", role="receives", enterprise=personas.ent_c
    )
    r = report_rollups(period=2025, park_id=personas.catalogue.amata.pk)
    assert r["symbiosis.type_other_parks"].value is True
    assert r["symbiosis.partners_other_parks"].value == (
        "Enterprise C (test) (Khu công nghiệp Đình Vũ); Hợp tác xã Môi trường"
    )


def test_every_rollup_a_form_names_is_given(personas):
    r = report_rollups(period=2025, park_id=personas.catalogue.amata.pk)
    named = {i.source.rollup for f in official_forms() for i in f.items() if i.source.rollup}
    assert named - set(r) == set()


def test_a_saving_in_a_unit_of_another_dimension_or_twice_for_the_same_line_is_refused(personas):
    from django.core.exceptions import ValidationError

    x = exchange(
        personas,
        "water",
        "Reuse",
        [
            ParticipantSpec(kind="enterprise", role="provides", enterprise=personas.ent_a),
            ParticipantSpec(kind="enterprise", role="receives", enterprise=personas.ent_b),
        ],
    )
    with pytest.raises(ValidationError) as exc:
        saving_save(
            user=personas.park_manager,
            exchange=x,
            data={"year": 2025, "carrier": "water", "quantity": Decimal("3"), "unit": "t"},
        )
    assert list(exc.value.message_dict) == ["quantity"]
    saved = saving_save(
        user=personas.park_manager,
        exchange=x,
        data={"year": 2023, "carrier": "electricity", "quantity": Decimal("100"), "unit": "MWh"},
    )
    assert saved.tco2e == Decimal("65.9200")  # 100 MWh × 0.6592 t/MWh (2023)
    with pytest.raises(ValidationError) as exc:
        saving_save(
            user=personas.park_manager,
            exchange=x,
            data={"year": 2023, "carrier": "electricity", "quantity": Decimal("1"), "unit": "kWh"},
        )
    assert list(exc.value.message_dict) == ["carrier"]


def test_enterprise_b_records_savings_of_its_exchange_but_not_of_another(personas):
    from django.core.exceptions import PermissionDenied

    mine = exchange(
        personas,
        "water",
        "B's",
        [
            ParticipantSpec(kind="enterprise", role="provides", enterprise=personas.ent_a),
            ParticipantSpec(kind="enterprise", role="receives", enterprise=personas.ent_b),
        ],
    )
    other = exchange(
        personas,
        "water",
        "Not B's",
        [
            ParticipantSpec(kind="enterprise", role="provides", enterprise=personas.ent_a),
            ParticipantSpec(kind="developer", role="receives", park=personas.catalogue.amata),
        ],
    )
    saving_save(
        user=personas.enterprise_b,
        exchange=mine,
        data={
            "year": 2025,
            "carrier": "shared_service",
            "money_vnd": 5_000_000,
            "fuel": "xe đưa đón chung",
            "enterprise": personas.ent_b,
        },
    )
    with pytest.raises(PermissionDenied):
        saving_save(
            user=personas.enterprise_b, exchange=other, data={"year": 2025, "carrier": "water"}
        )


def test_the_savings_register_lists_what_the_park_manager_may_see(amata_registers):
    from django.test import Client

    from tests.conftest import PASSWORD

    client = Client()
    client.login(username="t-amata", password=PASSWORD)
    page = client.get("/registers/savings/")
    assert page.status_code == 200
    assert "Surplus steam" in page.content.decode()
    assert client.get("/registers/savings/new/").status_code == 200
    outsider = Client()
    outsider.login(username="t-ent-c", password=PASSWORD)
    assert "Surplus steam" not in outsider.get("/registers/savings/").content.decode()
