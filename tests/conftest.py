"""Shared fixtures: the reference catalogue, personas, and service guards.

Personas (healthchecks style): ``ministry``, ``board`` (Đồng Nai), ``park_manager`` (Amata),
``enterprise_a`` and ``enterprise_b`` (tenants of Amata), ``other_enterprise`` (a tenant of
Đình Vũ, Hải Phòng — outside every Đồng Nai scope).
"""

from __future__ import annotations

import datetime
import os
import shutil
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model

from enterprises.backends import load_user
from enterprises.models import Enterprise, Park, Province, Role, UserScope
from enterprises.services import reference_load
from indicators.models import Framework, FrameworkVersion
from indicators.services import frameworks_load_shipped

IN_CI = os.environ.get("CI", "").lower() == "true"


def pytest_configure(config):
    """Fast password hashing in tests (the default PBKDF2 costs ~0.25 s a user)."""
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


PASSWORD = "test-password-1"

#: the personas of the permission matrices, in the order of their tables' columns
PERSONAS = [
    "ministry",
    "board",
    "other_board",
    "park_manager",
    "enterprise_a",
    "enterprise_b",
    "other_enterprise",
]


def by_persona(*statuses) -> dict:
    """One expected answer per persona, given in the order of :data:`PERSONAS`:
    ``by_persona(200, 200, 404, ...)`` is ``{"ministry": 200, "board": 200, ...}``."""
    return dict(zip(PERSONAS, statuses, strict=True))


def require(condition: bool, reason: str) -> None:
    """Skip when a real service or the browser is missing; under CI=true, fail instead."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"required under CI=true: {reason}")
    pytest.skip(reason)


def chromium_path() -> str | None:
    """Debian's chromium, or None."""
    return shutil.which("chromium") or (
        "/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None
    )


#: how the browser tests start Debian's chromium (no sandbox in containers, nothing fetched
#: in the background)
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def browser():
    """Debian's chromium through Playwright's sync API, closed after the test; skipped
    without chromium (failed under CI=true, see :func:`require`)."""
    path = chromium_path()
    require(path is not None, "Debian's chromium is not installed (apt-get install chromium)")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's sync API runs an event loop
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield b
        b.close()


def log_in(page, base_url: str, username: str, password: str = PASSWORD) -> None:
    """Log ``page`` in through the login form at ``base_url`` and wait for the page it leads
    to."""
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("main button[type=submit]")
    page.wait_for_load_state()


def clear_caches() -> None:
    """Empty every configured cache (the page cache outlives test transactions, and the
    dashboards' cache stamp returns to the same value when a test's transaction is rolled
    back, so a page cached by one test must not reach the next)."""
    from django.conf import settings as django_settings
    from django.core.cache import caches

    for alias in django_settings.CACHES:
        caches[alias].clear()


def run_pending_on_commit() -> None:
    """Run the on-commit callbacks that the test's fixtures registered: inside a test's
    transaction they wait for a commit that never comes (and a later
    ``django_capture_on_commit_callbacks`` only sees its own)."""
    from django.db import connection

    pending, connection.run_on_commit = connection.run_on_commit, []
    for _sids, func, _robust in pending:
        func()


@pytest.fixture(autouse=True)
def _fresh_caches():
    """Each test starts and ends with empty caches (see :func:`clear_caches`)."""
    clear_caches()
    yield
    clear_caches()


@pytest.fixture
def keep_language():
    """Restore the active language after the test: a request through the test client leaves
    its language active in the thread, and a later test must not depend on it."""
    from django.utils import translation

    previous = translation.get_language()
    yield
    translation.activate(previous)


