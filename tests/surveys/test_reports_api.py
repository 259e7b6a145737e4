"""The official report forms through the API: every field readable and writable, the
registry's Part I, the production table, origins, errors by field."""

from __future__ import annotations

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from indicators.official_forms import SourceKind, official_form
from surveys.models import Origin, ProductionLine, ReportValue, Response

from .conftest import FORMS

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    client = APIClient()
    client.cookies["django_language"] = "en"
    return client


def as_user(api, user):
    api.force_authenticate(user=user)
    return api


def url(response) -> str:
    return f"/api/v1/responses/{response.pk}/"


@pytest.mark.parametrize("code", FORMS)
def test_every_data_field_of_the_forms_is_in_the_api(api, personas, report_campaign, code):
    form = official_form(code)
    subject = {"park": None, "enterprise": personas.ent_a}[form.subject]
    response = Response.objects.get(
        campaign=report_campaign, enterprise=subject, park=personas.catalogue.amata
    )
    user = personas.park_manager if subject is None else personas.enterprise_a
    data = as_user(api, user).get(url(response)).json()
    reports = {r["form"]: r for r in data["reports"]}
    fields = {f["field"] for f in reports[code]["fields"]}
    expected = {i.ident for i in form.data_items() if i.source.kind is not SourceKind.TABLE}
    assert fields == expected
    if code == "B.4":
        assert reports[code]["production"] == []


def test_a_park_manager_fills_a4_through_the_api_with_registers_origin_and_vnd(
    api, personas, report_campaign
):
    response = Response.objects.get(
        campaign=report_campaign, park=personas.catalogue.amata, enterprise=None
    )
    client = as_user(api, personas.park_manager)
    reply = client.patch(
        url(response),
        {
            "version": response.version,
            "report": [
                {"field": "A.4:I.2.5.1", "value": "250"},
                {"field": "A.4:I.2.5.2", "value": 25.5},
                {"field": "A.4:III.1.2.6", "value": "1234567891", "unit": "VND"},
                {"field": "A.4:III.1.1.5", "value": 0, "origin": "registers"},
                {"field": "A.4:III.2.1.13", "value": [personas.ent_b.tax_code]},
            ],
            "answers": [{"data_element": "ghg_programme", "value": True}],
            "registry": {"representative_name": "Nguyễn Văn A"},
        },
        format="json",
    )
    assert reply.status_code == 200, reply.json()
    fields = {f["field"]: f for r in reply.json()["reports"] for f in r["fields"]}
    assert fields["A.4:I.2.5.3"]["value"] == "10.2"
    assert fields["A.4:I.2.5.3"]["origin"] == "calculated"
    assert fields["A.4:III.1.2.6"]["value"] == "1234.56789"
    assert fields["A.4:III.1.1.5"]["origin"] == "registers"  # no measure planned: 0 is right
    assert fields["A.4:III.2.1.13"]["value"] == [personas.ent_b.tax_code]
    assert fields["A.4:III.2.1.13"]["text"] == "Enterprise B (test)"
    assert fields["A.4:I.1.4.1"]["value"] == "Nguyễn Văn A"
    assert fields["A.5:ENV.4"]["value"] is True
    assert (
        ReportValue.objects.get(response=response, item="A.4:III.1.1.5").origin == Origin.REGISTERS
    )


def test_api_errors_name_the_field_and_nothing_is_saved(api, personas, report_campaign):
    response = Response.objects.get(campaign=report_campaign, enterprise=personas.ent_a)
    reply = as_user(api, personas.enterprise_a).patch(
        url(response),
        {
            "version": response.version,
            "report": [
                {"field": "B.4:III.P3.2", "value": "-3"},
                {"field": "B.4:III.P3.16a", "value": "9"},
                {"field": "B.4:IV.P4.2", "value": ["io_exchange", "teleport"]},
            ],
            "production": [{"product": "Steel", "unit": "kg/năm", "design_capacity": "abc"}],
        },
        format="json",
    )
    assert reply.status_code == 400
    errors = reply.json()["errors"]
    assert set(errors) == {
        "B.4:III.P3.2",
        "B.4:III.P3.16a",
        "B.4:IV.P4.2",
        "production[0].unit",
        "production[0].design_capacity",
    }
    assert errors["B.4:III.P3.16a"] == ["Calculated by ecopark; it cannot be given."]
    assert not ReportValue.objects.filter(response=response).exists()


