#!/usr/bin/env python
"""Where an uncached dashboard render goes, in-process; prints ONE JSON line of figures.

    python benchmarks/page_profile.py [--requests 15] [--root /path/to/another/tree]

Uses the database of ``load_pages.py`` (``--database-url``, else ``BENCH_PAGES_DATABASE_URL``,
else ``postgres://postgres@127.0.0.1:5432/ecopark_bench_pages``; run ``load_pages.py`` once
first: it builds the data and the users ``bench-ministry`` and ``bench-manager``), with
``ECOPARK_DASHBOARD_CACHE_SECONDS=0`` (the page and body caches store nothing) and a
process-local cache. Requests, through Django's test client, the national dashboard as the
ministry and the largest park's dashboard as its manager, ``--requests`` times each after two
warm-up requests, and reports per page the median of: the whole request, the time in SQL
(``connection.execute_wrapper``) and the time inside each of the dashboards' functions that
exist in the tree (selectors, figures, the body and page templates; nested parts are inside
their callers: ``park_dashboard`` includes ``park_tenants``), all in milliseconds.

``--root`` imports the project from another tree (e.g. a worktree of ``main``), so the same
script measures before and after a change in one session.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/ecopark_bench_pages"

#: (module, function) timed when the tree has them; views import them by name, so the
#: copies in ``dashboards.views`` are wrapped too
PARTS = [
    ("dashboards.selectors", "park_table"),
    ("dashboards.selectors", "park_table_page"),
    ("dashboards.selectors", "campaign_reporting"),
    ("dashboards.selectors", "park_dashboard"),
    ("dashboards.selectors", "park_tenants"),
    ("dashboards.selectors", "park_tenant_index"),
    ("dashboards.figures", "park_map_figure"),
    ("dashboards.figures", "index_histogram_figure"),
    ("dashboards.figures", "category_share_figure"),
    ("dashboards.figures", "index_trend_figure"),
    ("dashboards.views", "_park_rows_page"),
    ("dashboards.views", "_tenant_rows_page"),
    ("dashboards.views", "render_to_string"),  # the body template
    ("dashboards.views", "render"),  # the page template around it
]
LABELS = {"render_to_string": "body_template", "render": "page_template"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url", default=os.environ.get("BENCH_PAGES_DATABASE_URL", DEFAULT_URL)
    )
    parser.add_argument("--requests", type=int, default=15)
    parser.add_argument("--root", default=str(Path(__file__).resolve().parent.parent))
    args = parser.parse_args()

    root = Path(args.root).resolve()
    sys.path.insert(0, str(root))
    os.chdir(root)
    os.environ.update(
        {
            "DATABASE_URL": args.database_url,
            "ECOPARK_DASHBOARD_CACHE_SECONDS": "0",
            "CELERY_BROKER_URL": "",
            "DJANGO_DEBUG": "false",
            "LOG_LEVEL": "WARNING",
        }
    )
    os.environ.pop("CACHE_URL", None)  # a process-local cache
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ecopark.settings")
    import django

    django.setup()
    import importlib

    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    from enterprises.models import UserScope

    setup_test_environment()  # the test client's host
    settings.ALLOWED_HOSTS = ["*"]
    # DEBUG off without collectstatic's manifest: static addresses unfingerprinted
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    spent: dict[str, float] = defaultdict(float)

    def timed(name, fn):
        @functools.wraps(fn)
        def wrapper(*a, **kw):
            t = time.perf_counter()
            try:
                return fn(*a, **kw)
            finally:
                spent[name] += (time.perf_counter() - t) * 1000

        return wrapper

    for module_name, name in PARTS:
        module = importlib.import_module(module_name)
        fn = getattr(module, name, None)
        if fn is None:
            continue
        label = LABELS.get(name, name)
        wrapped = timed(label, fn)
        setattr(module, name, wrapped)
        views = importlib.import_module("dashboards.views")
        if module_name != "dashboards.views" and getattr(views, name, None) is fn:
            setattr(views, name, wrapped)

    def sql(execute, sql_text, params, many, context):
        t = time.perf_counter()
        try:
            return execute(sql_text, params, many, context)
        finally:
            spent["sql"] += (time.perf_counter() - t) * 1000

    User = get_user_model()
    ministry = User.objects.get(username="bench-ministry")
    manager = User.objects.get(username="bench-manager")
    park_id = UserScope.objects.get(user=manager).park_id
    out = {
        "tree": str(root),
        "database": args.database_url.rsplit("/", 1)[-1],
        "loadavg_before": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "requests": args.requests,
        "unit": "ms, median per request",
    }
    for page, user, path in (
        ("national", ministry, "/parks/national/"),
        ("park", manager, f"/parks/{park_id}/"),
    ):
        client = Client()
        client.force_login(user)
        samples: dict[str, list[float]] = defaultdict(list)
        for i in range(args.requests + 2):
            spent.clear()
            with connection.execute_wrapper(sql):
                t = time.perf_counter()
                response = client.get(path)
                total = (time.perf_counter() - t) * 1000
            if response.status_code != 200:
                raise SystemExit(f"{path} answered {response.status_code}")
            if i < 2:
                continue  # warm-up
            samples["total"].append(total)
            for name, ms in spent.items():
                samples[name].append(ms)
        out[page] = {
            name: round(statistics.median(values + [0.0] * (args.requests - len(values))), 1)
            for name, values in samples.items()
        }
        out[page]["kb"] = round(len(response.content) / 1024, 1)
    out["loadavg_after"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(json.dumps(out))


if __name__ == "__main__":
    main()
