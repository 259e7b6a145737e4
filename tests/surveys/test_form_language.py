"""The response form shows stored values in the current language's format and never reads a
field again that the person did not touch: a value saved as "1 000,75" in Vietnamese does not
block "Save draft" in English.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from indicators.models import DataElement
from surveys.models import Answer, Response

from ..conftest import PASSWORD

pytestmark = pytest.mark.usefixtures("keep_language")


def _form_values(html: str) -> dict[str, str]:
    """What the page's form would send untouched: every text input's value and every
    checked radio button and selected option (a browser's form submission)."""
    form = html[html.index('id="response-form"') :]
    form = form[: form.index("</form>")]
    data = {}
    for tag in re.findall(r"<input[^>]*>", form):
        name = re.search(r'name="([^"]+)"', tag)
        if not name:
            continue
        kind = re.search(r'type="([^"]+)"', tag)
        kind = kind.group(1) if kind else "text"
        value = re.search(r'value="([^"]*)"', tag)
        value = value.group(1) if value else ""
        if kind in ("radio", "checkbox") and "checked" not in tag:
            continue
        if kind in ("submit", "button", "file"):
            continue
        data[name.group(1)] = value
    for name, body in re.findall(r'<select name="([^"]+)"[^>]*>(.*?)</select>', form, re.S):
        chosen = re.search(r'<option value="([^"]*)"[^>]*selected', body)
        data[name] = chosen.group(1) if chosen else ""
    return data


def _save(client, response, data):
    payload = {"version": Response.objects.get(pk=response.pk).version, "action": "save"}
    payload.update(data)
    return client.post(reverse("surveys:response", args=[response.pk]), payload)


def test_a_value_saved_in_vietnamese_is_shown_and_saved_again_in_english(
    client, personas, amata_response
):
    client.login(username=personas.park_manager.username, password=PASSWORD)
    assert _save(client, amata_response, {"wastewater_total_m3": "1 000,75"}).status_code == 302

    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(reverse("surveys:response", args=[amata_response.pk])).content.decode()
    data = _form_values(page)
    assert data["wastewater_total_m3"] == "1000.75"  # the stored value, written the English way

    data.update(action="save", wastewater_reused_m3="250.5")  # only this field is touched
    r = client.post(reverse("surveys:response", args=[amata_response.pk]), data)
    assert r.status_code == 302, re.findall(
        r'class="errorlist[^"]*">(.*?)</ul>', r.content.decode()
    )
    total = Answer.objects.get(response=amata_response, data_element__code="wastewater_total_m3")
    reused = Answer.objects.get(response=amata_response, data_element__code="wastewater_reused_m3")
    assert total.value_number == Decimal("1000.75") and total.raw == "1 000,75"  # untouched
    assert reused.value_number == Decimal("250.5")

    client.post(reverse("set_language"), {"language": "vi", "next": "/"})
    page = client.get(reverse("surveys:response", args=[amata_response.pk])).content.decode()
    data = _form_values(page)
    assert data["wastewater_total_m3"] == "1 000,75"  # as it was typed, readable in Vietnamese
    assert data["wastewater_reused_m3"] == "250,5"  # typed in English, shown the Vietnamese way


def test_an_untouched_field_is_not_read_again_when_another_is_saved(
    client, personas, amata_response
):
    client.login(username=personas.park_manager.username, password=PASSWORD)
    assert _save(client, amata_response, {"symbioses_operating": "7"}).status_code == 302
    # the ministry later narrows the element's range: the stored 7 is now above the maximum
    DataElement.objects.filter(
        version=amata_response.campaign.framework_version, code="symbioses_operating"
    ).update(max_value=5)
    page = client.get(reverse("surveys:response", args=[amata_response.pk])).content.decode()
    data = _form_values(page)
    assert data["symbioses_operating"] == "7"
    data.update(action="save", wastewater_total_m3="100")
    r = client.post(reverse("surveys:response", args=[amata_response.pk]), data)
    assert r.status_code == 302  # saving another field is not blocked by the untouched one
    assert Answer.objects.get(
        response=amata_response, data_element__code="wastewater_total_m3"
    ).value_number == Decimal("100")
    # typing a new value in that field is checked against the range
    data = _form_values(
        client.get(reverse("surveys:response", args=[amata_response.pk])).content.decode()
    )
    data.update(action="save", symbioses_operating="6")
    r = client.post(reverse("surveys:response", args=[amata_response.pk]), data)
    assert r.status_code == 200 and "6" in r.content.decode()
