"""A walk in a real browser (Debian's chromium via Playwright, on a phone viewport) over what
users tripped over:

- after "recompute everything", a park that never reported shows "—", an open marker and counts
  as "no result";
- a trial campaign for one park does not become the national page's default;
- a value saved as "1 000,75" in Vietnamese is shown "1000.75" in English and "Save draft"
  works;
- the Vietnamese catalogue shows each criterion's Vietnamese requirement (as a rendering), its
  legal source in Vietnamese;
- the park's category chart keeps most of a 390 px phone for its bars.
"""

from __future__ import annotations

import datetime
import json

import pytest

from dashboards.services import campaign_recompute
from enterprises.models import Park
from surveys.models import Answer, Response
from surveys.services import campaign_open

from .dashboards.test_pages import set_answers
from .test_browser_workflow import _page_as

pytestmark = pytest.mark.browser


def _login(browser, live_server, user):
    return _page_as(browser, live_server, user, language="vi")


@pytest.fixture
def national_and_trial(personas):
    c = personas.catalogue
    national = campaign_open(
        name="National 2025",
        period=2025,
        framework_version=c.vn2022,
        opens_on=datetime.date(2026, 1, 1),
        closes_on=datetime.date(2026, 3, 31),
    )
    amata = Response.objects.get(campaign=national, park=c.amata, enterprise__isnull=True)
    set_answers(amata, {"symbioses_operating": 1, "basic_services_provided": True})
    Response.objects.filter(pk=amata.pk).update(status=Response.Status.SUBMITTED)
    campaign_recompute(campaign_id=national.pk)  # the ministry's "recompute everything"
    campaign_open(
        name="Trial Nội Bài",
        period=2025,
        framework_version=c.vn2022,
        opens_on=datetime.date(2026, 1, 1),
        closes_on=datetime.date(2026, 3, 31),
        parks=[Park.objects.get(name_vi__contains="Nội Bài")],
    )
    return national


@pytest.mark.django_db(transaction=True)
def test_no_result_and_the_default_campaign_on_the_national_page(
    live_server,
    personas,
    national_and_trial,
    browser,
):
    page = _login(browser, live_server, personas.ministry)
    assert page.url.endswith("/parks/national/")
    # the default is the national campaign, not the newer one-park trial
    assert page.locator("main p.meta").first.inner_text().startswith("National 2025")
    assert page.locator("#count-results").inner_text() == "1"  # Amata only, not 97
    # the park table is paged and searchable: find Đình Vũ without its marks
    page.fill("#park-q", "dinh vu")
    page.click("form.park-search button[type=submit]")
    row = page.locator(f"tr[data-park='{personas.catalogue.dinh_vu.pk}']")
    assert row.locator("td.index").inner_text() == "—"
    assert row.locator("td.met").inner_text() == "—"
    figure = json.loads(json.loads(page.locator("#map-figure").text_content()))
    hollow = next(t for t in figure["data"] if t["marker"].get("symbol") == "circle-open")
    assert "Khu công nghiệp Đình Vũ" in hollow["text"]
    assert page.evaluate("document.documentElement.scrollWidth") <= 391


@pytest.mark.django_db(transaction=True)
def test_a_vietnamese_value_is_shown_and_saved_again_in_english(
    live_server,
    personas,
    campaign_2025,
    browser,
):
    response = Response.objects.get(
        campaign=campaign_2025, park=personas.catalogue.amata, enterprise__isnull=True
    )
    url = f"{live_server.url}/surveys/responses/{response.pk}/"
    page = _login(browser, live_server, personas.park_manager)
    page.goto(url)
    page.fill("#id_wastewater_total_m3", "1 000,75")
    page.click("button[value=save]")
    page.wait_for_load_state()
    assert page.input_value("#id_wastewater_total_m3") == "1 000,75"

    page.click("button[name=language][value=en]")
    page.wait_for_selector("html[lang=en]")
    page.goto(url)
    assert page.input_value("#id_wastewater_total_m3") == "1000.75"  # the English way
    page.fill("#id_wastewater_reused_m3", "250.5")
    page.click("button[value=save]")
    page.wait_for_load_state()
    assert page.locator("#form-errors").count() == 0
    assert "Draft saved." in page.locator("main").inner_text()
    total = Answer.objects.get(response=response, data_element__code="wastewater_total_m3")
    assert (float(total.value_number), total.raw) == (1000.75, "1 000,75")  # untouched
    reused = Answer.objects.get(response=response, data_element__code="wastewater_reused_m3")
    assert float(reused.value_number) == 250.5


@pytest.mark.django_db(transaction=True)
def test_the_vietnamese_criterion_page_shows_vietnamese_requirements(
    live_server,
    personas,
    browser,
):
    page = _login(browser, live_server, personas.enterprise_a)
    page.goto(f"{live_server.url}/catalogue/VN-2022/v1/")
    e3 = page.locator("table.criteria tr[data-code='VN35-EIP-E3']")
    text = e3.inner_text()
    assert "Các doanh nghiệp tham gia hoạt động cộng sinh công nghiệp đó áp dụng hệ thống" in text
    assert "bản dịch, không phải văn bản chính thức" in text
    assert "Nghị định 35/2022/NĐ-CP, Điều 37 khoản 2 điểm b" in text
    assert "The firms in that symbiosis" not in text and "Decree 35" not in text
    assert "có hiệu lực từ ngày 15/07/2022" in page.locator("main").inner_text()


@pytest.mark.django_db(transaction=True)
def test_the_category_chart_keeps_its_bars_wide_on_a_phone(
    live_server,
    personas,
    national_and_trial,
    browser,
):
    page = _login(browser, live_server, personas.park_manager)
    page.goto(f"{live_server.url}/parks/{personas.catalogue.amata.pk}/")
    page.wait_for_selector("#category-chart svg .barlayer")
    plot = page.locator("#category-chart .nsewdrag").first.bounding_box()
    assert plot["width"] >= 200, plot  # the bars keep most of the 390 px
    chart = page.locator("#category-chart").bounding_box()
    title = page.locator("#category-chart .xtitle").bounding_box()
    assert title["x"] >= chart["x"] and title["x"] + title["width"] <= chart["x"] + chart["width"]
    ticks = page.locator("#category-chart .xaxislayer-above .xtick text").all_text_contents()
    assert ticks[-1] == "100", ticks  # the axis reaches 100 %
    assert "Chưa xác minh" not in page.locator("#category-chart").inner_text()


@pytest.mark.django_db(transaction=True)
def test_the_registry_facts_and_a_new_token_fit_a_phone(live_server, personas, browser):
    amata = personas.catalogue.amata
    Park.objects.filter(pk=amata.pk).update(
        operator="Amata Bien Hoa Urban JSC (JV of Amata Corporation PCL, Thailand, and Sonadezi)"
    )
    page = _login(browser, live_server, personas.park_manager)
    page.goto(f"{live_server.url}/registry/parks/{amata.pk}/")
    # on a phone each value stands under its label, over the page's width, not in a narrow column
    label = page.locator("dl.facts dt").last.bounding_box()
    value = page.locator("dl.facts dd").last.bounding_box()
    assert value["y"] > label["y"] and value["x"] == label["x"]
    assert value["width"] > 300, value
    assert page.evaluate("document.documentElement.scrollWidth") <= 391
    # a new personal token (one long word) wraps instead of widening the page
    page.goto(f"{live_server.url}/accounts/profile/")
    page.click("#token-form button[type=submit]")
    assert len(page.locator("#new-token code").inner_text()) >= 40
    assert page.evaluate("document.documentElement.scrollWidth") <= 391
