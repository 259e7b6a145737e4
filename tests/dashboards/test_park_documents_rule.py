"""One rule for a park's documents (enterprises/policy.py, action ``report``): its dashboard
XLSX and its Art. 41 PDF go to the ministry, the province's board and the park manager; a
tenant, who reads the park's page, gets neither (403); outside the scope, 404."""

from __future__ import annotations

import pytest
from django.urls import reverse

from enterprises.models import Park
from enterprises.policy import Action, can

from ..conftest import PASSWORD


@pytest.mark.parametrize(
    "who,allowed",
    [("ministry", True), ("board", True), ("park_manager", True), ("enterprise_a", False)],
)
def test_the_workbook_and_the_pdf_follow_the_same_rule(
    client, personas, campaign_2025, who, allowed
):
    amata = personas.catalogue.amata
    user = getattr(personas, who)
    assert can(user, Action.REPORT, amata) is allowed
    assert client.login(username=user.username, password=PASSWORD)
    xlsx = client.get(reverse("dashboards:park-export", args=[amata.pk]))
    pdf = client.get(reverse("dashboards:park-report", args=[amata.pk]), {"lang": "en"})
    assert (xlsx.status_code == 200) is allowed and (xlsx.status_code == 403) is not allowed
    # the PDF answers 200, or 503 where this server cannot render PDF; never to a tenant
    assert (pdf.status_code in (200, 503)) is allowed and (pdf.status_code == 403) is not allowed
    page = client.get(reverse("dashboards:park", args=[amata.pk])).content.decode()
    assert ("park-export" in page or "/export.xlsx" in page) is allowed


def test_outside_the_scope_both_answer_404(client, personas, campaign_2025):
    amata = personas.catalogue.amata
    assert client.login(username=personas.other_board.username, password=PASSWORD)
    assert client.get(reverse("dashboards:park-export", args=[amata.pk])).status_code == 404
    assert client.get(reverse("dashboards:park-report", args=[amata.pk])).status_code == 404
    assert not can(personas.other_board, Action.REPORT, Park.objects.get(pk=amata.pk))
