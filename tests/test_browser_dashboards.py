"""The four dashboards in a real browser (Debian's chromium via Playwright), one test per view:
the chart is drawn (its SVG is present), the table shows the snapshot's numbers, the language
switch works, the page fits a 375 px phone, and a user outside the scope gets 404."""

from __future__ import annotations

import re

import pytest

from dashboards.models import ScoreSnapshot

from .conftest import log_in
from .dashboards.test_pages import sector_groups, two_periods  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def new_page(browser, live_server, user):
    """A phone-sized page (375 px) logged in as ``user``; requests leaving the live server
    (a CDN, a tile server) are refused and recorded in ``page.outside``."""
    page = browser.new_page(viewport={"width": 375, "height": 812})
    page.set_default_timeout(20_000)
    page.outside = []

    def guard(route):
        if route.request.url.startswith(live_server.url):
            return route.continue_()
        page.outside.append(route.request.url)
        return route.abort()

    page.route("**/*", guard)
    log_in(page, live_server.url, user.username)
    return page


def fits_the_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= 376


def switch_to_english(page):
    page.click("button[name=language][value=en]")
    page.wait_for_selector("html[lang=en]")


def test_national_dashboard_in_the_browser(browser, live_server, personas, two_periods):  # noqa: F811
    amata = personas.catalogue.amata
    page = new_page(browser, live_server, personas.ministry)
    assert page.url.endswith("/parks/national/")  # home sends the ministry here
    page.wait_for_selector("#map-chart svg .scatterlayer path.point", state="attached")
    page.wait_for_selector(
        "#map-chart svg .layer.land path", state="attached"
    )  # basemap from static/, no CDN
    page.wait_for_selector("#histogram-chart svg .bars path", state="attached")
    row = page.locator(f"#parks-table tr[data-park='{amata.pk}']")
    assert row.locator("td.index").inner_text() == "55,5"
    assert "+15,5" in row.locator("td.trend").inner_text()
    assert row.locator("td.coverage").inner_text() == "2/3"
    assert "© OpenStreetMap contributors (ODbL)" in page.locator("#map-note").inner_text()
    assert fits_the_phone(page)
    assert page.outside == []
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"

    switch_to_english(page)
    row = page.locator(f"#parks-table tr[data-park='{amata.pk}']")
    assert row.locator("td.index").inner_text() == "55.5"
    assert page.locator("h1").inner_text().startswith("National dashboard")
    page.wait_for_selector("#histogram-chart svg .bars path", state="attached")

    board = new_page(browser, live_server, personas.board)
    assert board.goto(f"{live_server.url}/parks/national/").status == 404


def test_province_dashboard_in_the_browser(browser, live_server, personas, two_periods):  # noqa: F811
    c2024, c2025 = two_periods
    page = new_page(browser, live_server, personas.board)
    code = personas.catalogue.dong_nai.code
    assert page.url.endswith(f"/parks/provinces/{code}/")
    page.wait_for_selector("#histogram-chart svg .bars path", state="attached")
    page.wait_for_selector("#map-chart svg .scatterlayer path.point", state="attached")
    row = page.locator(f"#province-table tr[data-province='{code}']")
    assert row.locator("td.mean").inner_text() == "55,5"
    assert (
        page.locator(
            f"#parks-table tr[data-park='{personas.catalogue.amata.pk}'] td.index"
        ).inner_text()
        == "55,5"
    )
    assert (
        page.locator(f"#parks-table tr[data-park='{personas.catalogue.dinh_vu.pk}']").count() == 0
    )
    assert fits_the_phone(page)
    switch_to_english(page)
    assert page.locator("#waiting-title").inner_text() == "Waiting for your approval"
    assert row.locator("td.mean").inner_text() == "55.5"

    other = new_page(browser, live_server, personas.other_board)
    assert other.goto(f"{live_server.url}/parks/provinces/{code}/").status == 404


def test_park_dashboard_in_the_browser(browser, live_server, personas, two_periods):  # noqa: F811
    c2024, c2025 = two_periods
    amata = personas.catalogue.amata
    snap = ScoreSnapshot.objects.get(campaign=c2025, park=amata, enterprise=None)
    page = new_page(browser, live_server, personas.park_manager)
    assert re.search(rf"/parks/{amata.pk}/$", page.url)
    page.wait_for_selector("#trend-chart svg .scatterlayer path", state="attached")
    assert page.locator("#park-index").inner_text() == "55,5"
    assert (
        page.locator("#park-met").inner_text() == f"{snap.criteria_met}/{snap.criteria_applicable}"
    )
    assert page.locator("#park-mandatory").inner_text() == "3/8"
    e2 = page.locator("tr[data-code='VN35-EIP-E2']")
    assert e2.locator(".state").get_attribute("class") == "state not_met"
    assert e2.locator("td.gap").inner_text() == "1"
    trend = page.locator("#trend-table tbody tr")
    assert [trend.nth(i).locator("td").first.inner_text() for i in range(trend.count())] == [
        "40,0",
        "55,5",
    ]
    assert page.locator("#tenants-table").count() == 1
    assert fits_the_phone(page)
    switch_to_english(page)
    assert (
        page.locator("tr[data-code='VN35-EIP-E2'] td")
        .nth(1)
        .inner_text()
        .startswith("At least one industrial symbiosis")
    )
    page.wait_for_selector("#trend-chart svg .scatterlayer path", state="attached")

    outsider = new_page(browser, live_server, personas.other_enterprise)
    assert outsider.goto(f"{live_server.url}/parks/{amata.pk}/").status == 404


def test_enterprise_dashboard_in_the_browser(browser, live_server, personas, sector_groups):  # noqa: F811
    page = new_page(browser, live_server, personas.enterprise_a)
    assert re.search(rf"/parks/enterprises/{personas.ent_a.pk}/$", page.url)
    page.wait_for_selector("#benchmark-chart svg .bars path", state="attached")
    page.wait_for_selector("#trend-chart svg .scatterlayer path", state="attached")
    assert page.locator("#enterprise-index").inner_text() == "60,0"
    park = page.locator("#benchmark-table tr[data-group='park']")
    assert park.locator("td.percentile").inner_text() == "50,0"
    sector = page.locator("#benchmark-table tr[data-group='sector']")
    assert "3" in sector.locator("td.withheld").inner_text()  # "fewer than 3 enterprises"
    assert "Enterprise B (test)" not in page.content()
    assert fits_the_phone(page)
    switch_to_english(page)
    assert park.locator("td.percentile").inner_text() == "50.0"
    assert "withheld: fewer than 3 enterprises" in sector.inner_text()

    neighbour = new_page(browser, live_server, personas.enterprise_b)
    assert neighbour.goto(f"{live_server.url}/parks/enterprises/{personas.ent_a.pk}/").status == 404


def test_park_criteria_table_shows_the_state_without_sideways_scrolling_at_390_px(
    browser,
    live_server,
    personas,
    two_periods,  # noqa: F811
):
    amata = personas.catalogue.amata
    page = new_page(browser, live_server, personas.park_manager)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/parks/{amata.pk}/")
    state = page.locator("tr[data-code='VN35-EIP-E2'] .state")
    state.scroll_into_view_if_needed()
    box = state.bounding_box()
    assert state.get_attribute("class") == "state not_met"
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    wrap = page.locator("#criteria-table").evaluate(
        "t => [t.scrollWidth, t.parentElement.clientWidth]"
    )
    assert wrap[0] <= wrap[1]  # the row is a card: nothing hidden to the right
    assert page.locator("tr[data-code='VN35-EIP-E2'] td").nth(1).inner_text().startswith("Ít nhất")
