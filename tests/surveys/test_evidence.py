"""Evidence upload: type from content, size limit, private storage, permission-checked download."""

import io
import struct
import zipfile
import zlib
from pathlib import Path

import openpyxl
import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from indicators.models import DataElement
from surveys.evidence import EVIDENCE_MAX_BYTES, EvidenceError, evidence_delete, evidence_upload
from surveys.models import Evidence, Response

from ..conftest import PASSWORD

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 300


def png_bytes() -> bytes:
    """A real 1×1 white PNG, built by hand (signature, IHDR, IDAT, IEND)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\xff\xff"))
        + chunk(b"IEND", b"")
    )


def xlsx_bytes() -> bytes:
    book = openpyxl.Workbook()
    book.active["A1"] = "proof"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def xlsm_bytes() -> bytes:
    """The workbook above turned macro-enabled: a vbaProject.bin part and the xlsm type."""
    source = zipfile.ZipFile(io.BytesIO(xlsx_bytes()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "[Content_Types].xml":
                data = data.replace(
                    b"spreadsheetml.sheet.main+xml", b"sheet.macroEnabled.main+xml"
                ).replace(
                    b"</Types>",
                    b'<Default Extension="bin" ContentType="application/'
                    b'vnd.ms-office.vbaProject"/></Types>',
                )
            target.writestr(item, data)
        target.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0" + b"\x00" * 100)
    return out.getvalue()


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return Path(settings.MEDIA_ROOT)


@pytest.fixture
def response_a(personas, campaign_2025):
    return Response.objects.get(campaign=campaign_2025, enterprise=personas.ent_a)


@pytest.fixture
def compliant(catalogue):
    """``compliant``: a yes/no element read by a mandatory enterprise criterion."""
    return DataElement.objects.get(version=catalogue.vn2022, code="compliant")


def upload(response, element, name, content, user):
    return evidence_upload(
        response=response,
        data_element=element,
        file=SimpleUploadedFile(name, content),
        user=user,
    )


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


def test_a_pdf_is_accepted_through_the_page_and_stored_privately(
    client, personas, response_a, compliant, media
):
    login(client, personas.enterprise_a)
    url = reverse("surveys:evidence", args=[response_a.pk])
    reply = client.post(
        url,
        {"data_element": "compliant", "file": SimpleUploadedFile("Giấy phép.pdf", PDF)},
    )
    assert reply.status_code == 302
    evidence = Evidence.objects.get(response=response_a)
    assert (evidence.kind, evidence.content_type, evidence.size) == (
        "pdf",
        "application/pdf",
        len(PDF),
    )
    assert evidence.original_name == "Giấy phép.pdf"
    stored = Path(evidence.file.path)
    assert stored.read_bytes() == PDF
    assert stored.is_relative_to(media)
    assert "Giấy phép" not in stored.name and stored.suffix == ".pdf"
    assert len(stored.stem) == 32  # uuid4 hex


def test_a_png_renamed_pdf_is_accepted_as_png(personas, response_a, compliant, media):
    evidence = upload(response_a, compliant, "scan.pdf", png_bytes(), personas.enterprise_a)
    assert (evidence.kind, evidence.content_type) == ("png", "image/png")
    assert evidence.file.name.endswith(".png")
    assert evidence.original_name == "scan.pdf"


def test_a_jpeg_and_an_xlsx_are_accepted(personas, response_a, compliant, media):
    jpeg = upload(response_a, compliant, "photo.jpg", JPEG, personas.enterprise_a)
    sheet = upload(response_a, compliant, "data.xlsx", xlsx_bytes(), personas.enterprise_a)
    assert (jpeg.kind, sheet.kind) == ("jpeg", "xlsx")


def test_an_exe_renamed_pdf_is_refused_naming_the_file(personas, response_a, compliant, media):
    with translation.override("en"), pytest.raises(EvidenceError) as refused:
        upload(response_a, compliant, "report.pdf", EXE, personas.enterprise_a)
    assert refused.value.messages == [
        "«report.pdf» is refused: its content is EXE. Accepted are PDF, JPEG, PNG and XLSX."
    ]
    assert not Evidence.objects.exists()
    assert not any(media.rglob("*.*"))


def test_a_refused_file_is_reported_on_the_page_with_400_and_nothing_stored(
    client, personas, response_a, media
):
    login(client, personas.enterprise_a)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    reply = client.post(
        reverse("surveys:evidence", args=[response_a.pk]),
        {"data_element": "compliant", "file": SimpleUploadedFile("tool.pdf", EXE)},
    )
    assert reply.status_code == 400
    assert "«tool.pdf» is refused: its content is EXE." in reply.content.decode()
    assert not Evidence.objects.exists()


def test_a_macro_enabled_workbook_is_refused(personas, response_a, compliant, media):
    with pytest.raises(EvidenceError) as refused:
        upload(response_a, compliant, "numbers.xlsx", xlsm_bytes(), personas.enterprise_a)
    assert "macro-enabled" in refused.value.messages[0]


def test_a_plain_zip_is_refused(personas, response_a, compliant, media):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "hello")
    with pytest.raises(EvidenceError) as refused:
        upload(response_a, compliant, "notes.xlsx", buffer.getvalue(), personas.enterprise_a)
    assert refused.value.messages == [
        "«notes.xlsx» is a ZIP archive but not an Excel workbook (.xlsx)."
    ]


def zip_bomb_xlsx(megabytes: int) -> bytes:
    """A real workbook carrying one more member of ``megabytes`` MB of zeros (deflated to
    about 1/1000 of that)."""
    source = zipfile.ZipFile(io.BytesIO(xlsx_bytes()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item, source.read(item.filename))
        with target.open("xl/media/zeros.bin", "w", force_zip64=True) as member:
            block = b"\x00" * (1024 * 1024)
            for _ in range(megabytes):
                member.write(block)
    return out.getvalue()


def test_a_zip_bomb_workbook_is_refused_as_evidence_like_the_excel_import_refuses_it(
    personas, response_a, compliant, media
):
    from common.xlsx import FileRefused, file_check

    bomb = zip_bomb_xlsx(300)
    assert len(bomb) < 400 * 1024  # about 300 KB on the wire
    with pytest.raises(EvidenceError) as refused:
        upload(response_a, compliant, "bomb.xlsx", bomb, personas.enterprise_a)
    assert refused.value.messages == [
        "«bomb.xlsx» is refused: The file unpacks to 300 MB, more than the 200 MB accepted; "
        "it may be a damaged or malicious archive."
    ]
    assert not Evidence.objects.exists()
    with pytest.raises(FileRefused) as import_refused:
        file_check(io.BytesIO(bomb))
    assert import_refused.value.code == "unpacks_too_large"
    # a workbook unpacking to less than the cap is accepted
    assert upload(response_a, compliant, "ok.xlsx", zip_bomb_xlsx(20), personas.enterprise_a)


def test_ten_megabytes_are_accepted_and_one_byte_more_is_refused(
    personas, response_a, compliant, media
):
    assert EVIDENCE_MAX_BYTES == 10 * 1024 * 1024
    exact = PDF + b"\x00" * (EVIDENCE_MAX_BYTES - len(PDF))
    assert upload(response_a, compliant, "max.pdf", exact, personas.enterprise_a).size == 10485760
    with pytest.raises(EvidenceError) as refused:
        upload(response_a, compliant, "big.pdf", exact + b"\x00", personas.enterprise_a)
    assert refused.value.messages == ["«big.pdf» is 10.0 MB; files may be at most 10.0 MB."]
    assert Evidence.objects.count() == 1


def test_an_empty_file_is_refused(personas, response_a, compliant, media):
    with pytest.raises(EvidenceError, match="is empty"):
        upload(response_a, compliant, "empty.pdf", b"", personas.enterprise_a)


def test_the_file_is_stored_under_media_root_outside_static_and_has_no_media_url(
    client, personas, response_a, compliant
):
    """With the configured MEDIA_ROOT (var/media): never under static/, never at /media/."""
    evidence = upload(response_a, compliant, "proof.pdf", PDF, personas.enterprise_a)
    try:
        stored = Path(evidence.file.path).resolve()
        assert stored.is_relative_to(Path(settings.MEDIA_ROOT).resolve())
        for static_dir in [*settings.STATICFILES_DIRS, settings.STATIC_ROOT]:
            assert not stored.is_relative_to(Path(static_dir).resolve())
        with pytest.raises(ValueError):
            evidence.file.url  # noqa: B018 - the storage has no public URL
        login(client, personas.enterprise_a)
        assert client.get("/media/" + evidence.file.name).status_code == 404
        assert client.get("/static/../var/media/" + evidence.file.name).status_code == 404
    finally:
        evidence.file.delete(save=False)


def test_the_respondent_and_its_reviewers_download_with_the_detected_type(
    client, personas, response_a, compliant, media
):
    evidence = upload(response_a, compliant, "scan.pdf", png_bytes(), personas.enterprise_a)
    url = reverse("surveys:evidence_download", args=[evidence.pk])
    for user in (personas.enterprise_a, personas.park_manager, personas.board, personas.ministry):
        login(client, user)
        reply = client.get(url)
        assert reply.status_code == 200, user
        assert b"".join(reply.streaming_content) == png_bytes()
        assert reply["Content-Type"] == "image/png"
        assert reply["Content-Disposition"] == 'attachment; filename="scan.pdf"'
        assert reply["X-Content-Type-Options"] == "nosniff"


def test_enterprise_b_gets_404_downloading_enterprise_as_evidence(
    client, personas, response_a, compliant, media
):
    evidence = upload(response_a, compliant, "a.pdf", PDF, personas.enterprise_a)
    url = reverse("surveys:evidence_download", args=[evidence.pk])
    for outsider in (personas.enterprise_b, personas.other_enterprise, personas.other_board):
        login(client, outsider)
        assert client.get(url).status_code == 404, outsider
    client.logout()
    assert client.get(url).status_code == 302  # to the login page, never the file


def test_a_guessed_evidence_id_answers_404(client, personas, response_a, compliant, media):
    evidence = upload(response_a, compliant, "a.pdf", PDF, personas.enterprise_a)
    login(client, personas.ministry)
    for guess in (evidence.pk + 1, evidence.pk + 1000):
        assert client.get(reverse("surveys:evidence_download", args=[guess])).status_code == 404


def test_enterprise_b_cannot_see_or_upload_to_enterprise_as_response(
    client, personas, response_a, media
):
    login(client, personas.enterprise_b)
    url = reverse("surveys:evidence", args=[response_a.pk])
    assert client.get(url).status_code == 404
    reply = client.post(
        url, {"data_element": "compliant", "file": SimpleUploadedFile("x.pdf", PDF)}
    )
    assert reply.status_code == 404
    assert not Evidence.objects.exists()


def test_a_reviewer_may_read_the_evidence_page_but_not_upload(client, personas, response_a, media):
    login(client, personas.park_manager)
    url = reverse("surveys:evidence", args=[response_a.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="file"' not in page.content.decode()
    reply = client.post(
        url, {"data_element": "compliant", "file": SimpleUploadedFile("x.pdf", PDF)}
    )
    assert reply.status_code == 403
    with pytest.raises(PermissionDenied):
        upload(
            response_a,
            DataElement.objects.get(
                code="compliant", version=response_a.campaign.framework_version
            ),
            "x.pdf",
            PDF,
            personas.park_manager,
        )
    assert not Evidence.objects.exists()


def test_an_element_that_takes_no_evidence_is_refused(personas, response_a, media, catalogue):
    count = DataElement.objects.get(version=catalogue.vn2022, code="symbioses_participating")
    with translation.override("en"), pytest.raises(ValidationError, match="does not take evidence"):
        upload(response_a, count, "a.pdf", PDF, personas.enterprise_a)


def test_a_submitted_response_takes_no_new_evidence_and_keeps_its_files(
    personas, response_a, compliant, media
):
    evidence = upload(response_a, compliant, "a.pdf", PDF, personas.enterprise_a)
    Response.objects.filter(pk=response_a.pk).update(status=Response.Status.SUBMITTED)
    with (
        translation.override("en"),
        pytest.raises(ValidationError, match="can no longer be changed"),
    ):
        upload(response_a, compliant, "b.pdf", PDF, personas.enterprise_a)
    with (
        translation.override("en"),
        pytest.raises(ValidationError, match="can no longer be changed"),
    ):
        evidence_delete(evidence=evidence, user=personas.enterprise_a)
    assert Evidence.objects.count() == 1


def test_the_respondent_deletes_a_file_and_it_leaves_the_disk(
    client, personas, response_a, compliant, media, django_capture_on_commit_callbacks
):
    evidence = upload(response_a, compliant, "a.pdf", PDF, personas.enterprise_a)
    path = Path(evidence.file.path)
    login(client, personas.enterprise_b)
    url = reverse("surveys:evidence_delete", args=[evidence.pk])
    assert client.post(url).status_code == 404
    login(client, personas.enterprise_a)
    with django_capture_on_commit_callbacks(execute=True):
        reply = client.post(url, {"next": reverse("surveys:evidence", args=[response_a.pk])})
    assert reply.status_code == 302
    assert not Evidence.objects.exists()
    assert not path.exists()


def test_the_evidence_page_lists_files_with_download_links(
    client, personas, response_a, compliant, media
):
    evidence = upload(response_a, compliant, "giấy phép.pdf", PDF, personas.enterprise_a)
    login(client, personas.enterprise_a)
    html = client.get(reverse("surveys:evidence", args=[response_a.pk])).content.decode()
    assert reverse("surveys:evidence_download", args=[evidence.pk]) in html
    assert "giấy phép.pdf" in html
    assert 'name="file"' in html and 'value="compliant"' in html
    assert "/media/" not in html
