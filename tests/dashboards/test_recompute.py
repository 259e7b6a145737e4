"""Recomputing snapshots: one park, a whole campaign, idempotence, staleness, intended values,
duplicate requests, "recompute everything" with progress, framework versions, query counts,
synthetic national data.

Real-service cases (Redis, a real worker, PostgreSQL concurrency) are in tests/test_services.py.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from stdnum.vn import mst

from dashboards.models import (
    CampaignRecompute,
    CategoryScore,
    CriterionResult,
    RecomputeState,
    ScoreSnapshot,
)
from dashboards.publish import claim_parks, send_recompute
from dashboards.services import (
    _prepare,
    _write_chunk,
    campaign_recompute,
    campaign_recompute_start,
    park_recompute,
)
from dashboards.tasks import sweep_stale_snapshots
from enterprises.models import Enterprise, Park
from indicators.models import Criterion, DataElement
from surveys.models import Answer, Campaign, Response
from surveys.signals import scored_answers_changed

from ..conftest import PASSWORD, open_dates


def give(response: Response, code: str, value, intended=None) -> Answer:
    """Store one answer (yes/no as bool, numbers in canonical units) and its intended value."""
    element = DataElement.objects.get(version=response.campaign.framework_version, code=code)
    kwargs = {"value_intended": None if intended is None else Decimal(str(float(intended)))}
    if element.value_type == "yes_no":
        kwargs["value_bool"] = bool(value)
    else:
        kwargs["value_number"] = Decimal(str(value))
    return Answer.objects.create(response=response, data_element=element, **kwargs)


def scored(response: Response) -> None:
    Response.objects.filter(pk=response.pk).update(status=Response.Status.SUBMITTED)


def park_response(campaign, park) -> Response:
    return Response.objects.get(campaign=campaign, park=park, enterprise__isnull=True)


def enterprise_response(campaign, enterprise) -> Response:
    return Response.objects.get(campaign=campaign, enterprise=enterprise)


def snapshot_rows(campaign, park) -> list[tuple]:
    """Every stored value of the park's snapshots, in a stable order (ids excluded)."""
    snaps = ScoreSnapshot.objects.filter(campaign=campaign, park=park).order_by("enterprise_id")
    rows = []
    for s in snaps:
        rows.append(
            (
                s.enterprise_id,
                s.fingerprint,
                s.index,
                s.criteria_met,
                s.criteria_applicable,
                s.eligible,
                s.eco_enterprise,
                s.index_intended,
                s.index_improvement,
                s.reported,
                s.population,
                tuple(
                    s.results.order_by("criterion__code").values_list(
                        "criterion__code", "state", "value", "gap", "state_intended", "improvement"
                    )
                ),
                tuple(
                    s.categories.order_by("category__code").values_list(
                        "category__code", "met", "applicable", "share", "share_intended"
                    )
                ),
            )
        )
    return rows


@pytest.fixture
def amata_filled(personas, campaign_2025):
    """Amata's park response (E2: 1 symbiosis, E4 roll-up) and enterprise A's response with
    intended values; both submitted. Enterprise B did not report."""
    c = personas.catalogue
    park = park_response(campaign_2025, c.amata)
    give(park, "symbioses_operating", 1)
    give(park, "basic_services_provided", True)
    give(park, "io_monitoring_mechanism", False, intended=1)
    scored(park)
    ent = enterprise_response(campaign_2025, personas.ent_a)
    give(ent, "located_in_certified_eip", True)
    give(ent, "compliant", True)
    give(ent, "symbioses_participating", 0, intended=1)
    give(ent, "iso_management_system", True)
    give(ent, "cleaner_production_applied", True)
    give(ent, "resource_efficiency_applied", False, intended=1)
    give(ent, "recp_savings_demonstrated", True)
    scored(ent)
    return campaign_2025


def test_one_park_recompute_writes_the_park_and_its_enterprises_with_every_criterion(
    personas, amata_filled
):
    amata = personas.catalogue.amata
    outcome = park_recompute(campaign_id=amata_filled.pk, park_id=amata.pk)
    assert outcome.written and outcome.snapshots == 3  # the park, enterprise A, enterprise B
    version = amata_filled.framework_version
    park_snap = ScoreSnapshot.objects.get(campaign=amata_filled, park=amata, enterprise=None)
    park_criteria = Criterion.objects.filter(version=version, applies_to="park").count()
    assert park_snap.results.count() == park_criteria
    states = dict(park_snap.results.values_list("criterion__code", "state"))
    assert states["VN35-EIP-E2"] == "met"  # 1 symbiosis ≥ 1
    assert states["VN35-EIP-I2"] == "met"
    assert states["VN35-EIP-I3"] == "not_met"
    assert states["VN35-EIP-I1"] == "no_data"  # one year of a 3-year look-back
    # E4 rolls up tenants: A reported, its (CP or RE) and savings → 1 of 1 → 100 %
    e4 = park_snap.results.get(criterion__code="VN35-EIP-E4")
    assert (e4.state, e4.value, e4.reported, e4.population) == ("met", 100.0, 1, 2)
    assert (park_snap.reported, park_snap.population) == (1, 2)
    ent_snap = ScoreSnapshot.objects.get(campaign=amata_filled, enterprise=personas.ent_a)
    assert ent_snap.park_id == amata.pk
    assert ent_snap.fingerprint == park_snap.fingerprint
    assert not RecomputeState.objects.get(campaign=amata_filled, park=amata).stale


