"""The official documents (surveys/documents.py, docs/documents.md): Amata's 2025 demo report as
DOCX with every A.4 field in the form's order, its PDF with every Vietnamese diacritic, the
draft mark, the downloads' scope (404 outside it, as the persona matrix holds), the command's
files and errors, the ZIP job of a board's province, and LibreOffice opening a DOCX."""

from __future__ import annotations

import io
import shutil
import subprocess
import unicodedata
import zipfile

import docx
import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.management import CommandError, call_command
from django.urls import reverse
from pypdf import PdfReader

from indicators.official_forms import official_form
from surveys.documents import document_docx, document_pdf, report_documents
from surveys.models import Campaign, ExportJob, Response
from surveys.services import response_approve
from surveys.tasks import export_xlsx_task

from ..conftest import require

DEMO_CAMPAIGN = "Báo cáo KCN sinh thái 2025"


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _pdf_pages(data: bytes) -> list[str]:
    return [_nfc(p.extract_text()) for p in PdfReader(io.BytesIO(data)).pages]


def _docx_cells(data: bytes) -> list[str]:
    """The texts of every table cell of the body, in the document's order."""
    document = docx.Document(io.BytesIO(data))
    return [cell.text for table in document.tables for row in table.rows for cell in row.cells]


def _docx_header_text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    return "\n".join(p.text for s in document.sections for p in s.header.paragraphs)


@pytest.fixture
def demo(catalogue):
    call_command("load_demo", verbosity=0)
    campaign = Campaign.objects.get(name=DEMO_CAMPAIGN)
    amata = Response.objects.get(campaign=campaign, park=catalogue.amata, enterprise__isnull=True)
    return campaign, amata


@pytest.mark.django_db
def test_the_command_writes_amatas_a4_with_every_field_label_in_the_forms_order(demo, tmp_path):
    campaign, amata = demo
    out = tmp_path / "documents"
    call_command(
        "report_documents",
        campaign=campaign.pk,
        park=amata.park_id,
        format="docx",
        output=str(out),
        stdout=io.StringIO(),
    )
    names = sorted(p.name for p in out.iterdir())
    tenants = Response.objects.filter(campaign=campaign, park=amata.park, enterprise__isnull=False)
    expected = [f"EZ_A4_{amata.pk}.docx", f"EZ_A5_{amata.pk}.docx"]
    expected += [f"EZ_{f}_{r.pk}.docx" for r in tenants for f in ("B4", "B5")]
    assert names == sorted(expected)
    cells = _docx_cells((out / f"EZ_A4_{amata.pk}.docx").read_bytes())
    labels = [item.label_vi for item in official_form("A.4").items()]
    assert len(labels) == 114  # every row of the form, headings included
    position = 0
    for label in labels:  # each label found after the one before it: the form's order
        while position < len(cells) and cells[position] != label:
            position += 1
        assert position < len(cells), f"{label!r} missing or out of order"
    # values as the form writes them: Vietnamese grouping and dates, units in their column
    assert "15/06/1994" in cells  # 1.2.2 date of first registration (demo registry)
    assert "Mẫu A.4" in _docx_header_text((out / f"EZ_A4_{amata.pk}.docx").read_bytes())


@pytest.mark.django_db
def test_the_command_refuses_bad_ids_and_formats_and_writes_nothing(demo, tmp_path):
    campaign, amata = demo
    out = tmp_path / "documents"
    cases = [
        ({"campaign": 987654, "format": "pdf"}, "--campaign 987654: no campaign has this id."),
        ({"campaign": campaign.pk, "format": "odt"}, "--format 'odt': choose docx or pdf."),
        (
            {"campaign": campaign.pk, "format": "docx", "park": 987654},
            "--park 987654: no park has this id.",
        ),
        (
            {"campaign": campaign.pk, "format": "docx", "enterprise": 987654},
            "--enterprise 987654: no enterprise has this id.",
        ),
    ]
    for options, message in cases:
        with pytest.raises(CommandError) as caught:
            call_command("report_documents", output=str(out), **options)
        assert str(caught.value) == message
    assert not out.exists()


