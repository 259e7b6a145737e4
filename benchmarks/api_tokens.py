#!/usr/bin/env python
"""A script reading the scores API with a personal token or with HTTP basic authentication;
prints ONE JSON line of figures.

    python benchmarks/api_tokens.py [--basic-requests 20] [--token-requests 400]
    python benchmarks/api_tokens.py --database-url postgres://postgres@127.0.0.1:5432/ecopark_bench_tokens

Without ``--database-url`` the database is a temporary SQLite file, removed afterwards; with
it, a PostgreSQL database whose name contains ``bench`` (created when missing; never the
application's; the server keeps its connections, ``conn_max_age=600``). Either is migrated and given the reference data, the frameworks and the demo
(``load_demo``: Amata's scores), and a personal token is created for ``amata-manager``.

The project is then served by gunicorn (one sync worker, DEBUG off) on 127.0.0.1, and this
process reads ``GET /api/v1/parks/{Amata}/scores/`` one request after another, as a script
does: first ``--basic-requests`` times with ``Authorization: Basic …`` (Django's password
hasher runs on every request: PBKDF2-SHA256 with Django 5.2's 1,000,000 iterations), then
``--token-requests`` times with ``Authorization: Token …`` (django-rest-knox: one SHA-512 of
the token). Each series starts with two unmeasured requests. The API's per-user throttle is
raised for the run (``ECOPARK_API_USER_RATE``) so that it measures authentication, not the
throttle. Only loopback addresses are used; every series is bounded by its count.

Figures: requests per second and median latency (ms) of each series, ``ratio`` = token
requests per second / basic requests per second (target ≥ 20), the hasher and its iterations.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

# the page benchmark's manage.py runner, from the script's own folder
from load_pages import manage

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
USERNAME = "amata-manager"
DEMO_PASSWORD = "ecopark-demo"
TARGET_RATIO = 20


def log(message: str) -> None:
    print(f"[bench-tokens] {message}", file=sys.stderr, flush=True)


SETUP = r"""
import json
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import get_hasher
from enterprises.models import Park
from enterprises.services_people import api_token_create

user = get_user_model().objects.get(username="amata-manager")
_row, token = api_token_create(user=user, days=30)
hasher = get_hasher()
print(json.dumps({
    "park_id": Park.objects.get(name_vi="Khu công nghiệp Amata").pk,
    "token": token,
    "hasher": hasher.algorithm,
    "iterations": getattr(hasher, "iterations", None),
}))
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def series(url: str, authorization: str, count: int) -> list[float]:
    """Seconds of each of ``count`` sequential GETs (after two unmeasured ones); raises on a
    non-200 answer."""
    request = urllib.request.Request(url, headers={"Authorization": authorization})
    out = []
    for i in range(count + 2):
        start = time.perf_counter()
        with urllib.request.urlopen(request, timeout=60) as answer:
            answer.read()
            if answer.status != 200:
                raise SystemExit(f"{url} answered {answer.status}")
        if i >= 2:
            out.append(time.perf_counter() - start)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="PostgreSQL database whose name holds 'bench'")
    parser.add_argument("--basic-requests", type=int, default=20, help="at least 5 (20)")
    parser.add_argument("--token-requests", type=int, default=400, help="at least 20 (400)")
    args = parser.parse_args()
    if args.basic_requests < 5 or args.token_requests < 20:
        parser.error("--basic-requests must be at least 5 and --token-requests at least 20")
    scratch = Path(tempfile.mkdtemp(prefix="ecopark-bench-tokens-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("CELERY_")}
    if args.database_url:
        from recompute import ensure_database

        ensure_database(args.database_url, fresh=False)
        # the server keeps its connections, as a production deployment does
        separator = "&" if "?" in args.database_url else "?"
        env["DATABASE_URL"] = f"{args.database_url}{separator}conn_max_age=600"
    else:
        env["DATABASE_URL"] = f"sqlite:///{scratch / 'bench.sqlite3'}"
    env.update(
        {
            "DJANGO_DEBUG": "false",
            "ECOPARK_API_USER_RATE": "1000000/minute",
            "STATIC_ROOT": str(scratch / "static"),
            "MEDIA_ROOT": str(scratch / "media"),
            "LOG_LEVEL": "WARNING",
        }
    )
    server = None
    try:
        log("migrating and loading the reference data, frameworks and demo")
        manage(env, "migrate", "--noinput")
        manage(env, "load_reference")
        manage(env, "load_frameworks")
        manage(env, "load_demo")
        facts = json.loads(manage(env, "shell", "-c", SETUP).strip().splitlines()[-1])
        port = free_port()
        server = subprocess.Popen(
            [PYTHON, "-m", "gunicorn", "ecopark.wsgi", "--workers", "1",
             "--bind", f"127.0.0.1:{port}", "--log-level", "warning"],
            cwd=ROOT, env=env,
        )  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=2).read()
                break
            except OSError:
                time.sleep(0.1)
        url = f"{base}/api/v1/parks/{facts['park_id']}/scores/"
        basic = "Basic " + base64.b64encode(f"{USERNAME}:{DEMO_PASSWORD}".encode()).decode()
        log(f"{args.basic_requests} requests with basic authentication")
        basic_times = series(url, basic, args.basic_requests)
        log(f"{args.token_requests} requests with a personal token")
        token_times = series(url, f"Token {facts['token']}", args.token_requests)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        shutil.rmtree(scratch, ignore_errors=True)
    basic_rps = len(basic_times) / sum(basic_times)
    token_rps = len(token_times) / sum(token_times)
    print(
        json.dumps(
            {
                "endpoint": "/api/v1/parks/{id}/scores/",
                "database": "postgresql" if args.database_url else "sqlite",
                "hasher": facts["hasher"],
                "iterations": facts["iterations"],
                "basic_requests": len(basic_times),
                "basic_rps": round(basic_rps, 2),
                "basic_p50_ms": round(statistics.median(basic_times) * 1000, 1),
                "token_requests": len(token_times),
                "token_rps": round(token_rps, 1),
                "token_p50_ms": round(statistics.median(token_times) * 1000, 1),
                "ratio": round(token_rps / basic_rps, 1),
                "target_met": token_rps / basic_rps >= TARGET_RATIO,
            }
        )
    )


if __name__ == "__main__":
    main()
