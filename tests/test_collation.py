"""Vietnamese alphabetical order (common/collation.py) in lists, drop-downs and tables:
Đ after D, Hải before Hưng, tones breaking ties only."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse

from common.collation import vi_key, vi_sorted
from demo.demo import demo_tax_code
from enterprises.models import Enterprise, Province
from surveys.services import campaign_open

from .conftest import PASSWORD

pytestmark = pytest.mark.usefixtures("keep_language")


def test_d_comes_before_dj_and_dj_before_e():
    names = ["Đồng Nai", "Điện Biên", "Gia Lai", "Đà Nẵng", "Dĩ An", "Yên Bái", "Bắc Ninh"]
    assert vi_sorted(names) == [
        "Bắc Ninh",
        "Dĩ An",
        "Đà Nẵng",
        "Điện Biên",
        "Đồng Nai",
        "Gia Lai",
        "Yên Bái",
    ]


def test_hai_before_hung_and_the_vowel_letters_in_their_places():
    assert vi_sorted(["Hưng Yên", "Hải Phòng", "Hà Nội", "Huế"]) == [
        "Hà Nội",
        "Hải Phòng",
        "Huế",
        "Hưng Yên",
    ]
    # a < ă < â, e < ê (before f, i, n), o < ô < ơ, u < ư
    assert vi_sorted(["Đình Vũ", "Bình Dương", "Điện Biên", "Bến Tre", "Bến Lức", "Ben"]) == [
        "Ben",
        "Bến Lức",
        "Bến Tre",
        "Bình Dương",
        "Điện Biên",
        "Đình Vũ",
    ]
    assert vi_sorted(["ân", "an", "ăn", "ơn", "ôn", "on", "ưng", "ung"]) == [
        "an",
        "ăn",
        "ân",
        "on",
        "ôn",
        "ơn",
        "ung",
        "ưng",
    ]


def test_tones_only_break_ties_in_dictionary_order_and_words_come_first():
    assert vi_sorted(["mạ", "má", "mã", "mả", "mà", "ma"]) == ["ma", "mà", "mả", "mã", "má", "mạ"]
    assert vi_sorted(["mát", "mạ"]) == ["mạ", "mát"]  # letters first: a-(none) < a-t
    assert vi_sorted(["Anh", "An Phú"]) == ["An Phú", "Anh"]
    assert vi_key("Đình Vũ") == vi_key("Đình Vũ")  # precomposed or not, the same key
    assert vi_sorted(["KCN 2", "KCN 10", "KCN 1"]) == ["KCN 1", "KCN 10", "KCN 2"]


def _order(html: str, pattern: str) -> list[str]:
    return [" ".join(re.sub(r"<[^>]+>", " ", m).split()) for m in re.findall(pattern, html, re.S)]


def test_the_national_pages_list_provinces_and_parks_in_vietnamese_order(client, personas):
    c = personas.catalogue
    campaign_open(
        name="National 2025",
        period=2025,
        framework_version=c.vn2022,
        opens_on=datetime.date(2026, 1, 1),
        closes_on=datetime.date(2026, 3, 31),
    )
    assert client.login(username=personas.ministry.username, password=PASSWORD)
    html = client.get(reverse("dashboards:national")).content.decode()
    select = re.search(r'<select name="province".*?</select>', html, re.S).group(0)
    options = [o for o in _order(select, r"<option[^>]*>(.*?)</option>")][1:]
    assert options == vi_sorted(Province.objects.values_list("name_vi", flat=True))
    assert options.index("Đồng Nai") > options.index("Đắk Lắk") > options.index("Cần Thơ")
    assert options.index("Hải Phòng") < options.index("Hưng Yên")
    table = re.search(r'<table class="data" id="province-table">.*?</table>', html, re.S).group(0)
    provinces = _order(table, r'<tr data-province="\d+">\s*<th scope="row">(.*?)</th>')
    assert provinces == vi_sorted(provinces) and "Đồng Nai" in provinces
    parks = re.search(r'<table class="data"[^>]*id="parks-table">.*?</table>', html, re.S)
    rows = re.findall(
        r'<tr data-park="\d+"><th scope="row" data-sort="([^"]+)">.*?<td>([^<]+)</td>',
        parks.group(0),
        re.S,
    )
    keys = [(vi_key(province), vi_key(park)) for park, province in rows]
    assert keys == sorted(keys)


def test_a_parks_tenants_are_listed_in_vietnamese_order(client, personas, campaign_2025):
    amata = personas.catalogue.amata
    names = ("Đông Á Steel (test)", "Dệt May (test)", "Hưng Thịnh (test)", "Hải Long (test)")
    for i, name in enumerate(names):
        Enterprise.objects.create(name=name, tax_code=demo_tax_code(970 + i), park=amata)
    assert client.login(username=personas.park_manager.username, password=PASSWORD)
    html = client.get(reverse("dashboards:park", args=[amata.pk])).content.decode()
    table = re.search(r'id="tenants-table">.*?</table>', html, re.S).group(0)
    names = _order(table, r'<th scope="row" data-sort="[^"]*"><a [^>]*>(.*?)</a>')
    assert names == vi_sorted(names)
    assert names.index("Dệt May (test)") < names.index("Đông Á Steel (test)")
    assert names.index("Hải Long (test)") < names.index("Hưng Thịnh (test)")
