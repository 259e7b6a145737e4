"""Bulk approval: nothing is ticked by default, and approving asks for confirmation with the
number of responses; nothing ticked approves nothing."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from surveys.models import Response
from surveys.services import response_submit

from .test_workflow import english, fresh, login, responses_by_name  # noqa: F401 (fixture)

pytestmark = pytest.mark.usefixtures("keep_language", "english")


@pytest.fixture
def two_submitted(personas, campaign_2025):
    r = responses_by_name(personas, campaign_2025)
    response_submit(response=fresh(r.a), user=personas.enterprise_a)
    response_submit(response=fresh(r.b), user=personas.enterprise_b)
    return r


def test_no_response_is_ticked_when_the_page_opens(client, personas, two_submitted):
    login(client, personas.park_manager)
    html = client.get(reverse("surveys:campaign", args=[two_submitted.a.campaign_id])).content
    boxes = re.findall(r'<input type="checkbox" name="responses"[^>]*>', html.decode())
    assert len(boxes) == 2 and not any("checked" in b for b in boxes)


def test_approving_with_nothing_ticked_approves_nothing(client, personas, two_submitted):
    login(client, personas.park_manager)
    url = reverse("surveys:campaign_approve", args=[two_submitted.a.campaign_id])
    page = client.post(url, {}, follow=True)
    assert "Choose at least one response to approve." in page.content.decode()
    assert Response.objects.filter(status="approved").count() == 0
    page = client.post(url, {"confirm": "yes"}, follow=True)
    assert Response.objects.filter(status="approved").count() == 0


def test_approving_asks_for_confirmation_with_the_count_first(client, personas, two_submitted):
    login(client, personas.park_manager)
    rs = two_submitted
    url = reverse("surveys:campaign_approve", args=[rs.a.campaign_id])
    page = client.post(url, {"responses": [rs.a.pk, rs.b.pk]})
    assert page.status_code == 200
    html = page.content.decode()
    assert "Approve 2 responses?" in html and 'name="confirm"' in html
    assert (fresh(rs.a).status, fresh(rs.b).status) == ("submitted", "submitted")
    page = client.post(url, {"responses": [rs.a.pk, rs.b.pk], "confirm": "yes"}, follow=True)
    assert "2 responses approved." in page.content.decode()
    assert (fresh(rs.a).status, fresh(rs.b).status) == ("approved", "approved")
