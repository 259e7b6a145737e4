"""The registers in a real browser (Debian's chromium via Playwright), on a phone:
an enterprise records a RECP measure, the park manager records an exchange, the park
dashboard's registers panel shows them (Sankey, savings, counts) and, after the recompute, the
park's Art. 37(2)(b) criterion reads them."""

from __future__ import annotations

import re

import pytest

from registers.models import RECPMeasure, SymbiosisExchange

from .conftest import log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def phone(browser):
    """A phone-sized (375 px) browser context."""
    return browser.new_context(viewport={"width": 375, "height": 812})


def login(context, url, user):
    page = context.new_page()
    page.set_default_timeout(20_000)
    log_in(page, url, user.username)
    return page


@pytest.mark.django_db(transaction=True)
def test_record_a_measure_and_an_exchange_and_see_them_on_the_park_dashboard(
    live_server, personas, campaign_2025, phone
):
    from indicators.emissions import emission_factors_load

    emission_factors_load()
    amata = personas.catalogue.amata

    page = login(phone, live_server.url, personas.park_manager)
    page.goto(f"{live_server.url}/parks/{amata.pk}/?campaign={campaign_2025.pk}")
    assert page.locator("tr[data-code='VN35-EIP-E2'] .state.met").count() == 0
    page.close()

    page = login(phone, live_server.url, personas.enterprise_a)
    page.goto(f"{live_server.url}/registers/measures/new/")
    page.select_option("#id_area", "energy")
    page.fill("#id_title", "Biến tần máy nén khí")
    page.select_option("#id_status", "verified")
    page.fill("#id_year", "2023")
    page.fill("#id_saving_value", "1.2")  # refused: not a Vietnamese number
    page.select_option("#id_saving_unit", "MWh")
    page.select_option("#id_energy_carrier", "electricity")
    page.click("button[value=save]")
    assert page.input_value("#id_saving_value") == "1.2"
    assert page.locator("#field-saving_value .error-text").count() == 1
    assert not RECPMeasure.objects.exists()
    page.fill("#id_saving_value", "120")
    page.fill("#id_saving_money_vnd", "250.000.000")
    page.click("button[value=save]")
    page.wait_for_url(re.compile(r"/registers/measures/\d+/$"))
    # 120 MWh × 0.6592 t CO2/MWh (2023) = 79.104 t CO2e, written the Vietnamese way
    assert "79,104" in page.locator("dl.facts").inner_text()
    page.close()

    page = login(phone, live_server.url, personas.park_manager)
    page.goto(f"{live_server.url}/registers/exchanges/new/")
    page.select_option("#id_kind", "water")
    page.fill("#id_title", "Nước làm mát tuần hoàn")
    page.fill("#id_quantity_per_year", "12.000")
    page.select_option("#id_unit", "m³")
    page.select_option("#id_status", "operating")
    page.fill("#id_started_on", "01/02/2025")
    page.select_option("#id_providers", [str(personas.ent_a.pk)])
    page.select_option("#id_receivers", [str(personas.ent_b.pk)])
    page.click("button[value=save]")
    page.wait_for_url(re.compile(r"/registers/exchanges/\d+/$"))
    exchange = SymbiosisExchange.objects.get()
    assert exchange.quantity_per_year == 12000 and exchange.unit == "m³"

    page.goto(f"{live_server.url}/parks/{amata.pk}/?campaign={campaign_2025.pk}")
    panel = page.locator(".registers-panel")
    panel.scroll_into_view_if_needed()
    assert page.locator("#reg-operating").inner_text() == "1"
    assert page.locator("#reg-tco2e").inner_text() == "79,1"
    assert "Nước làm mát tuần hoàn" in page.locator("#reg-exchanges").inner_text()
    page.wait_for_selector("#reg-sankey .main-svg")  # plotly drew the Sankey
    page.wait_for_selector("#reg-savings .main-svg")
    # keyboard: the first link of the panel can be reached and followed
    assert page.locator(".registers-panel a").first.get_attribute("href")
    # the criteria read the registers: one operating exchange meets Art. 37(2)(b)
    for _ in range(40):
        if page.locator("tr[data-code='VN35-EIP-E2'] .state.met").count():
            break
        page.wait_for_timeout(500)
        page.reload()
    assert page.locator("tr[data-code='VN35-EIP-E2'] .state").get_attribute("class") == "state met"
    page.close()
