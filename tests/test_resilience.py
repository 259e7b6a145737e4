"""Keep working when Redis misbehaves: compose's layout (the cache, the ``cached_db`` sessions
and the broker on one Redis) with that Redis stopped or hung.

These tests run a redis-server of their own (``own_redis`` in tests/conftest.py) and stop it;
the machine's shared Redis is never touched.
"""

from __future__ import annotations

import logging

import pytest
from django.urls import reverse

from dashboards.models import RecomputeState
from surveys.models import Response

from .conftest import PASSWORD

pytestmark = pytest.mark.services


@pytest.fixture
def compose_layout(settings, own_redis):
    """The cache (``CACHE_URL`` → db 1), ``cached_db`` sessions and the broker (db 0) on
    ``own_redis``, as docker-compose.yml sets them; tasks are published, not run eagerly."""
    from django.core.cache import caches

    from ecopark.celery import app

    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "ecopark.cache.DegradingRedisCache",
            "LOCATION": own_redis.url(1),
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        },
    }
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    settings.CACHE_SHARED = True
    settings.CELERY_BROKER_URL = own_redis.url(0)
    app.conf.task_always_eager = False
    yield own_redis
    app.conf.task_always_eager = True
    caches["default"].close()


def pages_of(personas, response):
    amata = personas.catalogue.amata
    return [
        reverse("dashboards:park", args=[amata.pk]),
        reverse("park_registers", args=[amata.pk]),
        reverse("surveys:responses"),
        reverse("surveys:response", args=[response.pk]),
    ]


@pytest.mark.django_db(transaction=True)
def test_with_redis_stopped_the_park_manager_s_pages_answer_200_and_the_form_s_submit_commits(
    client, personas, campaign_2025, compose_layout, caplog, monkeypatch
):
    import ecopark.cache

    monkeypatch.setattr(ecopark.cache, "RETRY_SECONDS", 0.0)  # every request tries Redis
    amata = personas.catalogue.amata
    response = Response.objects.get(campaign=campaign_2025, park=amata, enterprise=None)
    assert client.login(username=personas.park_manager.username, password=PASSWORD)
    for url in pages_of(personas, response):
        assert client.get(url).status_code == 200, url
    generation = RecomputeState.objects.filter(campaign=campaign_2025, park=amata).first()
    assert generation is None  # nothing submitted yet

    compose_layout.stop()  # the one Redis of compose: cache, sessions and broker
    caplog.set_level(logging.INFO, logger="ecopark.cache")
    for url in pages_of(personas, response) * 2:
        reply = client.get(url)
        assert reply.status_code == 200, url
        assert reply.wsgi_request.user == personas.park_manager  # the session was read
    reply = client.post(
        reverse("surveys:response", args=[response.pk]),
        {"version": response.version, "symbioses_operating": "2", "action": "submit"},
    )
    assert reply.status_code == 302
    assert reply["Location"] == reverse("dashboards:park", args=[amata.pk])
    response.refresh_from_db()
    assert response.status == "submitted"
    assert response.answers.get(data_element__code="symbioses_operating").value_number == 2
    # as the API's submit: the park is stale, and no task is queued (the broker is down)
    state = RecomputeState.objects.get(campaign=campaign_2025, park=amata)
    assert (state.stale, state.pending, state.generation) == (True, False, 1)
    assert client.get(reverse("dashboards:park", args=[amata.pk])).status_code == 200
    outage_logs = [r for r in caplog.records if r.name == "ecopark.cache"]
    assert len(outage_logs) == 1, [r.getMessage() for r in outage_logs]  # once, not per request
    assert "unreachable" in outage_logs[0].getMessage()

    compose_layout.start()  # Redis is back (empty)
    assert client.get(reverse("surveys:responses")).status_code == 200
    assert [r.levelname for r in caplog.records if r.name == "ecopark.cache"] == [
        "ERROR",
        "WARNING",
    ]


@pytest.mark.django_db(transaction=True)
def test_the_api_s_submit_marks_the_park_stale_the_same_way_with_redis_stopped(
    client, personas, campaign_2025, compose_layout
):
    amata = personas.catalogue.amata
    response = Response.objects.get(campaign=campaign_2025, enterprise=personas.ent_a)
    assert client.login(username=personas.enterprise_a.username, password=PASSWORD)
    compose_layout.stop()
    reply = client.post(f"/api/v1/responses/{response.pk}/submit/")
    assert reply.status_code == 200, reply.content
    state = RecomputeState.objects.get(campaign=campaign_2025, park=amata)
    assert (state.stale, state.pending, state.generation) == (True, False, 1)


