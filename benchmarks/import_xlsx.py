#!/usr/bin/env python
"""Benchmark of the Excel import: 1,000 enterprises x 60 data elements.

Builds a throwaway park with N enterprises (valid tax codes) and a throwaway published
framework version with M enterprise data elements of mixed types (decimal, integer,
percentage, yes/no, choice, date, text), opens a campaign, downloads the template
(``surveys.interchange.template_write``), fills every cell (numbers as typed numbers and, for a
third of the decimal columns, as Vietnamese text such as ``1.234,5``), then imports it with
``import_check`` + ``import_save`` exactly as the upload page does.

Measured:

* ``import_seconds``: wall time of check + save (``time.perf_counter``), without tracing, and
  ``import_cpu_seconds`` the CPU time of this process meanwhile (``time.process_time``; less
  sensitive to a busy machine; ``load_average_1min_before`` says how busy it was);
* ``peak_traced_mib``: peak of Python allocations during a second, identical import of the
  same file into emptied responses, under ``tracemalloc`` (slower; its time is
  ``traced_import_seconds``);
* ``max_rss_mib_*``: the process's peak resident set size (``resource.getrusage(RUSAGE_SELF)
  .ru_maxrss``, a high-water mark including Django and building and filling the file with
  openpyxl in full mode) just before the import, just after it, and after the traced run
  (tracemalloc's own bookkeeping included); the import raised the peak only if
  ``after`` exceeds ``before``.

Database: a temporary SQLite file by default (removed afterwards); ``--configured-db`` uses the
(migrated) database of the environment (``DATABASE_URL``) and ``--database-url URL`` a scratch
database it migrates first, both inside a transaction that is rolled back, so nothing is left
behind. Prints ONE JSON line.

Usage: ``.venv/bin/python benchmarks/import_xlsx.py [--enterprises 1000] [--columns 60]
[--configured-db | --database-url URL]``
"""

from __future__ import annotations

import argparse
import datetime
import io
import json
import os
import resource
import sys
import time
import tracemalloc
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scratch_db import run_on_scratch_database  # noqa: E402  (benchmarks/ is on sys.path)

TYPES = (  # cycled over the columns: 60 columns give 20 decimal, 10 of each of the others
    "decimal",
    "integer",
    "percentage",
    "decimal",
    "yes_no",
    "choice",
    "decimal",
    "date",
    "text",
    "yes_no",
    "integer",
    "percentage",
)


def tax_codes(n: int) -> list[str]:
    """``n`` distinct valid Vietnamese tax codes (check digit per stdnum.vn.mst)."""
    from stdnum.vn import mst

    codes, body = [], 100_000_000
    while len(codes) < n:
        body += 1
        for check in range(10):
            candidate = f"{body:09d}{check}"
            if mst.is_valid(candidate):
                codes.append(candidate)
                break
    return codes


def build(n_enterprises: int, n_columns: int):
    """Create the throwaway park, enterprises, version and campaign; return (campaign, park,
    user, elements)."""
    from django.contrib.auth import get_user_model

    from enterprises.models import Enterprise, Park, Province, Role, UserScope
    from indicators.models import DataElement, Framework, FrameworkVersion
    from surveys.services import campaign_open

    province, _ = Province.objects.get_or_create(code="99", defaults={"name_vi": "Bench"})
    park = Park.objects.create(
        name_vi="KCN benchmark (throwaway)", name_en="Benchmark park", kind="industrial_park",
        province=province,
    )  # fmt: skip
    Enterprise.objects.bulk_create(
        Enterprise(name=f"Bench enterprise {i:04d}", tax_code=code, park=park, is_demo=True)
        for i, code in enumerate(tax_codes(n_enterprises))
    )
    framework = Framework.objects.create(
        code=f"BENCH-{time.time_ns()}", title_vi="Benchmark", title_en="Benchmark"
    )
    version = FrameworkVersion.objects.create(
        framework=framework, number=1, title_vi="Benchmark", title_en="Benchmark",
        status=FrameworkVersion.Status.PUBLISHED,
    )  # fmt: skip
    elements = DataElement.objects.bulk_create(
        DataElement(
            version=version,
            code=f"b{i:02d}_{vt}",
            applies_to="enterprise",
            value_type=vt,
            unit={"decimal": "m³", "percentage": "%"}.get(vt, ""),
            label_vi=f"Chỉ tiêu {i} ({vt})",
            label_en=f"Element {i} ({vt})",
            min_value=Decimal(0) if vt in ("decimal", "integer", "percentage") else None,
            max_value=Decimal(100) if vt == "percentage" else None,
            choices=["A", "B", "C"] if vt == "choice" else [],
            order=i,
        )
        for i, vt in enumerate(TYPES[i % len(TYPES)] for i in range(n_columns))
    )
    today = datetime.date.today()  # the reporting period is open today (surveys.periods)
    campaign = campaign_open(
        name="Benchmark campaign", period=2025, framework_version=version,
        opens_on=today - datetime.timedelta(days=30), closes_on=today + datetime.timedelta(days=60),
        parks=[park],
    )  # fmt: skip
    user = get_user_model().objects.create_user(username=f"bench-{time.time_ns()}")
    UserScope.objects.create(user=user, role=Role.PARK_MANAGER, park=park)
    return campaign, park, user, elements


