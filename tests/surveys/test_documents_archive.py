"""The documents ZIP written in chunks (surveys/documents_archive.py, surveys/tasks.py,
docs/documents.md §5): chunks of 2 give the archive one chunk gives; a chunk that dies after
appending continues from the recorded point with every document once; the next chunk is
published (and published again when its publisher may have died); failures still fail the job;
a request in eager mode runs every chunk; the job page shows the progress."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from surveys import documents
from surveys.models import Campaign, ExportJob, Response
from surveys.tasks import export_xlsx_task

DEMO_CAMPAIGN = "Báo cáo KCN sinh thái 2025"


class WorkerDied(BaseException):  # noqa: N818  (not an Exception: the task must not catch it)
    """A worker's death in the middle of a chunk (nothing after it runs)."""


@pytest.fixture
def demo(catalogue, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    call_command("load_demo", verbosity=0)
    return Campaign.objects.get(name=DEMO_CAMPAIGN), catalogue.amata


def _expected_names(campaign, park, fmt: str) -> list[str]:
    """EZ_<form>_<id>.<fmt> for every response of the park and its tenants (by id) and form it
    files, in filing order."""
    names = []
    for r in Response.objects.filter(campaign=campaign, park=park).order_by("pk"):
        forms = ("B4", "B5") if r.enterprise_id else ("A4", "A5")
        names += [f"EZ_{form}_{r.pk}.{fmt}" for form in forms]
    return names


def _job(campaign, user, park, fmt="docx") -> ExportJob:
    return ExportJob.objects.create(campaign=campaign, requested_by=user, shape=fmt, park=park)


def _archive(job: ExportJob) -> zipfile.ZipFile:
    job.refresh_from_db()
    return zipfile.ZipFile(io.BytesIO(job.file.read()))


def _work_files(job: ExportJob) -> list[str]:
    """The files beside the job's ZIP (saved directories of chunks)."""
    return sorted(p.name for p in Path(job.file.path).parent.iterdir())


@pytest.mark.django_db
def test_chunks_of_two_write_the_same_archive_as_one_chunk(demo, settings, personas):
    expected = _expected_names(*demo, "docx")
    assert len(expected) == 12  # Amata's A.4, A.5 and its 5 demo tenants' B.4, B.5
    settings.ECOPARK_DOCUMENTS_CHUNK = 1000
    whole = _job(demo[0], personas.ministry, demo[1])
    assert export_xlsx_task(whole.pk) == "done"
    settings.ECOPARK_DOCUMENTS_CHUNK = 2
    chunked = _job(demo[0], personas.ministry, demo[1])
    assert export_xlsx_task(chunked.pk) == "done"  # eager: the chunks one after another
    one, many = _archive(whole), _archive(chunked)
    assert one.namelist() == many.namelist() == expected
    assert [i.file_size for i in one.infolist()] == [i.file_size for i in many.infolist()]
    assert many.testzip() is None
    # 12 documents in chunks of 2: 6 full chunks, then one that finds nothing left
    assert (chunked.chunks_done, chunked.rows_written, chunked.total) == (7, 12, 12)
    assert (whole.chunks_done, whole.rows_written, whole.total) == (1, 12, 12)
    last = Response.objects.filter(campaign=demo[0], park=demo[1]).order_by("pk").last()
    assert (chunked.resume_response, chunked.resume_form) == (last.pk, "B5")
    assert chunked.archive_size == Path(chunked.file.path).stat().st_size
    assert _work_files(chunked) == sorted(
        [Path(whole.file.name).name, Path(chunked.file.name).name]
    )  # no saved directory left once done


@pytest.mark.django_db
@pytest.mark.parametrize("damage", ["closed", "cut"])
def test_a_chunk_that_died_after_appending_continues_with_every_document_once(
    demo, settings, personas, monkeypatch, client, damage
):
    """Chunks of 2: chunks 0 and 1 record 4 documents; chunk 2 appends the 5th, then dies
    while writing the 6th. ``closed``: the ZIP was closed on the way out (5 entries, a valid
    central directory); ``cut``: the file ends in the middle of the 5th entry, the recorded
    directory partly overwritten. Run again, chunk 2 writes the 5th once more and the rest."""
    settings.ECOPARK_DOCUMENTS_CHUNK = 2
    expected = _expected_names(*demo, "docx")
    job = _job(demo[0], personas.ministry, demo[1])
    real = documents.write_document
    calls = []

    def dying(doc, fmt):
        calls.append(doc.code)
        if len(calls) == 6:
            raise WorkerDied
        return real(doc, fmt)

    monkeypatch.setattr(documents, "write_document", dying)
    with pytest.raises(WorkerDied):
        export_xlsx_task(job.pk)
    job.refresh_from_db()
    assert (job.status, job.chunks_done, job.rows_written, job.total) == ("running", 2, 4, 12)
    first_four = expected[:4]
    resume = first_four[-1].split("_")  # EZ, A5, <id>.docx
    assert (job.resume_form, job.resume_response) == (resume[1], int(resume[2].split(".")[0]))
    path = Path(job.file.path)
    if damage == "closed":
        assert zipfile.ZipFile(path).namelist() == expected[:5]
    else:
        with path.open("r+b") as file:
            file.truncate(job.archive_size + 100)
        with pytest.raises(zipfile.BadZipFile):
            zipfile.ZipFile(path)
    # the job page shows the recorded progress
    client.force_login(personas.ministry)
    page = client.get(reverse("surveys:excel_export_job", args=[job.pk])).text
    assert '<progress id="job-progress" max="12" value="4">' in page
    assert "4 trên 12 văn bản" in page  # "4 of 12 documents", Vietnamese first

    monkeypatch.setattr(documents, "write_document", real)
    assert export_xlsx_task(job.pk) == "running"  # a stale delivery of chunk 0: nothing done
    assert export_xlsx_task(job.pk, chunk=2) == "done"  # chunk 2 delivered again
    archive = _archive(job)
    assert archive.namelist() == expected  # every document exactly once, in order
    assert archive.testzip() is None
    assert (job.rows_written, job.total, job.chunks_done) == (12, 12, 7)
    assert _work_files(job) == [path.name]


@pytest.mark.django_db
def test_each_chunk_publishes_the_next_and_a_redelivered_chunk_publishes_it_again(
    demo, settings, personas, monkeypatch
):
    from ecopark.celery import app

    settings.ECOPARK_DOCUMENTS_CHUNK = 5
    published = []
    monkeypatch.setattr(
        export_xlsx_task, "apply_async", lambda args, kwargs, **_: published.append(kwargs)
    )
    app.conf.task_always_eager = False  # as under a worker (the fixture restores it)
    job = _job(demo[0], personas.ministry, demo[1])
    assert export_xlsx_task(job.pk) == "running"
    job.refresh_from_db()
    assert (job.chunks_done, job.rows_written, published) == (1, 5, [{"chunk": 1}])
    # chunk 0 delivered again (its worker died after recording it): chunk 1 published again
    assert export_xlsx_task(job.pk, chunk=0) == "running"
    assert published == [{"chunk": 1}, {"chunk": 1}]
    assert export_xlsx_task(job.pk, chunk=1) == "running"
    assert export_xlsx_task(job.pk, chunk=1) == "running"  # the duplicate finds it recorded
    assert export_xlsx_task(job.pk, chunk=0) == "running"  # too old: nothing published
    assert published == [{"chunk": 1}, {"chunk": 1}, {"chunk": 2}, {"chunk": 2}]
    assert export_xlsx_task(job.pk, chunk=2) == "done"  # the last 2 of 12 documents
    assert len(published) == 4
    assert _archive(job).namelist() == _expected_names(*demo, "docx")


@pytest.mark.django_db
def test_a_failing_chunk_fails_the_job_with_its_message_and_deletes_the_partial_zip(
    demo, settings, personas, monkeypatch
):
    settings.ECOPARK_DOCUMENTS_CHUNK = 2
    job = _job(demo[0], personas.ministry, demo[1], fmt="pdf")
    real = documents.write_document
    calls = []

    def failing(doc, fmt):
        calls.append(doc.code)
        if len(calls) == 3:
            raise OSError("disk full")
        return real(doc, fmt)

    monkeypatch.setattr(documents, "write_document", failing)
    assert export_xlsx_task(job.pk) == "failed"
    job.refresh_from_db()
    assert (job.error, job.file.name, job.rows_written) == ("OSError: disk full", "", 2)
    assert list((Path(settings.MEDIA_ROOT) / "exports").iterdir()) == []


@pytest.mark.django_db
def test_a_request_in_eager_mode_runs_every_chunk(
    demo, settings, personas, client, django_capture_on_commit_callbacks
):
    campaign, amata = demo
    settings.ECOPARK_DOCUMENTS_CHUNK = 5
    client.force_login(personas.ministry)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("surveys:documents_archive", args=[campaign.pk]),
            {"format": "docx", "park": amata.pk},
        )
    job = ExportJob.objects.get(requested_by=personas.ministry)
    assert (job.status, job.chunks_done, job.rows_written) == ("done", 3, 12)  # 5 + 5 + 2
    download = client.get(reverse("surveys:excel_export_download", args=[job.pk]))
    names = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content))).namelist()
    assert names == _expected_names(*demo, "docx")
    page = client.get(reverse("surveys:excel_export_job", args=[job.pk])).text
    assert 'id="job-result"' in page and "12" in page


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_writes_the_boards_zip_chunk_by_chunk_through_the_broker(
    personas, campaign_2025, settings, tmp_path
):
    from surveys.tasks import export_xlsx_publish

    from ..test_services import real_worker, require_real_services, wait_for

    require_real_services()
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.ECOPARK_DOCUMENTS_CHUNK = 2
    campaign_2025.report_forms = ["A.4", "A.5", "B.4", "B.5"]
    campaign_2025.save(update_fields=["report_forms"])
    dong_nai = personas.catalogue.dong_nai
    job = ExportJob.objects.create(
        campaign=campaign_2025, requested_by=personas.board, shape="docx", province=dong_nai
    )
    with real_worker() as app:
        app.conf.task_always_eager = False
        assert export_xlsx_publish(job_id=job.pk)
        assert wait_for(
            lambda: ExportJob.objects.get(pk=job.pk).status in ("done", "failed"), timeout=90
        ), "the worker did not finish the ZIP within 90 s"
    job.refresh_from_db()
    expected = []
    for r in Response.objects.filter(campaign=campaign_2025, park__province=dong_nai).order_by(
        "pk"
    ):
        forms = ("B4", "B5") if r.enterprise_id else ("A4", "A5")
        expected += [f"EZ_{form}_{r.pk}.docx" for form in forms]
    # Amata's A.4, A.5 and enterprises A's and B's B.4, B.5: 3 chunks of 2, then an empty one
    assert (job.status, job.rows_written, job.total, job.chunks_done) == ("done", 6, 6, 4)
    assert _archive(job).namelist() == expected