@pytest.mark.django_db(transaction=True)
def test_a_log_out_during_a_hung_redis_is_not_undone_when_redis_answers_again(
    client, personas, compose_layout, monkeypatch
):
    """Redis hangs (SIGSTOP: connections accepted, never answered) and comes back with its
    data: the session ended meanwhile must not be served again from its cached copy."""
    import ecopark.cache

    monkeypatch.setattr(ecopark.cache, "RETRY_SECONDS", 0.0)
    assert client.login(username=personas.board.username, password=PASSWORD)
    session_cookie = client.cookies["sessionid"].value
    assert client.get(reverse("surveys:responses")).wsgi_request.user == personas.board
    compose_layout.freeze()
    try:
        reply = client.get(reverse("surveys:responses"))  # read from the database
        assert reply.status_code == 200 and reply.wsgi_request.user == personas.board
        client.post(reverse("logout"))
    finally:
        compose_layout.thaw()
    client.cookies["sessionid"] = session_cookie  # someone replays the old cookie
    reply = client.get(reverse("surveys:responses"))
    assert reply.status_code == 302 and reply["Location"].startswith(reverse("login"))


# --- a worker killed during "recompute everything"; a queued message lost -----------------


@pytest.fixture
def own_broker(settings, own_redis):
    """The broker on ``own_redis`` (db 0): its workers may be killed and its queue emptied
    without touching the shared Redis."""
    settings.CELERY_BROKER_URL = own_redis.url(0)
    return own_redis


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_run_is_resumed_within_two_minutes_of_a_new_worker_with_the_same_rows(
    personas, campaign_2025, own_broker
):
    import os
    import signal
    import time

    from dashboards.models import CampaignRecompute
    from dashboards.services import campaign_recompute, campaign_recompute_start
    from ecopark.celery import app

    from .test_services import (
        fill_amata,
        require_real_services,
        rows_of,
        state_locked,
        wait_for,
        worker_process,
    )

    require_real_services()
    amata, dinh_vu = personas.catalogue.amata, personas.catalogue.dinh_vu
    assert amata.pk < dinh_vu.pk  # Amata is the first chunk
    fill_amata(personas, campaign_2025)
    for park in (amata, dinh_vu):  # as submissions leave them (the rows a chunk locks)
        RecomputeState.objects.create(campaign=campaign_2025, park=park, stale=True)
    # worker 1 writes one park per chunk, one chunk at a time, sleeping 6 s inside each
    with worker_process("doomed", delay=6, TEST_CHUNK_PARKS="1", TEST_WRITERS="1") as first:
        app.conf.task_always_eager = False
        try:
            run = campaign_recompute_start(campaign=campaign_2025, user=personas.ministry)
        finally:
            app.conf.task_always_eager = True
        assert wait_for(
            lambda: (
                CampaignRecompute.objects.get(pk=run.pk).done_parks == 1
                and state_locked(campaign_2025, dinh_vu)
            ),
            timeout=90,
        ), "worker 1 never completed Amata and started writing Đình Vũ"
        os.killpg(first.pid, signal.SIGKILL)  # dies in the middle of the run
        first.wait(timeout=10)
    run.refresh_from_db()
    assert (run.status, run.done_parks, run.attempt) == ("running", 1, 0)
    assert not RecomputeState.objects.get(campaign=campaign_2025, park=amata).stale
    amata_computed_at = RecomputeState.objects.get(campaign=campaign_2025, park=amata).computed_at
    assert wait_for(lambda: not state_locked(campaign_2025, dinh_vu), timeout=30)
    from dashboards.models import ScoreSnapshot

    assert not ScoreSnapshot.objects.filter(campaign=campaign_2025, park=dinh_vu).exists()

    # worker 2, without beat: its start looks for runs whose heartbeat stopped
    with worker_process("successor"):
        started = time.monotonic()
        assert wait_for(
            lambda: CampaignRecompute.objects.get(pk=run.pk).status == "done", timeout=120
        ), "the run was not completed within 2 minutes of the new worker's start"
        elapsed = time.monotonic() - started
    run.refresh_from_db()
    assert (run.done_parks, run.total_parks, run.attempt) == (2, 2, 1)
    # resumed after its last complete park: Amata was left as worker 1 wrote it
    assert (
        RecomputeState.objects.get(campaign=campaign_2025, park=amata).computed_at
        == amata_computed_at
    )
    disturbed = {park: rows_of(campaign_2025, park) for park in (amata, dinh_vu)}
    campaign_recompute(campaign_id=campaign_2025.pk, force=True)  # an undisturbed run
    assert {park: rows_of(campaign_2025, park) for park in (amata, dinh_vu)} == disturbed
    print(f"run resumed and completed {elapsed:.1f} s after the new worker started")