def fill(template: bytes, elements) -> bytes:
    """Fill every data cell of the template with a valid value; return the file's bytes."""
    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(template))
    ws = wb.worksheets[0]
    decimal_seen = 0
    for col, element in enumerate(elements, start=3):
        vt = element.value_type
        if vt == "decimal":
            decimal_seen += 1
        as_text = vt == "decimal" and decimal_seen % 3 == 0
        for row in range(3, ws.max_row + 1):
            k = row * 7 + col
            if vt == "decimal":
                value = f"{k:,}".replace(",", ".") + ",5" if as_text else k + 0.25
            elif vt == "integer":
                value = k
            elif vt == "percentage":
                value = (k % 1000) / 1000  # the column is formatted as a percentage
            elif vt == "yes_no":
                value = "Có" if k % 2 else "Không"
            elif vt == "choice":
                value = "ABC"[k % 3]
            elif vt == "date":
                value = datetime.date(2025, 1 + k % 12, 1 + k % 28)
            else:
                value = f"Ghi chú số {k}"
            ws.cell(row=row, column=col, value=value)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def run(args) -> dict:
    from django.db import connection

    from surveys import interchange
    from surveys.models import Answer, Response

    campaign, park, user, elements = build(args.enterprises, args.columns)
    started = time.perf_counter()
    template = io.BytesIO()
    interchange.template_write(campaign=campaign, park=park, file=template)
    template_seconds = time.perf_counter() - started
    content = fill(template.getvalue(), elements)
    rss_before_import = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    def import_once():
        cpu0 = time.process_time()
        t0 = time.perf_counter()
        check = interchange.import_check(
            campaign=campaign, park=park, file=io.BytesIO(content), language="vi"
        )
        t1 = time.perf_counter()
        if check.errors:
            raise SystemExit(f"benchmark file has errors: {check.errors[:3]}")
        result = interchange.import_save(check=check, user=user)
        t2 = time.perf_counter()
        cpu_seconds.append(time.process_time() - cpu0)
        return check, result, t1 - t0, t2 - t1

    cpu_seconds: list[float] = []
    load_before = os.getloadavg()[0]
    check, result, check_seconds, save_seconds = import_once()
    written = result.answers_created + result.answers_updated
    rss_after_import = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    # the same import again into emptied responses, under tracemalloc, for the peak memory
    Answer.objects.filter(response__campaign=campaign).delete()
    Response.objects.filter(campaign=campaign).update(version=1)
    tracemalloc.start()
    _check2, _result2, traced_check, traced_save = import_once()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    return {
        "benchmark": "import_xlsx",
        "enterprises": args.enterprises,
        "columns": args.columns,
        "cells": args.enterprises * args.columns,
        "file_bytes": len(content),
        "database": connection.vendor + (" (configured)" if args.configured_db else " (temporary)"),
        "template_seconds": round(template_seconds, 3),
        "check_seconds": round(check_seconds, 3),
        "save_seconds": round(save_seconds, 3),
        "import_seconds": round(check_seconds + save_seconds, 3),
        "import_cpu_seconds": round(cpu_seconds[0], 3),
        "load_average_1min_before": round(load_before, 2),
        "rows_read": check.rows_read,
        "answers_written": written,
        "traced_import_seconds": round(traced_check + traced_save, 3),
        "peak_traced_mib": round(peak / 2**20, 1),
        "max_rss_mib_before_import": round(rss_before_import / 1024, 1),
        "max_rss_mib_after_import": round(rss_after_import / 1024, 1),
        "max_rss_mib_after_traced_import": round(
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1
        ),
    }


def main() -> None:
    """Parse the arguments, set up Django on the chosen database, run, print one JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--enterprises", type=int, default=1000)
    parser.add_argument("--columns", type=int, default=60)
    parser.add_argument(
        "--database-url",
        help="an existing, scratch database (e.g. postgres://user@127.0.0.1:5432/bench): "
        "migrated, then used inside a rolled-back transaction",
    )
    parser.add_argument(
        "--configured-db",
        action="store_true",
        help="use DATABASE_URL (inside a rolled-back transaction) instead of a temporary SQLite",
    )
    args = parser.parse_args()
    if args.database_url:
        args.configured_db = True
    figures = run_on_scratch_database(
        run,
        args,
        database_url=args.database_url,
        configured=args.configured_db,
        rollback=False,
    )
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main()
