"""The registry's investment projects (Part I of forms A.4 and B.4): who sees personal data,
who changes what, and the history of every change."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from enterprises.models import InvestmentProject
from enterprises.selectors import HIDDEN, project_of, project_values
from enterprises.services import project_update
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def login(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_a_park_project_starts_from_the_developer_the_registry_knows(personas):
    amata = personas.catalogue.amata
    project = project_of(park=amata)
    assert project.pk is None  # reading writes nothing
    assert project.investor_name == amata.operator and project.investor_kind == "organisation"
    enterprise_project = project_of(park=amata, enterprise=personas.ent_a)
    assert enterprise_project.organisation_code == "0300588569"


def test_park_manager_fills_the_representative_and_history_keeps_who_and_what(personas):
    amata = personas.catalogue.amata
    project_update(
        user=personas.park_manager,
        park=amata,
        values={"representative_name": "Nguyễn Văn A", "representative_birth_date": "02/03/1970"},
    )
    project_update(
        user=personas.park_manager, park=amata, values={"representative_name": "Trần Thị B"}
    )
    project = InvestmentProject.objects.get(park=amata, enterprise=None)
    assert project.representative_birth_date == datetime.date(1970, 3, 2)
    names = [h.representative_name for h in project.history.order_by("history_date")]
    assert names == ["Nguyễn Văn A", "Trần Thị B"]
    assert {h.history_user for h in project.history.all()} == {personas.park_manager}


def test_personal_data_is_seen_by_own_users_park_manager_and_board_never_the_ministry(personas):
    project_update(
        user=personas.enterprise_a,
        park=personas.catalogue.amata,
        enterprise=personas.ent_a,
        values={
            "investor_kind": "individual",
            "investor_name": "Lê Văn C",
            "investor_identity_number": "079070001234",
            "investor_birth_date": "1975-05-01",
        },
    )
    project = InvestmentProject.objects.get(enterprise=personas.ent_a)
    for user in (personas.enterprise_a, personas.park_manager, personas.board):
        values = project_values(project, user)
        assert values["investor_identity_number"] == "079070001234", user
        assert values["investor_birth_date"] == datetime.date(1975, 5, 1)
    values = project_values(project, personas.ministry)
    assert values["investor_identity_number"] is HIDDEN
    assert values["investor_birth_date"] is HIDDEN
    assert values["investor_name"] == "Lê Văn C"  # not personal: the investor's name


def test_another_tenant_cannot_open_an_enterprise_registry_page(personas):
    url = f"/registry/enterprises/{personas.ent_a.pk}/project/"
    assert login(personas.enterprise_b).get(url).status_code == 404
    assert login(personas.enterprise_a).get(url).status_code == 200
    page = login(personas.ministry).get(url)
    assert page.status_code == 200 and b'name="investor_name"' not in page.content
    assert login(personas.ministry).post(url, {"investor_name": "x"}).status_code == 403


def test_an_enterprise_cannot_read_its_parks_infrastructure_project(personas):
    url = f"/registry/parks/{personas.catalogue.amata.pk}/project/"
    assert login(personas.enterprise_a).get(url).status_code == 404
    assert login(personas.park_manager).get(url).status_code == 200


def test_the_report_fills_only_what_the_registry_lacks(personas):
    amata = personas.catalogue.amata
    project_update(user=personas.park_manager, park=amata, values={"project_name": "Hạ tầng A"})
    with pytest.raises(ValidationError) as exc:
        project_update(
            user=personas.park_manager,
            park=amata,
            values={"project_name": "Khác", "project_location": "Biên Hòa"},
            only_blank=True,
        )
    assert list(exc.value.message_dict) == ["project_name"]
    assert project_of(park=amata).project_location == ""  # all or nothing


def test_a_bad_date_and_dates_out_of_order_are_named(personas):
    with pytest.raises(ValidationError) as exc:
        project_update(
            user=personas.park_manager,
            park=personas.catalogue.amata,
            values={
                "project_certificate_first_date": "31/02/2020",
                "investor_first_registered_on": "01/01/2020",
                "investor_latest_amended_on": "01/01/2019",
            },
        )
    assert set(exc.value.message_dict) == {
        "project_certificate_first_date",
        "investor_latest_amended_on",
    }


def test_a_tenant_cannot_change_another_tenants_project(personas):
    with pytest.raises(PermissionDenied):
        project_update(
            user=personas.enterprise_b,
            park=personas.catalogue.amata,
            enterprise=personas.ent_a,
            values={"project_name": "x"},
        )