@pytest.mark.django_db(transaction=True)
def test_a_recompute_whose_queued_message_is_dropped_is_fresh_within_two_sweep_periods(
    personas, campaign_2025, own_broker, settings, tmp_path
):
    import time

    import redis

    from .test_services import (
        fill_amata,
        publish_recompute,
        require_real_services,
        wait_for,
        worker_process,
    )

    require_real_services()
    period = 15.0
    settings.ECOPARK_SWEEP_SECONDS = period
    amata = personas.catalogue.amata
    fill_amata(personas, campaign_2025)
    publish_recompute(campaign_2025, amata)
    queue = redis.Redis.from_url(own_broker.url(0))
    assert queue.llen("celery") == 1
    queue.delete("celery")  # the message is lost
    dropped = time.monotonic()
    state = RecomputeState.objects.get(campaign=campaign_2025, park=amata)
    assert state.stale and state.pending  # a newer submission would still publish nothing

    with worker_process(
        "swept",
        ECOPARK_SWEEP_SECONDS=str(period),
        TEST_BEAT_SCHEDULE=str(tmp_path / "beat-schedule"),
    ):
        assert wait_for(
            lambda: not RecomputeState.objects.get(campaign=campaign_2025, park=amata).stale,
            timeout=3 * period,
        ), "the park stayed stale"
        elapsed = time.monotonic() - dropped
    assert elapsed <= 2 * period, f"fresh {elapsed:.1f} s after the loss, not within 2 periods"
    print(f"fresh {elapsed:.1f} s after the message was dropped (sweep period {period:.0f} s)")


@pytest.mark.django_db
def test_readyz_says_degraded_with_redis_stopped_and_names_the_broker_and_the_cache(
    client, compose_layout
):
    assert client.get("/readyz").json()["status"] == "ok"
    compose_layout.stop()
    reply = client.get("/readyz")
    assert reply.status_code == 200
    body = reply.json()
    assert body["status"] == "degraded" and body["checks"]["database"] == "ok"
    assert "Error" in body["checks"]["broker"] and "Error" in body["checks"]["cache"]


@pytest.mark.django_db
def test_the_api_throttle_counts_every_process_s_requests_in_redis_and_lets_them_by_while_it_is_down(
    personas, compose_layout, settings, monkeypatch
):
    """Two processes (two cache clients on one Redis) share one count per user; the 429 says
    how long the window lasts; with Redis stopped requests are not counted (nor refused)."""
    from rest_framework.test import APIClient

    import ecopark.cache
    from ecopark.cache import DegradingRedisCache

    monkeypatch.setattr(ecopark.cache, "RETRY_SECONDS", 0.0)
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "3/minute", "user": "4/minute"},
    }
    other = DegradingRedisCache(compose_layout.url(1), {})  # a second process's client
    api = APIClient()
    api.force_authenticate(personas.enterprise_a)
    codes = [api.get("/api/v1/parks/").status_code for _ in range(2)]
    key = f"throttle-window_user_{personas.enterprise_a.pk}"
    assert other.hit(key, 60)[0] == 3  # the other process's request is the third
    codes += [api.get("/api/v1/parks/").status_code for _ in range(2)]
    assert codes == [200, 200, 200, 429]
    throttled = api.get("/api/v1/parks/")
    assert throttled.status_code == 429
    assert 55 <= int(throttled["Retry-After"]) <= 60

    compose_layout.stop()
    assert other.hit(key, 60) is None
    assert api.get("/api/v1/parks/").status_code == 200
