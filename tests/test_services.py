"""Real services of CI: PostgreSQL, Redis and a Celery worker consuming from Redis.

Locally (no DATABASE_URL / CELERY_BROKER_URL) these skip; under CI=true they fail instead.
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings
from django.db import DatabaseError, connection

from dashboards.models import CriterionResult, RecomputeState, ScoreSnapshot
from surveys.forms import AnswerValue
from surveys.models import Response
from surveys.services import response_save_answers, response_submit

from .conftest import IN_CI, require
from .dashboards.test_pages import two_periods  # noqa: F401

pytestmark = pytest.mark.services


@contextmanager
def real_worker():
    """A Celery worker thread consuming the configured broker; tasks are not eager inside."""
    from celery.contrib.testing.worker import start_worker

    from ecopark.celery import app

    require(bool(settings.CELERY_BROKER_URL), "CELERY_BROKER_URL is not set (no Redis broker)")
    app.conf.task_always_eager = False
    app.control.purge()
    with start_worker(
        app, pool="solo", perform_ping_check=False, loglevel="WARNING", shutdown_timeout=30
    ):
        yield app
    app.conf.task_always_eager = True


def wait_for(predicate, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


@pytest.mark.django_db
def test_ci_runs_against_postgresql():
    require(connection.vendor == "postgresql", f"database is {connection.vendor}, not PostgreSQL")
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        assert int(cursor.fetchone()[0].split(".")[0]) >= 13


def test_ci_sets_the_real_services():
    if IN_CI:
        assert settings.CELERY_BROKER_URL.startswith("redis://")
        assert not settings.CELERY_TASK_ALWAYS_EAGER
    else:
        pytest.skip("only meaningful under CI=true")


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_computes_the_snapshot_after_submit(personas, campaign_2025):
    amata = personas.catalogue.amata
    response = Response.objects.get(campaign=campaign_2025, park=amata, enterprise__isnull=True)
    elements = {e.code: e for e in campaign_2025.framework_version.data_elements.all()}
    with real_worker():
        saved = response_save_answers(
            response=response,
            values={elements["symbioses_operating"]: AnswerValue(number=0, raw="0")},
            user=personas.park_manager,
            expected_version=response.version,
        )
        response_submit(response=saved, user=personas.park_manager)
        assert wait_for(
            lambda: ScoreSnapshot.objects.filter(
                campaign=campaign_2025, park=amata, enterprise__isnull=True
            ).exists()
        ), "the worker did not write the snapshot within 30 s"
    snap = ScoreSnapshot.objects.get(campaign=campaign_2025, park=amata, enterprise__isnull=True)
    assert (
        CriterionResult.objects.get(snapshot=snap, criterion__code="VN35-EIP-E2").state == "not_met"
    )
    assert not RecomputeState.objects.get(campaign=campaign_2025, park=amata).stale


@pytest.mark.django_db(transaction=True)
def test_submit_succeeds_when_the_broker_is_down_and_leaves_the_results_stale(
    personas, campaign_2025, settings
):
    from ecopark.celery import app

    amata = personas.catalogue.amata
    response = Response.objects.get(campaign=campaign_2025, park=amata, enterprise__isnull=True)
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # a closed port
    app.conf.task_always_eager = False
    try:
        response_submit(response=response, user=personas.park_manager)
    finally:
        app.conf.task_always_eager = True
    assert Response.objects.get(pk=response.pk).status == "submitted"
    assert RecomputeState.objects.get(campaign=campaign_2025, park=amata).stale
    assert not ScoreSnapshot.objects.filter(campaign=campaign_2025, park=amata).exists()
    # the sweep recomputes it once tasks can run again (eager here)
    from dashboards.tasks import sweep_stale_snapshots

    assert sweep_stale_snapshots() == 1
    assert not RecomputeState.objects.get(campaign=campaign_2025, park=amata).stale
    assert ScoreSnapshot.objects.filter(
        campaign=campaign_2025, park=amata, enterprise__isnull=True
    ).exists()


# --- nothing lost when parts fail ---------------------------------------------

ROOT = Path(__file__).resolve().parent.parent

WORKER_CODE = """
import json, os
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ecopark.settings")
django.setup()
from ecopark.celery import app
app.conf.broker_transport_options = {
    **(app.conf.broker_transport_options or {}),
    **json.loads(os.environ["TEST_TRANSPORT_OPTIONS"]),
}
import dashboards.services as services
services.CHUNK_PARKS = int(os.environ.get("TEST_CHUNK_PARKS") or services.CHUNK_PARKS)
services.WRITERS = int(os.environ.get("TEST_WRITERS") or services.WRITERS)
beat = ["--beat", "--schedule", os.environ["TEST_BEAT_SCHEDULE"]] if os.environ.get(
    "TEST_BEAT_SCHEDULE") else []
