#!/usr/bin/env python
"""Benchmark of the official documents (surveys/documents.py, docs/documents.md).

On the synthetic national campaign (``manage.py generate_synthetic``, 480 parks and 25,000
enterprises by default, one period; generated when the database does not hold it yet), with the
campaign's report forms switched on (A.4, A.5, B.4, B.5), it measures in the same run:

* ``per_report``: for ``--reports`` responses (half parks', half enterprises'), the median
  time to read a response into its two documents (``build_s``), to write one document as DOCX
  (``docx_s``) and as PDF (``pdf_s``), and their sizes;
* ``zip``: the ZIP job's work (:func:`surveys.documents_archive.write_chunk` over
  :func:`surveys.documents.documents_after`, what the Celery task runs) for one park and its
  tenants — the park with the median number of tenants — in DOCX and in PDF in one chunk, and
  in DOCX in chunks of 10: wall time, chunks, documents, size, time per document;
* ``chunk_overhead``: what a chunk costs beyond its documents at the largest province's scale
  (as many 1 KB entries, in one chunk and in chunks of 100: restoring the file, reading and
  rewriting the central directory, saving it), per extra chunk;
* ``extrapolated``: the time and size of the ZIP of the largest province and of the whole
  campaign, from the per-document time and size of the park's ZIP (linear: each document is
  read and written on its own; stated as an extrapolation, not measured).

The database must be PostgreSQL and its name must contain ``bench`` (it writes synthetic
data). Prints ONE JSON line; fails when a ZIP does not hold one file per response and form.

Usage: ``.venv/bin/python benchmarks/report_documents.py --database-url
postgres://postgres@127.0.0.1:5432/ecopark_bench [--parks 480 --enterprises 25000]
[--reports 6] [--overhead-entries N]``
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def setup(url: str) -> None:
    if "bench" not in url.rsplit("/", 1)[-1]:
        raise SystemExit("the database's name must contain 'bench': it writes synthetic data")
    os.environ["DATABASE_URL"] = url
    os.environ["CELERY_BROKER_URL"] = ""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ecopark.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import logging

    import django

    django.setup()
    logging.getLogger("fontTools").setLevel(logging.WARNING)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def campaign_of(parks: int, enterprises: int):
    from django.core.management import call_command

    from enterprises.models import Park
    from surveys.models import Campaign

    if not Park.objects.filter(name_vi__contains="[SYN:national]").exists():
        call_command("load_reference", verbosity=0)
        call_command("load_frameworks", verbosity=0)
        call_command(
            "generate_synthetic", parks=parks, enterprises=enterprises, periods=1, verbosity=0
        )
    campaign = Campaign.objects.filter(name__contains="[SYN:national]").order_by("-period").first()
    campaign.report_forms = ["A.4", "A.5", "B.4", "B.5"]
    campaign.save(update_fields=["report_forms"])
    return campaign


def per_report(campaign, n: int) -> dict:
    from django.contrib.auth.models import AnonymousUser

    from surveys.documents import document_docx, document_pdf, report_documents
    from surveys.models import Response

    reader = AnonymousUser()
    picked = list(
        Response.objects.filter(campaign=campaign, enterprise__isnull=True).order_by("pk")[: n // 2]
    ) + list(
        Response.objects.filter(campaign=campaign, enterprise__isnull=False).order_by("pk")[
            : n - n // 2
        ]
    )
    document_pdf(report_documents(picked[0], reader)[0])  # fonts loaded once per process
    build, docx, pdf, docx_kb, pdf_kb = [], [], [], [], []
    for response in picked:
        started = time.perf_counter()
        docs = report_documents(response, reader)
        build.append(time.perf_counter() - started)
        for doc in docs:
            started = time.perf_counter()
            docx_kb.append(len(document_docx(doc)) / 1024)
            docx.append(time.perf_counter() - started)
            started = time.perf_counter()
            pdf_kb.append(len(document_pdf(doc)) / 1024)
            pdf.append(time.perf_counter() - started)
    assert len(docx) == len(pdf) == 2 * len(picked)
    med = statistics.median
    return {
        "reports": len(picked),
        "build_s": round(med(build), 3),
        "docx_s": round(med(docx), 3),
        "pdf_s": round(med(pdf), 3),
        "docx_kb": round(med(docx_kb), 1),
        "pdf_kb": round(med(pdf_kb), 1),
    }


def chunked(path: Path, documents_from, *, limit: int) -> tuple[object, int]:
    """Write the archive at ``path`` as the job does (:func:`surveys.documents_archive.write_chunk`
    chunk after chunk, each from the point the previous one returned); returns the final mark
    and the number of chunks. ``documents_from(after)`` gives the documents after a point."""
    from surveys.documents_archive import Mark, locked, write_chunk

    mark, chunks = Mark(), 0
    while not mark.final:
        with locked(path) as file:
            mark = write_chunk(
                file,
                path,
                mark,
                documents_from(mark.after),
                limit=limit,
                seconds=float("inf"),
                record=lambda new: True,
            )
        chunks += 1
    return mark, chunks


def zip_of(responses, fmt: str, *, limit: int) -> dict:
    import zipfile

    from django.contrib.auth.models import AnonymousUser

    from surveys.documents import documents_after, documents_count

    expected = documents_count(responses)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "documents.zip"
        started = time.perf_counter()
        mark, chunks = chunked(
            path,
            lambda after: documents_after(responses, AnonymousUser(), fmt=fmt, after=after),
            limit=limit,
        )
        seconds = time.perf_counter() - started
        size = path.stat().st_size
        names = zipfile.ZipFile(path).namelist()
    written = mark.count
    assert written == expected == len(names) == len(set(names)), (written, expected, len(names))
    return {
        "documents": written,
        "chunks": chunks,
        "seconds": round(seconds, 2),
        "mb": round(size / 2**20, 2),
        "s_per_document": round(seconds / written, 3),
        "kb_per_document": round(size / 1024 / written, 1),
    }


def chunk_overhead(entries: int, limit: int) -> dict:
    """What a chunk costs beyond its documents, at a province's scale: ``entries`` entries of
    1 KB (the central directory grows with their count, not their size) written in one chunk
    and in chunks of ``limit``, in the same run; the difference per extra chunk."""
    data = os.urandom(1024)

    def documents_from(after):
        start = 0 if after is None else after[0] + 1
        return ((i, "A4", f"EZ_A4_{i}.pdf", data) for i in range(start, entries))

    timings = {}
    for size in (entries, limit):
        with tempfile.TemporaryDirectory() as tmp:
            started = time.perf_counter()
            mark, chunks = chunked(Path(tmp) / "a.zip", documents_from, limit=size)
            timings[size] = (time.perf_counter() - started, chunks)
            assert mark.count == entries
    (one, one_chunks), (many, chunks) = timings[entries], timings[limit]
    return {
        "entries": entries,
        "chunk": limit,
        "chunks": chunks,
        "one_chunk_s": round(one, 2),
        "chunked_s": round(many, 2),
        "ms_per_extra_chunk": round(1000 * (many - one) / (chunks - one_chunks), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--parks", type=int, default=480)
    parser.add_argument("--enterprises", type=int, default=25000)
    parser.add_argument("--reports", type=int, default=6)
    parser.add_argument(
        "--overhead-entries",
        type=int,
        default=0,
        help="entries of the chunk-overhead archive (default: the largest province's documents)",
    )
    args = parser.parse_args()
    setup(args.database_url)
    from django.db.models import Count

    from surveys.documents import campaign_responses, documents_count

    campaign = campaign_of(args.parks, args.enterprises)
    everything = campaign_responses(campaign)
    parks = list(everything.values("park_id").annotate(n=Count("pk")).order_by("n", "park_id"))
    median_park = parks[len(parks) // 2]["park_id"]
    provinces = list(everything.values("park__province_id").annotate(n=Count("pk")).order_by("-n"))
    largest = campaign_responses(campaign, province=provinces[0]["park__province_id"])
    scope = campaign_responses(campaign).filter(park_id=median_park)
    result = {
        "benchmark": "report_documents",
        "campaign_responses": everything.count(),
        "campaign_documents": documents_count(everything),
        "largest_province_documents": documents_count(largest),
        "per_report": per_report(campaign, args.reports),
        "zip": {"park_responses": scope.count()},
    }
    result["zip"]["docx_chunks_of_10"] = zip_of(scope, "docx", limit=10)
    for fmt in ("docx", "pdf"):
        measured = zip_of(scope, fmt, limit=10**9)
        result["zip"][fmt] = measured
        for name, n in (
            ("largest_province", result["largest_province_documents"]),
            ("national", result["campaign_documents"]),
        ):
            result.setdefault("extrapolated", {})[f"{name}_{fmt}"] = {
                "hours": round(n * measured["s_per_document"] / 3600, 2),
                "gb": round(n * measured["kb_per_document"] / 2**20, 2),
            }
    result["chunk_overhead"] = chunk_overhead(
        args.overhead_entries or result["largest_province_documents"], 100
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
