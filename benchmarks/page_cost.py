#!/usr/bin/env python
"""What loading the logged-in user costs on every page; prints ONE JSON line of figures.

    python benchmarks/page_cost.py [--root PATH] [--requests 400] [--lookups 3000]

``--root`` is the source tree to measure (default: this one), so that two trees (e.g. before
and after a change of ``enterprises/backends.py``) can be compared with the same script on the
same machine. A temporary SQLite database is migrated and given the reference data, the
frameworks and the demo (``load_demo``), then removed.

Figures, in one process of the measured tree (Django's test client, no network):

- ``get_user_ms``: median time of the authentication backend's ``get_user`` for the demo park
  manager (the lookup every page with a session makes), over ``--lookups`` calls;
- ``page_ms`` and ``page_queries``: median time and query count of a request of Amata's park
  dashboard by its park manager (cached body and page, as in use), over ``--requests``;
- ``login_page_ms``: the same for the login page requested with the session (the smallest
  page that loads the user).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent

MEASURE = r"""
import json, statistics, time
from django.conf import settings
from django.contrib.auth import get_user_model, load_backend
from django.db import connection
from django.test import Client
from enterprises.models import Park

settings.ALLOWED_HOSTS = ["*"]
user = get_user_model().objects.get(username="amata-manager")
backend = load_backend(settings.AUTHENTICATION_BACKENDS[-1])
LOOKUPS, REQUESTS = {lookups}, {requests}
for _ in range(50):
    backend.get_user(user.pk)
samples = []
for _ in range(LOOKUPS):
    t = time.perf_counter(); backend.get_user(user.pk); samples.append(time.perf_counter() - t)
get_user_ms = statistics.median(samples) * 1000
client = Client()
client.force_login(user)
park = Park.objects.get(name_vi="Khu công nghiệp Amata")
out = {{"get_user_ms": round(get_user_ms, 4)}}
for name, url in (("page", f"/parks/{{park.pk}}/"), ("login_page", "/accounts/login/")):
    for _ in range(5):
        assert client.get(url).status_code == 200
    count = [0]

    def counter(execute, sql, params, many, context):
        count[0] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counter):
        client.get(url)
    samples = []
    for _ in range(REQUESTS):
        t = time.perf_counter(); client.get(url); samples.append(time.perf_counter() - t)
    out[name + "_ms"] = round(statistics.median(samples) * 1000, 3)
    out[name + "_queries"] = count[0]
print(json.dumps(out))
"""


def manage(root: Path, env: dict, *args: str, stdin: str | None = None) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        input=stdin,
    )
    if result.returncode != 0:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return result.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=HERE, help="source tree to measure")
    parser.add_argument("--requests", type=int, default=400, help="page requests (400)")
    parser.add_argument("--lookups", type=int, default=3000, help="get_user calls (3000)")
    args = parser.parse_args()
    if args.requests < 10 or args.lookups < 100:
        parser.error("--requests must be at least 10 and --lookups at least 100")
    root = args.root.resolve()
    scratch = Path(tempfile.mkdtemp(prefix="ecopark-page-cost-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CELERY_", "CACHE_"))}
    env.update(
        {
            "DATABASE_URL": f"sqlite:///{scratch / 'db.sqlite3'}",
            "STATIC_ROOT": str(scratch / "static"),
            "MEDIA_ROOT": str(scratch / "media"),
            "LOG_LEVEL": "WARNING",
            "DJANGO_DEBUG": "false",
        }
    )
    try:
        for command in ("migrate", "load_reference", "load_frameworks", "load_demo"):
            manage(root, env, command)
        code = MEASURE.format(lookups=args.lookups, requests=args.requests)
        lines = manage(root, env, "shell", stdin=code).strip().splitlines()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    figures = json.loads(lines[-1])
    print(json.dumps({"root": str(root), **figures}))


if __name__ == "__main__":
    main()
