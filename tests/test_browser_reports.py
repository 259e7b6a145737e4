"""Form A.4 in a real browser on a phone (Debian's chromium via Playwright, 390 px wide): the
park manager fills it section by section, takes a figure from the registers with one click,
sees the land shares computed as it types, is refused at submit with the list of missing
fields, completes each of them from the list, submits; the provincial board then reads the
report."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from surveys.models import Origin, ReportValue, Response

from .conftest import open_dates
from .test_browser_workflow import _page_as as _workflow_page_as

pytestmark = pytest.mark.browser


def _page_as(browser, live_server, user):
    """The review walk's phone-sized English session, accepting "Submit the report?"."""
    page = _workflow_page_as(browser, live_server, user)
    page.on("dialog", lambda dialog: dialog.accept())
    return page


def _open(page, section_id: str) -> None:
    """Open a section by tapping its summary (sections start closed on the page)."""
    summary = page.locator(f"#{section_id} > summary")
    summary.scroll_into_view_if_needed()
    summary.click()
    assert page.locator(f"#{section_id}").evaluate("d => d.open")


def _complete(page, anchor: str) -> None:
    """Answer the field ``anchor`` the way its kind asks (the missing list links to it)."""
    field = page.locator(f"#{anchor}")
    kind = field.get_attribute("data-kind")
    registry = field.get_attribute("data-registry") or ""
    if kind == "yes_no":
        field.locator("input[type=radio][value=yes]").check()
    elif kind == "choice":
        field.locator("select").select_option(index=1)
    elif kind in ("enterprises", "multi_choice"):
        field.locator("input[type=checkbox]").first.check()
    elif kind == "date":
        field.locator("input[type=text]").fill("01/02/2020")
    elif kind == "textarea":
        field.locator("textarea").fill("None this year.")
    elif registry.endswith("email"):
        field.locator("input[type=text]").fill("info@example.vn")
    elif registry.endswith("tax_code"):
        field.locator("input[type=text]").fill("0300588569")
    elif kind in ("integer", "decimal", "percentage"):
        field.locator("input[type=text]").first.fill("0")
    else:
        field.locator("input[type=text]").first.fill("n/a")


@pytest.mark.django_db(transaction=True)
def test_park_manager_fills_a4_on_a_phone_is_told_what_is_missing_completes_and_submits(
    live_server,
    personas,
    browser,
):
    from registers.services import measure_save
    from surveys.services import campaign_open

    c = personas.catalogue
    campaign = campaign_open(
        name="Reports 2025",
        period=2025,
        framework_version=c.vn2022,
        **open_dates(),
        parks=[c.amata],
        report_forms=["A.4", "A.5", "B.4", "B.5"],
    )
    measure_save(
        user=personas.park_manager,
        enterprise=personas.ent_a,
        data={"area": "energy", "title": "VSD", "status": "verified", "year": 2022,
              "saving_value": Decimal("310"), "saving_unit": "MWh",
              "energy_carrier": "electricity", "saving_money_vnd": 560_000_000},
    )  # fmt: skip
    response = Response.objects.get(campaign=campaign, park=c.amata, enterprise=None)
    url = f"{live_server.url}/surveys/responses/{response.pk}/"

    page = _page_as(browser, live_server, personas.park_manager)
    page.goto(url)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scroll

    # section I.2.5, land use: the shares follow the areas as they are typed
    _open(page, "section-I-2-5-a4")
    page.fill("#id_f_A4_I_2_5_1", "250")
    page.fill("#id_f_A4_I_2_5_2", "25.5")
    assert page.inner_text("#id_f_A4_I_2_5_3") == "10.2"
    assert page.inner_text("#section-I-2-5-a4 > summary .count") == "3/9"

    # section III.1.2, energy: the registers' 310 MWh taken with one click
    _open(page, "section-III-1-2-a4")
    field = page.locator("#item-A4-III-1-2-3")
    assert "310,000 kWh" in field.locator(".suggestion").inner_text()
    field.locator("button.use").click()
    assert page.input_value("#id_f_A4_III_1_2_3") == "310000"
    assert page.input_value("input[name=f_A4_III_1_2_3__origin]") == "registers"

    # submit too early: refused, every missing field listed with a link, the draft kept
    page.click("button[value=submit]")
    page.wait_for_selector("#missing-fields")
    links = page.locator("#missing-fields a")
    assert links.count() > 50
    assert "A.4 2.5.4 Land area for transport" in page.inner_text("#missing-fields")
    assert Response.objects.get(pk=response.pk).status == "draft"
    saved = ReportValue.objects.get(response=response, item="A.4:III.1.2.3")
    assert (saved.value_number, saved.origin) == (Decimal("310000"), Origin.REGISTERS)
    assert ReportValue.objects.get(response=response, item="A.4:I.2.5.3").value_number == Decimal(
        "10.2"
    )

    # complete them from the list: each link opens the field's section
    anchors = [links.nth(i).get_attribute("data-missing") for i in range(links.count())]
    for anchor in anchors:
        page.click(f"#missing-fields a[data-missing='{anchor}']")
        assert page.locator(f"#{anchor}").is_visible(), anchor
        _complete(page, anchor)
    page.click("button[value=submit]")
    page.wait_for_url(re.compile(rf"/parks/{c.amata.pk}/"))
    assert Response.objects.get(pk=response.pk).status == "submitted"

    # the board reads the submitted report
    page = _page_as(browser, live_server, personas.board)
    page.goto(url)
    assert page.inner_text("#response-status") == "submitted"
    _open(page, "section-III-1-2-a4")
    assert page.locator("#id_f_A4_III_1_2_3").input_value() == "310000"
    assert page.locator("#id_f_A4_III_1_2_3").is_disabled()
    assert "Annual monitoring report of eco-industrial park implementation" in page.inner_text(
        "#form-a4"
    )