@pytest.mark.django_db
def test_the_pdf_writes_every_vietnamese_diacritic_and_marks_the_draft_on_every_page(demo):
    _campaign, amata = demo
    assert amata.status == "draft"
    [a4] = report_documents(amata, AnonymousUser(), language="vi", forms=["A4"])
    pages = _pdf_pages(document_pdf(a4))
    text = "\n".join(pages)
    assert len(pages) >= 3
    for phrase in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Mẫu A.4",
        "Báo cáo KCN sinh thái 2025",  # the campaign's name
        "Khu công nghiệp Amata",
        "Đồng Nai",
        f"EZ_A4_{amata.pk}",
        "Tên nhà đầu tư thực hiện dự án",
        "triệu đồng",
        "15/06/1994",
    ):
        assert phrase in text, phrase
    for number, page in enumerate(pages, start=1):
        assert "BẢN NHÁP / DRAFT" in page, number
        assert f"Trang {number}/{len(pages)}" in page
    assert "BẢN NHÁP / DRAFT" in _docx_header_text(document_docx(a4))


@pytest.mark.django_db
def test_an_approved_report_carries_no_draft_mark_and_shows_its_stamps(demo):
    campaign, _amata = demo
    # the demo enterprise whose B.4 (with its products) was submitted
    submitted = (
        Response.objects.filter(
            campaign=campaign, status="submitted", production_lines__isnull=False
        )
        .distinct()
        .get()
    )
    manager = get_user_model().objects.get(username="amata-manager")
    response_approve(response=submitted, user=manager)
    submitted.refresh_from_db()
    [b4] = report_documents(submitted, AnonymousUser(), language="vi", forms=["B4"])
    assert not b4.draft
    pages = _pdf_pages(document_pdf(b4))
    assert all("BẢN NHÁP" not in page for page in pages)
    facts = dict(b4.facts)
    assert facts["Trạng thái"] == "đã duyệt"
    assert facts["Đã duyệt"].endswith(f"bởi {manager.get_full_name() or manager.username}")
    assert "Đã duyệt:" in pages[0]
    assert "BẢN NHÁP" not in _docx_header_text(document_docx(b4))
    # the production capacity is a table: a row per product under the form's columns
    [section] = [s for p in b4.parts for s in p.sections if s.table is not None]
    assert section.table.columns[0] == "P2.1 Tên sản phẩm"
    assert len(section.table.rows) == submitted.production_lines.count() >= 1


@pytest.fixture
def forms_campaign(campaign_2025):
    campaign_2025.report_forms = ["A.4", "A.5", "B.4", "B.5"]
    campaign_2025.save(update_fields=["report_forms"])
    return campaign_2025


def _get(client, user, url):
    client.force_login(user)
    return client.get(url).status_code


