"""Autosave endpoint: saves and bumps the version (not when nothing changed); stale → 409 with both values; unreadable → 400.

Autosave is all or nothing per POST (like "Save draft"): one unreadable field means nothing
of that POST is saved, and the answer names the field.
"""

from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from surveys.models import Answer, Response

from ..conftest import PASSWORD


@pytest.fixture
def manager(client, personas):
    assert client.login(username=personas.park_manager.username, password=PASSWORD)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    return client


def autosave(client, response, data):
    return client.post(reverse("surveys:autosave", args=[response.pk]), data)


def value(response, code):
    return Answer.objects.get(response=response, data_element__code=code).value_number


def test_an_autosave_saves_the_answers_and_bumps_the_version(manager, amata_response):
    reply = autosave(manager, amata_response, {"version": 1, "wastewater_total_m3": "1,234.5"})
    assert reply.status_code == 200
    body = reply.json()
    assert body["saved"] is True and body["version"] == 2
    assert body["saved_at"] and body["message"].startswith("Draft saved automatically at ")
    assert str(value(amata_response, "wastewater_total_m3").normalize()) == "1234.5"
    assert Response.objects.get(pk=amata_response.pk).version == 2
    # the next autosave builds on version 2
    assert (
        autosave(manager, amata_response, {"version": 2, "symbioses_operating": "3"}).json()[
            "version"
        ]
        == 3
    )


def test_a_stale_version_answers_409_with_both_values_and_overwrites_nothing(
    manager, amata_response
):
    assert (
        autosave(manager, amata_response, {"version": 1, "symbioses_operating": "1"}).status_code
        == 200
    )
    reply = autosave(manager, amata_response, {"version": 1, "symbioses_operating": "5"})
    assert reply.status_code == 409
    body = reply.json()
    assert body["saved"] is False and body["version"] == 2
    conflict = next(c for c in body["conflicts"] if c["field"] == "symbioses_operating")
    assert (conflict["yours"], conflict["theirs"]) == ("5", "1")
    assert "yours “5”, saved “1”" in body["message"]
    assert "version 2" in body["message"]
    assert value(amata_response, "symbioses_operating") == 1
    assert Response.objects.get(pk=amata_response.pk).version == 2


def test_an_unreadable_number_answers_400_naming_the_field_and_saves_nothing(
    manager, amata_response
):
    reply = autosave(
        manager,
        amata_response,
        {"version": 1, "symbioses_operating": "một", "wastewater_total_m3": "100"},
    )
    assert reply.status_code == 400
    body = reply.json()
    assert list(body["errors"]) == ["symbioses_operating"]
    assert body["fields"] == ["Number of industrial symbioses in operation in the park"]
    assert "«Number of industrial symbioses in operation in the park»" in body["message"]
    assert "“một” is not a number" in body["message"]
    # all or nothing: the readable field of the same POST was not saved either
    assert not Answer.objects.filter(response=amata_response).exists()
    assert Response.objects.get(pk=amata_response.pk).version == 1


def test_a_cross_field_error_answers_400_naming_both_fields(manager, amata_response):
    reply = autosave(
        manager,
        amata_response,
        {"version": 1, "wastewater_total_m3": "100", "wastewater_reused_m3": "150"},
    )
    assert reply.status_code == 400
    message = reply.json()["errors"]["wastewater_reused_m3"][0]
    assert message == (
        "«Industrial wastewater reused or recirculated in the year» (150 m³) cannot exceed "
        "«Industrial wastewater generated in the park in the year» (100 m³)."
    )
    assert not Answer.objects.filter(response=amata_response).exists()


def test_autosave_does_not_enforce_required_fields(manager, amata_response):
    reply = autosave(manager, amata_response, {"version": 1, "wastewater_total_m3": ""})
    assert reply.status_code == 200 and reply.json()["version"] == 1


def test_unchanged_autosaves_keep_the_version_so_a_colleague_saving_another_field_wins(
    manager, amata_response
):
    from django.test import Client

    assert (
        autosave(manager, amata_response, {"version": 1, "symbioses_operating": "3"}).json()[
            "version"
        ]
        == 2
    )
    for _ in range(20):  # the park manager's form autosaves without a change
        reply = autosave(manager, amata_response, {"version": 2, "symbioses_operating": "3"})
        assert reply.status_code == 200 and reply.json()["version"] == 2
    assert Response.objects.get(pk=amata_response.pk).version == 2
    colleague = Client()  # the same login in a second browser, loaded at version 2
    colleague.login(username="t-amata", password=PASSWORD)
    reply = autosave(colleague, amata_response, {"version": 2, "wastewater_total_m3": "100"})
    assert reply.status_code == 200 and reply.json()["version"] == 3
    assert value(amata_response, "wastewater_total_m3") == 100