def test_intended_values_give_the_intended_index_and_the_improvement_potential(
    personas, amata_filled
):
    park_recompute(campaign_id=amata_filled.pk, park_id=personas.catalogue.amata.pk)
    snap = ScoreSnapshot.objects.get(campaign=amata_filled, enterprise=personas.ent_a)
    # current: ENT-1 met, ENT-2 no data (1 year of 3), ENT-3 not met (0 symbioses),
    # ENT-4 met (CP and savings), ENT-5 not met (no RE) → 2 of 5 applicable = 40
    assert snap.index == Decimal("40.00")
    assert (snap.criteria_met, snap.criteria_applicable) == (2, 5)
    # intended: 1 symbiosis and RE → ENT-3 and ENT-5 met → 4 of 5 = 80; potential +40 points
    assert snap.intended_values == 2
    assert snap.index_intended == Decimal("80.00")
    assert snap.criteria_met_intended == 4
    assert snap.index_improvement == Decimal("40.00")
    assert snap.eco_enterprise is False and snap.eco_enterprise_intended is False  # ENT-2
    ent3 = snap.results.get(criterion__code="VN35-ENT-3")
    assert (ent3.state, ent3.state_intended, ent3.improvement) == ("not_met", "met", 1.0)
    ent1 = snap.results.get(criterion__code="VN35-ENT-1")
    assert (ent1.state_intended, ent1.improvement) == ("met", 0.0)
    cat = snap.categories.get(category__code="ECO_ENTERPRISE")
    assert (cat.share, cat.share_intended) == (0.4, 0.8)
    assert cat.improvement == pytest.approx(0.4)
    # enterprise B gave no intended value: no intended results
    b = ScoreSnapshot.objects.get(campaign=amata_filled, enterprise=personas.ent_b)
    assert (b.intended_values, b.index_intended, b.index_improvement) == (0, None, None)
    assert set(b.results.values_list("state_intended", flat=True)) == {""}
    # the park planned I3 (monitoring) and its tenant A planned too: the park has a plan
    park = ScoreSnapshot.objects.get(
        campaign=amata_filled, park=personas.catalogue.amata, enterprise=None
    )
    assert park.intended_values == 3
    i3 = park.results.get(criterion__code="VN35-EIP-I3")
    assert (i3.state, i3.state_intended) == ("not_met", "met")


def test_an_enterprise_meeting_every_mandatory_criterion_for_three_years_is_an_eco_enterprise(
    personas, campaign_2025
):
    from surveys.services import campaign_open

    c = personas.catalogue
    campaigns = {2025: campaign_2025}
    for year in (2023, 2024):
        campaigns[year] = campaign_open(
            name=f"Test {year}",
            period=year,
            framework_version=c.vn2022,
            opens_on=datetime.date(year + 1, 1, 1),
            closes_on=datetime.date(year + 1, 3, 31),
            parks=[c.amata],
        )
    for year, campaign in campaigns.items():
        r = enterprise_response(campaign, personas.ent_a)
        give(r, "compliant", True)
        if year == 2025:
            for code in (
                "located_in_certified_eip",
                "iso_management_system",
                "cleaner_production_applied",
                "resource_efficiency_applied",
                "recp_savings_demonstrated",
            ):
                give(r, code, True)
            give(r, "symbioses_participating", 2)
        scored(r)
    park_recompute(campaign_id=campaign_2025.pk, park_id=c.amata.pk)
    a = ScoreSnapshot.objects.get(campaign=campaign_2025, enterprise=personas.ent_a)
    assert (a.mandatory_met, a.mandatory_total) == (5, 5)
    assert a.eligible and a.eco_enterprise  # Decree 35/2022 Art. 40(2)
    park = ScoreSnapshot.objects.get(campaign=campaign_2025, park=c.amata, enterprise=None)
    assert park.eco_enterprises == 1 and park.eco_enterprise is None


def test_recomputing_the_same_inputs_writes_nothing_and_keeps_the_same_rows(personas, amata_filled):
    amata = personas.catalogue.amata
    first = park_recompute(campaign_id=amata_filled.pk, park_id=amata.pk)
    before = snapshot_rows(amata_filled, amata)
    ids = set(ScoreSnapshot.objects.values_list("pk", flat=True))
    again = park_recompute(campaign_id=amata_filled.pk, park_id=amata.pk)
    assert not again.written and again.fingerprint == first.fingerprint
    assert snapshot_rows(amata_filled, amata) == before
    assert set(ScoreSnapshot.objects.values_list("pk", flat=True)) == ids
    # forcing rewrites the same values (new rows, no duplicates)
    forced = park_recompute(campaign_id=amata_filled.pk, park_id=amata.pk, force=True)
    assert forced.written
    assert snapshot_rows(amata_filled, amata) == before
    assert ScoreSnapshot.objects.filter(campaign=amata_filled, park=amata).count() == 3


