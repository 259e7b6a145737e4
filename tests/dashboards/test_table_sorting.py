"""A paged dashboard table sorts on the server, over every row, before it is paged: the park
dashboard's tenant table (50 a page) and the national park table (25 a page). A header is a
link ``?sort=<column>&dir=asc|desc`` (search, campaign and filters kept, page 1); text in
Vietnamese order (common/collation.py), numbers numerically, "—" last in both directions;
aria-sort only on the sorted column. ``?page=all`` links back to the pages; a tax code is
found whatever separators it is typed with."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from common.collation import vi_key
from enterprises.models import Enterprise, Park

from ..conftest import PASSWORD
from .test_pages import make_snapshot, two_periods  # noqa: F401
from .test_tenant_paging import _tax_codes

pytestmark = pytest.mark.usefixtures("keep_language")


def _table(html: str, table_id: str) -> str:
    return re.search(rf'<table[^>]* id="{table_id}">.*?</table>', html, re.S).group(0)


def _names(html: str) -> list[str]:
    """The tenants' names, top to bottom."""
    return re.findall(r'<th scope="row" data-sort="([^"]*)">', _table(html, "tenants-table"))


def _headers(html: str, table_id: str) -> list[tuple[str | None, str | None]]:
    """Each header cell of the table: (its aria-sort, its link's address) — None when absent."""
    head = re.search(r"<thead>(.*?)</thead>", _table(html, table_id), re.S).group(1)
    return [
        (
            (re.search(r'aria-sort="(\w+)"', attrs) or [None, None])[1],
            (re.search(r'href="([^"]*)"', cell) or [None, None])[1],
        )
        for attrs, cell in re.findall(r"<th scope=\"col\"([^>]*)>(.*?)</th>", head, re.S)
    ]


@pytest.fixture
def crowded(personas, campaign_2025):
    """Amata with 60 more active tenants: "Công ty Đông 00" … "59", "Đức Thịnh" and "Yên Bình
    Xanh" (64 with Enterprise A and B, so two pages). In Vietnamese order Yên Bình Xanh is the
    last name and Đức Thịnh the one before it; by code points Đ (U+0110) would come after Y."""
    amata = personas.catalogue.amata
    codes = _tax_codes(62)
    Enterprise.objects.bulk_create(
        [
            Enterprise(name=f"Công ty Đông {i:02d}", tax_code=code, park=amata)
            for i, code in enumerate(codes[:60])
        ]
        + [
            Enterprise(name="Đức Thịnh", tax_code=codes[60], park=amata),
            Enterprise(name="Yên Bình Xanh", tax_code=codes[61], park=amata),
        ]
    )
    assert Enterprise.objects.filter(park=amata, is_active=True).count() == 64
    return amata


def _park_page(client, personas, **params) -> str:
    assert client.login(username=personas.park_manager.username, password=PASSWORD)
    url = reverse("dashboards:park", args=[personas.catalogue.amata.pk])
    return client.get(url, params).content.decode()


def test_tenants_sorted_by_name_descending_start_with_the_last_name_of_every_page(
    client, personas, crowded
):
    plain = _park_page(client, personas)
    assert "Yên Bình Xanh" not in _names(plain)  # page 2 in the usual order
    html = _park_page(client, personas, sort="name", dir="desc")
    names = _names(html)
    assert len(names) == 50
    # Vietnamese order: C, D, Đ, E… Y
    assert names[:4] == ["Yên Bình Xanh", "Enterprise B (test)", "Enterprise A (test)", "Đức Thịnh"]
    assert names[4:] == [f"Công ty Đông {i:02d}" for i in range(59, 13, -1)]
    second = _names(_park_page(client, personas, sort="name", dir="desc", page=2))
    assert second == [f"Công ty Đông {i:02d}" for i in range(13, -1, -1)]
    # the table is paged: links, not the script's buttons; aria-sort on the name only
    table = _table(html, "tenants-table")
    assert "data-sortable" not in table
    headers = _headers(html, "tenants-table")
    assert [a for a, _href in headers] == ["descending", None, None, None, None, None]
    assert headers[0][1] == "?sort=name&amp;dir=asc"  # the next click reverses
    assert headers[3][1] == "?sort=index&amp;dir=desc"  # a number: highest first
    assert headers[1][1] == "?sort=sector&amp;dir=asc"  # text: A to Z first
    sorted_by = re.search(r'id="tenants-sorted">(.*?)</p>', html).group(1)
    assert sorted_by == "Sắp xếp theo “Doanh nghiệp”, giảm dần, trên mọi trang."


