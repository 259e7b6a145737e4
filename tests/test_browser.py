"""The walk of the foundation issue in a real browser (Debian's chromium via Playwright):
log in as Amata's park manager, fill the 2025 survey, submit, see the dashboard's new states."""

from __future__ import annotations

import re
from contextlib import nullcontext

import pytest
from django.conf import settings

from surveys.models import Response

from .conftest import log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def browser_page(browser):
    """A phone-sized page (390 px) of the chromium of :func:`tests.conftest.browser`."""
    page = browser.new_page(viewport={"width": 390, "height": 844})  # a phone
    page.set_default_timeout(20_000)
    return page


@pytest.mark.django_db(transaction=True)
def test_park_manager_fills_the_survey_submits_and_sees_the_dashboard(
    live_server, personas, campaign_2025, browser_page
):
    from .test_services import real_worker

    page = browser_page
    amata = personas.catalogue.amata
    response = Response.objects.get(campaign=campaign_2025, park=amata, enterprise__isnull=True)
    worker = real_worker() if settings.CELERY_BROKER_URL else nullcontext()
    with worker:
        log_in(page, live_server.url, personas.park_manager.username)
        page.wait_for_url(re.compile(rf"/parks/{amata.pk}/$"))

        page.goto(f"{live_server.url}/surveys/responses/{response.pk}/")
        # a wrong number first: refused, named, kept
        page.fill("#id_symbioses_operating", "hai")
        page.click("button[value=save]")
        errors = page.locator("#form-errors")
        assert "Số cộng sinh công nghiệp đang vận hành trong KCN" in errors.inner_text()
        assert page.input_value("#id_symbioses_operating") == "hai"

        page.fill("#id_symbioses_operating", "1")
        page.check("#field-basic_services_provided input[value=yes]")
        page.check("#field-symbiosis_participants_iso input[value=no]")
        page.click("button[value=submit]")
        page.wait_for_url(re.compile(rf"/parks/{amata.pk}/$"))

        for _ in range(60):  # a real worker answers within seconds
            if page.locator("tr[data-code='VN35-EIP-E2'] .state.met").count():
                break
            page.wait_for_timeout(500)
            page.reload()
    e2 = page.locator("tr[data-code='VN35-EIP-E2'] .state")
    assert e2.get_attribute("class") == "state met"
    assert (
        page.locator("tr[data-code='VN35-EIP-E3'] .state").get_attribute("class") == "state not_met"
    )
    assert (
        page.locator("tr[data-code='VN35-EIP-I3'] .state").get_attribute("class") == "state no_data"
    )
    page.wait_for_selector("#category-chart svg")  # plotly.js drew the chart from static/
    assert page.locator("#park-met").inner_text().startswith("2/")  # I2 and E2 met

    page.click("button[name=language][value=en]")
    page.wait_for_selector("html[lang=en]")
    assert (
        page.locator("tr[data-code='VN35-EIP-E2'] td")
        .nth(1)
        .inner_text()
        .startswith("At least one industrial symbiosis")
    )
