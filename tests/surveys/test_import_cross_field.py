"""Every cross-field rule of surveys/validation.py runs on every channel: the Excel import of
tenants' answers refuses reused wastewater above the total as the form and the API do,
naming the cell, and comparing with the stored answer when only one side is in the file."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.utils import translation

from indicators.models import DataElement, Framework, FrameworkVersion
from surveys import interchange
from surveys.models import Answer, Response
from surveys.services import campaign_open

from ..conftest import open_dates
from .test_excel_import import xlsx_bytes

pytestmark = pytest.mark.usefixtures("keep_language")


@pytest.fixture
def water_campaign(personas):
    """A published version whose enterprise form asks total and reused wastewater (m³)."""
    framework, _ = Framework.objects.get_or_create(
        code="WATER-TEST", defaults={"title_vi": "Thử nước thải", "title_en": "Water test"}
    )
    version = FrameworkVersion.objects.create(
        framework=framework,
        number=1,
        title_vi="Thử nước thải",
        title_en="Water test",
        status=FrameworkVersion.Status.PUBLISHED,
    )
    for order, (code, vi, en) in enumerate(
        [
            ("wastewater_total_m3", "Tổng nước thải", "Total wastewater"),
            ("wastewater_reused_m3", "Nước thải tái sử dụng", "Reused wastewater"),
        ]
    ):
        DataElement.objects.create(
            version=version,
            code=code,
            applies_to="enterprise",
            value_type="decimal",
            unit="m³",
            label_vi=vi,
            label_en=en,
            order=order,
        )
    return campaign_open(
        name="Water 2025",
        period=2025,
        framework_version=version,
        **open_dates(),
        parks=[personas.catalogue.amata],
    )


def _file(rows) -> io.BytesIO:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Data"
    ws.append(["tax_code", "wastewater_total_m3", "wastewater_reused_m3"])
    for row in rows:
        ws.append(row)
    return io.BytesIO(xlsx_bytes(wb))


def test_the_excel_import_refuses_reused_wastewater_above_the_total_naming_the_cell(
    personas, water_campaign
):
    with translation.override("en"):
        check = interchange.import_check(
            campaign=water_campaign,
            park=personas.catalogue.amata,
            file=_file([["0300588569", 1500, 2000], ["0101248141", 1500, 1500]]),
            language="en",
        )
    assert [(e.cell, e.reason) for e in check.errors] == [
        ("Data!C2", "«Reused wastewater» (2,000 m³) cannot exceed «Total wastewater» (1,500 m³).")
    ]


def test_the_excel_import_compares_a_reused_cell_with_the_stored_total(personas, water_campaign):
    response = Response.objects.get(campaign=water_campaign, enterprise=personas.ent_a)
    Answer.objects.create(
        response=response,
        data_element=DataElement.objects.get(
            version=water_campaign.framework_version, code="wastewater_total_m3"
        ),
        value_number=100,
    )
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Data"
    ws.append(["tax_code", "wastewater_reused_m3"])
    ws.append(["0300588569", 250])
    check = interchange.import_check(
        campaign=water_campaign,
        park=personas.catalogue.amata,
        file=io.BytesIO(xlsx_bytes(wb)),
        language="en",
    )
    assert [e.cell for e in check.errors] == ["Data!B2"]
    assert not check.rows  # nothing would be saved
