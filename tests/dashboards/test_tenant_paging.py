"""The park dashboard pages its tenant table (50 rows) with a search by name or tax code
that ignores Vietnamese marks; "all" lists every tenant. Plain links and a GET form that keeps
the campaign: it works without script."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from stdnum.vn import mst

from dashboards.views import TENANTS_PER_PAGE
from enterprises.models import Enterprise

from ..conftest import PASSWORD

pytestmark = pytest.mark.usefixtures("keep_language")


def _tax_codes(n: int) -> list[str]:
    """``n`` valid tax codes (check digit per stdnum.vn.mst) none of the personas uses."""
    codes, body = [], 870_000_000
    while len(codes) < n:
        body += 1
        codes += [f"{body:09d}{c}" for c in range(10) if mst.is_valid(f"{body:09d}{c}")][:1]
    return codes


def _tenants(html: str) -> list[str]:
    table = re.search(r'id="tenants-table">.*?</table>', html, re.S).group(0)
    return re.findall(r'<a href="[^"]*/enterprises/(\d+)/', table)


@pytest.fixture
def crowded(personas, campaign_2025):
    """Amata with 60 more active tenants: "Công ty Đông 00" … "Công ty Đông 59"."""
    amata = personas.catalogue.amata
    Enterprise.objects.bulk_create(
        Enterprise(name=f"Công ty Đông {i:02d}", tax_code=code, park=amata)
        for i, code in enumerate(_tax_codes(60))
    )
    return Enterprise.objects.filter(park=amata, is_active=True).count()


def test_the_tenant_table_shows_50_a_page_and_all_on_request(client, personas, crowded):
    assert crowded > TENANTS_PER_PAGE == 50
    assert client.login(username=personas.park_manager.username, password=PASSWORD)
    url = reverse("dashboards:park", args=[personas.catalogue.amata.pk])
    first = client.get(url).content.decode()
    assert len(_tenants(first)) == 50
    assert 'id="tenant-pages"' in first
    second = client.get(url, {"page": 2}).content.decode()
    assert len(_tenants(second)) == crowded - 50
    assert set(_tenants(second)).isdisjoint(_tenants(first))
    everything = client.get(url, {"page": "all"}).content.decode()
    assert len(_tenants(everything)) == crowded


def test_the_tenant_search_ignores_marks_finds_a_tax_code_and_keeps_the_campaign(
    client, personas, crowded, campaign_2025
):
    assert client.login(username=personas.park_manager.username, password=PASSWORD)
    url = reverse("dashboards:park", args=[personas.catalogue.amata.pk])
    found = client.get(url, {"q": "cong ty dong 1", "campaign": campaign_2025.pk}).content.decode()
    assert len(_tenants(found)) == 10  # "Công ty Đông 10" … "19"
    form = re.search(r'<form method="get" class="filters park-search".*?</form>', found, re.S)
    assert f'name="campaign" value="{campaign_2025.pk}"' in form.group(0)
    code = Enterprise.objects.get(name="Công ty Đông 07").tax_code
    by_code = client.get(url, {"q": code}).content.decode()
    assert len(_tenants(by_code)) == 1
    nothing = client.get(url, {"q": "zzz"}).content.decode()
    assert (
        "No tenant matches this search." in nothing or "Không có doanh nghiệp nào khớp" in nothing
    )


def test_a_tenant_search_matching_nothing_says_so_and_page_minus_one_is_the_first(
    client, personas, crowded
):
    assert client.login(username=personas.park_manager.username, password=PASSWORD)
    url = reverse("dashboards:park", args=[personas.catalogue.amata.pk])
    html = client.get(url, {"q": "zzzz"}).content.decode()
    count = re.search(r'id="tenants-count">(.*?)</p>', html).group(1)
    assert count == "Không có doanh nghiệp nào phù hợp."
    assert _tenants(html) == []
    first = _tenants(client.get(url).content.decode())
    assert _tenants(client.get(url, {"page": -1}).content.decode()) == first


def test_the_pages_hold_every_tenant_in_the_full_lists_order(client, personas, crowded):
    """Only the shown page's tenants are loaded with their results (the view sorts and pages
    names and tax codes first): pages 1 and 2 together are the full list of
    ``park_tenants`` (the exports' list), in its Vietnamese order, with the same figures."""
    from dashboards.selectors import park_dashboard

    amata = personas.catalogue.amata
    full = park_dashboard(park=amata, campaign_id=None, with_tenants=True).tenants
    assert len(full) == crowded
    assert client.login(username=personas.park_manager.username, password=PASSWORD)
    url = reverse("dashboards:park", args=[amata.pk])
    first = client.get(url)
    second = client.get(url, {"page": 2})
    shown = _tenants(first.content.decode()) + _tenants(second.content.decode())
    assert [int(pk) for pk in shown] == [t.enterprise.pk for t in full]
    page = first.context["rows_page"].object_list
    assert [(t.enterprise.pk, t.index, t.response_status) for t in page] == [
        (t.enterprise.pk, t.index, t.response_status) for t in full[:50]
    ]