def test_tenants_sorted_by_index_put_the_lowest_first_and_blanks_last_either_way(
    client, personas, crowded, campaign_2025
):
    amata = crowded
    by_name = {e.name: e for e in Enterprise.objects.filter(park=amata)}
    # the lowest index belongs to a tenant of page 2 in the usual order
    for name, index, met, applicable in [
        ("Yên Bình Xanh", "12.50", 1, 8),
        ("Công ty Đông 05", 90, 9, 10),
        ("Enterprise A (test)", "47.25", 3, 4),
        ("Công ty Đông 58", 60, 1, 2),
    ]:
        make_snapshot(
            campaign_2025,
            amata,
            enterprise=by_name[name],
            index=index,
            met=met,
            applicable=applicable,
        )
    lowest_first = ["Yên Bình Xanh", "Enterprise A (test)", "Công ty Đông 58", "Công ty Đông 05"]
    ascending = _names(_park_page(client, personas, sort="index", dir="asc"))
    assert ascending[:4] == lowest_first
    # then the tenants without a result, in the usual (name) order
    assert ascending[4:7] == ["Công ty Đông 00", "Công ty Đông 01", "Công ty Đông 02"]
    descending = _park_page(client, personas, sort="index", dir="desc")
    assert _names(descending)[:5] == [*reversed(lowest_first), "Công ty Đông 00"]
    last = _names(_park_page(client, personas, sort="index", dir="desc", page=2))
    assert last[-2:] == ["Đức Thịnh", "Enterprise B (test)"] and len(last) == 14  # blanks
    assert [a for a, _h in _headers(descending, "tenants-table")][3] == "descending"
    # criteria met by share, not count: 9/10 > 3/4 > 1/2 > 1/8
    met = _names(_park_page(client, personas, sort="met", dir="desc"))
    assert met[:4] == [
        "Công ty Đông 05",
        "Enterprise A (test)",
        "Công ty Đông 58",
        "Yên Bình Xanh",
    ]


def test_a_sort_by_a_result_column_costs_one_query_and_a_sort_by_name_none(
    client, personas, crowded
):
    assert client.login(username=personas.park_manager.username, password=PASSWORD)
    url = reverse("dashboards:park", args=[crowded.pk])
    client.get(url, {"warm": "up"})  # the process's first reads (stamps, frameworks)
    counts = {}
    for label, params in [
        ("plain", {}),
        ("name", {"sort": "name", "dir": "desc"}),
        ("index", {"sort": "index"}),
        ("eco", {"sort": "eco"}),
    ]:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url, params).status_code == 200
        counts[label] = len(queries)
    assert counts["name"] == counts["plain"]
    assert counts["index"] == counts["eco"] == counts["plain"] + 1


def test_an_unknown_sort_is_named_and_ignored_and_the_links_keep_the_search(
    client, personas, crowded, campaign_2025
):
    html = _park_page(client, personas, sort="zzz", dir="desc")
    notice = re.search(r'id="tenant-sort-ignored"><p>(.*?)</p>', html).group(1)
    assert "sort=zzz" in notice
    assert _names(html)[:2] == ["Công ty Đông 00", "Công ty Đông 01"]  # the usual order
    assert [a for a, _h in _headers(html, "tenants-table")] == [None] * 6
    # a header link keeps the search and the campaign and goes back to page 1
    html = _park_page(client, personas, q="cong ty", campaign=campaign_2025.pk, page=2)
    href = _headers(html, "tenants-table")[0][1]
    assert href == f"?q=cong+ty&amp;campaign={campaign_2025.pk}&amp;sort=name&amp;dir=asc"


