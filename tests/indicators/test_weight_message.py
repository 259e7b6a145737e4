"""A negative or zero criterion weight is refused with a message naming the field, never the
database's "Constraint … is violated"."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from indicators.models import Criterion, FrameworkVersion
from indicators.services import criterion_update, version_new_draft

from .test_catalogue_pages import criterion_form_data, login

pytestmark = pytest.mark.usefixtures("keep_language")


@pytest.fixture
def draft_e2(catalogue):
    v1 = FrameworkVersion.objects.get(framework__code="VN-2022", number=1)
    draft = version_new_draft(version=v1)
    return Criterion.objects.get(version=draft, code="VN35-EIP-E2")


@pytest.mark.parametrize("weight", ["-1", "0"])
def test_the_service_names_the_weight_field(draft_e2, weight):
    with pytest.raises(ValidationError) as exc:
        criterion_update(criterion=draft_e2, weight=weight)
    errors = exc.value.message_dict
    assert list(errors) == ["weight"], errors
    assert "constraint" not in " ".join(errors["weight"]).lower()


def test_the_edit_page_shows_the_weight_message_on_its_field(client, personas, draft_e2):
    login(client, personas.ministry, "vi")
    url = reverse("indicators:criterion_edit", args=["VN-2022", 2, "VN35-EIP-E2"])
    r = client.post(url, criterion_form_data(draft_e2, weight="-1"))
    html = r.content.decode()
    assert r.status_code == 400
    assert "Trọng số phải lớn hơn 0." in html
    assert "criterion_weight_positive" not in html and "Constraint" not in html
    assert Criterion.objects.get(pk=draft_e2.pk).weight == 1
