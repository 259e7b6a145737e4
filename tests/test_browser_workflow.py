"""The review walk in a real browser (Debian's chromium via Playwright, on a phone
viewport): enterprise A fills and submits; Amata's park manager returns it with a comment on
one answer; the enterprise sees the comment, corrects and resubmits; the Đồng Nai board
approves; the answers are then locked."""

from __future__ import annotations

import re

import pytest

from surveys.models import Answer, Response, Transition

from .conftest import log_in

pytestmark = pytest.mark.browser


def _page_as(browser, live_server, user, language: str = "en"):
    """A fresh phone-sized session (390 px), in ``language``, logged in as ``user``."""
    context = browser.new_context(viewport={"width": 390, "height": 844})
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(20_000)
    log_in(page, live_server.url, user.username)
    return page


@pytest.mark.django_db(transaction=True)
def test_enterprise_submits_manager_returns_enterprise_resubmits_board_approves_in_the_browser(
    live_server, personas, campaign_2025, browser
):
    response = Response.objects.get(campaign=campaign_2025, enterprise=personas.ent_a)
    url = f"{live_server.url}/surveys/responses/{response.pk}/"

    # enterprise A fills and submits from its inbox
    page = _page_as(browser, live_server, personas.enterprise_a)
    page.goto(f"{live_server.url}/surveys/")
    page.click(f"table.inbox tr[data-response='{response.pk}'] a")  # due or overdue
    page.wait_for_url(re.compile(rf"/surveys/responses/{response.pk}/$"))
    page.fill("#id_symbioses_participating", "2")
    page.check("#field-compliant input[value=yes]")
    page.click("button[value=submit]")
    page.wait_for_load_state()
    assert Response.objects.get(pk=response.pk).status == "submitted"

    # the park manager returns it with a comment on one answer
    page = _page_as(browser, live_server, personas.park_manager)
    page.goto(f"{live_server.url}/surveys/")
    page.click(f"#inbox-to_review tr[data-response='{response.pk}'] a")
    page.wait_for_url(re.compile(rf"/surveys/responses/{response.pk}/$"))
    page.click("#field-symbioses_participating details.review-comment summary")
    page.fill("#field-symbioses_participating textarea", "Name the partner of each exchange.")
    page.fill("#id_reason", "One answer needs a check.")
    page.click("button[value=return]")
    page.wait_for_selector("#response-status")
    assert page.inner_text("#response-status") == "returned"

    # the enterprise sees the comment by the answer, corrects and resubmits
    page = _page_as(browser, live_server, personas.enterprise_a)
    page.goto(url)
    assert "One answer needs a check." in page.inner_text("#return-note")
    assert "Name the partner of each exchange." in page.inner_text(
        "#field-symbioses_participating .reviewer-comment"
    )
    page.fill("#id_symbioses_participating", "1")
    page.click("button[value=submit]")
    page.wait_for_load_state()
    assert Response.objects.get(pk=response.pk).status == "submitted"

    # the board approves
    page = _page_as(browser, live_server, personas.board)
    page.goto(url)
    page.click("button[value=approve]")
    page.wait_for_selector("#response-status")
    assert page.inner_text("#response-status") == "approved"

    # locked: the enterprise sees read-only fields and no save button
    page = _page_as(browser, live_server, personas.enterprise_a)
    page.goto(url)
    assert page.locator("#id_symbioses_participating").is_disabled()
    assert page.locator("button[value=save]").count() == 0
    assert "Approved: the answers are locked." in page.inner_text("#read-only")
    page.click("#field-symbioses_participating details.history summary")
    assert "2" in page.inner_text("#field-symbioses_participating details.history")

    answer = Answer.objects.get(response=response, data_element__code="symbioses_participating")
    assert answer.value_number == 1
    assert list(
        Transition.objects.filter(response=response)
        .order_by("at", "pk")
        .values_list("to_status", "by__username")
    ) == [
        ("submitted", "t-ent-a"),
        ("returned", "t-amata"),
        ("submitted", "t-ent-a"),
        ("approved", "t-board"),
    ]