@pytest.mark.parametrize("merge", [False, True], ids=["replace", "merge in place"])
def test_a_changed_answer_changes_the_fingerprint_and_the_result(
    personas, amata_filled, monkeypatch, merge
):
    monkeypatch.setattr("dashboards.services.MERGE_MIN_ROWS", 0 if merge else 10**9)
    amata = personas.catalogue.amata
    first = park_recompute(campaign_id=amata_filled.pk, park_id=amata.pk)
    Answer.objects.filter(
        response__campaign=amata_filled,
        response__enterprise__isnull=True,
        data_element__code="symbioses_operating",
    ).update(value_number=0)
    second = park_recompute(campaign_id=amata_filled.pk, park_id=amata.pk)
    assert second.written and second.fingerprint != first.fingerprint
    snap = ScoreSnapshot.objects.get(campaign=amata_filled, park=amata, enterprise=None)
    assert snap.results.get(criterion__code="VN35-EIP-E2").state == "not_met"


def test_a_campaign_recompute_gives_the_same_rows_as_recomputing_each_park(personas, amata_filled):
    c = personas.catalogue
    dv = park_response(amata_filled, c.dinh_vu)
    give(dv, "symbioses_operating", 3)
    scored(dv)
    give(enterprise_response(amata_filled, personas.ent_c), "compliant", False)
    scored(enterprise_response(amata_filled, personas.ent_c))
    one = {}
    for park in (c.amata, c.dinh_vu):
        one[park.pk] = park_recompute(campaign_id=amata_filled.pk, park_id=park.pk).fingerprint
    rows = {park.pk: snapshot_rows(amata_filled, park) for park in (c.amata, c.dinh_vu)}
    outcome = campaign_recompute(campaign_id=amata_filled.pk)
    assert outcome.parks == 2 and outcome.parks_written == 0  # same fingerprints: nothing new
    ScoreSnapshot.objects.all().delete()
    outcome = campaign_recompute(campaign_id=amata_filled.pk, chunk_parks=1)
    assert outcome.parks_written == 2 and outcome.snapshots == 5
    for park in (c.amata, c.dinh_vu):
        assert snapshot_rows(amata_filled, park) == rows[park.pk]
        assert (
            ScoreSnapshot.objects.get(campaign=amata_filled, park=park, enterprise=None).fingerprint
            == one[park.pk]
        )


def test_submitting_marks_the_park_stale_until_a_recompute_reads_the_change(personas, amata_filled):
    amata = personas.catalogue.amata
    park_recompute(campaign_id=amata_filled.pk, park_id=amata.pk)
    state = RecomputeState.objects.get(campaign=amata_filled, park=amata)
    assert not state.stale
    # the recompute reads its inputs, then another submission commits before it writes
    prepared = _prepare(Campaign.objects.get(pk=amata_filled.pk), [amata.pk])
    scored_answers_changed.send(
        sender=Response, campaign_id=amata_filled.pk, park_ids=[amata.pk], reason="submit"
    )
    _write_chunk(prepared, [amata.pk], force=True)
    state.refresh_from_db()
    assert state.stale and state.generation == 1  # the result may miss the change: still stale
    park_recompute(campaign_id=amata_filled.pk, park_id=amata.pk)
    state.refresh_from_db()
    assert not state.stale


def test_snapshots_know_when_they_are_stale(personas, amata_filled):
    amata = personas.catalogue.amata
    park_recompute(campaign_id=amata_filled.pk, park_id=amata.pk)
    assert not any(ScoreSnapshot.objects.with_staleness().values_list("stale", flat=True))
    RecomputeState.objects.filter(campaign=amata_filled, park=amata).update(stale=True)
    assert all(ScoreSnapshot.objects.with_staleness().values_list("stale", flat=True))


def test_duplicate_requests_for_one_park_publish_one_task(personas, amata_filled):
    amata = personas.catalogue.amata
    RecomputeState.objects.create(campaign=amata_filled, park=amata)
    assert claim_parks(campaign_id=amata_filled.pk, park_ids=[amata.pk]) == [amata.pk]
    # a task is on its way: the next requests publish nothing
    assert claim_parks(campaign_id=amata_filled.pk, park_ids=[amata.pk]) == []
    assert send_recompute(campaign_id=amata_filled.pk, park_ids=[amata.pk]) == 0
    assert not ScoreSnapshot.objects.exists()
    # once the worker starts the task, the flag is released and results are written
    park_recompute(campaign_id=amata_filled.pk, park_id=amata.pk)
    state = RecomputeState.objects.get(campaign=amata_filled, park=amata)
    assert not state.pending and not state.stale
    # a flag older than one sweep period (a lost message) no longer blocks
    RecomputeState.objects.filter(pk=state.pk).update(
        pending=True,
        stale=True,
        pending_since=timezone.now() - datetime.timedelta(seconds=state.pending_expires() + 1),
    )
    assert sweep_stale_snapshots() == 1


def test_a_lost_recompute_message_is_sent_again_by_the_second_sweep_at_the_latest(
    personas, amata_filled, settings
):
    """Sweeps every 300 s; the message published at 10:00:00 is lost. The sweep at 10:04
    leaves it (it may still be queued); the one at 10:09 sends it again — within two periods."""
    from freezegun import freeze_time

    settings.ECOPARK_SWEEP_SECONDS = 300.0
    amata = personas.catalogue.amata
    with freeze_time("2026-02-02 03:00:00"):
        RecomputeState.objects.create(
            campaign=amata_filled,
            park=amata,
            stale=True,
            pending=True,
            pending_since=timezone.now(),
        )
    with freeze_time("2026-02-02 03:04:00"):
        assert sweep_stale_snapshots() == 0
        assert claim_parks(campaign_id=amata_filled.pk, park_ids=[amata.pk]) == []
    with freeze_time("2026-02-02 03:09:00"):
        assert sweep_stale_snapshots() == 1
    assert not RecomputeState.objects.get(campaign=amata_filled, park=amata).stale