@pytest.fixture
def english_messages():
    """The whole test runs with English active (the source language), so that messages can be
    compared as written; a module takes it for every test with
    ``pytest.mark.usefixtures("english_messages")`` in its ``pytestmark``."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _eager_celery(settings):
    """Tasks run in-process unless a test starts a real worker (see test_services)."""
    from ecopark.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture
def catalogue(db):
    """The reference registry (34 provinces, 97 parks) and the shipped frameworks."""
    if Park.objects.count() < 97:
        reference_load()
    if not Framework.objects.filter(code="VN-2022").exists():
        frameworks_load_shipped()
    return SimpleNamespace(
        amata=Park.objects.get(name_vi="Khu công nghiệp Amata"),
        dinh_vu=Park.objects.get(name_vi="Khu công nghiệp Đình Vũ"),
        dong_nai=Province.objects.get(name_vi="Đồng Nai"),
        hai_phong=Province.objects.get(name_vi="Hải Phòng"),
        vn2022=FrameworkVersion.objects.get(framework__code="VN-2022", number=1),
    )


def make_user(username: str, role: str, **scope):
    user = get_user_model().objects.create_user(username=username, password=PASSWORD)
    UserScope.objects.create(user=user, role=role, **scope)
    return load_user(user.pk)  # as a request would have it: memberships loaded with the user


@pytest.fixture
def personas(catalogue):
    """The five personas plus an enterprise of another park, and their enterprises."""
    ent_a = Enterprise.objects.create(
        name="Enterprise A (test)", tax_code="0300588569", park=catalogue.amata
    )
    ent_b = Enterprise.objects.create(
        name="Enterprise B (test)", tax_code="0101248141", park=catalogue.amata
    )
    ent_c = Enterprise.objects.create(
        name="Enterprise C (test)", tax_code="0900189284", park=catalogue.dinh_vu
    )
    return SimpleNamespace(
        ministry=make_user("t-ministry", Role.MINISTRY),
        board=make_user("t-board", Role.BOARD, province=catalogue.dong_nai),
        other_board=make_user("t-board-hp", Role.BOARD, province=catalogue.hai_phong),
        park_manager=make_user("t-amata", Role.PARK_MANAGER, park=catalogue.amata),
        enterprise_a=make_user("t-ent-a", Role.ENTERPRISE, enterprise=ent_a),
        enterprise_b=make_user("t-ent-b", Role.ENTERPRISE, enterprise=ent_b),
        other_enterprise=make_user("t-ent-c", Role.ENTERPRISE, enterprise=ent_c),
        ent_a=ent_a,
        ent_b=ent_b,
        ent_c=ent_c,
        catalogue=catalogue,
    )


def open_period(today: datetime.date | None = None) -> tuple[datetime.date, datetime.date]:
    """``(opens_on, closes_on)`` of a campaign open on ``today`` (default: the local date):
    from 60 days before to 60 days after, so that the respondents may change and submit
    (``surveys.periods``) whatever day the suite runs."""
    from django.utils import timezone

    today = today or timezone.localdate()
    return today - datetime.timedelta(days=60), today + datetime.timedelta(days=60)


def open_dates(today: datetime.date | None = None) -> dict[str, datetime.date]:
    """:func:`open_period` as keyword arguments of ``campaign_open``."""
    opens_on, closes_on = open_period(today)
    return {"opens_on": opens_on, "closes_on": closes_on}


@pytest.fixture
def grid_factors(db):
    """The shipped grid emission factors (loaded by the migration; loading again is a no-op);
    a module asks for them with ``pytestmark = pytest.mark.usefixtures("grid_factors")``."""
    from indicators.emissions import emission_factors_load

    emission_factors_load()


@pytest.fixture
def campaign_2025(personas):
    """A 2025 campaign on VN-2022 v1 for Amata and Đình Vũ, with all their responses, open
    today (:func:`open_period`). Tests of the calendar itself (reminders, periods) make
    campaigns with fixed dates and freeze the clock."""
    from surveys.services import campaign_open

    c = personas.catalogue
    opens_on, closes_on = open_period()
    return campaign_open(
        name="Test campaign 2025",
        period=2025,
        framework_version=c.vn2022,
        opens_on=opens_on,
        closes_on=closes_on,
        parks=[c.amata, c.dinh_vu],
    )


@pytest.fixture
def amata_response(personas, campaign_2025):
    """Amata's own (park) response in :func:`campaign_2025`, on VN-2022 v1."""
    from surveys.models import Response

    return Response.objects.get(
        campaign=campaign_2025, park=personas.catalogue.amata, enterprise__isnull=True
    )


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the reference registry and the shipped frameworks once per test database."""
    with django_db_blocker.unblock():
        reference_load()
        frameworks_load_shipped()


class OwnRedis:
    """A redis-server of the test's own, on a free port of 127.0.0.1, that the test may stop,
    freeze and start again without touching the machine's shared Redis (6379), which other
    runs and CI use. Nothing is saved to disk. ``url(db)`` gives its address."""

    def __init__(self, workdir):
        import socket

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.workdir = workdir
        self.pid: int | None = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def ping(self) -> bool:
        import redis

        try:
            return bool(redis.Redis(port=self.port, socket_timeout=0.5).ping())
        except redis.RedisError:
            return False

    def start(self) -> None:
        import subprocess
        import time

        pidfile = self.workdir / f"redis-{self.port}.pid"
        subprocess.run(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--daemonize", "yes", "--dir", str(self.workdir),
             "--pidfile", str(pidfile), "--logfile", str(self.workdir / "redis.log")],
            check=True,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while not self.ping():
            assert time.monotonic() < deadline, "the test's redis-server did not start"
            time.sleep(0.05)
        self.pid = int(pidfile.read_text())

    def stop(self) -> None:
        """Shut it down (its data are lost), as an outage or a restart would."""
        import os
        import signal
        import time

        if self.pid is None:
            return
        os.kill(self.pid, signal.SIGCONT)  # in case it was frozen
        os.kill(self.pid, signal.SIGTERM)
        deadline = time.monotonic() + 10
        while self.ping() or _alive(self.pid):
            assert time.monotonic() < deadline, "the test's redis-server did not stop"
            time.sleep(0.05)
        self.pid = None

    def freeze(self) -> None:
        """SIGSTOP: connections are accepted but never answered (a hung or partitioned Redis);
        :meth:`thaw` resumes it with its data."""
        import os
        import signal

        os.kill(self.pid, signal.SIGSTOP)

    def thaw(self) -> None:
        import os
        import signal

        os.kill(self.pid, signal.SIGCONT)


def _alive(pid: int) -> bool:
    import os

    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.fixture
def own_redis(tmp_path):
    """A started :class:`OwnRedis`, stopped after the test (requires ``redis-server``)."""
    require(shutil.which("redis-server") is not None, "redis-server is not installed")
    server = OwnRedis(tmp_path)
    server.start()
    yield server
    server.stop()
