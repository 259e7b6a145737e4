#!/usr/bin/env python
"""Load test of the dashboard pages; prints ONE JSON line of figures.

    python benchmarks/load_pages.py [--duration 20] [--connections 8] [--workers 2]

PostgreSQL: ``--database-url``, else ``BENCH_PAGES_DATABASE_URL``, else
``postgres://postgres@127.0.0.1:5432/ecopark_bench_pages`` (created when missing; a database of
its own, never the application's). The first run loads the reference data, the frameworks and
the synthetic national data (``generate_synthetic``: 480 parks, 25 000 enterprises, 3 periods on
VN-2022 as shipped), scores every campaign (``campaign_recompute``) and creates two benchmark
users; later runs reuse them (``--fresh`` drops the database first).

Then it serves the project with gunicorn (``--workers`` sync workers, DEBUG off, static files
collected into a temporary folder) on 127.0.0.1 and drives it from another process with
``wrk`` (Debian package ``wrk``) for ``--duration`` seconds per page, ``--connections``
connections, logged in through the real login form. Pages, in one run on the same server:

- ``trivial``: ``/healthz`` (JSON, no database, no session);
- ``trivial_logged_in``: the login page requested with the ministry's session (the same
  session and user lookups as every dashboard, a small template, nothing else);
- ``national``: the ministry's national dashboard (every park of the latest campaign);
- ``park``: the park dashboard of the park with the most enterprises, as its park manager;
- ``national_first_view``, ``park_first_view``: the same pages with a new CSRF cookie on every
  request, so the per-session page cache never answers (the first view of a page in a
  session: the shared body is cached, the page around it is rendered). Reported, not
  targeted;
- ``scores_api``: ``/api/v1/scores/`` as the ministry (the national table as JSON, 577 parks),
  served from its cached gzipped copy (target ≥ 0.30 of ``trivial``);
- ``national_uncached``, ``park_uncached``: the two dashboards from a second server whose
  page and body caches miss on every request (``ECOPARK_DASHBOARD_CACHE_SECONDS=0``: nothing
  is stored), i.e. the cost of rendering each page after a change; measured against that
  server's own ``trivial`` (``trivial_uncached_server``). Target ≥ 0.25 of ``trivial``.

The warmed figures (``national``, ``park``, ``scores_api``) are cache hits: what a reader gets
while nothing changes. The uncached figures are what every reader gets right after a change
of the page's park (or, for the national page, of any park in the campaign).

Every request carries ``Accept-Encoding: gzip, deflate, br, zstd`` as browsers send it; the
dashboards answer with their gzipped copy (``kb_per_response`` is what went over the wire).
The server's shared cache is Redis (``--cache-url``, default ``redis://127.0.0.1:6379/14``;
sessions are read from it), as the deployment in ``docker-compose.yml`` has it.

The server keeps its database connections (``conn_max_age=600`` in its ``DATABASE_URL``), as
a production deployment does; without it every request opens a PostgreSQL connection. Its
per-user API rate is raised (``api_user_rate`` in the JSON): the throttle still counts every
request, but 8 connections send more than the default 3,600 a minute.

Each page is requested a few times before its measurement (warm caches and connections).
Figures: requests per second and p50/p95/p99 latency (ms) per page, each page's share of the
trivial view's requests per second, ``national_uncached_ratio`` and ``park_uncached_ratio``
(target ≥ 0.25), ``scores_api_ratio`` (target ≥ 0.30), and the count of errors and non-2xx
answers (must be 0). Only loopback addresses are used; every
run is bounded by ``--duration``.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

# the national benchmark's database check (PostgreSQL only, a name containing "bench", one-line
# errors), from the script's own folder
from recompute import ensure_database

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/ecopark_bench_pages"
PASSWORD = "bench-pages-1"
TARGET_SHARE = 0.30
TARGET_UNCACHED = 0.25
#: the served project's per-user API rate (``ECOPARK_API_USER_RATE``) during the run
API_USER_RATE = "1000000/minute"
#: what a browser (Chromium, Firefox) sends; dashboards answer it with their gzipped copy
ACCEPT_ENCODING = "gzip, deflate, br, zstd"

WRK_SCRIPT = """
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.status + summary.errors.timeout
  io.write(string.format(
    '{"requests": %d, "seconds": %.3f, "p50_us": %d, "p95_us": %d, "p99_us": %d, '
    .. '"errors": %d, "non_2xx": %d, "bytes": %d}\\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), errors, summary.errors.status, summary.bytes))
end
"""


#: a wrk request function that sends the session with a new CSRF cookie on every request, so
#: the per-session page cache never answers: the first view of a page in a session (the body
#: still comes from the shared body cache, the page around it is rendered)
FIRST_VIEW_REQUEST = """
local session_cookie = "%s"
local letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
math.randomseed(os.time())
request = function()
  local token = {}
  for i = 1, 32 do
    local k = math.random(1, #letters)
    token[i] = letters:sub(k, k)
  end
  wrk.headers["Cookie"] = session_cookie .. "; csrftoken=" .. table.concat(token)
  return wrk.format()
end
"""


def log(message: str) -> None:
    print(f"[bench-pages] {message}", file=sys.stderr, flush=True)


def manage(env: dict, *args: str) -> str:
    result = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if result.returncode != 0:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return result.stdout


SETUP = r"""
import json
from django.contrib.auth import get_user_model
from enterprises.models import Enterprise, Park, Role, UserScope
from dashboards.models import ScoreSnapshot
from dashboards.services import campaign_recompute
from surveys.models import Campaign
from django.db.models import Count

campaigns = list(Campaign.objects.filter(name__contains="[SYN:").order_by("period"))
for c in campaigns:
    if not ScoreSnapshot.objects.filter(campaign=c, enterprise__isnull=True).exists():
        campaign_recompute(campaign_id=c.pk)
park = (
    Park.objects.filter(name_vi__contains="[SYN:")
    .annotate(n=Count("enterprises"))
    .order_by("-n", "pk")
    .first()
)
User = get_user_model()
for username, role, scope_park in (
    ("bench-ministry", Role.MINISTRY, None),
    ("bench-manager", Role.PARK_MANAGER, park),
):
    user, _ = User.objects.get_or_create(username=username)
    user.set_password(PASSWORD)
    user.save()
    UserScope.objects.update_or_create(
        user=user,
        defaults={"role": role, "park": scope_park, "province": None, "enterprise": None},
    )
print(json.dumps({
    "park_id": park.pk,
    "park_enterprises": Enterprise.objects.filter(park=park).count(),
    "parks": Park.objects.count(),
    "enterprises": Enterprise.objects.count(),
    "campaigns": len(campaigns),
    "park_snapshots": ScoreSnapshot.objects.filter(enterprise__isnull=True).count(),
}))
"""


def prepare(env: dict, *, parks: int, enterprises: int) -> dict:
    """Migrate, load and score the synthetic national data (idempotent); return facts."""
    log("migrating and loading the reference data and frameworks")
    manage(env, "migrate", "--noinput")
    manage(env, "load_reference")
    manage(env, "load_frameworks")
    log(f"synthetic national data: {parks} parks, {enterprises} enterprises, 3 periods")
    t = time.monotonic()
    manage(
        env,
        "generate_synthetic",
        "--parks", str(parks),
        "--enterprises", str(enterprises),
        "--periods", "3",
        "--seed", "1",
        "--dataset", "pages",
        "--framework", "VN-2022",
    )  # fmt: skip
    log(f"  data ready in {time.monotonic() - t:.0f} s; scoring every campaign")
    t = time.monotonic()
    out = manage(env, "shell", "-c", f"PASSWORD = {PASSWORD!r}\n" + SETUP)
    log(f"  scores ready in {time.monotonic() - t:.0f} s")
    return json.loads(out.strip().splitlines()[-1])


def server_env(database_url: str, static_root: str) -> dict:
    """The environment of the served project: DEBUG off (static files fingerprinted and
    compressed by ``collectstatic`` into ``static_root``), no broker, warnings only."""
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": "",
        "DJANGO_DEBUG": "false",
        "STATIC_ROOT": static_root,
        "LOG_LEVEL": "WARNING",
    }


def stop(server: subprocess.Popen) -> None:
    """Stop the served project (SIGTERM, then SIGKILL after 20 s)."""
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(base: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("gunicorn did not answer /healthz in time")


def login(base: str, username: str) -> str:
    """Log in through the login form; return the session cookie header value."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.open(f"{base}/accounts/login/").read()
    token = next(c.value for c in jar if c.name == "csrftoken")
    data = urllib.parse.urlencode(
        {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token}
    ).encode()
    request = urllib.request.Request(
        f"{base}/accounts/login/", data=data, headers={"Referer": f"{base}/accounts/login/"}
    )
    opener.open(request).read()
    cookies = {c.name: c.value for c in jar}
    if "sessionid" not in cookies:
        raise SystemExit(f"login of {username} failed")
    return "; ".join(f"{k}={v}" for k, v in cookies.items())


def fetch(base: str, path: str, cookie: str) -> tuple[int, int]:
    request = urllib.request.Request(f"{base}{path}", headers={"Cookie": cookie})
    with urllib.request.urlopen(request, timeout=60) as r:
        return r.status, len(r.read())


def run_wrk(url: str, *, cookie: str | None, duration: int, connections: int, script: Path) -> dict:
    cmd = [
        "wrk",
        "-t1",
        f"-c{connections}",
        f"-d{duration}s",
        "--timeout",
        "10s",
        "-s",
        str(script),
    ]
    cmd += ["-H", f"Accept-Encoding: {ACCEPT_ENCODING}"]  # as every browser sends
    if cookie:
        cmd += ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(cmd + [url], capture_output=True, text=True, timeout=duration + 60)
    line = next(ln for ln in out.stdout.splitlines() if ln.startswith("{"))
    figures = json.loads(line)
    return {
        "rps": round(figures["requests"] / figures["seconds"], 1),
        "p50_ms": round(figures["p50_us"] / 1000, 2),
        "p95_ms": round(figures["p95_us"] / 1000, 2),
        "p99_ms": round(figures["p99_us"] / 1000, 2),
        "requests": figures["requests"],
        "errors": figures["errors"],
        "non_2xx": figures["non_2xx"],
        "kb_per_response": round(figures["bytes"] / max(figures["requests"], 1) / 1024, 1),
    }


#: (name, path, who, first view) on the server with its caches
CACHED_PAGES = [
    ("trivial", "/healthz", None, False),
    ("trivial_logged_in", "/accounts/login/", "ministry", False),
    ("national", "/parks/national/", "ministry", False),
    ("park", "{park}", "manager", False),
    ("national_first_view", "/parks/national/", "ministry", True),
    ("park_first_view", "{park}", "manager", True),
    ("scores_api", "/api/v1/scores/", "ministry", False),
]
#: on the second server, whose page caches store nothing
UNCACHED_PAGES = [
    ("trivial_uncached_server", "/healthz", None, False),
    # the bound of any logged-in page on this server: session, user, a small template
    ("trivial_logged_in_uncached_server", "/accounts/login/", "ministry", False),
    ("national_uncached", "/parks/national/", "ministry", False),
    ("park_uncached", "{park}", "manager", False),
]
LOADAVG_BEFORE = " ".join(f"{x:.2f}" for x in os.getloadavg())


def serve_and_measure(args, env: dict, facts: dict, *, pages, wanted: set, uncached: bool) -> dict:
    """Start gunicorn (page caches storing nothing when ``uncached``), measure ``pages`` that
    are ``wanted`` with wrk, stop it; return the figures by page name."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log(f"gunicorn with {args.workers} workers on {base}{' (page caches off)' if uncached else ''}")
    served_url = args.database_url + ("&" if "?" in args.database_url else "?") + "conn_max_age=600"
    server_env = {**env, "DATABASE_URL": served_url, "CACHE_URL": args.cache_url}
    # the API's per-user throttle still counts every request (one Redis round trip), with a
    # limit above what 8 connections send in a minute (the default, 3,600 a minute, would
    # answer the scores API's requests 429 after the first ~15 s)
    server_env["ECOPARK_API_USER_RATE"] = API_USER_RATE
    if uncached:
        server_env["ECOPARK_DASHBOARD_CACHE_SECONDS"] = "0"  # nothing stored: every request misses
    server = subprocess.Popen(
        [
            PYTHON, "-m", "gunicorn", "ecopark.wsgi:application",
            "--bind", f"127.0.0.1:{port}", "--workers", str(args.workers),
            "--worker-class", "sync", "--access-logfile", "/dev/null", "--log-level", "warning",
        ],
        cwd=ROOT,
        env=server_env,
    )  # fmt: skip
    results = {}
    try:
        wait_until_up(base)
        cookies = {
            "ministry": login(base, "bench-ministry"),
            "manager": login(base, "bench-manager"),
        }
        for name, path, who, first_view in pages:
            if name not in wanted and not name.startswith("trivial"):
                continue
            path = path.format(park=f"/parks/{facts['park_id']}/")
            cookie = cookies.get(who)
            for _ in range(args.workers * 2):  # warm every worker's cache and connections
                status, size = fetch(base, path, cookie or "")
                if status != 200:
                    raise SystemExit(f"{path} answered {status}")
            lua = WRK_SCRIPT
            if first_view:
                session = "; ".join(
                    part for part in cookie.split("; ") if not part.startswith("csrftoken=")
                )
                lua += FIRST_VIEW_REQUEST % session
            with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
                f.write(lua)
                script = Path(f.name)
            log(f"{name}: {path} ({size / 1024:.0f} KB) for {args.duration} s")
            results[name] = run_wrk(
                f"{base}{path}",
                cookie=None if first_view else cookie,
                duration=args.duration,
                connections=args.connections,
                script=script,
            )
            script.unlink()
    finally:
        stop(server)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url", default=os.environ.get("BENCH_PAGES_DATABASE_URL", DEFAULT_URL)
    )
    parser.add_argument("--fresh", action="store_true", help="drop the benchmark database first")
    parser.add_argument("--parks", type=int, default=480)
    parser.add_argument("--enterprises", type=int, default=25000)
    parser.add_argument("--duration", type=int, default=20, help="seconds per page (20)")
    parser.add_argument("--connections", type=int, default=8, help="wrk connections (8)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (2)")
    parser.add_argument(
        "--cache-url",
        default=os.environ.get("BENCH_PAGES_CACHE_URL", "redis://127.0.0.1:6379/14"),
        help="the server's shared cache (CACHE_URL; sessions are read from it), '' for none",
    )
    parser.add_argument(
        "--pages",
        default=(
            "trivial,trivial_logged_in,national,park,national_first_view,park_first_view,"
            "scores_api,national_uncached,park_uncached"
        ),
        help="comma-separated pages to measure (trivial is always measured: the reference)",
    )
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (Debian: apt-get install wrk)")

    ensure_database(args.database_url, fresh=args.fresh)
    static_root = tempfile.mkdtemp(prefix="ecopark-bench-static-")
    env = server_env(args.database_url, static_root)
    facts = prepare(env, parks=args.parks, enterprises=args.enterprises)
    manage(env, "collectstatic", "--noinput")

    results: dict = {}
    wanted = set(args.pages.split(",")) | {"trivial"}
    try:
        for uncached in (False, True):
            pages = UNCACHED_PAGES if uncached else CACHED_PAGES
            if not any(name in wanted for name, *_ in pages if not name.startswith("trivial")):
                continue
            results.update(
                serve_and_measure(args, env, facts, pages=pages, wanted=wanted, uncached=uncached)
            )
    finally:
        shutil.rmtree(static_root, ignore_errors=True)

    if "trivial" not in results:  # only uncached pages asked for: their server's trivial
        results["trivial"] = results["trivial_uncached_server"]
    trivial = results["trivial"]["rps"]
    bound = {}
    if "trivial_logged_in_uncached_server" in results:
        logged_in = results["trivial_logged_in_uncached_server"]["rps"]
        bound = {
            "logged_in_bound_ratio": round(
                logged_in / results["trivial_uncached_server"]["rps"], 3
            ),
            "logged_in_bound": (
                "the login page with a session / /healthz on the uncached server: the upper "
                "bound any logged-in page can reach here"
            ),
        }
        for name in ("national_uncached", "park_uncached"):
            if name in results:
                bound[f"{name}_share_of_bound"] = round(results[name]["rps"] / logged_in, 3)
    for name, figures in results.items():
        reference = results.get("trivial_uncached_server") if name.endswith("_uncached") else None
        if name.startswith("trivial"):
            continue
        figures["share_of_trivial"] = round(
            figures["rps"] / (reference or results["trivial"])["rps"], 3
        )
        if "trivial_logged_in" in results and not reference:
            figures["share_of_trivial_logged_in"] = round(
                figures["rps"] / results["trivial_logged_in"]["rps"], 3
            )
    ratios = {
        f"{name}_ratio": results[name]["share_of_trivial"]
        for name in ("national_uncached", "park_uncached", "scores_api")
        if name in results
    }
    targets = {"national": TARGET_SHARE, "park": TARGET_SHARE, "scores_api": TARGET_SHARE}
    targets |= {"national_uncached": TARGET_UNCACHED, "park_uncached": TARGET_UNCACHED}
    print(
        json.dumps(
            {
                "server": f"gunicorn {args.workers} sync workers, DEBUG off, PostgreSQL",
                "cache": args.cache_url or "process-local",
                "load": f"wrk 1 thread, {args.connections} connections, {args.duration} s per page",
                "api_user_rate": API_USER_RATE,
                "cpus": os.cpu_count(),
                "loadavg_before": LOADAVG_BEFORE,
                "loadavg_after": " ".join(f"{x:.2f}" for x in os.getloadavg()),
                **facts,
                "warm_figures": "national, park, scores_api: cache hits (nothing changed)",
                "uncached_figures": "national_uncached, park_uncached: page and body caches miss",
                **ratios,
                **bound,
                **results,
                "trivial_rps": trivial,
                "targets": targets,
                "targets_met": {
                    name: results[name]["share_of_trivial"] >= target
                    and results[name]["non_2xx"] == 0
                    and results[name]["errors"] == 0
                    for name, target in targets.items()
                    if name in results
                },
            }
        )
    )


if __name__ == "__main__":
    main()
