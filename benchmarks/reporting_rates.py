#!/usr/bin/env python
"""Benchmark of the reporting rates on the national dashboard (surveys/periods.py).

Builds a throwaway national campaign of P parks spread over 20 throwaway provinces, each with its
own response and its tenants' (E responses in all), where 70 % of the reports came in on time,
10 % late (1–45 days) and 20 % not at all, then times, in the same run and on the same data:

* ``rates_national_s``: :func:`surveys.selectors.reporting_rates` over every response (what
  the national page and ``GET /api/v1/campaigns/{id}/reporting/`` add: one grouped count);
* ``rates_province_s``: the same for the largest province;
* ``park_table_s``: :func:`dashboards.selectors.park_table` over every park (the national
  page's main table, which was there before), and ``ratio`` = rates / table;
* ``page_national_s``: the whole national page body (``dashboards/_parks_body.html``)
  rendered without cache, rates included, and the rates' ``share_of_page``.

Each figure is the median of ``--repeats`` runs. Database: a temporary SQLite file by default
(removed afterwards); ``--database-url URL`` a scratch database it migrates first, used inside
a transaction that is rolled back. Prints ONE JSON line.

Usage: ``.venv/bin/python benchmarks/reporting_rates.py [--parks 480] [--responses 25480]
[--repeats 7] [--database-url URL]``
"""

from __future__ import annotations

import argparse
import datetime
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scratch_db import run_on_scratch_database  # noqa: E402  (benchmarks/ is on sys.path)


def build(n_parks: int, n_responses: int):
    """The throwaway provinces' parks, enterprises and campaign; returns the campaign."""
    import numpy as np
    from django.utils import timezone

    from enterprises.models import Enterprise, Park, Province
    from indicators.models import Framework, FrameworkVersion
    from surveys.models import Campaign, Response

    rng = np.random.default_rng(14)
    provinces = [
        Province.objects.get_or_create(code=f"9{i:01d}" if i < 10 else f"8{i - 10}", defaults={
            "name_vi": f"Tỉnh benchmark {i:02d}"})[0]
        for i in range(20)
    ]  # fmt: skip
    parks = Park.objects.bulk_create(
        Park(
            name_vi=f"KCN benchmark {i:04d}",
            name_en=f"Benchmark park {i:04d}",
            kind="industrial_park",
            province=provinces[int(rng.integers(0, len(provinces)))],
        )
        for i in range(n_parks)
    )
    tenants = n_responses - n_parks
    park_of = rng.integers(0, n_parks, size=tenants)
    enterprises = Enterprise.objects.bulk_create(
        (
            Enterprise(name=f"DN benchmark {i:05d}", tax_code=f"9{i:09d}", park=parks[park_of[i]])
            for i in range(tenants)
        ),
        batch_size=5000,
    )
    framework = Framework.objects.create(
        code=f"BR-{time.time_ns()}", title_vi="Benchmark", title_en="Benchmark"
    )
    version = FrameworkVersion.objects.create(
        framework=framework, number=1, title_vi="Benchmark", title_en="Benchmark",
        status=FrameworkVersion.Status.PUBLISHED,
    )  # fmt: skip
    campaign = Campaign.objects.create(
        name="Benchmark rates",
        period=2025,
        framework_version=version,
        scope=Campaign.Scope.PARKS,
        opens_on=datetime.date(2026, 1, 1),
        closes_on=datetime.date(2026, 3, 31),
    )
    closed = timezone.make_aware(datetime.datetime(2026, 3, 31, 9))
    draw = rng.random(n_responses)
    late = rng.integers(1, 46, size=n_responses)
    subjects = [(p, None) for p in parks] + [
        (parks[park_of[i]], e) for i, e in enumerate(enterprises)
    ]
    rows = []
    for i, (park, enterprise) in enumerate(subjects):
        days = 0 if draw[i] < 0.7 else int(late[i]) if draw[i] < 0.8 else None
        at = None if days is None else closed + datetime.timedelta(days=days or -10)
        rows.append(
            Response(
                campaign=campaign,
                park=park,
                enterprise=enterprise,
                status="draft" if days is None else "submitted",
                submitted_at=at,
                first_submitted_at=at,
                days_late=days,
            )
        )
    Response.objects.bulk_create(rows, batch_size=5000)
    return campaign


def median_seconds(func, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def run(args) -> dict:
    from django.db import connection
    from django.template.loader import render_to_string

    from dashboards.selectors import campaign_reporting, park_table
    from enterprises.models import Park
    from surveys.models import Response
    from surveys.selectors import reporting_rates

    campaign = build(args.parks, args.responses)
    parks = Park.objects.filter(responses__campaign=campaign).distinct()
    responses = Response.objects.filter(campaign=campaign)
    rates = reporting_rates(campaign=campaign, responses=responses)
    largest = max(rates.provinces, key=lambda p: p.rate.expected)
    in_province = responses.filter(park__province_id=largest.province_id)

    national = median_seconds(
        lambda: reporting_rates(campaign=campaign, responses=responses), args.repeats
    )
    province = median_seconds(
        lambda: reporting_rates(campaign=campaign, responses=in_province), args.repeats
    )
    table = median_seconds(lambda: park_table(parks=parks, campaign=campaign), args.repeats)

    def page():
        t = park_table(parks=parks, campaign=campaign)
        render_to_string(
            "dashboards/_parks_body.html",
            {
                "campaign": campaign,
                "t": t,
                "reporting": campaign_reporting(campaign=campaign, parks=parks),
                "reporting_level": "national",
                "map_figure": {},
                "histogram_figure": {},
            },
        )

    whole = median_seconds(page, args.repeats)
    return {
        "benchmark": "reporting_rates",
        "database": connection.vendor,
        "parks": args.parks,
        "provinces": len(rates.provinces),
        "responses": rates.total.expected,
        "on_time_late_missing": [rates.total.on_time, rates.total.late, rates.total.not_submitted],
        "repeats": args.repeats,
        "rates_national_s": round(national, 4),
        "rates_province_s": round(province, 4),
        "largest_province_responses": largest.rate.expected,
        "park_table_s": round(table, 4),
        "ratio_rates_to_table": round(national / table, 3),
        "page_national_s": round(whole, 4),
        "rates_share_of_page": round(national / whole, 3),
    }


def main() -> None:
    """Parse the arguments, set up Django on the chosen database, run, print one JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parks", type=int, default=480)
    parser.add_argument("--responses", type=int, default=25_480)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--database-url", help="a scratch database, migrated and rolled back")
    args = parser.parse_args()
    if args.parks < 1 or args.responses < args.parks or args.repeats < 1:
        parser.error("need --parks ≥ 1, --responses ≥ --parks and --repeats ≥ 1")
    figures = run_on_scratch_database(run, args, database_url=args.database_url)
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main()
