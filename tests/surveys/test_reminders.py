"""E-mail reminders over real SMTP on loopback (aiosmtpd), driven by Celery beat's own
scheduler under a frozen clock (freezegun).

campaign_2025 opens 01/01/2026 and closes 31/03/2026 with the default schedule "30,7":
reminders are due on 01/03/2026 and 24/03/2026, the overdue one on 01/04/2026.
"""

import datetime
import email
import email.policy
import socket
import threading
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller
from celery import beat
from freezegun import freeze_time

import surveys.tasks  # noqa: F401 - registers the beat tasks with the Celery app
from ecopark.celery import app as celery_app
from enterprises.models import Enterprise, Role
from surveys.models import ReminderSent, Response
from surveys.reminders import due_reminder_date
from surveys.services import campaign_open

from ..conftest import make_user

HCM = ZoneInfo("Asia/Ho_Chi_Minh")


class Mailbox:
    """aiosmtpd handler keeping every message it receives: (envelope recipients, message)."""

    def __init__(self):
        self.received: list[tuple[list[str], email.message.EmailMessage]] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.received.append((list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    def take(self) -> list[tuple[list[str], email.message.EmailMessage]]:
        with self.lock:
            out, self.received = self.received, []
        return out


@pytest.fixture
def campaign_2025(personas):
    """The reminders' calendar: a 2025 campaign for Amata and Đình Vũ open 01/01/2026 to
    31/03/2026 (the suite's own campaign_2025 is open whatever day it runs)."""
    c = personas.catalogue
    return campaign_open(
        name="Test campaign 2025",
        period=2025,
        framework_version=c.vn2022,
        opens_on=datetime.date(2026, 1, 1),
        closes_on=datetime.date(2026, 3, 31),
        parks=[c.amata, c.dinh_vu],
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp(settings):
    """A real SMTP server on 127.0.0.1 and Django's SMTP backend pointed at it."""
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.SITE_URL = "https://ecopark.example"
    yield mailbox
    controller.stop()


@pytest.fixture
def addresses(personas):
    """E-mail addresses for A, B and Amata's manager; Đình Vũ's enterprise has none."""
    for user, address in [
        (personas.enterprise_a, "a@ent-a.example"),
        (personas.enterprise_b, "b@ent-b.example"),
        (personas.park_manager, "manager@amata.example"),
    ]:
        user.email = address
        user.save(update_fields=["email"])
    return personas


class FrozenBeat(beat.Scheduler):
    """Beat's in-memory scheduler over the project's CELERY_BEAT_SCHEDULE. Tasks run eagerly
    in this process (conftest), so no broker connection is opened."""

    producer = None


def run_beat(start: datetime.datetime, due_at: datetime.datetime, ticks: int = 6) -> set[str]:
    """Start beat at ``start`` with the clock frozen, move the clock to ``due_at`` and tick;
    returns the names of the tasks beat ran."""
    ran: set[str] = set()
    with freeze_time(start) as clock:
        scheduler = FrozenBeat(app=celery_app)
        before = {name: entry.total_run_count for name, entry in scheduler.schedule.items()}
        clock.move_to(due_at)
        for _ in range(ticks):
            scheduler.tick()
        for name, entry in scheduler.schedule.items():
            if entry.total_run_count > before[name]:
                ran.add(entry.task)
    return ran


def at(day: datetime.date, hour: int, minute: int, second: int = 0) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=HCM)


def subject(message) -> str:
    """The decoded subject, whitespace normalised (long headers are folded)."""
    return " ".join(str(message["Subject"]).split())


def english(text: str, separator: str) -> str:
    """The English part of a bilingual text (Vietnamese first, then English)."""
    return text.split(separator)[-1]


def body_en(message) -> str:
    return english(message.get_content(), "— — —")


def by_recipient(messages):
    return {tuple(rcpt): msg for rcpt, msg in messages}


def test_the_schedule_dates_follow_the_campaign(campaign_2025):
    assert campaign_2025.reminder_days_list == [30, 7]
    day = datetime.date
    assert due_reminder_date(campaign_2025, day(2026, 2, 28)) is None
    assert due_reminder_date(campaign_2025, day(2026, 3, 1)) == day(2026, 3, 1)
    assert due_reminder_date(campaign_2025, day(2026, 3, 23)) == day(2026, 3, 1)
    assert due_reminder_date(campaign_2025, day(2026, 3, 24)) == day(2026, 3, 24)
    assert due_reminder_date(campaign_2025, day(2026, 3, 31)) == day(2026, 3, 24)
    assert due_reminder_date(campaign_2025, day(2026, 4, 1)) is None


def test_beat_sends_the_seven_day_reminder_over_smtp_once(smtp, addresses, campaign_2025):
    close_minus_7 = datetime.date(2026, 3, 24)
    # the 30-day reminder of 01/03 went out already
    ReminderSent.objects.bulk_create(
        ReminderSent(
            kind="due",
            campaign=campaign_2025,
            response=r,
            park_id=r.park_id,
            on=datetime.date(2026, 3, 1),
            recipients="(earlier run)",
        )
        for r in Response.objects.filter(campaign=campaign_2025)
    )
    ran = run_beat(at(close_minus_7, 6, 59), at(close_minus_7, 7, 0, 30))
    assert "surveys.tasks.send_reminders" in ran
    assert "surveys.tasks.send_weekly_digest" not in ran  # a Tuesday

    received = by_recipient(smtp.take())
    # A, B (their enterprise responses) and Amata's manager (the park response); Đình Vũ's
    # park has no manager and its enterprise user has no address: skipped
    assert set(received) == {
        ("a@ent-a.example",),
        ("b@ent-b.example",),
        ("manager@amata.example",),
    }
    message = received[("a@ent-a.example",)]
    assert message["To"] == "a@ent-a.example"
    assert "Test campaign 2025" in subject(message)
    assert "31/03/2026" in subject(message)
    assert english(subject(message), " / ") == "Reminder: Test campaign 2025 closes on 31/03/2026"
    body = body_en(message)
    assert "Enterprise A (test)" in body and "«Test campaign 2025»" in body
    assert "The close date is 31/03/2026." in body
    response_a = Response.objects.get(campaign=campaign_2025, enterprise=addresses.ent_a)
    assert f"https://ecopark.example/surveys/responses/{response_a.pk}/" in body
    manager_mail = received[("manager@amata.example",)].get_content()
    assert "Khu công nghiệp Amata" in manager_mail  # the park's Vietnamese name, vi part
    assert "Amata City Bien Hoa Industrial Park" in manager_mail  # and its English name
    assert ReminderSent.objects.filter(kind="due", on=close_minus_7).count() == 3

    # a second run the same day, and the run of the next day, send nothing
    with freeze_time(at(close_minus_7, 7, 5)):
        assert surveys.tasks.send_reminders.delay().get() == {
            "sent": 0,
            "skipped": 2,
            "failed": 0,
        }
    run_beat(
        at(close_minus_7 + datetime.timedelta(days=1), 6, 59),
        at(close_minus_7 + datetime.timedelta(days=1), 7, 1),
    )
    assert smtp.take() == []
    assert ReminderSent.objects.filter(kind="due", on=close_minus_7).count() == 3


def test_submitted_responses_get_no_reminder(smtp, addresses, campaign_2025):
    Response.objects.filter(campaign=campaign_2025, enterprise=addresses.ent_a).update(
        status=Response.Status.SUBMITTED
    )
    Response.objects.filter(campaign=campaign_2025, enterprise=addresses.ent_b).update(
        status=Response.Status.RETURNED
    )
    with freeze_time(at(datetime.date(2026, 3, 24), 7, 0)):
        surveys.tasks.send_reminders.delay().get()
    recipients = {tuple(rcpt) for rcpt, _m in smtp.take()}
    assert recipients == {("b@ent-b.example",), ("manager@amata.example",)}


def test_an_overdue_reminder_goes_out_the_day_after_the_close_date_once(
    smtp, addresses, campaign_2025
):
    Response.objects.filter(campaign=campaign_2025, enterprise=addresses.ent_a).update(
        status=Response.Status.APPROVED
    )
    day_after = datetime.date(2026, 4, 1)
    ran = run_beat(at(day_after, 6, 59), at(day_after, 7, 0, 10))
    assert "surveys.tasks.send_reminders" in ran
    received = by_recipient(smtp.take())
    assert set(received) == {("b@ent-b.example",), ("manager@amata.example",)}
    message = received[("b@ent-b.example",)]
    assert english(subject(message), " / ") == "Overdue: Test campaign 2025 (closed 31/03/2026)"
    assert "was due on 31/03/2026 and has not been submitted" in body_en(message)
    assert ReminderSent.objects.filter(kind="overdue", on=day_after).count() == 2
    with freeze_time(at(day_after + datetime.timedelta(days=3), 7, 0)):
        surveys.tasks.send_reminders.delay().get()
    assert smtp.take() == []


def test_no_overdue_reminder_once_the_window_has_passed(smtp, addresses, campaign_2025):
    with freeze_time(at(datetime.date(2026, 4, 30), 7, 0)):
        assert surveys.tasks.send_reminders.delay().get()["sent"] == 0
    assert smtp.take() == []


def test_the_weekly_digest_lists_exactly_the_non_reporting_tenants(smtp, addresses):
    c = addresses.catalogue
    ent_d = Enterprise.objects.create(
        name="Enterprise D (test)", tax_code="0301000003", park=c.amata
    )
    ent_e = Enterprise.objects.create(
        name="Enterprise E (test)", tax_code="0301000010", park=c.amata
    )
    campaign = campaign_open(
        name="Digest campaign 2025",
        period=2025,
        framework_version=c.vn2022,
        opens_on=datetime.date(2026, 1, 1),
        closes_on=datetime.date(2026, 3, 31),
        parks=[c.amata, c.dinh_vu],
    )
    statuses = {
        addresses.ent_a: Response.Status.SUBMITTED,
        addresses.ent_b: Response.Status.DRAFT,
        ent_d: Response.Status.RETURNED,
        ent_e: Response.Status.APPROVED,
    }
    for enterprise, status in statuses.items():
        Response.objects.filter(campaign=campaign, enterprise=enterprise).update(status=status)
    # a second manager of Amata without an address is skipped; an inactive one too
    make_user("t-amata-2", Role.PARK_MANAGER, park=c.amata)
    inactive = make_user("t-amata-3", Role.PARK_MANAGER, park=c.amata)
    inactive.email, inactive.is_active = "gone@amata.example", False
    inactive.save()

    monday = datetime.date(2026, 3, 23)
    ran = run_beat(at(monday, 7, 29), at(monday, 7, 30, 15))
    assert "surveys.tasks.send_weekly_digest" in ran
    digests = [(r, m) for r, m in smtp.take() if "Weekly digest" in subject(m)]
    assert len(digests) == 1  # Amata only: Đình Vũ has no manager
    rcpt, message = digests[0]
    assert rcpt == ["manager@amata.example"]
    assert english(subject(message), " / ") == (
        "Weekly digest: 2 tenants of Amata City Bien Hoa Industrial Park have not reported "
        "(Digest campaign 2025)"
    )
    assert "Khu công nghiệp Amata" in subject(message)  # the Vietnamese part names it so
    for part in message.get_content().split("— — —"):  # Vietnamese, then English
        listed = [line for line in part.splitlines() if line.startswith("- ")]
        assert len(listed) == 2
        assert "Enterprise B (test)" in listed[0] and "0101248141" in listed[0]
        assert "Enterprise D (test)" in listed[1] and "0301000003" in listed[1]
    listed_en = [line for line in body_en(message).splitlines() if line.startswith("- ")]
    assert listed_en == [
        "- Enterprise B (test) (tax code 0101248141): draft",
        "- Enterprise D (test) (tax code 0301000003): returned",
    ]
    assert "2 of the 4 tenants" in body_en(message)
    assert ReminderSent.objects.filter(kind="digest", on=monday).count() == 1

    # later the same week: nothing again; the next Monday: a new digest
    with freeze_time(at(monday + datetime.timedelta(days=2), 7, 30)):
        assert surveys.tasks.send_weekly_digest.delay().get()["sent"] == 0
    assert smtp.take() == []
    with freeze_time(at(monday + datetime.timedelta(days=7), 7, 30)):
        assert surveys.tasks.send_weekly_digest.delay().get()["sent"] == 1
    assert len(smtp.take()) == 1


def test_no_digest_when_every_tenant_reported(smtp, addresses, campaign_2025):
    Response.objects.filter(campaign=campaign_2025, enterprise__isnull=False).update(
        status=Response.Status.SUBMITTED
    )
    with freeze_time(at(datetime.date(2026, 3, 23), 7, 30)):
        assert surveys.tasks.send_weekly_digest.delay().get() == {
            "sent": 0,
            "skipped": 0,
            "failed": 0,
        }
    assert smtp.take() == []


def test_a_failed_send_is_not_recorded_and_goes_out_on_the_next_run(
    smtp, addresses, campaign_2025, monkeypatch
):
    import smtplib

    real_send = __import__("django.core.mail", fromlist=["EmailMessage"]).EmailMessage.send
    calls = {"n": 0}

    def flaky(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            raise smtplib.SMTPRecipientsRefused({self.to[0]: (550, b"mailbox busy")})
        return real_send(self, *args, **kwargs)

    monkeypatch.setattr("django.core.mail.EmailMessage.send", flaky)
    with freeze_time(at(datetime.date(2026, 3, 24), 7, 0)):
        first = surveys.tasks.send_reminders.delay().get()
        assert (first["sent"], first["failed"]) == (2, 1)
        second = surveys.tasks.send_reminders.delay().get()
        assert (second["sent"], second["failed"]) == (1, 0)
    assert len(smtp.take()) == 3
    assert ReminderSent.objects.filter(kind="due").count() == 3
