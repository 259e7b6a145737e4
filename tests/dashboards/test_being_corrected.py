"""Reopening an approved response does not drop the park's score: until the corrected response
is submitted again, every dashboard keeps the last approved result, marked "being corrected
since <date>"; the submitted correction then counts.
"""

from __future__ import annotations

import datetime
import re

import pytest
from freezegun import freeze_time

from dashboards.models import ScoreSnapshot
from dashboards.selectors import park_table
from dashboards.services import park_recompute
from enterprises.models import Park
from surveys.models import Response
from surveys.services import response_approve, response_reopen, response_submit

from ..conftest import PASSWORD
from ..surveys.test_workflow import save

pytestmark = pytest.mark.usefixtures("keep_language")


def _park_snapshot(campaign, park) -> ScoreSnapshot:
    return ScoreSnapshot.objects.get(campaign=campaign, park=park, enterprise=None)


def _text(html: str) -> str:
    html = re.sub(r"<script.*?</script>", " ", html, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.fixture
def campaign_2025(campaign_2025):
    """The 2025 campaign open from January to March 2026, the months these walks are dated in
    (a frozen clock outside the period would refuse every change)."""
    campaign_2025.opens_on, campaign_2025.closes_on = (
        datetime.date(2026, 1, 1),
        datetime.date(2026, 3, 31),
    )
    campaign_2025.save(update_fields=["opens_on", "closes_on"])
    return campaign_2025


def test_a_reopened_response_keeps_its_approved_result_until_the_correction_is_submitted(
    client, personas, campaign_2025
):
    c = personas.catalogue
    amata = Response.objects.get(campaign=campaign_2025, park=c.amata, enterprise=None)
    # Amata reports one operating symbiosis (E2 met) and basic services (I2 met)
    with freeze_time("2026-02-01 09:00:00"):
        save(amata, personas.park_manager, symbioses_operating=1, basic_services_provided=True)
    with freeze_time("2026-02-02 09:00:00"):
        response_submit(response=amata, user=personas.park_manager)
        response_approve(response=amata, user=personas.board)
    park_recompute(campaign_id=campaign_2025.pk, park_id=c.amata.pk)
    approved = _park_snapshot(campaign_2025, c.amata)
    states = dict(approved.results.values_list("criterion__code", "state"))
    assert (states["VN35-EIP-E2"], states["VN35-EIP-I2"]) == ("met", "met")
    approved_index = approved.index
    assert approved_index > 0

    # the board reopens it on 5 March; the park manager starts correcting: clears both answers
    with freeze_time("2026-03-05 10:00:00"):
        response_reopen(response=amata, user=personas.board, reason="Wrong year of data")
    with freeze_time("2026-03-06 10:00:00"):
        save(amata, personas.park_manager, symbioses_operating=None, basic_services_provided=None)
    park_recompute(campaign_id=campaign_2025.pk, park_id=c.amata.pk)
    kept = _park_snapshot(campaign_2025, c.amata)
    assert kept.index == approved_index  # not the draft's emptier answers
    states = dict(kept.results.values_list("criterion__code", "state"))
    assert (states["VN35-EIP-E2"], states["VN35-EIP-I2"]) == ("met", "met")

    table = park_table(parks=Park.objects.filter(pk=c.amata.pk), campaign=campaign_2025)
    assert table.rows[0].corrected_since.date().isoformat() == "2026-03-05"
    assert client.login(username=personas.ministry.username, password=PASSWORD)
    national = _text(client.get("/parks/national/").content.decode())
    assert "đang được chỉnh sửa từ 05/03/2026" in national
    park_page = _text(client.get(f"/parks/{c.amata.pk}/").content.decode())
    assert "đang được chỉnh sửa từ 05/03/2026" in park_page
    assert f"{approved_index:.1f}".replace(".", ",") in park_page

    # the correction is submitted (E2 now 0): it counts, and the mark goes
    with freeze_time("2026-03-10 10:00:00"):
        save(amata, personas.park_manager, symbioses_operating=0, basic_services_provided=True)
        response_submit(response=amata, user=personas.park_manager)
    park_recompute(campaign_id=campaign_2025.pk, park_id=c.amata.pk)
    corrected = _park_snapshot(campaign_2025, c.amata)
    assert corrected.results.get(criterion__code="VN35-EIP-E2").state == "not_met"
    assert corrected.index < approved_index
    table = park_table(parks=Park.objects.filter(pk=c.amata.pk), campaign=campaign_2025)
    assert table.rows[0].corrected_since is None


def test_a_reopened_enterprise_response_keeps_its_approved_result_too(personas, campaign_2025):
    c = personas.catalogue
    ent = Response.objects.get(campaign=campaign_2025, enterprise=personas.ent_a)
    with freeze_time("2026-02-01 09:00:00"):
        save(ent, personas.enterprise_a, located_in_certified_eip=True, iso_management_system=True)
    with freeze_time("2026-02-02 09:00:00"):
        response_submit(response=ent, user=personas.enterprise_a)
        response_approve(response=ent, user=personas.board)
    park_recompute(campaign_id=campaign_2025.pk, park_id=c.amata.pk)
    before = ScoreSnapshot.objects.get(campaign=campaign_2025, enterprise=personas.ent_a)
    assert before.index is not None and before.index > 0
    with freeze_time("2026-03-05 10:00:00"):
        response_reopen(response=ent, user=personas.board, reason="Certificate expired")
    with freeze_time("2026-03-06 10:00:00"):
        save(ent, personas.enterprise_a, located_in_certified_eip=None, iso_management_system=None)
    park_recompute(campaign_id=campaign_2025.pk, park_id=c.amata.pk)
    after = ScoreSnapshot.objects.get(campaign=campaign_2025, enterprise=personas.ent_a)
    assert after.index == before.index
