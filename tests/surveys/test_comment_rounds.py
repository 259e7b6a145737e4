"""Reviewers' comments belong to the round in which they were made: once the response is
submitted again they are no longer shown on the answers, only in the history of steps."""

from __future__ import annotations

import pytest
from django.urls import reverse

from surveys.selectors import response_latest_comments
from surveys.services import response_approve, response_return, response_submit

from .test_workflow import fresh, login, responses_by_name, save

pytestmark = pytest.mark.usefixtures("keep_language")


def test_an_old_comment_is_history_once_the_response_is_resubmitted_and_approved(
    client, personas, campaign_2025
):
    r = responses_by_name(personas, campaign_2025)
    save(r.amata, personas.park_manager, symbioses_operating=1)
    response_submit(response=fresh(r.amata), user=personas.park_manager)
    response_return(
        response=fresh(r.amata),
        user=personas.board,
        reason="Incomplete",
        comments={"symbioses_operating": "26 answers missing"},
    )
    # the current round: the comment is on its answer
    assert list(response_latest_comments(response=fresh(r.amata)).values())[0].text == (
        "26 answers missing"
    )
    login(client, personas.park_manager)
    url = reverse("surveys:response", args=[r.amata.pk])
    html = client.get(url).content.decode()
    assert 'class="reviewer-comment"' in html and "26 answers missing" in html

    save(r.amata, personas.park_manager, symbioses_operating=2)
    response_submit(response=fresh(r.amata), user=personas.park_manager)
    assert response_latest_comments(response=fresh(r.amata)) == {}
    response_approve(response=fresh(r.amata), user=personas.board)
    html = client.get(url).content.decode()
    assert 'class="reviewer-comment"' not in html
    # kept as history, in the workflow steps, with the round it was made in
    history = html[html.index('id="transitions"') :]
    assert "26 answers missing" in history
    assert api_comments(personas, r.amata) == []


def api_comments(personas, response):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(personas.park_manager)
    return api.get(f"/api/v1/responses/{response.pk}/").json()["comments"]
