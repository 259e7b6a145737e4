"""Fixtures of the survey tests: a 2025 campaign collecting the four official forms."""

from __future__ import annotations

import pytest

from ..conftest import open_dates

#: the official forms of Circular 05/2025/TT-BKHĐT, in filing order
FORMS = ["A.4", "A.5", "B.4", "B.5"]


@pytest.fixture
def report_campaign(personas):
    """A 2025 campaign on VN-2022 v1 for Amata collecting forms A.4, A.5, B.4 and B.5."""
    from surveys.services import campaign_open

    c = personas.catalogue
    return campaign_open(
        name="Reports 2025",
        period=2025,
        framework_version=c.vn2022,
        **open_dates(),
        parks=[c.amata],
        report_forms=FORMS,
    )