@pytest.mark.django_db
def test_downloads_answer_404_outside_the_readers_scope(client, personas, forms_campaign):
    amata = Response.objects.get(
        campaign=forms_campaign, park=personas.catalogue.amata, enterprise__isnull=True
    )
    a = Response.objects.get(campaign=forms_campaign, enterprise=personas.ent_a)
    a4 = reverse("surveys:response_document", args=[amata.pk, "A4", "docx"])
    b4 = reverse("surveys:response_document", args=[a.pk, "B4", "docx"])
    expected = {
        "ministry": (200, 200),
        "board": (200, 200),
        "other_board": (404, 404),
        "park_manager": (200, 200),
        "enterprise_a": (404, 200),
        "enterprise_b": (404, 404),
        "other_enterprise": (404, 404),
    }
    got = {
        name: (_get(client, getattr(personas, name), a4), _get(client, getattr(personas, name), b4))
        for name in expected
    }
    assert got == expected
    client.force_login(personas.ministry)
    wrong = [
        reverse("surveys:response_document", args=[amata.pk, "B4", "pdf"]),  # not its form
        reverse("surveys:response_document", args=[amata.pk, "A4", "odt"]),
        reverse("surveys:response_document", args=[987654, "A4", "pdf"]),
    ]
    assert [client.get(url).status_code for url in wrong] == [404, 404, 404]
    reply = client.get(a4 + "?lang=en")
    assert reply["Content-Disposition"] == f'attachment; filename="EZ_A4_{amata.pk}.docx"'
    assert reply["Content-Type"].startswith("application/vnd.openxmlformats")
    cells = _docx_cells(reply.content)
    assert "SOCIALIST REPUBLIC OF VIET NAM\nIndependence - Freedom - Happiness" in cells
    pdf = client.get(reverse("surveys:response_document", args=[a.pk, "B4", "pdf"]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    page = client.get(reverse("surveys:response", args=[amata.pk]))
    assert reverse("surveys:response_document", args=[amata.pk, "A5", "pdf"]) in page.text


@pytest.mark.django_db
def test_the_boards_zip_holds_one_file_per_response_and_form_of_its_province(
    client, personas, forms_campaign
):
    client.force_login(personas.board)
    reply = client.post(
        reverse("surveys:documents_archive", args=[forms_campaign.pk]), {"format": "docx"}
    )
    job = ExportJob.objects.get(requested_by=personas.board)
    assert reply.status_code == 302 and reply["Location"] == reverse(
        "surveys:excel_export_job", args=[job.pk]
    )
    if job.status == ExportJob.Status.QUEUED:  # the test's transaction never commits
        export_xlsx_task(job.pk)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE, job.error
    in_province = Response.objects.filter(
        campaign=forms_campaign, park__province=personas.catalogue.dong_nai
    )
    expected = set()
    for r in in_province:
        forms = ("B4", "B5") if r.enterprise_id else ("A4", "A5")
        expected |= {f"EZ_{f}_{r.pk}.docx" for f in forms}
    download = client.get(reverse("surveys:excel_export_download", args=[job.pk]))
    assert download["Content-Type"] == "application/zip"
    names = set(zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content))).namelist())
    assert names == expected
    assert len(names) == 6  # Amata's A.4, A.5 and enterprises A's and B's B.4, B.5
    assert (job.rows_written, job.total) == (6, 6)
    outside = Response.objects.filter(campaign=forms_campaign).exclude(pk__in=in_province)
    assert outside.exists() and not any(f"_{r.pk}.docx" in " ".join(names) for r in outside)
    # offered to the requester only
    client.force_login(personas.ministry)
    assert client.get(reverse("surveys:excel_export_download", args=[job.pk])).status_code == 404
    # the ministry may choose a province; one outside its reach (none) answers 404
    assert (
        client.post(
            reverse("surveys:documents_archive", args=[forms_campaign.pk]),
            {"format": "pdf", "province": personas.catalogue.hai_phong.pk},
        ).status_code
        == 302
    )
    client.force_login(personas.board)
    refused = client.post(
        reverse("surveys:documents_archive", args=[forms_campaign.pk]),
        {"format": "pdf", "province": personas.catalogue.hai_phong.pk},
    )
    assert refused.status_code == 404


