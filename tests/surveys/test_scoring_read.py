"""The scoring read (surveys.selectors.campaign_answers_frame, surveys.selectors.
campaign_register_keepers): what the engine receives, worked out by hand."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from indicators.models import DataElement
from indicators.selectors import version_scoring_inputs
from registers.services import certificate_save
from surveys.models import Answer, Response
from surveys.selectors import campaign_answers_frame, campaign_register_keepers
from surveys.services import campaign_open
from tests.registers.test_registers import _symbiosis


def _open(catalogue, period: int, name: str):
    return campaign_open(
        name=name,
        period=period,
        framework_version=catalogue.vn2022,
        opens_on=datetime.date(period + 1, 1, 1),
        closes_on=datetime.date(period + 1, 3, 31),
        parks=[catalogue.amata, catalogue.dinh_vu],
    )


def _answer(campaign, enterprise, code: str, value: bool) -> None:
    response = Response.objects.get(campaign=campaign, enterprise=enterprise)
    Response.objects.filter(pk=response.pk).update(status=Response.Status.SUBMITTED)
    element = DataElement.objects.get(version=campaign.framework_version, code=code)
    Answer.objects.create(
        response=response, data_element=element, value_bool=value, raw="yes" if value else "no"
    )


def _values(answers, subject: int, period: int, element: str) -> list[float]:
    rows = answers[
        (answers["kind"] == "enterprise")
        & (answers["subject"] == subject)
        & (answers["period"] == period)
        & (answers["element"] == element)
        & (answers["scenario"] == "current")
    ]
    return rows["value"].tolist()


def test_compliance_is_a_look_back_element_of_the_shipped_framework(catalogue):
    # the tests below rely on it: VN35-EIP-I1 looks back three years at tenants' compliance
    inputs = version_scoring_inputs(catalogue.vn2022)
    assert "compliant" in inputs.lookback_codes
    assert inputs.longest_lookback == 3


def test_the_latest_campaign_of_an_earlier_period_wins_and_counts_once(personas):
    c = personas.catalogue
    first_2024 = _open(c, 2024, "2024 survey")
    second_2024 = _open(c, 2024, "2024 survey, corrected")  # opened later: wins
    current = _open(c, 2025, "2025 survey")
    _answer(first_2024, personas.ent_a, "compliant", True)
    _answer(second_2024, personas.ent_a, "compliant", False)
    _answer(first_2024, personas.ent_b, "compliant", True)  # B answered the first one only
    _answer(current, personas.ent_a, "compliant", True)

    answers, reported = campaign_answers_frame(
        campaign=current, lookback=3, lookback_elements={"compliant"}
    )

    assert _values(answers, personas.ent_a.pk, 2024, "compliant") == [0.0]
    assert _values(answers, personas.ent_b.pk, 2024, "compliant") == [1.0]
    assert _values(answers, personas.ent_a.pk, 2025, "compliant") == [1.0]
    ent_a_2024 = reported[
        (reported["kind"] == "enterprise")
        & (reported["subject"] == personas.ent_a.pk)
        & (reported["period"] == 2024)
    ]
    assert len(ent_a_2024) == 1  # submitted in both 2024 campaigns, reported once


def test_one_campaign_per_period_is_read_in_three_queries(personas):
    c = personas.catalogue
    earlier = _open(c, 2024, "2024 survey")
    current = _open(c, 2025, "2025 survey")
    _answer(earlier, personas.ent_a, "compliant", True)
    _answer(current, personas.ent_a, "compliant", False)
    _answer(current, personas.ent_a, "iso_management_system", True)

    with CaptureQueriesContext(connection) as ctx:
        answers, reported = campaign_answers_frame(
            campaign=current, park_ids=[c.amata.pk], lookback=3, lookback_elements={"compliant"}
        )
    statements = [
        q["sql"] for q in ctx.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))
    ]
    # element codes with earlier campaigns, answers, responses; on PostgreSQL the answers
    # stream through COPY on the driver's cursor, which Django does not record
    assert len(statements) == (2 if connection.vendor == "postgresql" else 3)

    assert _values(answers, personas.ent_a.pk, 2024, "compliant") == [1.0]
    assert _values(answers, personas.ent_a.pk, 2025, "compliant") == [0.0]
    # an element no look-back reads is not read in the earlier period
    assert _values(answers, personas.ent_a.pk, 2025, "iso_management_system") == [1.0]
    assert set(answers["period"]) == {2024, 2025}
    assert sorted(reported.loc[reported["kind"] == "enterprise", "period"]) == [2024, 2025]


@pytest.mark.parametrize("lookback", [1, 3])
def test_without_a_look_back_earlier_campaigns_are_not_read(personas, lookback):
    c = personas.catalogue
    earlier = _open(c, 2024, "2024 survey")
    current = _open(c, 2025, "2025 survey")
    _answer(earlier, personas.ent_a, "compliant", True)
    answers, _ = campaign_answers_frame(campaign=current, lookback=lookback)
    assert _values(answers, personas.ent_a.pk, 2024, "compliant") == (
        [] if lookback == 1 else [1.0]
    )


def test_register_keepers_are_found_in_one_query_and_only_among_the_parks_asked(
    personas, django_assert_num_queries
):
    c = personas.catalogue
    campaign = _open(c, 2025, "2025 survey")
    certificate_save(
        user=personas.other_enterprise,
        enterprise=personas.ent_c,  # Đình Vũ
        data={"standard": "iso14001", "expires_on": datetime.date(2027, 1, 1)},
    )
    _symbiosis(personas)  # Amata: A provides, B receives

    with django_assert_num_queries(1):
        everyone = campaign_register_keepers(campaign=campaign)
    assert everyone == ({personas.ent_a.pk, personas.ent_b.pk, personas.ent_c.pk}, {c.amata.pk})
    assert campaign_register_keepers(campaign=campaign, park_ids=[c.dinh_vu.pk]) == (
        {personas.ent_c.pk},
        set(),
    )
    assert campaign_register_keepers(campaign=campaign, park_ids=[]) == (set(), set())
