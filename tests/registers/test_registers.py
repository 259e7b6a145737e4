"""Registers: derived values feeding the criteria, CO2e, matching, notices.

Every expected number is worked out by hand in the test's comment.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pandas as pd
import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from demo.demo import demo_tax_code
from enterprises.models import Enterprise, Park
from indicators.engine import score_campaign
from indicators.models import Criterion, DataElement
from indicators.selectors import version_scoring_inputs
from registers.matching import haversine_km, match_candidates
from registers.models import CertificateNotice, RoadmapAction, Stream
from registers.notices import certificate_notices_send, overdue_action_notices_send
from registers.services import (
    ParticipantSpec,
    certificate_save,
    exchange_propose_from_candidate,
    exchange_save,
    measure_save,
    stream_save,
)
from surveys.selectors import REPORTED_COLUMNS, register_answers_frame
from surveys.services import campaign_open

from ..conftest import open_dates

pytestmark = pytest.mark.usefixtures("grid_factors")

TODAY = datetime.date.today()


@pytest.fixture
def five(personas):
    """Amata with five enterprises (A and B of the personas plus three more) and a 2025
    campaign covering them."""
    amata = personas.catalogue.amata
    extra = [
        Enterprise.objects.create(
            name=f"Extra {i} (test)", tax_code=demo_tax_code(900 + i), park=amata
        )
        for i in range(3)
    ]
    campaign = campaign_open(
        name="Registers 2025",
        period=2025,
        framework_version=personas.catalogue.vn2022,
        **open_dates(),
        parks=[amata],
    )
    ents = [personas.ent_a, personas.ent_b, *extra]
    return personas, campaign, ents


def score(campaign, ents, park, answers):
    """Run the engine on ``answers`` as if every subject had reported."""
    inputs = version_scoring_inputs(campaign.framework_version)
    reported = pd.DataFrame(
        [("enterprise", e.pk, campaign.period) for e in ents]
        + [("park", park.pk, campaign.period)],
        columns=REPORTED_COLUMNS,
    )
    enterprises = pd.DataFrame(
        {"park": [park.pk] * len(ents)}, index=pd.Index([e.pk for e in ents], name="enterprise")
    )
    result = score_campaign(
        criteria=inputs.criteria,
        formulas=inputs.formulas,
        element_codes=inputs.element_codes,
        answers=answers,
        reported=reported,
        parks=pd.Index([park.pk]),
        enterprises=enterprises,
        period=campaign.period,
    )
    return result.results.set_index(["kind", "subject", "criterion"])


def measure(user, ent, **data):
    base = {"area": "energy", "title": "LED lighting", "status": "verified", "year": 2024}
    base.update(data)
    return measure_save(user=user, enterprise=ent, data=base)


def test_one_of_five_enterprises_with_a_verified_measure_with_savings_meets_the_20_percent_rule(
    five,
):
    personas, campaign, ents = five
    amata = personas.catalogue.amata
    measure(
        personas.enterprise_a,
        personas.ent_a,
        saving_value=Decimal("120"),
        saving_unit="MWh",
        energy_carrier="electricity",
        saving_money_vnd=Decimal("250000000"),
    )
    frame = register_answers_frame(campaign=campaign)
    values = frame.set_index(["kind", "subject", "element"])["value"]
    assert values[("enterprise", personas.ent_a.pk, "recp_savings_demonstrated")] == 1.0
    assert values[("enterprise", personas.ent_b.pk, "recp_savings_demonstrated")] == 0.0
    results = score(campaign, ents, amata, frame)
    e4 = results.loc[("park", amata.pk, "VN35-EIP-E4")]
    # 1 enterprise of 5 applies RECP with savings: 100 × 1/5 = 20 %, and 20 ≥ 20
    assert e4["value"] == pytest.approx(20.0)
    assert e4["state"] == "met"


def test_a_verified_measure_without_savings_is_not_counted(five):
    personas, campaign, ents = five
    amata = personas.catalogue.amata
    measure(personas.enterprise_a, personas.ent_a)  # verified, no saving recorded
    frame = register_answers_frame(campaign=campaign)
    values = frame.set_index(["kind", "subject", "element"])["value"]
    assert values[("enterprise", personas.ent_a.pk, "recp_savings_demonstrated")] == 0.0
    results = score(campaign, ents, amata, frame)
    e4 = results.loc[("park", amata.pk, "VN35-EIP-E4")]
    assert e4["value"] == pytest.approx(0.0)  # 0 of 5
    assert e4["state"] == "not_met"


def test_an_identified_measure_and_a_measure_of_a_later_year_do_not_count(five):
    personas, campaign, _ents = five
    measure(personas.enterprise_a, personas.ent_a, status="identified", saving_money_vnd=5)
    measure(personas.enterprise_b, personas.ent_b, year=2026, saving_money_vnd=5)
    frame = register_answers_frame(campaign=campaign)
    demonstrated = frame[frame["element"] == "recp_savings_demonstrated"]
    assert demonstrated["value"].sum() == 0.0


def _symbiosis(personas, *, started=datetime.date(2024, 1, 1), status="operating"):
    return exchange_save(
        user=personas.park_manager,
        park=personas.catalogue.amata,
        data={
            "kind": "water",
            "title": "Treated water reuse",
            "quantity_per_year": Decimal("12000"),
            "unit": "m3",
            "status": status,
            "started_on": started,
        },
        participants=[
            ParticipantSpec(kind="enterprise", role="provides", enterprise=personas.ent_a),
            ParticipantSpec(kind="enterprise", role="receives", enterprise=personas.ent_b),
        ],
    )


def _certificate(personas, ent, expires_on):
    user = personas.enterprise_a if ent == personas.ent_a else personas.enterprise_b
    return certificate_save(
        user=user, enterprise=ent, data={"standard": "iso14001", "expires_on": expires_on}
    )


def test_a_participant_certificate_that_expired_yesterday_no_longer_satisfies_the_iso_part(five):
    personas, campaign, ents = five
    amata = personas.catalogue.amata
    _symbiosis(personas)
    _certificate(personas, personas.ent_a, TODAY + datetime.timedelta(days=400))
    cert_b = _certificate(personas, personas.ent_b, TODAY - datetime.timedelta(days=1))

    frame = register_answers_frame(campaign=campaign, reference_date=TODAY)
    values = frame.set_index(["kind", "subject", "element"])["value"]
    assert values[("park", amata.pk, "symbioses_operating")] == 1.0
    assert values[("park", amata.pk, "symbiosis_participants_iso")] == 0.0
    assert values[("enterprise", personas.ent_b.pk, "iso_management_system")] == 0.0
    assert values[("enterprise", personas.ent_b.pk, "symbioses_participating")] == 1.0
    results = score(campaign, ents, amata, frame)
    assert results.loc[("park", amata.pk, "VN35-EIP-E2"), "state"] == "met"
    assert results.loc[("park", amata.pk, "VN35-EIP-E3"), "state"] == "not_met"

    # the day before, the same certificate was still valid: the ISO part held
    frame = register_answers_frame(
        campaign=campaign, reference_date=TODAY - datetime.timedelta(days=1)
    )
    values = frame.set_index(["kind", "subject", "element"])["value"]
    assert values[("park", amata.pk, "symbiosis_participants_iso")] == 1.0
    assert cert_b.expires_on == TODAY - datetime.timedelta(days=1)


def test_a_park_without_an_operating_exchange_has_no_iso_value_and_counts_zero(five):
    personas, campaign, _ents = five
    amata = personas.catalogue.amata
    _symbiosis(personas, started=None, status="proposed")
    frame = register_answers_frame(campaign=campaign)
    park = frame[(frame["kind"] == "park") & (frame["subject"] == amata.pk)]
    assert dict(zip(park["element"], park["value"], strict=True)) == {"symbioses_operating": 0.0}


def test_an_exchange_ended_before_the_reference_date_is_not_operating(five):
    personas, campaign, _ents = five
    amata = personas.catalogue.amata
    ex = _symbiosis(personas)
    exchange_save(
        user=personas.park_manager,
        park=amata,
        exchange=ex,
        expected_version=ex.version,
        data={"status": "ended", "ended_on": datetime.date(2025, 6, 30)},
        participants=[
            ParticipantSpec(kind="enterprise", role="provides", enterprise=personas.ent_a),
            ParticipantSpec(kind="enterprise", role="receives", enterprise=personas.ent_b),
        ],
    )
    on_31_dec = register_answers_frame(campaign=campaign)
    in_june = register_answers_frame(campaign=campaign, reference_date=datetime.date(2025, 6, 1))
    pick = lambda f: f[(f["kind"] == "park") & (f["element"] == "symbioses_operating")]["value"]  # noqa: E731
    assert pick(on_31_dec).tolist() == [0.0]
    assert pick(in_june).tolist() == [1.0]


def test_co2e_uses_the_official_factor_of_the_measure_year(personas):
    # 120 MWh of grid electricity in 2022 × 0.6766 t CO2/MWh = 81.192 t CO2e
    m = measure(
        personas.enterprise_a,
        personas.ent_a,
        year=2022,
        saving_value=Decimal("120"),
        saving_unit="MWh",
        energy_carrier="electricity",
        investment_vnd=Decimal("500000000"),
        saving_money_vnd=Decimal("200000000"),
    )
    assert m.saving_value == Decimal("120000") and m.saving_unit == "kWh"
    assert m.ghg_reduction_tco2e == Decimal("81.1920")
    assert m.emission_factor.year == 2022 and m.emission_factor.value == Decimal("0.6766")
    assert "327/BĐKH-PTCBT" in m.emission_factor.document
    # payback = 500 000 000 / 200 000 000 = 2.5 years
    assert m.payback_years == 2.5


def test_a_year_without_an_official_factor_gets_no_co2e_and_says_so(personas):
    m = measure(
        personas.enterprise_a,
        personas.ent_a,
        year=2024,
        saving_value=Decimal("50000"),
        saving_unit="kWh",
        energy_carrier="electricity",
    )
    assert m.ghg_reduction_tco2e is None and m.emission_factor is None
    assert "2024" in m.ghg_note


def test_fuel_savings_get_no_co2e_and_energy_needs_its_carrier(personas):
    m = measure(
        personas.enterprise_a,
        personas.ent_a,
        year=2022,
        saving_value=Decimal("10"),
        saving_unit="GJ",
        energy_carrier="fuel_heat",
    )
    assert m.saving_value == Decimal("2777.77777777778") and m.ghg_reduction_tco2e is None
    with pytest.raises(ValidationError) as exc:
        measure(personas.enterprise_a, personas.ent_a, saving_value=Decimal("1"), saving_unit="MWh")
    assert "energy_carrier" in exc.value.message_dict


def test_a_saving_in_a_unit_that_is_not_energy_volume_or_mass_is_refused(personas):
    with pytest.raises(ValidationError) as exc:
        measure(personas.enterprise_a, personas.ent_a, saving_value=Decimal("5"), saving_unit="%")
    assert "saving_value" in exc.value.message_dict


def test_enterprise_b_cannot_write_a_measure_of_enterprise_a(personas):
    with pytest.raises(PermissionDenied):
        measure(personas.enterprise_b, personas.ent_a)
    with pytest.raises(PermissionDenied):
        stream_save(
            user=personas.enterprise_b,
            enterprise=personas.ent_a,
            data={"direction": "output", "category": "plastic"},
        )


def test_a_stale_version_is_refused_and_nothing_is_saved(personas):
    m = measure(personas.enterprise_a, personas.ent_a)
    measure_save(
        user=personas.park_manager,
        enterprise=personas.ent_a,
        measure=m,
        expected_version=1,
        data={"title": "LED lighting, phase 2"},
    )
    with pytest.raises(ValidationError) as exc:
        measure_save(
            user=personas.enterprise_a,
            enterprise=personas.ent_a,
            measure=m,
            expected_version=1,
            data={"title": "Overwritten"},
        )
    assert exc.value.code == "stale_version"
    m.refresh_from_db()
    assert m.title == "LED lighting, phase 2" and m.version == 2


# ------------------------------------------------------------------------------ matching


def test_haversine_gives_the_distance_between_two_points():
    # one degree of latitude on the 6371.0088 km sphere: 6371.0088 × π / 180 = 111.195 km
    assert haversine_km(10.0, 106.0, 11.0, 106.0) == pytest.approx(111.195, abs=0.001)


def test_matching_on_a_small_park_returns_the_expected_pair_first(personas):
    amata = personas.catalogue.amata
    c = Enterprise.objects.create(name="C plastics (test)", tax_code=demo_tax_code(950), park=amata)
    d = Enterprise.objects.create(name="D recycler (test)", tax_code=demo_tax_code(951), park=amata)
    manager = personas.park_manager

    def s(ent, direction, category, qty, unit="t"):
        return stream_save(
            user=manager,
            enterprise=ent,
            data={
                "direction": direction,
                "category": category,
                "quantity_per_year": qty,
                "unit": unit,
            },
        )

    a_out = s(personas.ent_a, "output", "plastic", Decimal("100"))
    s(personas.ent_b, "output", "plastic", Decimal("10"))
    s(c, "output", "metal", Decimal("95"))
    d_in = s(d, "input", "plastic", Decimal("90"))
    s(personas.ent_b, "input", "heat", Decimal("500"), "MWh")  # nobody offers heat
    candidates = match_candidates(user=manager, park=amata)
    # A→D: same category 1.0, quantity 90/100 = 0.9, same park 1.0 → 0.5 + 0.27 + 0.2 = 0.97
    # B→D: 1.0, 10/90 = 0.111, 1.0 → 0.5 + 0.0333 + 0.2 = 0.733
    # C→D: related (both materials) 0.5, 90/95 = 0.947, 1.0 → 0.25 + 0.284 + 0.2 = 0.734
    assert [(x.output.enterprise.name, x.input.enterprise.name) for x in candidates] == [
        ("Enterprise A (test)", "D recycler (test)"),
        ("C plastics (test)", "D recycler (test)"),
        ("Enterprise B (test)", "D recycler (test)"),
    ]
    best = candidates[0]
    assert best.score == pytest.approx(0.97)
    assert best.output == a_out and best.input == d_in
    assert "90" in best.reason and "%" in best.reason

    exchange = exchange_propose_from_candidate(user=manager, output=a_out, need=d_in)
    assert exchange.status == "proposed" and exchange.kind == "material"
    assert exchange.quantity_per_year == Decimal("90")
    roles = {(p.enterprise.name, p.role) for p in exchange.participants.all()}
    assert roles == {("Enterprise A (test)", "provides"), ("D recycler (test)", "receives")}
    # once proposed, the pair is no longer a candidate, and cannot be proposed twice
    assert (a_out, d_in) not in [
        (x.output, x.input) for x in match_candidates(user=manager, park=amata)
    ]
    with pytest.raises(ValidationError):
        exchange_propose_from_candidate(user=manager, output=a_out, need=d_in)
    with pytest.raises(PermissionDenied):
        exchange_propose_from_candidate(user=personas.enterprise_a, output=a_out, need=d_in)


def test_matching_reaches_a_nearby_park_but_not_a_far_one(personas):
    amata = personas.catalogue.amata
    near = Park.objects.exclude(pk=amata.pk).filter(latitude__isnull=False).order_by("pk")
    near = [
        p
        for p in near
        if haversine_km(
            float(amata.latitude), float(amata.longitude), float(p.latitude), float(p.longitude)
        )
        < 30
    ]
    assert near, "the reference data has parks near Amata"
    other = Enterprise.objects.create(name="Near (test)", tax_code=demo_tax_code(960), park=near[0])
    stream_save(
        user=personas.enterprise_a,
        enterprise=personas.ent_a,
        data={"direction": "output", "category": "heat", "quantity_per_year": 10, "unit": "MWh"},
    )
    # the neighbours offered their needs for matching (else no one outside sees them)
    Stream.objects.create(enterprise=other, direction="input", category="heat", offered=True)
    far = Enterprise.objects.get(pk=personas.ent_c.pk)  # Đình Vũ, Hải Phòng, > 1000 km
    Stream.objects.create(enterprise=far, direction="input", category="heat", offered=True)
    found = match_candidates(user=personas.park_manager, park=amata)
    assert [x.input.enterprise for x in found] == [other]
    assert "km" in found[0].reason


# ------------------------------------------------------------------------------ notices


def test_the_certificate_notice_is_mailed_once_60_days_before_expiry(personas):
    personas.enterprise_a.email = "a@example.com"
    personas.enterprise_a.save()
    personas.park_manager.email = "amata@example.com"
    personas.park_manager.save()
    cert = _certificate(personas, personas.ent_a, TODAY + datetime.timedelta(days=60))
    later = _certificate(personas, personas.ent_a, TODAY + datetime.timedelta(days=61))

    outcome = certificate_notices_send(today=TODAY)
    assert outcome.sent == 1
    assert len(mail.outbox) == 1
    assert sorted(mail.outbox[0].to) == ["a@example.com", "amata@example.com"]
    assert cert.expires_on.strftime("%d/%m/%Y") in mail.outbox[0].body
    assert CertificateNotice.objects.filter(certificate=cert).count() == 1

    certificate_notices_send(today=TODAY)  # the same day again: nothing more
    assert len(mail.outbox) == 1
    # the next day the other one enters its 60-day window
    certificate_notices_send(today=TODAY + datetime.timedelta(days=1))
    assert len(mail.outbox) == 2
    assert CertificateNotice.objects.filter(certificate=later).count() == 1


def test_an_overdue_roadmap_action_is_mailed_to_its_owner_once(personas):
    personas.park_manager.email = "amata@example.com"
    personas.park_manager.save()
    from registers.services import action_save

    criterion = Criterion.objects.get(version=personas.catalogue.vn2022, code="VN35-EIP-E2")
    action = action_save(
        user=personas.park_manager,
        park=personas.catalogue.amata,
        criterion=criterion,
        owner=personas.park_manager,
        data={
            "title": "Broker a water exchange",
            "target_date": TODAY - datetime.timedelta(days=1),
        },
    )
    assert action.is_overdue(TODAY)
    assert overdue_action_notices_send(today=TODAY).sent == 1
    assert overdue_action_notices_send(today=TODAY + datetime.timedelta(days=3)).sent == 0
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["amata@example.com"]
    action.refresh_from_db()
    assert action.overdue_notified_for == action.target_date
    RoadmapAction.objects.filter(pk=action.pk).update(status="done")
    assert not RoadmapAction.objects.get(pk=action.pk).is_overdue(TODAY)


def test_a_roadmap_action_criterion_must_fit_its_subject(personas):
    from registers.services import action_save

    enterprise_criterion = Criterion.objects.get(
        version=personas.catalogue.vn2022, code="VN35-ENT-4"
    )
    with pytest.raises(ValidationError) as exc:
        action_save(
            user=personas.park_manager,
            park=personas.catalogue.amata,
            criterion=enterprise_criterion,
            data={"title": "x", "target_date": TODAY},
        )
    assert "criterion" in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        action_save(
            user=personas.enterprise_a,
            park=personas.catalogue.amata,
            criterion=Criterion.objects.get(version=personas.catalogue.vn2022, code="VN35-EIP-E2"),
            data={"title": "x", "target_date": TODAY},
        )


def test_the_next_recompute_reads_the_registers(five):
    from dashboards.models import CriterionResult
    from dashboards.services import park_recompute

    personas, campaign, _ents = five
    amata = personas.catalogue.amata
    _symbiosis(personas)
    park_recompute(campaign_id=campaign.pk, park_id=amata.pk)
    result = CriterionResult.objects.get(
        snapshot__campaign=campaign,
        snapshot__park=amata,
        snapshot__enterprise__isnull=True,
        criterion__code="VN35-EIP-E2",
    )
    assert result.state == "met"


def _park_state(campaign, park, code):
    from dashboards.models import CriterionResult

    return CriterionResult.objects.get(
        snapshot__campaign=campaign,
        snapshot__park=park,
        snapshot__enterprise__isnull=True,
        criterion__code=code,
    ).state


def test_a_typed_answer_counts_until_the_park_keeps_a_register_which_then_wins(five):
    from dashboards.services import park_recompute
    from surveys.models import Answer, Response

    personas, campaign, _ents = five
    amata = personas.catalogue.amata
    response = Response.objects.get(campaign=campaign, park=amata, enterprise__isnull=True)
    typed = DataElement.objects.get(version=campaign.framework_version, code="symbioses_operating")
    Answer.objects.create(response=response, data_element=typed, value_number=0, raw="0")
    Response.objects.filter(pk=response.pk).update(status=Response.Status.SUBMITTED)
    park_recompute(campaign_id=campaign.pk, park_id=amata.pk)
    assert _park_state(campaign, amata, "VN35-EIP-E2") == "not_met"  # the typed 0
    _symbiosis(personas)  # an operating exchange since 2024 in the register
    park_recompute(campaign_id=campaign.pk, park_id=amata.pk)
    assert _park_state(campaign, amata, "VN35-EIP-E2") == "met"  # the register wins


def test_an_implausibly_large_saving_is_refused_not_a_server_error(personas):
    from registers.services import measure_save

    with pytest.raises(ValidationError) as refused:
        measure_save(
            user=personas.enterprise_a,
            enterprise=personas.ent_a,
            data={
                "area": "energy",
                "title": "x",
                "status": "implemented",
                "year": 2025,
                "saving_money_vnd": "9" * 30,
            },
        )
    assert "saving_money_vnd" in refused.value.message_dict
