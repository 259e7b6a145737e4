"""The API keeps the word of its OpenAPI schema: schemathesis against the live schema.

The demo data are loaded into the test database, the application is served by pytest-django's
live server (reading chunked request bodies, as gunicorn does), and schemathesis (configured by ``schemathesis.toml``) generates requests from
``/api/v1/schema/`` — the schema's examples, its boundary values (the coverage phase) and
``MAX_EXAMPLES`` fuzzed requests per operation, every check — once as the ministry and once as
an enterprise. Any failure it reports fails the test (and CI). About 5,600 requests and 6
to 7 minutes per persona on the 2-core machine. Needs PostgreSQL (skipped on SQLite; fails under
CI=true).
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test.testcases import QuietWSGIRequestHandler

from .conftest import require

ROOT = Path(__file__).resolve().parent.parent
MAX_EXAMPLES = 5
SEED = 17
DEMO_PASSWORD = "ecopark-demo"

pytestmark = pytest.mark.services


def schemathesis_run(base_url: str, username: str, report: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            str(Path(sys.executable).with_name("st")),
            "run",
            f"{base_url}/api/v1/schema/?format=json",
            "--auth",
            f"{username}:{DEMO_PASSWORD}",
            "--checks",
            "all",
            "--phases",
            "examples,coverage,fuzzing",
            "--max-examples",
            str(MAX_EXAMPLES),
            "--seed",
            str(SEED),
            # one worker: schemathesis' workers are threads, and Hypothesis parses source code
            # (ast) in them; on Python 3.11 two threads in the AST constructor at once can
            # fail ("AST constructor recursion depth mismatch", a CPython race fixed in later
            # versions), which crashed a fuzzing run
            "--workers",
            "1",
            "--request-timeout",
            "30",
            "--no-color",
            "--report",
            "junit",
            "--report-junit-path",
            str(report),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=1200,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


def _read_chunked(rfile) -> bytes:
    """A chunked request body (RFC 9112, section 7.1) read from ``rfile``, trailers skipped."""
    body = bytearray()
    while True:
        size = int(rfile.readline(65537).split(b";", 1)[0].strip() or b"0", 16)
        if size == 0:
            while rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                pass
            return bytes(body)
        body += rfile.read(size)
        rfile.readline(65537)  # the CRLF closing the chunk


class ChunkedBodyRequestHandler(QuietWSGIRequestHandler):
    """Django's live-server request handler reading ``Transfer-Encoding: chunked`` request
    bodies, as gunicorn (the production server, ``Dockerfile``) does. Django's development
    server does not: it reads no body (no ``Content-Length``) and leaves the chunks in the
    kept-alive connection, where the next "request line" (``0``) is refused with an HTML
    page and no status line — the client's next request on that connection then fails
    ("Connection aborted"). schemathesis sends some bodies chunked."""

    def handle_one_request(self):
        self.rfile = getattr(self, "_socket_rfile", self.rfile)
        self._socket_rfile = self.rfile
        super().handle_one_request()

    def parse_request(self):
        if not super().parse_request():
            return False
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            body = _read_chunked(self.rfile)
            del self.headers["Transfer-Encoding"]
            del self.headers["Content-Length"]
            self.headers["Content-Length"] = str(len(body))
            self.rfile = io.BytesIO(body)  # what the application reads; then the socket again
        return True


@pytest.fixture
def chunked_live_server(live_server):
    """pytest-django's live server (session-wide) answering this test's connections with
    :class:`ChunkedBodyRequestHandler`."""
    server = live_server.thread.httpd
    previous = server.RequestHandlerClass
    server.RequestHandlerClass = ChunkedBodyRequestHandler
    yield live_server
    server.RequestHandlerClass = previous


@pytest.fixture
def fuzzer_not_locked_out(settings):
    """django-axes' failure limit raised for this test only: schemathesis sends thousands of
    wrong passwords on purpose (its check that invalid credentials are refused, on every
    operation), which would lock the persona out after five (``AXES_FAILURE_LIMIT``) and turn
    the fuzzer's valid requests into refusals for 15 minutes. The lock itself keeps its
    production limit and is tested in ``tests/enterprises/test_login_protection.py``; a
    locked-out API request answers 401 (code ``locked_out``) like any refused credentials."""
    settings.AXES_FAILURE_LIMIT = 1_000_000


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("username", ["ministry", "enterprise-a"])
def test_schemathesis_finds_no_fault_in_the_api(
    chunked_live_server, catalogue, fuzzer_not_locked_out, username, tmp_path
):
    from django.db import connection

    # SQLite's in-memory test database is one connection shared by the live server's threads
    require(connection.vendor == "postgresql", f"database is {connection.vendor}, not PostgreSQL")
    call_command("load_demo", verbosity=0)
    started = time.monotonic()
    result = schemathesis_run(chunked_live_server.url, username, tmp_path / "junit.xml")
    elapsed = time.monotonic() - started
    summary = [
        line
        for line in result.stdout.splitlines()
        if line.startswith(("  Selected", "  Tested", "  ", "Test cases", "=="))
    ][-12:]
    print(f"schemathesis as {username}: {elapsed:.0f} s", *summary, sep="\n")
    assert result.returncode == 0, result.stdout[-20000:] + result.stderr[-5000:]
