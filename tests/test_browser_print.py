"""The park manager prints Amata's report in a real browser (Debian's chromium via Playwright):
on paper the navigation, buttons and forms of the page are left out, the report's codes,
period and stamps come first, the answers follow in the form's order, and the evidence and
workflow steps start a new page (static/css/print.css)."""

from __future__ import annotations

import io
import unicodedata
from decimal import Decimal

import pytest
from pypdf import PdfReader

from indicators.models import DataElement
from surveys.forms import AnswerValue
from surveys.models import Response
from surveys.services import response_save_answers, response_submit

from .conftest import log_in

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_the_park_manager_prints_amatas_report(live_server, personas, campaign_2025, browser):
    amata = Response.objects.get(
        campaign=campaign_2025, park=personas.catalogue.amata, enterprise__isnull=True
    )
    element = DataElement.objects.get(version=personas.catalogue.vn2022, code="symbioses_operating")
    response_save_answers(
        response=amata,
        values={element: AnswerValue(number=Decimal(3), raw="3")},
        user=personas.park_manager,
        expected_version=1,
    )
    response_submit(response=amata, user=personas.park_manager)
    codes = f"EZ_A4_{amata.pk} · EZ_A5_{amata.pk}"

    context = browser.new_context(viewport={"width": 1000, "height": 900})
    context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(20_000)
    log_in(page, live_server.url, personas.park_manager.username)
    page.goto(f"{live_server.url}/surveys/responses/{amata.pk}/")

    # on screen: the navigation and the Print button (shown by static/js/print.js)
    assert page.is_visible("header.top nav") and page.is_visible("button.print-button")
    assert page.inner_text("#report-codes") == codes

    page.emulate_media(media="print")
    for hidden in ("header.top", "footer.foot", "button.print-button", "a.skip"):
        assert page.is_hidden(hidden), hidden
    assert page.inner_text("#report-codes") == codes
    assert page.inner_text("#period-state") == "Within the period"
    assert "first submitted" in page.inner_text("#submission")
    assert page.is_visible("#field-symbioses_operating")
    assert page.input_value("#id_symbioses_operating") == "3"
    assert page.is_visible("#transitions li")  # the workflow steps print open
    labels = page.eval_on_selector_all(
        "#response-form .field > label, #response-form .field legend",
        "nodes => nodes.map(n => n.textContent.trim())",
    )
    expected = [
        e.label_en
        for e in DataElement.objects.filter(
            version=personas.catalogue.vn2022, applies_to="park"
        ).order_by("order", "code")
    ]
    assert labels == expected  # the form's order
    breaks = page.eval_on_selector(".evidence", "n => getComputedStyle(n).breakBefore")
    assert breaks == "page"

    pdf = page.pdf(format="A4", print_background=True)
    reader = PdfReader(io.BytesIO(pdf))
    first = reader.pages[0].extract_text()
    assert f"EZ_A4_{amata.pk}" in first and f"EZ_A5_{amata.pk}" in first
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert "Log out" not in text and "Print" not in text.split()
    assert len(reader.pages) >= 2  # the evidence and workflow steps start a page of their own
    last = unicodedata.normalize("NFKC", reader.pages[-1].extract_text())  # "ﬂ" → "fl"
    n = len(reader.pages)
    assert f"{n} / {n}" in last  # page numbers at the bottom
    assert last.replace(f"{n} / {n}", "").lstrip().startswith("Evidence")
    assert "Workflow steps (1)" in last
    context.close()
