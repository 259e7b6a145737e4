"""Every criterion state other than met / not met says why: which input is missing, which
look-back year lacks an answer, or that the source gives no threshold — on the enterprise page
and on the park page, for mandatory and performance criteria alike.
"""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest

from dashboards.services import park_recompute
from surveys.models import Response

from ..conftest import PASSWORD
from .test_pages import row_of, score, set_answers

pytestmark = pytest.mark.usefixtures("keep_language")


def _row(html: str, code: str) -> str:
    return row_of(SimpleNamespace(content=html.encode()), "data-code", code)


@pytest.fixture
def compliant_this_year(personas, campaign_2025):
    """Enterprise A answered "compliant: yes" for 2025 only, submitted and scored."""
    ent = Response.objects.get(campaign=campaign_2025, enterprise=personas.ent_a)
    set_answers(ent, {"compliant": True})
    Response.objects.filter(pk=ent.pk).update(status=Response.Status.SUBMITTED)
    park_recompute(campaign_id=campaign_2025.pk, park_id=personas.catalogue.amata.pk)
    return campaign_2025


def test_a_yes_for_this_year_only_says_which_look_back_years_are_missing(
    client, personas, compliant_this_year
):
    assert client.login(username=personas.enterprise_a.username, password=PASSWORD)
    html = client.get(f"/parks/enterprises/{personas.ent_a.pk}/").content.decode()
    row = _row(html, "VN35-ENT-2")
    # the value this year is "có", the state "no data" — and why: 2023 and 2024 are missing
    assert "có" in row and "chưa có dữ liệu" in row
    assert "2023, 2024" in row, row
    # a criterion without any answer names its input
    row = _row(html, "VN35-ENT-1")
    assert "chưa có dữ liệu" in row and "nằm trong KCN đã được chứng nhận" in row, row

    client.cookies["django_language"] = "en"
    html = client.get(f"/parks/enterprises/{personas.ent_a.pk}/").content.decode()
    row = _row(html, "VN35-ENT-2")
    assert "missing for 2023, 2024" in row, row


def test_the_park_page_explains_no_data_and_no_threshold_for_performance_criteria_too(
    client, personas, campaign_2025
):
    score(campaign_2025, personas.catalogue.amata, {"symbioses_operating": 1})
    assert client.login(username=personas.park_manager.username, password=PASSWORD)
    html = client.get(f"/parks/{personas.catalogue.amata.pk}/").content.decode()
    rows = re.findall(r'<tr data-code="([^"]+)">(.*?)</tr>', html, flags=re.S)
    assert rows
    for code, body in rows:
        text = " ".join(re.sub(r"<[^>]+>", " ", body).split())
        state = re.search(r'class="state (\w+)"', body).group(1)
        if state in ("no_data", "no_threshold"):
            assert re.search(r'class="why"', body), f"{code}: {text}"
    # a performance criterion of Circular 05 without a threshold says so
    assert "no_threshold" in html


def test_the_enterprise_export_carries_why_beside_the_state(client, personas, compliant_this_year):
    import io

    from openpyxl import load_workbook

    assert client.login(username=personas.enterprise_a.username, password=PASSWORD)
    client.cookies["django_language"] = "en"
    r = client.get(f"/parks/enterprises/{personas.ent_a.pk}/export.xlsx")
    sheet = load_workbook(io.BytesIO(b"".join(r.streaming_content) if r.streaming else r.content))[
        "Criteria"
    ]
    rows = list(sheet.iter_rows(values_only=True))
    why = rows[0].index("Why")
    ent2 = next(row for row in rows if row[0] == "VN35-ENT-2")
    assert "missing for 2023, 2024" in ent2[why]
