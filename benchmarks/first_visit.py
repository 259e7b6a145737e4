#!/usr/bin/env python
"""What a browser downloads on its first visit of the national dashboard; prints ONE JSON line.

    python benchmarks/first_visit.py [--database-url …] [--page /parks/national/]

Same database and data as ``load_pages.py`` (``BENCH_PAGES_DATABASE_URL``, default
``postgres://postgres@127.0.0.1:5432/ecopark_bench_pages``; prepared by it when missing). The
project is served by gunicorn as in production (DEBUG off, static files collected by
``collectstatic`` into a temporary folder: fingerprinted, with gzip and brotli copies served by
WhiteNoise). Debian's chromium (Playwright), with an empty cache, opens the page logged in as
the ministry and waits until plotly.js has drawn every chart (the map with its basemap and the
index distribution); the figure is the sum of the bytes the browser received for every
request of the page (Chrome DevTools' ``encodedDataLength``: headers and body as transferred,
compressed when the server compressed). A second visit in the same browser is measured too
(static files from the browser's cache).

Keys: ``first_visit_kb`` (target ≤ 1,536 KB), ``requests``, ``by_resource`` (KB on the wire and
KB decoded per URL path, largest first), ``second_visit_kb``, ``charts_drawn``.
Only loopback addresses are used.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse

from load_pages import (
    DEFAULT_URL,
    PYTHON,
    ROOT,
    free_port,
    login,
    manage,
    prepare,
    server_env,
    stop,
    wait_until_up,
)
from recompute import ensure_database

TARGET_KB = 1536


def log(message: str) -> None:
    print(f"[first-visit] {message}", file=sys.stderr, flush=True)


def visit(browser, base: str, path: str, cookie: str, charts: list[str]) -> dict:
    """Open ``path`` in a new browser context (empty cache) with the session ``cookie``, twice;
    return the bytes received per request on each visit."""
    host = urllib.parse.urlparse(base).hostname
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_cookies(
        [
            {"name": k, "value": v, "domain": host, "path": "/"}
            for k, v in (part.split("=", 1) for part in cookie.split("; "))
        ]
    )
    page = context.new_page()
    page.set_default_timeout(60_000)
    # no request interception (Playwright's routing would turn the browser's cache off);
    # a request for another address than the server's is reported as a failure below
    outside = []
    page.on("request", lambda r: None if r.url.startswith(base) else outside.append(r.url))
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    urls, received, decoded = {}, {}, {}
    cdp.on(
        "Network.requestWillBeSent", lambda e: urls.__setitem__(e["requestId"], e["request"]["url"])
    )
    cdp.on(
        "Network.dataReceived",
        lambda e: decoded.__setitem__(
            e["requestId"], decoded.get(e["requestId"], 0) + e["dataLength"]
        ),
    )
    cdp.on(
        "Network.loadingFinished",
        lambda e: received.__setitem__(e["requestId"], e["encodedDataLength"]),
    )

    def one_visit() -> dict:
        urls.clear(), received.clear(), decoded.clear()
        started = time.perf_counter()
        response = page.goto(f"{base}{path}")
        if response is None or response.status != 200:
            raise SystemExit(f"{path} answered {response and response.status}")
        for chart in charts:
            page.wait_for_selector(f"{chart} .main-svg")
        drawn = time.perf_counter() - started
        page.wait_for_timeout(1500)  # late requests (none expected) are counted too
        rows = {}
        for rid, size in received.items():
            url = urllib.parse.urlparse(urls.get(rid, "?")).path
            wire, body = rows.get(url, (0, 0))
            rows[url] = (wire + size, body + decoded.get(rid, 0))
        return {
            "kb": round(sum(received.values()) / 1024, 1),
            "requests": len(received),
            "charts_drawn_s": round(drawn, 2),
            "by_resource": {
                url: {"kb_wire": round(w / 1024, 1), "kb_decoded": round(d / 1024, 1)}
                for url, (w, d) in sorted(rows.items(), key=lambda kv: -kv[1][0])
            },
        }

    first = one_visit()
    second = one_visit()
    context.close()
    if outside:
        raise SystemExit(f"the page asked for addresses outside the server: {outside[:3]}")
    return {"first": first, "second": second}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url", default=os.environ.get("BENCH_PAGES_DATABASE_URL", DEFAULT_URL)
    )
    parser.add_argument("--page", default="/parks/national/", help="path (/parks/national/)")
    parser.add_argument(
        "--cache-url",
        default=os.environ.get("BENCH_PAGES_CACHE_URL", ""),
        help="the server's CACHE_URL ('' for the process-local cache, the default)",
    )
    args = parser.parse_args()
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    if not os.path.exists(chromium):
        raise SystemExit("chromium is not installed (Debian: apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    ensure_database(args.database_url, fresh=False)
    static_root = tempfile.mkdtemp(prefix="ecopark-bench-static-")
    env = server_env(args.database_url, static_root)
    if args.cache_url:
        env["CACHE_URL"] = args.cache_url
    facts = prepare(env, parks=480, enterprises=25000)
    manage(env, "collectstatic", "--noinput")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [
            PYTHON, "-m", "gunicorn", "ecopark.wsgi:application",
            "--bind", f"127.0.0.1:{port}", "--workers", "2",
            "--access-logfile", "/dev/null", "--log-level", "warning",
        ],
        cwd=ROOT,
        env=env,
    )  # fmt: skip
    try:
        wait_until_up(base)
        cookie = login(base, "bench-ministry")
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
            try:
                result = visit(browser, base, args.page, cookie, ["#map-chart", "#histogram-chart"])
            finally:
                browser.close()
    finally:
        stop(server)
        shutil.rmtree(static_root, ignore_errors=True)
    first = result["first"]
    print(
        json.dumps(
            {
                "page": args.page,
                "parks": facts["parks"],
                "browser": "Debian chromium (Playwright), empty cache, 1280 × 900",
                "first_visit_kb": first["kb"],
                "requests": first["requests"],
                "charts_drawn_s": first["charts_drawn_s"],
                "by_resource": first["by_resource"],
                "second_visit_kb": result["second"]["kb"],
                "second_visit_requests": result["second"]["requests"],
                "target_kb": TARGET_KB,
                "target_met": first["kb"] <= TARGET_KB,
            }
        )
    )


if __name__ == "__main__":
    main()