def test_the_sweep_skips_parks_whose_recompute_is_already_queued(personas, amata_filled):
    amata = personas.catalogue.amata
    RecomputeState.objects.create(
        campaign=amata_filled, park=amata, stale=True, pending=True, pending_since=timezone.now()
    )
    assert sweep_stale_snapshots() == 0
    RecomputeState.objects.update(pending=False)
    assert sweep_stale_snapshots() == 1  # eager here: the task ran
    assert ScoreSnapshot.objects.filter(campaign=amata_filled, park=amata).exists()


def test_ministry_recomputes_a_whole_campaign_and_sees_it_done(
    personas, amata_filled, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        run = campaign_recompute_start(campaign=amata_filled, user=personas.ministry)
    run.refresh_from_db()  # eager: the task ran on commit
    assert run.status == "done" and run.percent == 100
    assert (run.done_parks, run.total_parks, run.written_parks) == (2, 2, 2)
    assert run.started_at and run.finished_at and run.requested_by == personas.ministry
    assert ScoreSnapshot.objects.filter(campaign=amata_filled, enterprise=None).count() == 2


def test_a_second_request_while_a_campaign_recompute_is_active_returns_the_same_run(
    personas, amata_filled
):
    active = CampaignRecompute.objects.create(campaign=amata_filled, total_parks=2)
    again = campaign_recompute_start(campaign=amata_filled, user=personas.ministry)
    assert again.pk == active.pk
    assert CampaignRecompute.objects.filter(campaign=amata_filled).count() == 1


@pytest.mark.parametrize("who", ["board", "park_manager", "enterprise_a"])
def test_only_ministry_staff_may_recompute_a_whole_campaign(personas, amata_filled, who):
    with pytest.raises(PermissionDenied):
        campaign_recompute_start(campaign=amata_filled, user=getattr(personas, who))
    assert not CampaignRecompute.objects.exists()


def test_the_sweep_restarts_a_campaign_run_whose_message_was_lost(personas, amata_filled):
    run = CampaignRecompute.objects.create(campaign=amata_filled, total_parks=2)
    CampaignRecompute.objects.filter(pk=run.pk).update(
        requested_at=timezone.now() - datetime.timedelta(hours=1)
    )
    sweep_stale_snapshots()
    run.refresh_from_db()
    assert run.status == "done" and run.done_parks == 2


def lost_run(campaign, *, heartbeat_seconds_ago: int, started_minutes_ago: int = 5):
    """A run an earlier worker started and lost (its last heartbeat given)."""
    now = timezone.now()
    run = CampaignRecompute.objects.create(campaign=campaign, total_parks=2)
    CampaignRecompute.objects.filter(pk=run.pk).update(
        status="running",
        started_at=now - datetime.timedelta(minutes=started_minutes_ago),
        heartbeat_at=now - datetime.timedelta(seconds=heartbeat_seconds_ago),
        done_parks=1,
    )
    return run


def test_a_run_whose_worker_died_resumes_after_its_last_complete_park_with_the_same_rows(
    personas, amata_filled
):
    from dashboards.tasks import watch_recompute_runs

    amata, dinh_vu = personas.catalogue.amata, personas.catalogue.dinh_vu
    campaign_recompute(campaign_id=amata_filled.pk)
    undisturbed = sorted(
        CriterionResult.objects.filter(snapshot__campaign=amata_filled).values_list(
            "snapshot__park_id", "snapshot__enterprise_id", "criterion__code", "state", "value"
        ),
        key=repr,
    )
    # the worker completed Amata (committed at 10:01) and died while writing Đình Vũ
    ScoreSnapshot.objects.filter(campaign=amata_filled, park=dinh_vu).delete()
    RecomputeState.objects.filter(campaign=amata_filled, park=dinh_vu).update(stale=True)
    run = lost_run(amata_filled, heartbeat_seconds_ago=CampaignRecompute.SILENT_SECONDS + 1)
    four_minutes_ago = timezone.now() - datetime.timedelta(minutes=4)
    RecomputeState.objects.filter(campaign=amata_filled, park=amata).update(
        computed_at=four_minutes_ago
    )
    amata_snapshot = ScoreSnapshot.objects.get(campaign=amata_filled, park=amata, enterprise=None)

    assert watch_recompute_runs() == [run.pk]  # eager: the resumed attempt runs now
    run.refresh_from_db()
    assert (run.status, run.attempt, run.done_parks, run.total_parks) == ("done", 1, 2, 2)
    # Amata was not computed again (not even compared: its state is as the first worker left
    # it), Đình Vũ was
    assert RecomputeState.objects.get(campaign=amata_filled, park=amata).computed_at == (
        four_minutes_ago
    )
    assert ScoreSnapshot.objects.get(campaign=amata_filled, park=amata, enterprise=None).pk == (
        amata_snapshot.pk
    )
    assert not RecomputeState.objects.get(campaign=amata_filled, park=dinh_vu).stale
    assert (
        sorted(
            CriterionResult.objects.filter(snapshot__campaign=amata_filled).values_list(
                "snapshot__park_id", "snapshot__enterprise_id", "criterion__code", "state", "value"
            ),
            key=repr,
        )
        == undisturbed
    )


def test_a_run_with_a_recent_heartbeat_is_left_to_its_worker(personas, amata_filled):
    from dashboards.tasks import watch_recompute_runs

    run = lost_run(amata_filled, heartbeat_seconds_ago=CampaignRecompute.SILENT_SECONDS - 5)
    assert watch_recompute_runs() == []
    run.refresh_from_db()
    assert (run.status, run.attempt) == ("running", 0)


def test_a_message_of_an_earlier_attempt_is_skipped(personas, amata_filled):
    from dashboards.tasks import recompute_campaign

    run = CampaignRecompute.objects.create(campaign=amata_filled, total_parks=2, attempt=1)
    assert recompute_campaign.apply(args=[run.pk, 0]).get() == {"skipped": True}
    run.refresh_from_db()
    assert run.status == "queued"
    assert recompute_campaign.apply(args=[run.pk, 1]).get() == {"parks": 2, "written": 2}


def test_asking_again_for_a_run_whose_worker_died_resumes_it(
    personas, amata_filled, django_capture_on_commit_callbacks
):
    run = lost_run(amata_filled, heartbeat_seconds_ago=120)
    with django_capture_on_commit_callbacks(execute=True):
        again = campaign_recompute_start(campaign=amata_filled, user=personas.ministry)
    assert again.pk == run.pk
    run.refresh_from_db()
    assert (run.status, run.attempt, run.done_parks) == ("done", 1, 2)


def test_progress_api_answers_ministry_and_starts_a_run(
    client, personas, amata_filled, django_capture_on_commit_callbacks
):
    client.login(username=personas.ministry.username, password=PASSWORD)
    url = f"/api/v1/campaigns/{amata_filled.pk}/recompute/"
    r = client.get(url)
    assert r.status_code == 200 and r.json()["status"] is None
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(url)
    assert r.status_code == 202
    body = client.get(url).json()
    assert (body["status"], body["percent"], body["done_parks"], body["total_parks"]) == (
        "done",
        100,
        2,
        2,
    )


FORBIDDEN = {
    "vi": {
        "detail": "Chỉ cán bộ Bộ mới được tính lại toàn bộ một đợt báo cáo.",
        "code": "permission_denied",
    },
    "en": {
        "detail": "Only ministry staff may recompute a whole campaign.",
        "code": "permission_denied",
    },
}


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize("who", ["board", "park_manager", "enterprise_a"])
def test_progress_api_and_page_refuse_with_403_a_campaign_the_user_reads(
    client, personas, amata_filled, who, language
):
    """README's rule: inside the user's scope without the right, 403 (the campaign itself
    answers 200 to the same user); the API says who may recompute, in the cookie's language
    (the personas have no stored profile language)."""
    client.login(username=getattr(personas, who).username, password=PASSWORD)
    client.cookies["django_language"] = language
    api = f"/api/v1/campaigns/{amata_filled.pk}/recompute/"
    assert client.get(f"/api/v1/campaigns/{amata_filled.pk}/").status_code == 200
    for reply in (client.get(api), client.post(api)):
        assert (reply.status_code, reply.json()) == (403, FORBIDDEN[language])
    page = reverse("dashboards:campaign-recompute", args=[amata_filled.pk])
    assert client.get(page).status_code == 403
    assert client.post(page).status_code == 403
    assert not CampaignRecompute.objects.exists()


@pytest.mark.parametrize("who", ["board", "park_manager", "enterprise_a"])
def test_progress_api_and_page_are_not_found_for_a_campaign_outside_the_users_scope(
    client, personas, who
):
    """A campaign of Đình Vũ (Hải Phòng) only: the Đồng Nai personas cannot read it (the
    campaign itself answers 404), so its recompute is not found either."""
    from surveys.services import campaign_open

    c = personas.catalogue
    dinh_vu_only = campaign_open(
        name="Đình Vũ 2025", period=2025, framework_version=c.vn2022, parks=[c.dinh_vu],
        **open_dates(),
    )  # fmt: skip
    client.login(username=getattr(personas, who).username, password=PASSWORD)
    assert client.get(f"/api/v1/campaigns/{dinh_vu_only.pk}/").status_code == 404
    api = f"/api/v1/campaigns/{dinh_vu_only.pk}/recompute/"
    for reply in (client.get(api), client.post(api)):
        assert (reply.status_code, reply.json()) == (
            404,
            {"detail": "Không tìm thấy đợt báo cáo nào khớp với yêu cầu.", "code": "not_found"},
        )
    page = reverse("dashboards:campaign-recompute", args=[dinh_vu_only.pk])
    assert client.get(page).status_code == 404
    assert client.post(page).status_code == 404
    assert not CampaignRecompute.objects.exists()


def test_recompute_page_shows_progress_and_starts_a_run(
    client, personas, amata_filled, django_capture_on_commit_callbacks
):
    client.login(username=personas.ministry.username, password=PASSWORD)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = reverse("dashboards:campaign-recompute", args=[amata_filled.pk])
    html = client.get(page).content.decode()
    assert "Recompute every park" in html and "has not been recomputed as a whole yet" in html
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(page)
    assert r.status_code == 302
    html = client.get(page).content.decode()
    assert (
        "2 of 2 parks" in html and '<progress id="recompute-progress" max="100" value="100"' in html
    )
    assert "Parks with changed results" in html


def test_the_page_says_finished_when_the_run_ended_before_the_answer(
    client, personas, amata_filled, monkeypatch
):
    """Without a broker the run executes when the start's transaction commits, before the page
    answers: the message must say it finished, not that it started."""
    from dashboards import views_recompute

    def start_and_finish(*, campaign, user):
        run = CampaignRecompute.objects.create(campaign=campaign, total_parks=2)
        CampaignRecompute.objects.filter(pk=run.pk).update(
            status=CampaignRecompute.Status.DONE, done_parks=2, finished_at=timezone.now()
        )
        return run  # as returned by the service: still "queued" in memory

    monkeypatch.setattr(views_recompute, "campaign_recompute_start", start_and_finish)
    client.login(username=personas.ministry.username, password=PASSWORD)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = reverse("dashboards:campaign-recompute", args=[amata_filled.pk])
    html = client.post(page, follow=True).content.decode()
    assert f"Recompute of {amata_filled.name} finished." in html
    assert "started." not in html


def test_snapshots_on_version_1_do_not_change_when_version_2_is_published(personas, amata_filled):
    amata = personas.catalogue.amata
    v1 = amata_filled.framework_version
    park_recompute(campaign_id=amata_filled.pk, park_id=amata.pk)
    before = snapshot_rows(amata_filled, amata)
    # version 2: E2 now needs 2 operating symbioses (rows copied directly: a later correction)
    v2 = type(v1).objects.create(
        framework=v1.framework, number=99, title_vi="v2", title_en="v2", status="draft"
    )
    categories = {}
    for cat in v1.categories.all():
        old = cat.pk
        cat.pk, cat.version = None, v2
        cat.save()
        categories[old] = cat
    indicators = {}
    for ind in v1.indicators.all():
        old = ind.pk
        ind.pk, ind.version = None, v2
        ind.save()
        indicators[old] = ind
    for el in v1.data_elements.all():
        el.pk, el.version = None, v2
        el.save()
    for crit in v1.criteria.all():
        crit.pk, crit.version = None, v2
        crit.category = categories[crit.category_id]
        crit.indicator = indicators.get(crit.indicator_id)
        if crit.code == "VN35-EIP-E2":
            crit.threshold = 2
        crit.save()
    type(v1).objects.filter(pk=v2.pk).update(status="published")
    type(v1).objects.filter(pk=v1.pk).update(status="retired")
    outcome = park_recompute(campaign_id=amata_filled.pk, park_id=amata.pk)
    assert not outcome.written
    forced = park_recompute(campaign_id=amata_filled.pk, park_id=amata.pk, force=True)
    assert forced.fingerprint == outcome.fingerprint
    assert snapshot_rows(amata_filled, amata) == before
    snap = ScoreSnapshot.objects.get(campaign=amata_filled, park=amata, enterprise=None)
    assert snap.framework_version_id == v1.pk
    assert snap.results.get(criterion__code="VN35-EIP-E2").state == "met"  # v1: ≥ 1


def _park_with_tenants(catalogue, n: int, *, name: str) -> tuple[Campaign, Park]:
    """A park with ``n`` tenants, each with a submitted response and 7 answers."""
    from surveys.services import campaign_open

    park = Park.objects.create(
        name_vi=name, name_en=name, kind="industrial_park", province=catalogue.dong_nai
    )
    bodies = (f"39{park.pk % 100:02d}{i:05d}" for i in range(100000))
    codes = []
    for body in bodies:
        if len(codes) == n:
            break
        check = mst.calc_check_digit(body)
        if len(check) == 1:
            codes.append(body + check)
    Enterprise.objects.bulk_create(
        [Enterprise(name=f"T{i}", tax_code=t, park=park) for i, t in enumerate(codes)]
    )
    campaign = campaign_open(
        name=f"Q {name}",
        period=2025,
        framework_version=catalogue.vn2022,
        **open_dates(),
        parks=[park],
    )
    Response.objects.filter(campaign=campaign).update(status=Response.Status.SUBMITTED)
    elements = {
        e.code: e
        for e in DataElement.objects.filter(version=catalogue.vn2022, applies_to="enterprise")
    }
    answers = []
    for r in Response.objects.filter(campaign=campaign, enterprise__isnull=False):
        for code in ("compliant", "iso_management_system", "recp_savings_demonstrated"):
            answers.append(Answer(response=r, data_element=elements[code], value_bool=True))
        for code in ("symbioses_participating", "recp_share_reported_pct"):
            answers.append(
                Answer(
                    response=r,
                    data_element=elements[code],
                    value_number=Decimal("1"),
                    value_intended=Decimal("2"),
                )
            )
    Answer.objects.bulk_create(answers)
    return campaign, park


def test_the_queries_of_one_park_recompute_do_not_grow_with_its_enterprises(
    catalogue, django_assert_num_queries
):
    small_campaign, small = _park_with_tenants(catalogue, 10, name="KCN thử 10")
    big_campaign, big = _park_with_tenants(catalogue, 200, name="KCN thử 200")
    with CaptureQueriesContext(connection) as ten:
        park_recompute(campaign_id=small_campaign.pk, park_id=small.pk, force=True)
    assert ScoreSnapshot.objects.filter(campaign=small_campaign).count() == 11
    with django_assert_num_queries(len(ten.captured_queries)):
        park_recompute(campaign_id=big_campaign.pk, park_id=big.pk, force=True)
    assert ScoreSnapshot.objects.filter(campaign=big_campaign).count() == 201
    enterprise_criteria = Criterion.objects.filter(
        version=catalogue.vn2022, applies_to="enterprise"
    ).count()
    assert (
        CriterionResult.objects.filter(
            snapshot__campaign=big_campaign, snapshot__enterprise__isnull=False
        ).count()
        == 200 * enterprise_criteria
    )
    assert CategoryScore.objects.filter(snapshot__campaign=big_campaign).exists()


@pytest.mark.parametrize("merge", [False, True], ids=["replace", "merge in place"])
def test_an_enterprise_leaving_and_one_joining_the_park_update_the_snapshots(
    personas, amata_filled, monkeypatch, merge
):
    monkeypatch.setattr("dashboards.services.MERGE_MIN_ROWS", 0 if merge else 10**9)
    c = personas.catalogue
    park_recompute(campaign_id=amata_filled.pk, park_id=c.amata.pk)
    park_snap = ScoreSnapshot.objects.get(campaign=amata_filled, park=c.amata, enterprise=None)
    # B leaves the campaign, D joins and reports
    Response.objects.filter(campaign=amata_filled, enterprise=personas.ent_b).delete()
    ent_d = Enterprise.objects.create(
        name="Enterprise D (test)", tax_code="0100109106", park=c.amata
    )
    d = Response.objects.create(
        campaign=amata_filled, park=c.amata, enterprise=ent_d, status=Response.Status.SUBMITTED
    )
    give(d, "cleaner_production_applied", True)
    give(d, "recp_savings_demonstrated", True)
    outcome = park_recompute(campaign_id=amata_filled.pk, park_id=c.amata.pk)
    assert outcome.written
    subjects = set(
        ScoreSnapshot.objects.filter(campaign=amata_filled, park=c.amata).values_list(
            "enterprise_id", flat=True
        )
    )
    assert subjects == {None, personas.ent_a.pk, ent_d.pk}
    assert not CriterionResult.objects.filter(snapshot__enterprise=personas.ent_b).exists()
    again = ScoreSnapshot.objects.get(campaign=amata_filled, park=c.amata, enterprise=None)
    assert (again.reported, again.population) == (2, 2)
    # E4: A and D both apply CP with savings → 2 of 2 reporters → 100 %
    e4 = again.results.get(criterion__code="VN35-EIP-E4")
    assert (e4.value, e4.reported, e4.population) == (100.0, 2, 2)
    if merge and connection.vendor == "postgresql":  # merged: the snapshot keeps its id
        assert again.pk == park_snap.pk


@pytest.mark.parametrize("merge", [False, True], ids=["replace", "merge in place"])
def test_a_forced_recompute_restores_result_rows_removed_by_hand(
    personas, amata_filled, monkeypatch, merge
):
    monkeypatch.setattr("dashboards.services.MERGE_MIN_ROWS", 0 if merge else 10**9)
    amata = personas.catalogue.amata
    park_recompute(campaign_id=amata_filled.pk, park_id=amata.pk)
    before = snapshot_rows(amata_filled, amata)
    snap = ScoreSnapshot.objects.get(campaign=amata_filled, park=amata, enterprise=None)
    CriterionResult.objects.filter(snapshot=snap, criterion__code="VN35-EIP-E2").delete()
    CategoryScore.objects.filter(snapshot__campaign=amata_filled).delete()
    assert snapshot_rows(amata_filled, amata) != before
    park_recompute(campaign_id=amata_filled.pk, park_id=amata.pk, force=True)
    assert snapshot_rows(amata_filled, amata) == before


# --- synthetic national data --------------------------------------------------


def _answers_of(dataset: str) -> list[tuple]:
    rows = Answer.objects.filter(
        response__campaign__name__startswith=f"[SYN:{dataset}]"
    ).values_list(
        "response__campaign__period",
        "response__park__name_en",
        "response__enterprise__name",
        "data_element__code",
        "value_number",
        "value_bool",
        "value_intended",
    )
    marker = f"[SYN:{dataset}]"
    return sorted(
        (p, park.replace(marker, ""), (ent or "").replace(marker, ""), code, num, flag, plan)
        for p, park, ent, code, num, flag, plan in rows
    )


@pytest.mark.parametrize(
    "arguments, message",
    [
        ({"parks": 0}, "parks must be at least 1 (got 0)"),
        ({"enterprises": -5}, "enterprises must be 0 or more (got -5)"),
        ({"periods": 11}, "periods must be between 1 and 10 (got 11)"),
        (
            {"last_period": 2001},
            "last period must be a year between 2002 and 2100 with 3 period(s)",
        ),
        ({"last_period": 99999}, "(got 99999)"),
        ({"dataset": ""}, "dataset must be 1–40 letters, digits, '-' or '_' (got '')"),
        ({"dataset": "a b"}, "(got 'a b')"),
    ],
)
def test_synthetic_data_refuse_each_bad_argument_by_name_and_write_nothing(
    catalogue, arguments, message
):
    from demo.synthetic import generate_synthetic

    given = {"parks": 2, "enterprises": 4, "periods": 2, "seed": 1, "dataset": "bad"}
    given.update(arguments)
    if "last_period" in arguments:
        given["periods"] = 3  # 2001 is too early for three periods (1999, 2000, 2001)
    parks_before = Park.objects.count()
    with pytest.raises(ValueError) as refused:
        generate_synthetic(**given)
    assert message in str(refused.value)
    assert Park.objects.count() == parks_before


def test_a_synthetic_dataset_is_not_reused_for_other_periods(catalogue):
    from demo.synthetic import generate_synthetic

    generate_synthetic(parks=2, enterprises=4, periods=2, seed=1, dataset="lp")
    with pytest.raises(ValueError, match=r"other periods \(\[2024, 2025\], not \[2019, 2020\]\)"):
        generate_synthetic(
            parks=2, enterprises=4, periods=2, seed=1, dataset="lp", last_period=2020
        )


def test_synthetic_data_are_marked_valid_deterministic_and_can_be_scored(catalogue):
    from demo.synthetic import generate_synthetic

    first = generate_synthetic(parks=3, enterprises=30, periods=2, seed=7, dataset="t1")
    assert first.created and first.parks == 3 and first.enterprises == 30
    again = generate_synthetic(parks=3, enterprises=30, periods=2, seed=7, dataset="t1")
    assert not again.created and again.answers == first.answers  # nothing written twice
    with pytest.raises(ValueError, match="other parameters"):
        generate_synthetic(parks=4, enterprises=30, periods=2, seed=7, dataset="t1")
    generate_synthetic(parks=3, enterprises=30, periods=2, seed=7, dataset="t2")
    assert _answers_of("t1") == _answers_of("t2")  # same seed, same data
    generate_synthetic(parks=3, enterprises=30, periods=2, seed=8, dataset="t3")
    assert _answers_of("t1") != _answers_of("t3")

    parks = Park.objects.filter(name_vi__startswith="[SYN:t1]")
    assert parks.count() == 3 and all("not a real park" in p.source for p in parks)
    tenants = Enterprise.objects.filter(park__in=parks)
    assert tenants.count() == 30 and not tenants.filter(is_demo=True).exists()
    assert all(mst.is_valid(t.tax_code) and "(synthetic data)" in t.name for t in tenants)
    assert all(t.tax_code.startswith("98") for t in tenants)
    # missing answers are included: fewer answers than scored responses × elements
    version = first.framework_version
    assert version.framework.code == "SYN-VN2022-FLOWS"
    per_response = DataElement.objects.filter(version=version, applies_to="enterprise").count()
    assert per_response == 64
    latest = Campaign.objects.get(pk=first.campaigns[-1])
    scored_tenants = Response.objects.filter(
        campaign=latest, enterprise__isnull=False, status__in=Response.SCORED_STATUSES
    )
    answered = Answer.objects.filter(response__in=scored_tenants).count()
    assert 0 < answered < scored_tenants.count() * per_response
    assert Answer.objects.filter(response__campaign=latest, value_intended__isnull=False).exists()
    assert not Answer.objects.filter(
        response__campaign_id=first.campaigns[0], value_intended__isnull=False
    ).exists()  # plans are given for the latest period only
    # the synthetic framework's flow criteria carry no threshold: never invented
    flows = Criterion.objects.filter(version=version, category__code="SYN_FLOWS")
    assert flows.count() == 13 and not flows.filter(threshold__isnull=False).exists()

    outcome = campaign_recompute(campaign_id=latest.pk)
    assert outcome.parks == 3 and outcome.parks_written == 3
    assert ScoreSnapshot.objects.filter(campaign=latest).count() == 33
    flow = CriterionResult.objects.filter(
        snapshot__campaign=latest, criterion__code="SYN-electricity_kwh", value__isnull=False
    ).first()
    assert flow.state == "no_threshold" and flow.value > 0


def test_an_unreachable_broker_is_logged_once_not_for_every_submission(
    personas, amata_filled, settings, caplog, monkeypatch
):
    import logging

    from dashboards import publish
    from ecopark.celery import app

    monkeypatch.setattr(publish, "_broker_down", False)
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    amata = personas.catalogue.amata
    RecomputeState.objects.create(campaign=amata_filled, park=amata)
    caplog.set_level(logging.INFO, logger="dashboards.publish")
    app.conf.task_always_eager = False
    try:
        for _ in range(3):  # three submissions during the outage
            assert send_recompute(campaign_id=amata_filled.pk, park_ids=[amata.pk]) == 0
    finally:
        app.conf.task_always_eager = True
    levels = [r.levelname for r in caplog.records if r.name == "dashboards.publish"]
    assert levels == ["ERROR", "INFO", "INFO"]
    assert "logged once until it answers" in caplog.records[0].getMessage()
    state = RecomputeState.objects.get(campaign=amata_filled, park=amata)
    assert state.stale and not state.pending  # left for the sweep each time