def test_on_one_page_the_script_sorts_and_the_server_order_carries_its_aria_sort(
    client, personas, crowded
):
    html = _park_page(client, personas, q="Đông 1", sort="name", dir="desc")
    table = _table(html, "tenants-table")
    assert "data-sortable" in table  # every matching row on screen: the script sorts
    assert _names(html) == [f"Công ty Đông {i:02d}" for i in range(19, 9, -1)]
    headers = _headers(html, "tenants-table")
    assert headers[0] == ("descending", None) and headers[3] == (None, None)  # no links
    assert 'id="tenants-sorted"' not in html


def test_every_tenant_in_one_table_links_back_to_the_pages(client, personas, crowded):
    html = _park_page(client, personas, page="all", sort="name", dir="desc")
    assert len(_names(html)) == 64 and _names(html)[0] == "Yên Bình Xanh"
    assert "Các trang của bảng" not in html  # no empty nav
    link = re.search(
        r'<p class="pages" id="tenant-pages"><a href="([^"]*)" id="paged-tenants">(.*?)</a>', html
    )
    assert link.groups() == ("?sort=name&amp;dir=desc", "Xem theo trang")
    client.cookies.load({"django_language": "en"})
    html = _park_page(client, personas, page="all")
    assert re.search(r'id="paged-tenants">(.*?)</a>', html).group(1) == "Show by page"
    # a search that fits one page: nothing to go back to
    html = _park_page(client, personas, page="all", q="Yên")
    assert 'id="paged-tenants"' not in html and 'id="tenant-pages"' not in html


def test_a_tax_code_is_found_with_hyphens_dots_or_spaces(client, personas, crowded):
    code = Enterprise.objects.get(name="Công ty Đông 07").tax_code
    assert re.fullmatch(r"\d{10}", code)
    for typed in (
        f"{code[:4]}-{code[4:7]}-{code[7:]}",
        f"{code[:4]}.{code[4:7]}.{code[7:]}",
        f" {code[:4]} {code[4:7]} {code[7:]} ",
    ):
        assert _names(_park_page(client, personas, q=typed)) == ["Công ty Đông 07"], typed
    # a branch (NNNNNNNNNN-NNN in the registry) typed with spaces or dots, and the start of a
    # tax code with separators: the head office and its branch
    Enterprise.objects.create(name="Chi nhánh A", tax_code="0300588569-001", park=crowded)
    assert Enterprise.objects.get(name="Chi nhánh A").tax_code == "0300588569-001"
    assert _names(_park_page(client, personas, q="0300 588 569 001")) == ["Chi nhánh A"]
    assert _names(_park_page(client, personas, q="0300.588.569-001")) == ["Chi nhánh A"]
    assert _names(_park_page(client, personas, q="0300-588")) == [
        "Chi nhánh A",
        "Enterprise A (test)",
    ]
    # separators alone find nothing, not everyone
    html = _park_page(client, personas, q=" - . ")
    assert _names(html) == []


# --- the national park table (25 a page) -------------------------------------------------------


def _park_rows(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'<tr data-park="(\d+)">', _table(html, "parks-table"))]


def _national(client, personas, lang: str = "vi", **params) -> str:
    assert client.login(username=personas.ministry.username, password=PASSWORD)
    if lang == "en":
        client.cookies.load({"django_language": "en"})
    return client.get(reverse("dashboards:national"), params).content.decode()