def test_an_enterprise_sends_its_production_table_and_reads_it_back(api, personas, report_campaign):
    response = Response.objects.get(campaign=report_campaign, enterprise=personas.ent_a)
    reply = as_user(api, personas.enterprise_a).patch(
        url(response),
        {
            "version": response.version,
            "production": [
                {
                    "product": "Fabric",
                    "unit": "m²/năm",
                    "design_capacity": 1200000,
                    "actual_output": "950000",
                    "energy_per_unit": "0.35",
                    "energy_carrier": "electricity",
                    "revenue_million_vnd": "48500.5",
                },
                {
                    "product": "Yarn",
                    "unit": "tấn/năm",
                    "design_capacity": 3000,
                    "actual_output": 2650,
                    "energy_per_unit": 850,
                    "energy_carrier": "gas",
                    "revenue_million_vnd": 95000,
                },
            ],
        },
        format="json",
    )
    assert reply.status_code == 200, reply.json()
    b4 = next(r for r in reply.json()["reports"] if r["form"] == "B.4")
    assert [row["product"] for row in b4["production"]] == ["Fabric", "Yarn"]
    assert b4["production"][0]["revenue_million_vnd"] == "48500.5"
    assert ProductionLine.objects.get(response=response, position=2).energy_carrier == "gas"
    assert ProductionLine.objects.get(response=response, position=1).energy_per_unit == Decimal(
        "0.35"
    )


def test_the_ministry_reads_b4_without_personal_data(api, personas, report_campaign):
    from enterprises.services import project_update

    project_update(
        user=personas.enterprise_a,
        park=personas.catalogue.amata,
        enterprise=personas.ent_a,
        values={"investor_kind": "individual", "investor_birth_date": "01/05/1975"},
    )
    response = Response.objects.get(campaign=report_campaign, enterprise=personas.ent_a)
    data = as_user(api, personas.ministry).get(url(response)).json()
    fields = {f["field"]: f for r in data["reports"] for f in r["fields"]}
    assert fields["B.4:I.1.1.4"]["value"] is None and fields["B.4:I.1.1.4"]["hidden"] is True
    board = as_user(APIClient(), personas.board).get(url(response)).json()
    fields = {f["field"]: f for r in board["reports"] for f in r["fields"]}
    assert fields["B.4:I.1.1.4"]["value"] == "1975-05-01"


def test_a_report_error_is_in_the_callers_language_label_and_example_included(
    personas, report_campaign
):
    response = Response.objects.get(campaign=report_campaign, enterprise=personas.ent_a)
    body = {"version": response.version, "report": [{"field": "B.4:III.P3.6", "value": "x12"}]}
    expected = {
        "vi": "«P3.6 Nhiên liệu năm [N-1]»: “x12” không phải là số; hãy nhập một số, ví dụ "
        "1.234,5.",
        "en": "«P3.6 Fuel saved in [N-1]»: “x12” is not a number; write a number such as 1,234.5.",
    }
    for language, message in expected.items():
        client = APIClient()
        client.cookies["django_language"] = language
        reply = as_user(client, personas.enterprise_a).patch(url(response), body, format="json")
        assert reply.status_code == 400
        assert reply.json()["errors"] == {"B.4:III.P3.6": [message]}


def test_a_stale_version_is_refused_before_a_bad_value(api, personas, report_campaign):
    response = Response.objects.get(campaign=report_campaign, enterprise=personas.ent_a)
    stale = response.version
    Response.objects.filter(pk=response.pk).update(version=stale + 1)  # someone saved since
    reply = as_user(api, personas.enterprise_a).patch(
        url(response),
        {"version": stale, "report": [{"field": "B.4:III.P3.6", "value": "x12"}]},
        format="json",
    )
    assert reply.status_code == 409
    body = reply.json()
    assert (body["code"], body["current_version"], body["conflicts"]) == (
        "stale_version",
        stale + 1,
        [],
    )
    assert f"version {stale + 1}" in body["detail"]
    assert not ReportValue.objects.filter(response=response).exists()


@pytest.mark.parametrize("scheme", ["basic", "token"])
def test_basic_and_token_callers_read_errors_in_their_preferred_language(
    personas, report_campaign, scheme
):
    import base64

    from knox.models import AuthToken

    from enterprises.models import Profile

    from ..conftest import PASSWORD

    Profile.objects.update_or_create(user=personas.enterprise_a, defaults={"language": "en"})
    response = Response.objects.get(campaign=report_campaign, enterprise=personas.ent_a)
    client = APIClient()  # no language cookie: the middleware would choose Vietnamese
    if scheme == "basic":
        pair = f"{personas.enterprise_a.username}:{PASSWORD}".encode()
        client.credentials(HTTP_AUTHORIZATION="Basic " + base64.b64encode(pair).decode())
    else:
        _token, key = AuthToken.objects.create(user=personas.enterprise_a)
        client.credentials(HTTP_AUTHORIZATION="Token " + key)
    reply = client.patch(
        url(response),
        {"version": response.version, "report": [{"field": "B.4:III.P3.6", "value": "x12"}]},
        format="json",
    )
    assert reply.status_code == 400
    assert reply.json()["errors"] == {
        "B.4:III.P3.6": [
            "«P3.6 Fuel saved in [N-1]»: “x12” is not a number; write a number such as 1,234.5."
        ]
    }
    assert reply["Content-Language"] == "en"
