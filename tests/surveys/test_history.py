"""Answer history: every change keeps who, when, old and new value, whether it
came through the page, the API or a service; reviewers and respondents see it per answer."""

from __future__ import annotations

import base64

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from rest_framework.test import APIClient

from surveys.models import Answer
from surveys.selectors import response_answer_history

from ..conftest import PASSWORD
from .test_workflow import element, fresh, responses_by_name, save


@pytest.fixture
def r(personas, campaign_2025):
    return responses_by_name(personas, campaign_2025)


def test_every_change_keeps_who_when_the_old_and_the_new_value(personas, r):
    start = timezone.now()
    save(r.a, personas.enterprise_a, symbioses_participating=2)
    save(r.a, personas.enterprise_a, symbioses_participating=1)
    save(r.a, personas.enterprise_a, symbioses_participating=None)  # cleared
    history = response_answer_history(response=fresh(r.a))
    entries = history[element("symbioses_participating").pk]
    assert [(h.kind, h.old, h.new, h.by) for h in entries] == [
        ("-", "1", "", personas.enterprise_a),
        ("~", "2", "1", personas.enterprise_a),
        ("+", "", "2", personas.enterprise_a),
    ]
    assert all(start <= h.at <= timezone.now() for h in entries)


def test_saving_the_same_value_again_adds_no_history(personas, r):
    save(r.a, personas.enterprise_a, compliant=True)
    save(r.a, personas.enterprise_a, compliant=True)
    assert Answer.history.filter(response_id=r.a.pk).count() == 1


def test_yes_no_answers_read_as_yes_and_no_in_the_history(personas, r):
    save(r.a, personas.enterprise_a, compliant=True)
    save(r.a, personas.enterprise_a, compliant=False)
    with translation.override("en"):
        entries = response_answer_history(response=fresh(r.a))[element("compliant").pk]
    assert [(h.old, h.new) for h in entries] == [("Yes", "No"), ("", "Yes")]


def test_a_change_through_the_page_records_the_person(client, personas, r):
    assert client.login(username=personas.park_manager.username, password=PASSWORD)
    page = client.post(
        reverse("surveys:response", args=[r.amata.pk]),
        {"version": 1, "action": "save", "wastewater_total_m3": "1.234,5"},
    )
    assert page.status_code == 302
    record = Answer.history.get(response_id=r.amata.pk)
    assert record.history_user == personas.park_manager
    assert record.history_type == "+" and record.raw == "1.234,5"


def test_a_change_through_the_api_with_basic_authentication_records_the_person(personas, r):
    api = APIClient()
    token = base64.b64encode(f"{personas.enterprise_b.username}:{PASSWORD}".encode()).decode()
    api.credentials(HTTP_AUTHORIZATION=f"Basic {token}")
    res = api.patch(
        f"/api/v1/responses/{r.b.pk}/",
        {"version": 1, "answers": [{"data_element": "gender_equality_pct", "value": 40}]},
        format="json",
    )
    assert res.status_code == 200
    res = api.patch(
        f"/api/v1/responses/{r.b.pk}/",
        {"version": 2, "answers": [{"data_element": "gender_equality_pct", "value": "45.5"}]},
        format="json",
    )
    assert res.status_code == 200
    records = Answer.history.filter(response_id=r.b.pk).order_by("history_date", "history_id")
    assert [(h.history_type, h.value_number, h.history_user) for h in records] == [
        ("+", 40, personas.enterprise_b),
        ("~", 45.5, personas.enterprise_b),
    ]


def test_reviewers_and_respondents_see_the_history_of_each_answer(client, personas, r):
    save(r.a, personas.enterprise_a, symbioses_participating=2)
    save(r.a, personas.enterprise_a, symbioses_participating=3)
    for user in (personas.park_manager, personas.board, personas.enterprise_a):
        assert client.login(username=user.username, password=PASSWORD)
        html = client.get(reverse("surveys:response", args=[r.a.pk])).content.decode()
        section = html.split('id="field-symbioses_participating"')[1].split('class="field')[0]
        assert '<details class="history">' in section
        assert '<span class="old">2</span> → <span class="new">3</span>' in section
        assert '<span class="old">—</span> → <span class="new">2</span>' in section
        assert personas.enterprise_a.username in section
