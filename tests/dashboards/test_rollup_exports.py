"""Roll-up shares in the exports carry their numerator, denominator, coverage and a rounded
value (never 66.66666666666666 alone); the national and province exports carry each park's
per-criterion figures as the park export does."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.urls import reverse

from dashboards.services import park_recompute
from demo.demo import demo_tax_code
from enterprises.models import Enterprise
from surveys.models import Response

from ..conftest import PASSWORD
from .test_pages import set_answers

pytestmark = pytest.mark.usefixtures("keep_language")

RECP = {"cleaner_production_applied": True, "recp_savings_demonstrated": True}


@pytest.fixture
def two_of_three(personas, campaign_2025):
    """Amata: 3 of its 4 tenants reported, 2 of them apply RECP with savings → E4 = 2/3."""
    amata = personas.catalogue.amata
    extra = Enterprise.objects.create(
        name="Enterprise D (test)", tax_code=demo_tax_code(990), park=amata
    )
    Response.objects.create(campaign=campaign_2025, park=amata, enterprise=extra)
    park = Response.objects.get(campaign=campaign_2025, park=amata, enterprise__isnull=True)
    set_answers(park, {"symbioses_operating": 1})
    answers = {
        personas.ent_a: RECP,
        personas.ent_b: RECP,
        extra: {
            "cleaner_production_applied": False,
            "resource_efficiency_applied": False,
            "recp_savings_demonstrated": False,
        },
    }
    for ent, values in answers.items():
        r = Response.objects.get(campaign=campaign_2025, enterprise=ent)
        set_answers(r, values)
    Response.objects.filter(campaign=campaign_2025, park=amata).update(
        status=Response.Status.SUBMITTED
    )
    # a fourth tenant did not report
    last = Enterprise.objects.create(
        name="Enterprise E (test)", tax_code=demo_tax_code(991), park=amata
    )
    Response.objects.create(campaign=campaign_2025, park=amata, enterprise=last)
    park_recompute(campaign_id=campaign_2025.pk, park_id=amata.pk)
    return campaign_2025


def _sheet(content: bytes, title: str) -> list[tuple]:
    book = openpyxl.load_workbook(io.BytesIO(content))
    return list(book[title].iter_rows(values_only=True))


def test_the_park_export_gives_the_rollup_numerator_denominator_coverage_and_rounded_share(
    client, personas, two_of_three
):
    assert client.login(username=personas.park_manager.username, password=PASSWORD)
    client.cookies["django_language"] = "en"
    amata = personas.catalogue.amata
    r = client.get(
        reverse("dashboards:park-export", args=[amata.pk]), {"campaign": two_of_three.pk}
    )
    rows = _sheet(r.content, "Criteria")
    head = rows[0]
    e4 = dict(zip(head, next(row for row in rows if row[0] == "VN35-EIP-E4"), strict=True))
    assert e4["Value"] == 66.67  # rounded to 2 places, not 66.66666666666666
    assert (e4["Numerator"], e4["Denominator"]) == (2, 3)  # 2 of the 3 that reported
    assert e4["Enterprises in the park"] == 4 and e4["Coverage (%)"] == 75.0


def test_the_national_export_carries_each_parks_criterion_figures(client, personas, two_of_three):
    assert client.login(username=personas.ministry.username, password=PASSWORD)
    client.cookies["django_language"] = "en"
    r = client.get(reverse("dashboards:national-export"), {"campaign": two_of_three.pk})
    rows = _sheet(r.content, "Criteria")
    head = rows[0]
    amata_e4 = [
        dict(zip(head, row, strict=True))
        for row in rows[1:]
        if row[0] == personas.catalogue.amata.name_en and row[2] == "VN35-EIP-E4"
    ]
    assert len(amata_e4) == 1
    assert (amata_e4[0]["Value"], amata_e4[0]["Numerator"], amata_e4[0]["Denominator"]) == (
        66.67,
        2,
        3,
    )
    assert amata_e4[0]["State"] == "met"