@pytest.mark.django_db
def test_libreoffice_converts_a_generated_docx_to_a_pdf_with_text(
    personas, forms_campaign, tmp_path
):
    binary = shutil.which("libreoffice") or shutil.which("soffice")
    require(binary is not None, "LibreOffice (libreoffice-writer-nogui) is not installed")
    amata = Response.objects.get(
        campaign=forms_campaign, park=personas.catalogue.amata, enterprise__isnull=True
    )
    [a4] = report_documents(amata, personas.park_manager, language="vi", forms=["A4"])
    source = tmp_path / a4.filename("docx")
    source.write_bytes(document_docx(a4))
    subprocess.run(
        [
            binary,
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    pages = _pdf_pages((tmp_path / f"EZ_A4_{amata.pk}.pdf").read_bytes())
    text = " ".join(" ".join(pages).split())  # lines wrapped in a cell read as one
    assert len(pages) >= 2
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Tên nhà đầu tư thực hiện dự án" in text
    assert f"Trang 1/{len(pages)}" in pages[0]  # the page fields computed


A4_VI = "Thông tư 05/2025/TT-BKHĐT, Mẫu A.4; Nghị định 35/2022/NĐ-CP, Điều 43 khoản 1"
A4_EN = "Circular 05/2025/TT-BKHĐT, form A.4; Decree 35/2022/NĐ-CP, Art. 43(1)"


@pytest.mark.django_db
def test_the_legal_instrument_is_written_in_the_documents_language(demo):
    _campaign, amata = demo
    [a4_vi, a5_vi] = report_documents(amata, AnonymousUser(), language="vi")
    assert a4_vi.instrument == A4_VI
    assert a5_vi.instrument == "Thông tư 05/2025/TT-BKHĐT, Mẫu A.5"
    paragraphs = [p.text for p in docx.Document(io.BytesIO(document_docx(a4_vi))).paragraphs]
    assert any(p.endswith("\n" + A4_VI) for p in paragraphs)
    assert not any("Circular" in p or "Decree" in p for p in paragraphs)
    [a4_en] = report_documents(amata, AnonymousUser(), language="en", forms=["A4"])
    assert a4_en.instrument == A4_EN
    tenant = Response.objects.filter(campaign=amata.campaign, enterprise__isnull=False).first()
    b4, b5 = report_documents(tenant, AnonymousUser(), language="vi")
    assert b4.instrument == "Thông tư 05/2025/TT-BKHĐT, Mẫu B.4; Nghị định 35/2022/NĐ-CP, Điều 43"
    assert b5.instrument == "Thông tư 05/2025/TT-BKHĐT, Mẫu B.5"


@pytest.mark.django_db
@pytest.mark.usefixtures("keep_language")
def test_the_response_page_names_the_instrument_in_the_active_language(client, demo):
    _campaign, amata = demo
    client.force_login(get_user_model().objects.get(username="amata-manager"))
    url = reverse("surveys:response", args=[amata.pk])
    page = client.get(url).content.decode()
    assert f'<p class="meta">{A4_VI} · năm báo cáo [N-1] = 2025' in page
    assert "Circular 05" not in page and "Decree 35" not in page
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(url).content.decode()
    assert f'<p class="meta">{A4_EN} · reporting year [N-1] = 2025' in page


@pytest.mark.django_db
def test_an_unwritable_output_folder_is_refused_naming_it_and_the_reason(
    demo, tmp_path, monkeypatch
):
    campaign, amata = demo

    def refusal(out) -> str:
        with pytest.raises(CommandError) as caught:
            call_command(
                "report_documents",
                campaign=campaign.pk,
                park=amata.park_id,
                format="docx",
                output=str(out),
            )
        return str(caught.value)

    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    out = blocker / "sub"
    assert refusal(out) == (
        f"--output {out}: cannot write the documents there: {blocker} is a file, not a folder."
    )

    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied", kwargs.get("dir"))

    monkeypatch.setattr(
        "surveys.management.commands.report_documents.tempfile.TemporaryDirectory", denied
    )
    out = tmp_path / "read-only" / "docs"
    assert refusal(out) == f"--output {out}: cannot write the documents there: Permission denied."
    assert not out.exists()


@pytest.mark.django_db
def test_a_pdf_leaves_no_info_line_of_the_pdf_libraries_in_the_log(demo, caplog):
    import logging

    _campaign, amata = demo
    [a4] = report_documents(amata, AnonymousUser(), language="vi", forms=["A4"])
    caplog.clear()
    assert document_pdf(a4)[:5] == b"%PDF-"
    noisy = [r for r in caplog.records if r.name.startswith(("weasyprint", "fontTools"))]
    assert [r.getMessage() for r in noisy if r.levelno < logging.WARNING] == []
    assert not logging.getLogger("weasyprint.progress").isEnabledFor(logging.INFO)
    assert not logging.getLogger("fontTools.subset").isEnabledFor(logging.INFO)
    assert logging.getLogger("surveys.documents").isEnabledFor(logging.INFO)  # ours unchanged


@pytest.mark.django_db
def test_the_english_document_writes_the_units_in_english(demo):
    _campaign, amata = demo
    tenant = Response.objects.filter(campaign=amata.campaign, enterprise__isnull=False).first()

    def units(language):
        [b4] = report_documents(tenant, AnonymousUser(), language=language, forms=["B4"])
        lines = [line for p in b4.parts for s in p.sections for line in s.lines]
        return {line.number: line.unit for line in lines if line.number in ("P3.3", "P3.4")}

    assert units("en") == {"P3.3": "tonnes/year", "P3.4": "million VND"}
    assert units("vi") == {"P3.3": "tấn/năm", "P3.4": "triệu đồng"}