def test_the_national_table_sorted_by_name_descending_starts_with_the_last_park(
    client,
    personas,
    two_periods,  # noqa: F811
):
    parks = {p.pk: p for p in Park.objects.all()}
    assert len(parks) == 97
    expected = sorted((p.name_vi for p in parks.values()), key=vi_key, reverse=True)

    def names(html: str, lang: str = "vi") -> list[str]:
        return [getattr(parks[pk], f"name_{lang}") for pk in _park_rows(html)]

    # neither the usual order (province, then name) nor the code points' order gives it
    assert names(_national(client, personas)) != expected[:25]
    assert max(p.name_vi for p in parks.values()) != expected[0]
    html = _national(client, personas, sort="name", dir="desc")
    assert names(html) == expected[:25]
    assert names(_national(client, personas, sort="name", dir="desc", page=4)) == expected[75:]
    assert "data-sortable" not in _table(html, "parks-table")
    headers = _headers(html, "parks-table")
    assert [a for a, _h in headers] == ["descending"] + [None] * 7
    assert headers[2][1] == "?sort=index&amp;dir=desc"
    # in English, the English names
    english = sorted((p.name_en for p in parks.values()), key=vi_key)
    html = _national(client, personas, lang="en", sort="name", dir="asc")
    assert names(html, "en") == english[:25]
    assert re.search(r'id="parks-sorted">(.*?)</p>', html).group(1) == (
        "Sorted by “Park”, ascending, across every page."
    )


def test_the_national_table_sorted_by_index_puts_the_lowest_first_and_blanks_last(
    client,
    personas,
    two_periods,  # noqa: F811
):
    amata, dinh_vu = personas.catalogue.amata.pk, personas.catalogue.dinh_vu.pk  # 55,5 and 80,0
    plain = _park_rows(_national(client, personas, page="all"))
    ascending = _park_rows(_national(client, personas, sort="index", dir="asc"))
    blanks = [pk for pk in plain if pk not in (amata, dinh_vu)]
    assert ascending == [amata, dinh_vu, *blanks[:23]]
    descending = _park_rows(_national(client, personas, sort="index", dir="desc"))
    assert descending == [dinh_vu, amata, *blanks[:23]]
    last = _park_rows(_national(client, personas, sort="index", dir="desc", page=4))
    assert amata not in last and dinh_vu not in last and len(last) == 22
    # the trend: only Amata has one (+15,5); "first result" and no result are blanks
    trend = _park_rows(_national(client, personas, sort="trend", dir="asc"))
    assert trend[0] == amata and trend[1:] == [pk for pk in plain if pk != amata][:24]


def test_the_national_links_keep_the_filters_and_an_unknown_sort_joins_the_notice(
    client,
    personas,
    two_periods,  # noqa: F811
):
    c2024, c2025 = two_periods
    html = _national(client, personas, kind="industrial_park", campaign=c2025.pk, page=2)
    href = _headers(html, "parks-table")[1][1]
    assert href == f"?kind=industrial_park&amp;campaign={c2025.pk}&amp;sort=province&amp;dir=asc"
    html = _national(client, personas, sort="diem")
    notice = re.search(r'id="filters-ignored">(.*?)</div>', html, re.S).group(1)
    assert "sort=diem" in notice
    assert [a for a, _h in _headers(html, "parks-table")] == [None] * 8
    # the filters' form keeps a sort that works (and drops the one that does not)
    form = re.search(r'<form method="get" class="filters" aria-label.*?</form>', html, re.S)
    assert 'name="sort"' not in form.group(0)
    html = _national(client, personas, sort="index", dir="asc")
    form = re.search(r'<form method="get" class="filters" aria-label.*?</form>', html, re.S)
    assert '<input type="hidden" name="sort" value="index">' in form.group(0)
    assert '<input type="hidden" name="dir" value="asc">' in form.group(0)


def test_every_park_in_one_table_links_back_to_the_pages(client, personas, two_periods):  # noqa: F811
    html = _national(client, personas, page="all")
    assert len(_park_rows(html)) == 97
    assert 'aria-label="Các trang của bảng' not in html
    assert re.search(r'<a href="\?" id="paged-parks">Xem theo trang</a>', html)
    assert "data-sortable" in _table(html, "parks-table")
