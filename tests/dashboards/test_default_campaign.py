"""The campaign a national or province page shows by default is the latest one that covers
the page's parks: a trial campaign opened for one park never takes over everyone's page.

National page: the latest national-scope campaign, otherwise the one covering most parks;
province page: the latest campaign covering the province (national or its own), otherwise the
one covering most of its parks.
"""

from __future__ import annotations

import datetime
import re

import pytest
from freezegun import freeze_time

from enterprises.models import Park
from surveys.services import campaign_open

from ..conftest import PASSWORD

pytestmark = pytest.mark.usefixtures("keep_language")


def _open(catalogue, name, period, **scope):
    dates = {
        "opens_on": datetime.date(period + 1, 1, 1),
        "closes_on": datetime.date(period + 1, 3, 31),
    }
    return campaign_open(
        name=name, period=period, framework_version=catalogue.vn2022, **dates, **scope
    )


def _shown(html: str) -> str:
    m = re.search(r'<p class="meta">(.*?) · ', html)
    assert m, "no campaign line"
    return m.group(1)


def test_a_trial_campaign_for_noi_bai_is_not_the_default_of_the_national_or_dong_nai_page(
    client, personas
):
    c = personas.catalogue
    _open(c, "National 2025", 2025)  # every park
    noi_bai = Park.objects.get(name_vi__contains="Nội Bài")
    _open(c, "Trial Nội Bài", 2025, parks=[noi_bai])  # opened later: the newest
    assert client.login(username=personas.ministry.username, password=PASSWORD)
    assert _shown(client.get("/parks/national/").content.decode()) == "National 2025"
    client.logout()
    assert client.login(username=personas.board.username, password=PASSWORD)
    html = client.get(f"/parks/provinces/{c.dong_nai.code}/").content.decode()
    assert _shown(html) == "National 2025"
    assert "not in this campaign" not in html and "không thuộc đợt" not in html
    # the trial stays one choice away
    assert "Trial Nội Bài" in html


@freeze_time("2027-06-01 09:00:00")  # every campaign below is open (the 2026 one since 1/1/2027)
def test_without_a_national_campaign_each_page_defaults_to_the_campaign_covering_it(
    client, personas
):
    c = personas.catalogue
    _open(c, "Đồng Nai 2025", 2025, province=c.dong_nai)
    _open(c, "Hải Phòng and Đồng Nai parks 2025", 2025, parks=[c.amata, c.dinh_vu])
    _open(c, "Trial Đình Vũ", 2026, parks=[c.dinh_vu])  # later period, one park
    assert client.login(username=personas.ministry.username, password=PASSWORD)
    # national: no national-scope campaign → the one covering most parks (Đồng Nai's 30+)
    assert _shown(client.get("/parks/national/").content.decode()) == "Đồng Nai 2025"
    html = client.get(f"/parks/provinces/{c.hai_phong.code}/").content.decode()
    # Hải Phòng: no campaign covers the whole province → the one covering most of its parks;
    # both cover Đình Vũ only, so the latest of them
    assert _shown(html) == "Trial Đình Vũ"
    html = client.get(f"/parks/provinces/{c.dong_nai.code}/").content.decode()
    assert _shown(html) == "Đồng Nai 2025"


def _selected(html: str) -> str:
    m = re.search(r'<option value="\d+" selected>(.*?) \(', html)
    assert m, "no campaign selected"
    return m.group(1)


def test_opened_campaigns_keep_the_order_and_fall_back_to_every_one_when_none_is_open():
    from types import SimpleNamespace

    from surveys.periods import default_campaign, opened_campaigns

    day = datetime.date
    c2026 = SimpleNamespace(name="2026", opens_on=day(2027, 1, 1))
    c2025 = SimpleNamespace(name="2025", opens_on=day(2026, 1, 1))
    c2024 = SimpleNamespace(name="2024", opens_on=day(2025, 1, 1))
    listed = [c2026, c2025, c2024]
    assert opened_campaigns(listed, day(2026, 6, 1)) == [c2025, c2024]
    assert default_campaign(listed, day(2026, 6, 1)) is c2025
    assert default_campaign(listed, day(2026, 1, 1)) is c2025  # opens that very day
    assert default_campaign(listed, day(2025, 12, 31)) is c2024
    assert default_campaign(listed, day(2027, 1, 1)) is c2026
    assert default_campaign(listed, day(2024, 6, 1)) is c2026  # none open: the latest
    assert default_campaign([], day(2026, 6, 1)) is None


@freeze_time("2026-06-01 09:00:00")
def test_a_campaign_not_open_yet_is_the_default_of_no_page(client, personas):
    """On 1 June 2026 the 2025 campaign is open (since 1 January 2026) and the 2026 one opens
    on 1 January 2027: every page that picks a default shows 2025, the newer one stays a
    choice."""
    c = personas.catalogue
    _open(c, "National 2025", 2025)
    _open(c, "National 2026", 2026)  # opens 1 January 2027
    assert client.login(username=personas.ministry.username, password=PASSWORD)
    pages = {
        "/parks/national/": _shown,
        f"/parks/provinces/{c.dong_nai.code}/": _shown,
        f"/parks/{c.amata.pk}/": _selected,
        f"/parks/enterprises/{personas.ent_a.pk}/": _selected,
    }
    for url, shown in pages.items():
        html = client.get(url).content.decode()
        assert shown(html) == "National 2025", url
        assert "National 2026" in html, url  # still one choice away
    html = client.get("/surveys/").content.decode()
    assert "Mức độ hoàn thành: National 2025" in html


@pytest.mark.django_db(transaction=True)
def test_the_national_stamp_without_a_campaign_moves_with_every_campaign_of_the_framework(
    catalogue,
):
    """The default national page may show an opened campaign that is not the newest (a newer
    one, of another framework, not yet open): a change of the campaign shown must move its
    cache stamp."""
    from dashboards import stamps
    from dashboards.selectors import national_stamp
    from indicators.models import FrameworkVersion

    shown = _open(catalogue, "National 2025", 2025)
    # newer, of the other framework (Decree 82/2018), not open yet
    from surveys.models import Campaign

    newer = Campaign.objects.create(
        name="Decree 82 2026",
        period=2026,
        framework_version=FrameworkVersion.objects.filter(framework__code="VN-2018").first(),
        opens_on=datetime.date(2099, 1, 1),
        closes_on=datetime.date(2099, 3, 31),
    )
    before = national_stamp(campaign=None, framework=None)
    stamps.bump(parks=[], campaigns=[shown.pk])
    after = national_stamp(campaign=None, framework=None)
    assert before != after
    assert f"{shown.pk}=" in after and f"{newer.pk}=" in after
    # an explicit earlier campaign ignores the later one's changes
    explicit = national_stamp(campaign=str(shown.pk), framework=None)
    stamps.bump(parks=[], campaigns=[newer.pk])
    assert national_stamp(campaign=str(shown.pk), framework=None) == explicit
