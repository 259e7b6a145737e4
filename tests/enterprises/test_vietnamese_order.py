"""The tenant list of a park (``/registry/parks/<id>/``) and the "role and scope" choices of
``/people/`` in Vietnamese alphabetical order (``common/collation.py``), on Vietnamese and
English pages."""

from __future__ import annotations

import re

import pytest

from enterprises.models import Enterprise

from .test_people import login

TENANTS = [
    "Yên Bình",
    "Trường Sơn",
    "Tân Tiến",
    "Đình Vũ Logistics",
    "Điện tử Hà Nội",
    "Ân Phú",
    "Ánh Dương",
]
#: by hand (common/collation.py): a < ă < â, d < đ < e, ê < n, a < r; then "Enterprise A/B"
#: of the personas
TENANTS_ORDERED = [
    "Ánh Dương",
    "Ân Phú",
    "Điện tử Hà Nội",
    "Đình Vũ Logistics",
    "Enterprise A (test)",
    "Enterprise B (test)",
    "Tân Tiến",
    "Trường Sơn",
    "Yên Bình",
]


def add_tenants(personas):
    for i, name in enumerate(TENANTS):
        Enterprise.objects.create(
            name=name, tax_code=f"01000000{i:02d}", park=personas.catalogue.amata
        )


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_tenant_list_is_in_vietnamese_alphabetical_order(client, personas, language):
    add_tenants(personas)
    Enterprise.objects.filter(name="Ân Phú").update(is_active=False)  # deactivated: last
    login(client, personas.park_manager)
    client.cookies["django_language"] = language
    page = client.get(f"/registry/parks/{personas.catalogue.amata.pk}/").content.decode()
    names = re.findall(r"<tr data-tax-code=\"[^\"]*\"[^>]*>\s*<td>([^<]+?)\s*(?:<|$)", page)
    assert names == [n for n in TENANTS_ORDERED if n != "Ân Phú"] + ["Ân Phú"]


@pytest.mark.parametrize(
    "language, role", [("vi", "doanh nghiệp"), ("en", "enterprise respondent")]
)
def test_the_role_and_scope_choices_are_in_vietnamese_alphabetical_order(
    client, personas, language, role
):
    add_tenants(personas)
    login(client, personas.park_manager)
    client.cookies["django_language"] = language
    page = client.get("/people/").content.decode()
    labels = re.findall(r'<option value="enterprise:\d+"[^>]*>([^<]+)</option>', page)
    assert labels == [f"{role} – {name}" for name in TENANTS_ORDERED]