def test_the_script_texts_and_version_are_served_to_the_respondent(manager, amata_response):
    body = manager.get(reverse("surveys:autosave", args=[amata_response.pk])).json()
    assert body["version"] == 1 and body["editable"] is True
    assert body["messages"]["saving"] == "Saving…"


def test_outside_scope_is_404_and_a_reviewer_is_403(client, personas, amata_response):
    url = reverse("surveys:autosave", args=[amata_response.pk])
    for outsider in (personas.enterprise_a, personas.other_board):
        client.login(username=outsider.username, password=PASSWORD)
        assert client.post(url, {"version": 1, "symbioses_operating": "2"}).status_code == 404
        assert client.get(url).status_code == 404
    client.login(username=personas.board.username, password=PASSWORD)
    assert client.post(url, {"version": 1, "symbioses_operating": "2"}).status_code == 403
    assert client.get(url).json()["editable"] is False
    assert client.get(reverse("surveys:autosave", args=[999999])).status_code == 404
    assert not Answer.objects.filter(response=amata_response).exists()


def test_a_submitted_response_refuses_autosave(manager, amata_response):
    Response.objects.filter(pk=amata_response.pk).update(status=Response.Status.SUBMITTED)
    reply = autosave(manager, amata_response, {"version": 1, "symbioses_operating": "2"})
    assert reply.status_code == 403
    assert not Answer.objects.filter(response=amata_response).exists()


def test_the_response_page_loads_the_script_only_for_the_respondent(
    client, personas, amata_response
):
    script = 'src="/static/js/autosave.js"'
    client.login(username=personas.park_manager.username, password=PASSWORD)
    html = client.get(reverse("surveys:response", args=[amata_response.pk])).content.decode()
    assert script in html
    assert f'data-url="{reverse("surveys:autosave", args=[amata_response.pk])}"' in html
    client.login(username=personas.board.username, password=PASSWORD)
    html = client.get(reverse("surveys:response", args=[amata_response.pk])).content.decode()
    assert script not in html


def test_the_script_debounces_keeps_unsent_changes_and_posts_the_version():
    """The shipped script, read as text (the browser run is tests/test_browser.py's part)."""
    source = (Path(settings.BASE_DIR) / "static" / "js" / "autosave.js").read_text()
    assert "var DELAY = 1500;" in source
    assert "localStorage" in source
    assert 'querySelector("input[name=version]")' in source
    assert "http://" not in source and "https://" not in source  # no CDN


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_in_a_browser_typing_saves_and_a_closed_tab_loses_nothing(
    live_server, personas, campaign_2025, browser
):
    """Debian's chromium: typing autosaves after 1.5 s; a change typed just before the tab
    closes is kept in localStorage, restored on the next visit and saved then."""
    from ..conftest import log_in

    response = Response.objects.get(
        campaign=campaign_2025, park=personas.catalogue.amata, enterprise__isnull=True
    )
    url = f"{live_server.url}{reverse('surveys:response', args=[response.pk])}"
    context = browser.new_context(viewport={"width": 375, "height": 812})
    page = context.new_page()
    page.set_default_timeout(20_000)
    log_in(page, live_server.url, personas.park_manager.username)

    page.goto(url)
    page.fill("#id_symbioses_operating", "4")
    page.wait_for_selector("#autosave-status.saved")
    assert value(response, "symbioses_operating") == 4
    assert page.input_value("input[name=version]") == "2"

    # typed, then the tab is closed before the 1.5 s debounce ran
    page.fill("#id_wastewater_total_m3", "2.500")
    page.close()
    assert not Answer.objects.filter(
        response=response, data_element__code="wastewater_total_m3"
    ).exists()

    page = context.new_page()
    page.goto(url)
    page.wait_for_selector("#autosave-status.saved")
    assert page.input_value("#id_wastewater_total_m3") == "2.500"
    assert value(response, "wastewater_total_m3") == 2500
    assert value(response, "symbioses_operating") == 4
