"""Sortable dashboard tables (static/js/sortable.js) in a real browser (Debian's chromium via
Playwright): the header buttons sort the rows by click and by keyboard, numbers are read in
either language, missing values stay last, ties keep their order, and without JavaScript (or
before any click) the server's order is untouched."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.utils import translation
from django.utils.translation import gettext

from common.collation import vi_key
from enterprises.models import Enterprise, Park

from .conftest import log_in
from .dashboards.test_pages import make_snapshot, two_periods  # noqa: F401
from .dashboards.test_tenant_paging import _tax_codes
from .test_browser_dashboards import fits_the_phone, new_page

pytestmark = [pytest.mark.browser]

SORTABLE_JS = Path(__file__).resolve().parent.parent / "static" / "js" / "sortable.js"


def park_ids(page) -> list[int]:
    """The data-park of each row of the parks table, top to bottom."""
    return [
        int(pk)
        for pk in page.eval_on_selector_all(
            "#parks-table tbody tr", "rows => rows.map(r => r.dataset.park)"
        )
    ]


def column(page, table: str, index: int) -> list[str]:
    """The text of cell ``index`` (th or td) of each body row of ``table``."""
    return page.eval_on_selector_all(
        f"{table} tbody tr", f"rows => rows.map(r => r.cells[{index}].innerText.trim())"
    )


def sort_states(page, table: str) -> list[str | None]:
    """The aria-sort of each header cell of ``table`` (None where absent)."""
    return page.eval_on_selector_all(
        f"{table} thead th", "ths => ths.map(th => th.getAttribute('aria-sort'))"
    )


def server_order() -> list[int]:
    """Every park as the national table lists it: in Vietnamese alphabetical order of its
    province, then of its name (common/collation.py)."""
    parks = Park.objects.select_related("province")
    return [
        p.pk for p in sorted(parks, key=lambda p: (vi_key(p.province.name_vi), vi_key(p.name_vi)))
    ]


@pytest.mark.django_db(transaction=True)
def test_ministry_sorts_the_national_parks_by_index_with_a_click_and_with_the_keyboard(
    browser,
    live_server,
    personas,
    two_periods,  # noqa: F811
):
    amata, dinh_vu = personas.catalogue.amata.pk, personas.catalogue.dinh_vu.pk
    page = new_page(browser, live_server, personas.ministry)
    assert page.url.endswith("/parks/national/")
    page.goto(f"{live_server.url}/parks/national/?page=all")  # every park in one table
    table = "#parks-table"
    server = server_order()
    assert len(server) == 97

    # before any click: the server's order, every column header a button, no aria-sort
    assert park_ids(page) == server
    assert page.locator(f"{table} thead th > button[type=button]").count() == 8
    assert sort_states(page, table) == [None] * 8

    # Index, first click: descending — Đình Vũ 80,0 then Amata 55,5, the 95 "—" last, in the
    # server's order (stable)
    rest = [pk for pk in server if pk not in (amata, dinh_vu)]
    index_button = page.locator(f"{table} thead th").nth(2).locator("button")
    index_button.click()
    assert park_ids(page) == [dinh_vu, amata, *rest]
    assert column(page, table, 2)[:3] == ["80,0", "55,5", "—"]
    assert set(column(page, table, 2)[2:]) == {"—"}
    assert sort_states(page, table) == [None, None, "descending", None, None, None, None, None]

    # Enter on the focused button: ascending, the "—" rows still last
    index_button.focus()
    page.keyboard.press("Enter")
    assert park_ids(page) == [amata, dinh_vu, *rest]
    assert sort_states(page, table)[2] == "ascending"
    # Space reverses again
    page.keyboard.press(" ")
    assert park_ids(page) == [dinh_vu, amata, *rest]
    assert sort_states(page, table)[2] == "descending"

    # Trend: Amata +15,5 first; Đình Vũ's "first result" has no trend, so it joins the missing
    # rows, which keep their previous order (Đình Vũ first); aria-sort moves to the trend column
    page.locator(f"{table} thead th").nth(5).locator("button").click()
    assert park_ids(page) == [amata, dinh_vu, *rest]
    assert sort_states(page, table) == [None, None, None, None, None, "descending", None, None]
    assert fits_the_phone(page)
    assert page.outside == []


@pytest.mark.django_db(transaction=True)
def test_without_javascript_the_national_table_keeps_the_server_order_and_plain_headers(
    browser,
    live_server,
    personas,
    two_periods,  # noqa: F811
):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    log_in(page, live_server.url, personas.ministry.username)
    assert page.url.endswith("/parks/national/")
    # the first page: the first 25 parks in the server's order, then every park on request
    assert park_ids(page) == server_order()[:25]
    page.goto(f"{live_server.url}/parks/national/?page=all")
    assert park_ids(page) == server_order()
    assert page.locator("#parks-table thead button").count() == 0
    with translation.override("vi"):
        index_header = gettext("Index")
    assert page.locator("#parks-table thead th").nth(2).inner_text() == index_header
    context.close()


@pytest.mark.django_db(transaction=True)
def test_park_manager_sorts_the_tenants_by_index_and_by_share_of_criteria_met(
    browser,
    live_server,
    personas,
    two_periods,  # noqa: F811
):
    c2024, c2025 = two_periods
    amata = personas.catalogue.amata
    # A: index 20, 2 of 2 met (100 %); B: index 100, 3 of 5 met (60 %)
    make_snapshot(c2025, amata, enterprise=personas.ent_a, index=20, met=2, applicable=2)
    make_snapshot(c2025, amata, enterprise=personas.ent_b, index=100, met=3, applicable=5)
    page = new_page(browser, live_server, personas.park_manager)
    table = "#tenants-table"
    assert column(page, table, 0) == ["Enterprise A (test)", "Enterprise B (test)"]  # by name
    page.locator(f"{table} thead th").nth(3).locator("button").click()  # index: descending
    assert column(page, table, 3) == ["100,0", "20,0"]
    page.locator(f"{table} thead th").nth(4).locator("button").click()  # met: by ratio, not count
    assert column(page, table, 4) == ["2/2", "3/5"]
    assert sort_states(page, table) == [None, None, None, None, "descending", None]
    page.locator(f"{table} thead th").nth(0).locator("button").click()  # text: ascending first
    assert column(page, table, 0) == ["Enterprise A (test)", "Enterprise B (test)"]
    assert sort_states(page, table)[0] == "ascending"


# --- the script on a table of its own (no server) ----------------------------------------------

ROWS_VI = [
    # id, name, index, criteria met, (trend data-sort, trend text)
    ("r1", "Dũng", "7,5", "1/4", ("12.00", "▲ +12,0 (so với 2024)")),
    ("r2", "an", "68,0", "3/4", ("", "lần đầu có kết quả")),
    ("r3", "Đức", "—", "—", ("-3.00", "▼ -3,0 (so với 2024)")),
    ("r4", "Bình", "1.234,5", "2/3", ("", "—")),
    ("r5", "Ánh", "7,5", "10/12", ("0.00", "0,0 (so với 2024)")),
    ("r6", "bảo", "", "0/0", ("12.00", "▲ +12,0 (so với 2024)")),
]


def load_table(page, lang: str, rows) -> None:
    """A page in ``lang`` with one sortable table ``#t`` (name, index, met, trend, a column
    marked not sortable), then sortable.js as the dashboards include it."""
    body = "".join(
        f'<tr data-id="{i}"><th scope="row">{name}</th><td class="num">{index}</td>'
        f'<td class="num">{met}</td><td class="num" data-sort="{trend[0]}">{trend[1]}</td>'
        f"<td>x</td></tr>"
        for i, name, index, met, trend in rows
    )
    page.set_content(
        f'<!DOCTYPE html><html lang="{lang}"><body><table id="t" data-sortable><thead><tr>'
        '<th scope="col">Name</th><th scope="col" class="num">Index</th>'
        '<th scope="col" class="num">Met</th><th scope="col" class="num">Trend</th>'
        '<th scope="col" data-sort-type="none">Note</th>'
        f"</tr></thead><tbody>{body}</tbody></table></body></html>"
    )
    page.add_script_tag(path=str(SORTABLE_JS))


def ids(page) -> list[str]:
    return page.eval_on_selector_all("#t tbody tr", "rows => rows.map(r => r.dataset.id)")


def click(page, n: int) -> None:
    page.locator("#t thead th").nth(n).locator("button").click()


def test_sortable_reads_vietnamese_numbers_ratios_and_raw_values_and_puts_missing_last(browser):
    page = browser.new_page()
    load_table(page, "vi", ROWS_VI)
    assert page.locator("#t thead th").nth(4).locator("button").count() == 0  # not sortable
    assert ids(page) == ["r1", "r2", "r3", "r4", "r5", "r6"]

    # index: 1.234,5 > 68,0 > 7,5 = 7,5 (r1 stays before r5) > missing ("—", "") in row order
    click(page, 1)
    assert ids(page) == ["r4", "r2", "r1", "r5", "r3", "r6"]
    click(page, 1)  # ascending: ties and missing keep the order they had
    assert ids(page) == ["r1", "r5", "r2", "r4", "r3", "r6"]

    # criteria met by ratio: 10/12 = .833 > 3/4 > 2/3 > 1/4; "—" and 0/0 missing, in the
    # previous order (r3 before r6)
    click(page, 2)
    assert ids(page) == ["r5", "r2", "r4", "r1", "r3", "r6"]

    # trend from data-sort: 12 = 12 (r1 before r6 as they stand) > 0 > -3; empty data-sort
    # ("first result", "—") last, whatever the text says
    click(page, 3)
    assert ids(page) == ["r1", "r6", "r5", "r3", "r2", "r4"]
    click(page, 3)
    assert ids(page) == ["r3", "r5", "r1", "r6", "r2", "r4"]

    # names in Vietnamese order (a, á, b…, d before đ), case ignored: an, Ánh, bảo, Bình,
    # Dũng, Đức
    click(page, 0)
    assert ids(page) == ["r2", "r5", "r6", "r4", "r1", "r3"]
    click(page, 0)
    assert ids(page) == ["r3", "r1", "r4", "r6", "r5", "r2"]
    states = page.eval_on_selector_all(
        "#t thead th", "ths => ths.map(th => th.getAttribute('aria-sort'))"
    )
    assert states == ["descending", None, None, None, None]


def test_sortable_reads_english_numbers_with_a_decimal_point_and_thousands_commas(browser):
    page = browser.new_page()
    rows = [
        ("e1", "a", "7.5", "1/2", ("", "—")),
        ("e2", "b", "1,234", "1/2", ("", "—")),  # one thousand two hundred and thirty-four
        ("e3", "c", "—", "1/2", ("", "—")),
        ("e4", "d", "68.0", "1/2", ("", "—")),
        ("e5", "e", "1,234.5", "1/2", ("", "—")),
    ]
    load_table(page, "en", rows)
    click(page, 1)
    assert ids(page) == ["e5", "e2", "e4", "e1", "e3"]
    # the same "1.234" on a Vietnamese page is one thousand two hundred and thirty-four too,
    # while "1,234" there is one point two three four
    load_table(
        page,
        "vi",
        [
            ("v1", "a", "1,234", "1/2", ("", "—")),
            ("v2", "b", "1.234", "1/2", ("", "—")),
            ("v3", "c", "2", "1/2", ("", "—")),
        ],
    )
    click(page, 1)
    assert ids(page) == ["v2", "v3", "v1"]


@pytest.mark.django_db(transaction=True)
def test_on_a_paged_tenant_table_a_header_link_sorts_every_tenant_on_the_server(
    browser,
    live_server,
    personas,
    two_periods,  # noqa: F811
):
    """62 tenants, two pages: the headers are links (no script buttons) and a click sorts
    all 62 on the server, so the lowest index and the last name, both on page 2 in the usual
    order, come first; "every tenant" gives the script's table back, with a link to the
    pages."""
    c2024, c2025 = two_periods
    amata = personas.catalogue.amata
    codes = _tax_codes(60)
    Enterprise.objects.bulk_create(
        [
            Enterprise(name=f"Công ty Đông {i:02d}", tax_code=code, park=amata)
            for i, code in enumerate(codes[:59])
        ]
        + [Enterprise(name="Yên Bình Xanh", tax_code=codes[59], park=amata)]
    )
    last = Enterprise.objects.get(name="Yên Bình Xanh")
    make_snapshot(c2025, amata, enterprise=personas.ent_a, index=20, met=2, applicable=2)
    make_snapshot(c2025, amata, enterprise=last, index=5, met=1, applicable=5)
    page = new_page(browser, live_server, personas.park_manager)
    table = "#tenants-table"
    assert len(column(page, table, 0)) == 50 and "Yên Bình Xanh" not in column(page, table, 0)
    assert page.get_attribute(table, "data-sortable") is None
    assert page.locator(f"{table} thead th > a.sort").count() == 6
    assert page.locator(f"{table} thead button").count() == 0

    def follow(n: int) -> None:
        with page.expect_navigation():
            page.locator(f"{table} thead th").nth(n).locator("a").click()

    follow(3)  # index: highest first, over both pages; "—" last
    assert "sort=index&dir=desc" in page.url
    assert column(page, table, 3)[:3] == ["20,0", "5,0", "—"]
    assert sort_states(page, table) == [None, None, None, "descending", None, None]
    follow(3)  # the lowest first: Yên Bình Xanh, from page 2
    assert column(page, table, 0)[:2] == ["Yên Bình Xanh", "Enterprise A (test)"]
    assert column(page, table, 3)[:3] == ["5,0", "20,0", "—"]
    assert sort_states(page, table)[3] == "ascending"
    follow(0)
    follow(0)  # names descending: the true last name on top of page 1
    assert "sort=name&dir=desc" in page.url
    assert column(page, table, 0)[:2] == ["Yên Bình Xanh", "Enterprise B (test)"]
    assert page.locator("#tenants-sorted").inner_text() == (
        "Sắp xếp theo “Doanh nghiệp”, giảm dần, trên mọi trang."
    )
    # page 2 keeps the order
    with page.expect_navigation():
        page.click("#tenant-pages a[rel=next]")
    assert column(page, table, 0)[-1] == "Công ty Đông 00"
    assert fits_the_phone(page)

    # every tenant in one table: the script sorts on screen, a link goes back to the pages
    with page.expect_navigation():
        page.click("#all-tenants")
    assert len(column(page, table, 0)) == 62
    assert page.locator(f"{table} thead th > button.sort").count() == 6
    assert sort_states(page, table)[0] == "descending"  # the server's order, still true
    page.locator(f"{table} thead th").nth(0).locator("button").click()
    assert column(page, table, 0)[:2] == ["Công ty Đông 00", "Công ty Đông 01"]
    assert page.locator("nav#tenant-pages").count() == 0
    with page.expect_navigation():
        page.click("#paged-tenants")
    assert len(column(page, table, 0)) == 50 and "page=all" not in page.url
    assert fits_the_phone(page)
    assert page.outside == []
