"""The official documents in a real browser (Debian's chromium via Playwright): the Đồng Nai
board downloads the ZIP of its province's documents (one file per response and form, named by
its code, nothing of Hải Phòng), and Amata's park manager opens its report's print view and
downloads the report's PDF from the form's "Tải PDF" button."""

from __future__ import annotations

import io
import zipfile

import pytest

from surveys.models import Response

from .test_browser_workflow import _page_as

pytestmark = pytest.mark.browser


@pytest.fixture
def forms_campaign(campaign_2025):
    campaign_2025.report_forms = ["A.4", "A.5", "B.4", "B.5"]
    campaign_2025.save(update_fields=["report_forms"])
    return campaign_2025


@pytest.mark.django_db(transaction=True)
def test_the_board_downloads_its_provinces_zip_and_the_park_manager_prints_a_report(
    live_server,
    personas,
    forms_campaign,
    browser,  # noqa: F811
):
    page = _page_as(browser, live_server, personas.board, language="vi")
    page.goto(f"{live_server.url}/surveys/excel/campaigns/{forms_campaign.pk}/")
    page.check("form.documents-archive input[name=format][value=docx]")
    page.click("form.documents-archive button[type=submit]")
    page.wait_for_selector("#job-download", timeout=120_000)
    assert "6 văn bản" in page.inner_text("#job-result")
    with page.expect_download() as info:
        page.click("#job-download")
    download = info.value
    names = set(zipfile.ZipFile(download.path()).namelist())
    expected = set()
    for r in Response.objects.filter(
        campaign=forms_campaign, park__province=personas.catalogue.dong_nai
    ):
        forms = ("B4", "B5") if r.enterprise_id else ("A4", "A5")
        expected |= {f"EZ_{f}_{r.pk}.docx" for f in forms}
    assert names == expected and len(names) == 6
    page.context.close()

    amata = Response.objects.get(
        campaign=forms_campaign, park=personas.catalogue.amata, enterprise__isnull=True
    )
    page = _page_as(browser, live_server, personas.park_manager, language="vi")
    page.goto(f"{live_server.url}/surveys/responses/{amata.pk}/")
    assert page.is_visible("#documents-a4 a:has-text('Tải PDF')")
    with page.expect_download() as info:
        page.click("#documents-a4 a:has-text('Tải PDF')")
    assert info.value.suggested_filename == f"EZ_A4_{amata.pk}.pdf"
    with open(info.value.path(), "rb") as handle:
        assert handle.read(5) == b"%PDF-"
    page.emulate_media(media="print")
    assert page.inner_text("#report-codes") == f"EZ_A4_{amata.pk} · EZ_A5_{amata.pk}"
    assert page.is_hidden("#documents-a4")  # the buttons are not printed
    pdf = page.pdf(format="A4")
    assert io.BytesIO(pdf).read(5) == b"%PDF-"
    page.context.close()
