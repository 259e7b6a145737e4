"""A retired version always gets its end date: the day before the new version takes effect,
or, when no date is known for the new one, the day it is published (the day the old one
stopped being the version in force in ecopark)."""

from __future__ import annotations

import datetime

from freezegun import freeze_time

from indicators.models import FrameworkVersion
from indicators.services import version_new_draft, version_publish, version_update


def v1():
    return FrameworkVersion.objects.get(framework__code="VN-2022", number=1)


@freeze_time("2026-06-15 10:00:00")
def test_publishing_without_an_effective_date_ends_the_previous_version_today(catalogue):
    draft = version_new_draft(version=v1())
    version_publish(version=draft)
    old = v1()
    assert (old.status, old.effective_to) == ("retired", datetime.date(2026, 6, 15))
    # the new version's own date stays unknown: the source gave none
    assert FrameworkVersion.objects.get(pk=draft.pk).effective_from is None


def test_a_draft_carrying_its_effective_date_ends_the_previous_one_the_day_before(catalogue):
    draft = version_new_draft(version=v1())
    version_update(version=draft, effective_from=datetime.date(2026, 3, 1))
    version_publish(version=draft)
    assert v1().effective_to == datetime.date(2026, 2, 28)
