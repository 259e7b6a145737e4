"""Real services of CI: PostgreSQL, Redis and a Celery worker consuming from Redis.

Locally (no DATABASE_URL / CELERY_BROKER_URL) these skip; under CI=true they fail instead.
"""

from __future__ import annotations

import time
from contextlib import contextmanager

import pytest
from django.conf import settings
from django.db import connection

from dashboards.models import CriterionResult, RecomputeState, ScoreSnapshot
from surveys.forms import AnswerValue
from surveys.models import Response
from surveys.services import response_save_answers, response_submit

from .conftest import IN_CI, require

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
