"""Matching shows another enterprise's stream only when its owner offered it for matching;
an enterprise always sees its own; the registers API and page agree."""

from __future__ import annotations

import pytest
from django.urls import reverse

from registers.matching import match_candidates
from registers.models import Stream
from registers.services import stream_save

from ..conftest import PASSWORD

pytestmark = pytest.mark.usefixtures("keep_language")


def _stream(user, ent, direction, qty, offered):
    return stream_save(
        user=user,
        enterprise=ent,
        data={
            "direction": direction,
            "category": "plastic",
            "quantity_per_year": qty,
            "unit": "t",
            "offered": offered,
        },
    )


def test_an_unoffered_output_is_not_shown_to_another_enterprise(client, personas):
    a_out = _stream(personas.enterprise_a, personas.ent_a, "output", 420, offered=False)
    b_in = _stream(personas.enterprise_b, personas.ent_b, "input", 90, offered=True)
    amata = personas.catalogue.amata
    assert match_candidates(user=personas.enterprise_b, park=amata) == []
    assert client.login(username=personas.enterprise_b.username, password=PASSWORD)
    page = client.get(reverse("registers:matching")).content.decode()
    assert "420" not in page and "Enterprise A (test)" not in page
    # A sees its own stream matched with B's offered need
    (pair,) = match_candidates(user=personas.enterprise_a, park=amata)
    assert (pair.output, pair.input) == (a_out, b_in)
    # once A offers it, B sees the pair
    Stream.objects.filter(pk=a_out.pk).update(offered=True)
    (pair,) = match_candidates(user=personas.enterprise_b, park=amata)
    assert pair.output == a_out


def test_the_owner_marks_a_stream_offered_on_the_page_and_in_the_api(client, personas):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(personas.enterprise_a)
    r = api.post(
        "/api/v1/streams/",
        {
            "enterprise": personas.ent_a.pk,
            "direction": "output",
            "category": "metal",
            "offered": True,
        },
        format="json",
    )
    assert r.status_code == 201 and r.json()["offered"] is True
    assert Stream.objects.get(pk=r.json()["id"]).offered
    r = api.post(
        "/api/v1/streams/",
        {"enterprise": personas.ent_a.pk, "direction": "output", "category": "glass"},
        format="json",
    )
    assert r.json()["offered"] is False  # not offered unless its owner says so
    assert client.login(username=personas.enterprise_a.username, password=PASSWORD)
    form = client.get(reverse("registers:stream_new")).content.decode()
    assert 'name="offered"' in form