app.worker_main([
    "worker", "--pool", os.environ.get("TEST_POOL", "solo"),
    "--concurrency", os.environ.get("TEST_CONCURRENCY", "1"), "--loglevel", os.environ.get("TEST_LOGLEVEL", "WARNING"),
    "--without-gossip", "--without-mingle", "--without-heartbeat",
    "--hostname", os.environ["TEST_WORKER_NAME"], *beat,
])
"""


def database_url_of_tests() -> str:
    """The test database (settings.DATABASES['default'] during tests) as a DATABASE_URL."""
    db = settings.DATABASES["default"]
    auth = db.get("USER") or "postgres"
    if db.get("PASSWORD"):
        auth += f":{db['PASSWORD']}"
    return (
        f"postgres://{auth}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"
    )


@contextmanager
def worker_process(name: str, *, delay: float = 0.0, visibility_timeout: int = 3600, **env):
    """A real ``celery -A ecopark worker`` in its own process (own session), on the test
    database and the Redis broker. ``delay`` sets ECOPARK_TEST_RECOMPUTE_DELAY (the documented
    test hook: sleep inside the snapshot transaction); ``TEST_CHUNK_PARKS`` / ``TEST_WRITERS``
    set a campaign recompute's parks per chunk and writer threads, ``TEST_BEAT_SCHEDULE`` (a
    file) runs beat inside the worker. Yields the ``Popen``; stopped at exit."""
    import json
    import os
    import signal
    import subprocess
    import sys

    environment = {
        **os.environ,
        "DATABASE_URL": database_url_of_tests(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "ECOPARK_TEST_RECOMPUTE_DELAY": str(delay) if delay else "",
        "TEST_WORKER_NAME": f"{name}@%h",
        "TEST_TRANSPORT_OPTIONS": json.dumps(
            {
                "visibility_timeout": visibility_timeout,
                "unacked_restore_interval": 1,
                "unacked_restore_throttle": 1,
            }
        ),
        **env,
    }
    proc = subprocess.Popen(
        [sys.executable, "-c", WORKER_CODE],
        cwd=ROOT,
        env=environment,
        start_new_session=True,
        stdout=None if os.environ.get("TEST_WORKER_OUTPUT") else subprocess.DEVNULL,
        stderr=None if os.environ.get("TEST_WORKER_OUTPUT") else subprocess.DEVNULL,
    )
    try:
        yield proc
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)


def state_locked(campaign, park) -> bool:
    """True while another connection holds the park's RecomputeState row lock (a recompute is
    inside its write transaction)."""
    from django.db import transaction

    try:
        with transaction.atomic():
            list(
                RecomputeState.objects.select_for_update(nowait=True)
                .filter(campaign=campaign, park=park)
                .values_list("pk", flat=True)
            )
    except DatabaseError:
        return True
    return False


def fill_amata(personas, campaign):
    """Amata's park response and enterprise A's, answered and submitted (ORM, no signal)."""
    from decimal import Decimal

    from indicators.models import DataElement
    from surveys.models import Answer

    version = campaign.framework_version
    element = {e.code: e for e in DataElement.objects.filter(version=version)}
    park = Response.objects.get(campaign=campaign, park=personas.catalogue.amata, enterprise=None)
    Answer.objects.create(
        response=park, data_element=element["symbioses_operating"], value_number=Decimal(2)
    )
    ent = Response.objects.get(campaign=campaign, enterprise=personas.ent_a)
    Answer.objects.create(response=ent, data_element=element["compliant"], value_bool=True)
    Answer.objects.create(
        response=ent,
        data_element=element["symbioses_participating"],
        value_number=Decimal(1),
        value_intended=Decimal(3),
    )
    Response.objects.filter(pk__in=[park.pk, ent.pk]).update(status="submitted")


def rows_of(campaign, park) -> list[tuple]:
    return sorted(
        CriterionResult.objects.filter(
            snapshot__campaign=campaign, snapshot__park=park
        ).values_list(
            "snapshot__enterprise_id",
            "criterion__code",
            "state",
            "value",
            "gap",
            "state_intended",
            "value_intended",
        ),
        key=repr,
    )


def publish_recompute(campaign, park) -> None:
    """What a submission does after commit: mark stale, publish one task (not eager)."""
    from ecopark.celery import app
    from surveys.signals import scored_answers_changed

    app.conf.task_always_eager = False
    try:
        scored_answers_changed.send(
            sender=Response, campaign_id=campaign.pk, park_ids=[park.pk], reason="submit"
        )
    finally:
        app.conf.task_always_eager = True


def require_real_services():
    require(connection.vendor == "postgresql", f"database is {connection.vendor}, not PostgreSQL")
    require(bool(settings.CELERY_BROKER_URL), "CELERY_BROKER_URL is not set (no Redis broker)")


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_recompute_leaves_nothing_partial_and_the_next_worker_completes_it(
    personas, campaign_2025, own_redis, settings
):
    import os
    import signal

    from indicators.models import Criterion

    require_real_services()
    settings.CELERY_BROKER_URL = own_redis.url(0)  # killing its worker disturbs no one
    amata = personas.catalogue.amata
    fill_amata(personas, campaign_2025)
    publish_recompute(campaign_2025, amata)
    assert RecomputeState.objects.get(campaign=campaign_2025, park=amata).stale

    # worker 1 sleeps 60 s inside the snapshot transaction (rows inserted, not committed)
    with worker_process("killed", delay=60) as first:
        assert wait_for(lambda: state_locked(campaign_2025, amata), timeout=60), (
            "worker 1 never reached the snapshot transaction"
        )
        assert not ScoreSnapshot.objects.filter(campaign=campaign_2025, park=amata).exists()
        os.killpg(first.pid, signal.SIGKILL)  # the worker dies mid-write
        first.wait(timeout=10)
    assert wait_for(lambda: not state_locked(campaign_2025, amata), timeout=30)
    # nothing partial is visible: no snapshot, no result, still stale
    assert not ScoreSnapshot.objects.filter(campaign=campaign_2025).exists()
    assert not CriterionResult.objects.exists()
    assert RecomputeState.objects.get(campaign=campaign_2025, park=amata).stale

    # worker 2: acks_late + a 2 s visibility timeout → the unacknowledged task is redelivered
    with worker_process("restarted", visibility_timeout=2):
        assert wait_for(
            lambda: not RecomputeState.objects.get(campaign=campaign_2025, park=amata).stale,
            timeout=90,
        ), "the restarted worker did not complete the recompute"
    snap = ScoreSnapshot.objects.get(campaign=campaign_2025, park=amata, enterprise=None)
    park_criteria = Criterion.objects.filter(
        version=campaign_2025.framework_version, applies_to="park"
    ).count()
    assert snap.results.count() == park_criteria
    assert snap.results.get(criterion__code="VN35-EIP-E2").state == "met"
    assert ScoreSnapshot.objects.filter(campaign=campaign_2025, park=amata).count() == 3
    ent = ScoreSnapshot.objects.get(campaign=campaign_2025, enterprise=personas.ent_a)
    assert ent.intended_values == 1  # the intended value travelled through the worker too


@pytest.mark.django_db(transaction=True)
def test_two_recomputes_of_the_same_park_at_once_give_the_same_result_as_one(
    personas, campaign_2025, monkeypatch
):
    import threading

    from dashboards.services import park_recompute

    require(connection.vendor == "postgresql", f"database is {connection.vendor}, not PostgreSQL")
    amata = personas.catalogue.amata
    fill_amata(personas, campaign_2025)
    park_recompute(campaign_id=campaign_2025.pk, park_id=amata.pk)
    alone = rows_of(campaign_2025, amata)
    fingerprint = ScoreSnapshot.objects.get(
        campaign=campaign_2025, park=amata, enterprise=None
    ).fingerprint

    # both rewrite (force) and sleep inside their transaction: they overlap for sure
    monkeypatch.setenv("ECOPARK_TEST_RECOMPUTE_DELAY", "1")
    barrier = threading.Barrier(2)
    errors = []

    def run():
        from django.db import connection as thread_connection

        try:
            barrier.wait()
            park_recompute(campaign_id=campaign_2025.pk, park_id=amata.pk, force=True)
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors
    assert ScoreSnapshot.objects.filter(campaign=campaign_2025, park=amata).count() == 3
    assert rows_of(campaign_2025, amata) == alone
    assert (
        ScoreSnapshot.objects.get(campaign=campaign_2025, park=amata, enterprise=None).fingerprint
        == fingerprint
    )


@pytest.mark.django_db(transaction=True)
def test_two_workers_recomputing_the_same_park_at_once_write_it_once(personas, campaign_2025):
    from dashboards.services import park_recompute
    from dashboards.tasks import recompute_park
    from ecopark.celery import app

    require_real_services()
    amata = personas.catalogue.amata
    fill_amata(personas, campaign_2025)
    app.control.purge()
    app.conf.task_always_eager = False
    try:  # two tasks for one park, bypassing the collapse: both run, in two processes
        for _ in range(2):
            recompute_park.apply_async(args=[campaign_2025.pk, amata.pk])
    finally:
        app.conf.task_always_eager = True
    with worker_process("pair", delay=1, TEST_POOL="prefork", TEST_CONCURRENCY="2"):
        assert wait_for(
            lambda: ScoreSnapshot.objects.filter(campaign=campaign_2025, park=amata).count() == 3,
            timeout=60,
        )
        time.sleep(3)  # let the second task finish too
    together = rows_of(campaign_2025, amata)
    assert ScoreSnapshot.objects.filter(campaign=campaign_2025, park=amata).count() == 3
    park_recompute(campaign_id=campaign_2025.pk, park_id=amata.pk, force=True)
    assert rows_of(campaign_2025, amata) == together


@pytest.mark.django_db(transaction=True)
def test_duplicate_requests_for_one_park_put_one_message_on_the_broker(personas, campaign_2025):
    import redis

    from ecopark.celery import app

    require(bool(settings.CELERY_BROKER_URL), "CELERY_BROKER_URL is not set (no Redis broker)")
    amata = personas.catalogue.amata
    app.control.purge()
    for _ in range(3):  # three submissions in the park before any worker runs
        publish_recompute(campaign_2025, amata)
    queue = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    assert queue.llen("celery") == 1
    state = RecomputeState.objects.get(campaign=campaign_2025, park=amata)
    assert state.pending and state.stale and state.generation == 3
    app.control.purge()


@pytest.mark.django_db(transaction=True)
def test_the_sweep_publishes_stale_results_once_the_broker_is_back(personas, campaign_2025):
    from dashboards.tasks import sweep_stale_snapshots
    from ecopark.celery import app

    require(bool(settings.CELERY_BROKER_URL), "CELERY_BROKER_URL is not set (no Redis broker)")
    amata = personas.catalogue.amata
    fill_amata(personas, campaign_2025)
    broker = settings.CELERY_BROKER_URL
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # a closed port
    try:
        publish_recompute(campaign_2025, amata)
    finally:
        settings.CELERY_BROKER_URL = broker
    state = RecomputeState.objects.get(campaign=campaign_2025, park=amata)
    assert state.stale and not state.pending  # nothing queued: the flag was released
    with real_worker():
        app.conf.task_always_eager = False
        assert sweep_stale_snapshots() == 1
        assert wait_for(
            lambda: not RecomputeState.objects.get(campaign=campaign_2025, park=amata).stale
        ), "the worker did not recompute the swept park"
    assert ScoreSnapshot.objects.filter(campaign=campaign_2025, park=amata).count() == 3


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_recompute_everything_and_reports_progress(personas, campaign_2025):
    from dashboards.models import CampaignRecompute
    from dashboards.services import campaign_recompute_start

    require_real_services()
    fill_amata(personas, campaign_2025)
    with real_worker() as app:
        app.conf.task_always_eager = False
        run = campaign_recompute_start(campaign=campaign_2025, user=personas.ministry)
        assert wait_for(
            lambda: CampaignRecompute.objects.get(pk=run.pk).status == "done", timeout=60
        )
    run.refresh_from_db()
    assert (run.done_parks, run.total_parks, run.percent) == (2, 2, 100)
    assert ScoreSnapshot.objects.filter(campaign=campaign_2025, enterprise=None).count() == 2


def test_tasks_acknowledge_late_and_have_the_configured_time_limits():
    from dashboards.tasks import recompute_campaign, recompute_park
    from ecopark.celery import app

    for task in (recompute_park, recompute_campaign):
        assert task.acks_late and task.reject_on_worker_lost
        assert task.max_retries == 5
    assert recompute_park.autoretry_for == (DatabaseError,)
    assert app.conf.task_soft_time_limit == settings.CELERY_TASK_SOFT_TIME_LIMIT
    assert app.conf.task_time_limit == settings.CELERY_TASK_TIME_LIMIT
    assert app.conf.task_soft_time_limit < app.conf.task_time_limit
    schedule = settings.CELERY_BEAT_SCHEDULE["sweep-stale-snapshots"]
    assert schedule["task"] == "dashboards.tasks.sweep_stale_snapshots"
    assert schedule["task"] in app.tasks


# --- PostgreSQL: result references checked per statement, answers written by COPY ----------


def test_the_stored_results_keep_their_references_without_per_row_foreign_keys(
    personas,
    two_periods,  # noqa: F811
):
    """Criterion results and category scores reference their snapshot and catalogue row
    through statement-level triggers (dashboards migration 0005): a result of a missing
    snapshot or criterion, or a changed reference, is refused; a snapshot or criterion still
    referenced cannot be deleted; deleting the results first, as every writer does, works."""
    from django.db import IntegrityError, transaction

    from dashboards.models import CategoryScore
    from indicators.models import Category, Criterion

    require(connection.vendor == "postgresql", f"database is {connection.vendor}, not PostgreSQL")
    c2024, c2025 = two_periods
    snapshot = ScoreSnapshot.objects.get(
        campaign=c2025, park=personas.catalogue.amata, enterprise__isnull=True
    )
    result = CriterionResult.objects.filter(snapshot=snapshot).first()
    criterion = Criterion.objects.get(pk=result.criterion_id)
    category = Category.objects.filter(version=criterion.version).first()
    for attempt in (
        lambda: CriterionResult.objects.create(snapshot_id=-1, criterion=criterion, state="met"),
        lambda: CriterionResult.objects.filter(pk=result.pk).update(criterion_id=-1),
        lambda: CategoryScore.objects.create(
            snapshot=snapshot, category_id=-1, met=0, applicable=0
        ),
        lambda: ScoreSnapshot.objects.filter(pk=snapshot.pk)._raw_delete(connection.alias),
        lambda: Criterion.objects.filter(pk=criterion.pk)._raw_delete(connection.alias),
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            attempt()
    CategoryScore.objects.create(snapshot=snapshot, category=category, met=1, applicable=2)
    CriterionResult.objects.filter(snapshot=snapshot).delete()
    CategoryScore.objects.filter(snapshot=snapshot).delete()
    ScoreSnapshot.objects.filter(pk=snapshot.pk)._raw_delete(connection.alias)
    assert not ScoreSnapshot.objects.filter(pk=snapshot.pk).exists()


def test_answers_written_by_copy_equal_simple_historys_bulk_writes(personas, campaign_2025):
    """The import's PostgreSQL path (surveys/bulk.py) writes the same answer and history rows
    as django-simple-history's bulk functions (the SQLite path): values, users, dates,
    reasons and history types, for new and changed answers."""
    from decimal import Decimal

    from django.utils import timezone
    from simple_history.utils import bulk_create_with_history, bulk_update_with_history

    from surveys.bulk import answers_copy
    from surveys.models import Answer

    require(connection.vendor == "postgresql", f"database is {connection.vendor}, not PostgreSQL")
    responses = list(
        Response.objects.filter(campaign=campaign_2025, enterprise__isnull=False).order_by("pk")
    )[:2]
    elements = list(campaign_2025.framework_version.data_elements.order_by("pk"))[:3]
    user, now = personas.park_manager, timezone.now()
    fields = ["value_number", "value_bool", "value_text", "raw", "unit_entered"]
    fields += ["updated_by", "updated_at"]

    def values(number):
        return {
            "value_number": Decimal(number),
            "value_bool": None,
            "value_text": "",
            "raw": f'{number} "as typed"',
            "unit_entered": "",
            "updated_by": user.pk,
            "updated_at": now,
        }

    def rows_of(response):
        answers = Answer.objects.filter(response=response).order_by("data_element_id")
        # updated_at: bulk_create stamps its own time (auto_now), the COPY path the import's
        keep = ["data_element_id", *fields[:-2], "updated_by_id", "value_intended"]
        history = Answer.history.filter(response_id=response.pk).order_by(
            "data_element_id", "history_id"
        )
        return (
            list(answers.values_list(*keep)),
            list(history.values_list("data_element_id", *keep[1:-1], "history_type",
                                     "history_user_id", "history_change_reason", "history_date")),
        )  # fmt: skip

    by_copy, by_orm = responses
    Answer.objects.filter(response__in=responses).delete()
    # created, then two of them changed
    answers_copy(
        values=[(by_copy.pk, e.pk, values("1.5")) for e in elements],
        fields=fields,
        user=user,
        now=now,
        reason="excel import",
    )
    answers_copy(
        values=[(by_copy.pk, e.pk, values("2")) for e in elements[:2]],
        fields=fields,
        user=user,
        now=now,
        reason="excel import",
    )
    created = [Answer(response=by_orm, data_element=e) for e in elements]
    for a in created:
        for k, v in values("1.5").items():
            setattr(a, "updated_by_id" if k == "updated_by" else k, v)
    bulk_create_with_history(
        created, Answer, default_user=user, default_change_reason="excel import", default_date=now
    )
    changed = list(Answer.objects.filter(response=by_orm, data_element__in=elements[:2]))
    for a in changed:
        for k, v in values("2").items():
            setattr(a, "updated_by_id" if k == "updated_by" else k, v)
    bulk_update_with_history(
        changed,
        Answer,
        fields,
        default_user=user,
        default_change_reason="excel import",
        default_date=now,
    )
    assert rows_of(by_copy) == rows_of(by_orm)
    assert set(Answer.objects.filter(response=by_copy).values_list("updated_at", flat=True)) == {
        now
    }
    assert len(rows_of(by_copy)[1]) == 5  # three "+", two "~"
