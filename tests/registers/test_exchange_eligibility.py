"""Adding an exchange that costs a park its eligibility is never silent: saving an operating
exchange with a participant that holds no valid ISO certificate warns, naming the participant
and the criterion (VN35-EIP-E3, Decree 35/2022 Art. 37(2)(b)); the park's roadmap names the
participant lacking the certificate."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from freezegun import freeze_time

from registers.selectors import exchange_warnings
from registers.services import ParticipantSpec, certificate_save, exchange_save

from ..conftest import PASSWORD
from .test_registers_api import api

pytestmark = pytest.mark.usefixtures("keep_language")

TODAY = "2026-06-15"


def _exchange(personas, status="operating"):
    return exchange_save(
        user=personas.park_manager,
        park=personas.catalogue.amata,
        data={
            "kind": "water",
            "title": "Treated water to B",
            "status": status,
            "started_on": datetime.date(2026, 1, 10),
        },
        participants=[
            ParticipantSpec(kind="enterprise", role="provides", enterprise=personas.ent_a),
            ParticipantSpec(kind="enterprise", role="receives", enterprise=personas.ent_b),
        ],
    )


def _certify(personas, ent, user):
    certificate_save(
        user=user,
        enterprise=ent,
        data={
            "standard": "iso14001",
            "issued_on": datetime.date(2025, 1, 1),
            "expires_on": datetime.date(2028, 1, 1),
        },
    )


@freeze_time(TODAY)
def test_an_operating_exchange_with_an_uncertified_participant_warns_naming_it_and_e3(personas):
    _certify(personas, personas.ent_a, personas.enterprise_a)
    ex = _exchange(personas)
    warnings = exchange_warnings(ex)
    assert len(warnings) == 1
    assert "Enterprise B (test)" in warnings[0] and "VN35-EIP-E3" in warnings[0]
    assert "Enterprise A (test)" not in warnings[0]
    _certify(personas, personas.ent_b, personas.enterprise_b)
    assert exchange_warnings(ex) == []
    # a proposed exchange does not count for E3 yet: nothing to warn about
    assert exchange_warnings(_exchange(personas, status="proposed")) == []


@freeze_time(TODAY)
def test_the_api_answers_the_warning_with_the_saved_exchange(personas):
    r = api(personas.park_manager).post(
        "/api/v1/symbiosis-exchanges/",
        {
            "park": personas.catalogue.amata.pk,
            "kind": "water",
            "title": "Treated water to B",
            "status": "operating",
            "started_on": "2026-01-10",
            "participants": [
                {"kind": "enterprise", "role": "provides", "enterprise": personas.ent_a.pk},
                {"kind": "enterprise", "role": "receives", "enterprise": personas.ent_b.pk},
            ],
        },
        format="json",
    )
    assert r.status_code == 201, r.json()
    warnings = r.json()["warnings"]
    assert len(warnings) == 2  # neither A nor B holds a certificate
    assert all("VN35-EIP-E3" in w for w in warnings)


@freeze_time(TODAY)
def test_the_page_warns_on_saving_and_the_roadmap_names_the_participant(client, personas):
    _certify(personas, personas.ent_a, personas.enterprise_a)
    ex = _exchange(personas)
    assert client.login(username=personas.park_manager.username, password=PASSWORD)
    page = client.get(reverse("registers:exchange", args=[ex.pk])).content.decode()
    assert "Enterprise B (test)" in page and "VN35-EIP-E3" in page
    assert 'class="warning' in page
    panel = client.get(
        reverse("park_registers", args=[personas.catalogue.amata.pk]), {"year": 2026}
    ).content.decode()
    roadmap = panel[panel.index('id="reg-gaps"') :]
    roadmap = roadmap[: roadmap.index("</ul>")]
    assert "VN35-EIP-E3" in roadmap and "Enterprise B (test)" in roadmap
    assert "Treated water to B" in roadmap
