"""Ministry staff edit a data element of a draft version (label, help, unit, range) on the
catalogue page, like a criterion; the diff between versions shows the change. Frozen versions
and other roles cannot."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from indicators.models import DataElement, FrameworkVersion
from indicators.services import version_new_draft

from .test_catalogue_pages import login

pytestmark = pytest.mark.usefixtures("keep_language")


def _form(element, **changes):
    data = {
        name: "" if getattr(element, name) is None else str(getattr(element, name))
        for name in (
            "label_vi",
            "label_en",
            "help_vi",
            "help_en",
            "unit",
            "min_value",
            "max_value",
        )
    }
    if element.required:
        data["required"] = "on"
    data.update(changes)
    return data


@pytest.fixture
def draft(catalogue):
    v1 = FrameworkVersion.objects.get(framework__code="VN-2022", number=1)
    return version_new_draft(version=v1)


def url(code, number=2):
    return reverse("indicators:data_element_edit", args=["VN-2022", number, code])


def test_ministry_renames_a_question_and_narrows_its_range_and_the_diff_shows_it(
    client, personas, draft
):
    login(client, personas.ministry, "en")
    element = DataElement.objects.get(version=draft, code="symbioses_operating")
    page = client.get(reverse("indicators:version", args=["VN-2022", 2])).content.decode()
    assert url("symbioses_operating") in page  # an Edit link beside the element
    r = client.post(
        url("symbioses_operating"),
        _form(
            element,
            label_vi="Số cộng sinh công nghiệp đang vận hành (trong năm báo cáo)",
            help_en="Count each exchange once.",
            max_value="500",
        ),
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    element.refresh_from_db()
    assert element.label_vi == "Số cộng sinh công nghiệp đang vận hành (trong năm báo cáo)"
    assert element.max_value == Decimal("500")
    diff = client.get(reverse("indicators:diff", args=["VN-2022"]), {"from": 1, "to": 2})
    text = " ".join(re.sub(r"<[^>]+>", " ", diff.content.decode()).split())
    assert "symbioses_operating" in text and "trong năm báo cáo" in text and "500" in text


def test_a_minimum_above_the_maximum_is_refused_naming_the_field(client, personas, draft):
    login(client, personas.ministry, "en")
    element = DataElement.objects.get(version=draft, code="wastewater_total_m3")
    r = client.post(url("wastewater_total_m3"), _form(element, min_value="10", max_value="5"))
    assert r.status_code == 400
    assert "max_value" in r.content.decode() or "maximum" in r.content.decode().lower()
    element.refresh_from_db()
    assert element.max_value is None


def test_a_published_version_and_other_roles_cannot_edit_elements(client, personas, draft):
    login(client, personas.ministry, "en")
    assert client.get(url("symbioses_operating", number=1)).status_code == 403
    client.logout()
    login(client, personas.board, "en")
    assert client.get(url("symbioses_operating")).status_code in (403, 404)
