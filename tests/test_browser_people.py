"""Onboarding in a real browser (Debian's chromium via Playwright) with a real SMTP server on
loopback (aiosmtpd): Amata's park manager invites a user of enterprise A, the e-mail arrives,
its link sets a password, the new user logs in and sees only its enterprise; the link cannot
be used twice; an expired link is refused with a message; a password reset works end to end."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from enterprises.models import Invitation, Role
from enterprises.services_people import invitation_create

from .conftest import PASSWORD, log_in
from .surveys.test_reminders import smtp  # noqa: F401 - the SMTP server fixture
from .test_browser import browser_page  # noqa: F401 - the chromium page fixture

pytestmark = pytest.mark.browser

NEW_PASSWORD = "Sen-Hong-2026-Amata"
RESET_PASSWORD = "Cau-Vong-2027-Dong-Nai"


@pytest.fixture
def smtp_live(smtp, settings, live_server):  # noqa: F811
    """The reminder tests' real SMTP server on 127.0.0.1, with the links in e-mails pointing
    at the live server."""
    settings.SITE_URL = live_server.url
    return smtp


def wait_for_mail(page, mailbox, count: int = 1):
    for _ in range(40):
        if len(mailbox.received) >= count:
            return mailbox.take()
        page.wait_for_timeout(250)
    raise AssertionError("no e-mail arrived")


@pytest.mark.django_db(transaction=True)
def test_a_park_manager_onboards_a_tenants_user_by_email(
    live_server,
    personas,
    smtp_live,
    browser_page,  # noqa: F811
):
    page, base = browser_page, live_server.url
    log_in(page, base, personas.park_manager.username, PASSWORD)
    page.wait_for_url(re.compile(r"/parks/\d+/$"))

    # the invitation, sent over SMTP
    page.goto(f"{base}/people/")
    page.fill("#id_email", "lan.nguyen@a.example")
    page.select_option("#id_target", f"enterprise:{personas.ent_a.pk}")
    page.select_option("#id_language", "vi")
    page.click("#invite-form button[type=submit]")
    page.wait_for_selector("tr[data-email='lan.nguyen@a.example'] .state-sent")
    [(recipients, message)] = wait_for_mail(page, smtp_live)
    assert recipients == ["lan.nguyen@a.example"]
    assert (
        " ".join(message["Subject"].split())
        == "Lời mời tham gia ecopark: doanh nghiệp, Enterprise A (test)"
    )
    body = message.get_content()
    link = re.search(rf"{re.escape(base)}/accounts/invitation/[^\s]+/", body).group(0)

    # the invited person sets a password
    page.context.clear_cookies()
    page.goto(link)
    page.fill("#id_first_name", "Lan")
    page.fill("#id_last_name", "Nguyễn")
    page.fill("#id_password1", NEW_PASSWORD)
    page.fill("#id_password2", NEW_PASSWORD)
    page.click("#accept-form button[type=submit]")
    page.wait_for_url(re.compile(r"/accounts/login/"))
    assert page.input_value("#id_username") == "lan.nguyen@a.example"

    # logs in and sees only its enterprise
    page.fill("#id_password", NEW_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(rf"/parks/enterprises/{personas.ent_a.pk}/$"))
    page.goto(f"{base}/registry/parks/{personas.catalogue.amata.pk}/")
    rows = page.locator("#tenants tbody tr").all()
    assert [r.get_attribute("data-tax-code") for r in rows] == [personas.ent_a.tax_code]
    answer = page.goto(f"{base}/parks/enterprises/{personas.ent_b.pk}/")
    assert answer.status == 404

    # the link a second time
    page.context.clear_cookies()
    answer = page.goto(link)
    assert answer.status == 410
    assert (
        "Lời mời này đã được sử dụng. Hãy đăng nhập bằng tên đăng nhập lan.nguyen@a.example."
        in page.inner_text("#refused")
    )

    # an expired link
    expired, token = invitation_create(
        user=personas.park_manager,
        email="late@a.example",
        role=Role.ENTERPRISE,
        target=personas.ent_b,
    )
    smtp_live.take()
    Invitation.objects.filter(pk=expired.pk).update(
        expires_at=timezone.now() - timezone.timedelta(minutes=1)
    )
    answer = page.goto(f"{base}/accounts/invitation/{token}/")
    assert answer.status == 410
    assert "Lời mời này đã hết hạn vào" in page.inner_text("#refused")
    assert "t-amata" in page.inner_text("#refused")

    # the inviter sees the states
    log_in(page, base, personas.park_manager.username, PASSWORD)
    page.wait_for_url(re.compile(r"/parks/\d+/$"))
    page.goto(f"{base}/people/")
    assert page.locator("tr[data-email='lan.nguyen@a.example'] .state-accepted").count() == 1
    assert page.locator("tr[data-email='late@a.example'] .state-expired").count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_password_reset_works_end_to_end(
    live_server,
    personas,
    smtp_live,
    browser_page,  # noqa: F811
):
    page, base = browser_page, live_server.url
    user = personas.enterprise_b
    user.email = "b.officer@b.example"
    user.save()
    page.goto(f"{base}/accounts/login/")
    page.click("text=Quên mật khẩu?")
    page.fill("#id_email", "b.officer@b.example")
    page.click("main button[type=submit]")
    page.wait_for_selector("#reset-sent")
    [(recipients, message)] = wait_for_mail(page, smtp_live)
    assert recipients == ["b.officer@b.example"]
    assert " ".join(message["Subject"].split()) == "ecopark: chọn mật khẩu mới"
    link = re.search(r"https?://[^\s]+/accounts/password/reset/[^\s]+/", message.get_content())
    page.goto(link.group(0))
    page.fill("#id_new_password1", RESET_PASSWORD)
    page.fill("#id_new_password2", RESET_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_selector("#reset-complete")
    # the link is spent
    page.goto(link.group(0))
    assert "Không dùng được đường dẫn này" in page.inner_text("#refused")
    log_in(page, base, user.username, RESET_PASSWORD)
    page.wait_for_url(re.compile(rf"/parks/enterprises/{personas.ent_b.pk}/$"))
