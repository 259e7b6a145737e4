"""The demo's report forms in a real browser (Debian's chromium via Playwright): Amata's A.4
prints with its answers (every part and section open on paper, static/css/print.css and
static/js/forms.js), B.4 P4.2 shows only while P4.1 is above 0 (static/js/report.js), and
"Nộp" asks its question once (static/js/forms.js is the only handler
of ``button[data-confirm]``)."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from pypdf import PdfReader

from demo.demo import demo_tax_code
from surveys.models import Response

from .test_browser_workflow import _page_as

pytestmark = pytest.mark.browser

DEMO_CAMPAIGN = "Báo cáo KCN sinh thái 2025"


@pytest.fixture
def demo(catalogue):
    call_command("load_demo", verbosity=0)
    return Response.objects.filter(campaign__name=DEMO_CAMPAIGN)


def _user(username):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username=username)
    user.set_password("test-password-1")  # log_in's password (tests/conftest.py)
    user.save(update_fields=["password"])
    return user


@pytest.mark.django_db(transaction=True)
def test_amatas_a4_prints_every_section_open_with_its_values(live_server, demo, browser):
    amata = demo.get(park__name_vi="Khu công nghiệp Amata", enterprise__isnull=True)
    page = _page_as(browser, live_server, _user("amata-manager"), language="vi")
    page.goto(f"{live_server.url}/surveys/responses/{amata.pk}/")
    field = page.locator("#form-a4 [data-registry='investor_tax_code']")
    tax_code = field.locator("input, .value").first
    value = tax_code.evaluate("n => n.value === undefined ? n.textContent : n.value")
    assert demo_tax_code(801) == "3690008015" and value.startswith("3690008015")
    assert not tax_code.is_visible()  # on screen the sections start closed

    page.emulate_media(media="print")
    assert tax_code.is_visible()
    closed = page.locator("#form-a4 details.section:not([hidden])")
    assert closed.count() > 10
    for i in range(closed.count()):  # every shown section's content prints
        content = closed.nth(i).locator("> :not(summary)").first
        assert content.is_visible(), closed.nth(i).get_attribute("id")
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(page.pdf(format="A4"))).pages)
    assert "3690008015" in text and "Mã số thuế" in text
    page.context.close()


@pytest.mark.django_db(transaction=True)
def test_submit_asks_for_confirmation_once(live_server, demo, browser):
    response = demo.get(enterprise__name="Công ty CP Cơ khí Biên Hòa Sạch (demo)")
    page = _page_as(browser, live_server, _user("enterprise-b"), language="vi")
    page.goto(f"{live_server.url}/surveys/responses/{response.pk}/")
    # B.4 P4.2 applies only when P4.1 (symbioses) is above 0: hidden at 0, shown as 2 is typed
    p42 = page.locator("#item-B4-IV-P4-2")
    page.click("#section-IV-b4 > summary")  # sections start closed
    assert page.input_value("input[name=symbioses_participating]") == "0"
    assert p42.evaluate("n => n.hidden")
    page.fill("input[name=symbioses_participating]", "2")
    assert not p42.evaluate("n => n.hidden")
    page.fill("input[name=symbioses_participating]", "0")
    assert p42.evaluate("n => n.hidden")
    questions = []

    def dismiss(dialog):
        questions.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", dismiss)
    page.click("button[name=action][value=submit]")
    page.wait_for_timeout(500)
    assert len(questions) == 1 and questions[0].startswith("Nộp báo cáo?")
    response.refresh_from_db()
    assert response.status == "draft"  # dismissed: nothing sent
    page.context.close()
