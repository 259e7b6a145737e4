"""Runtime: health probes, production settings, the OpenAPI schema, static plotly.js."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_healthz_answers_without_the_database(client):
    r = client.get("/healthz")
    assert r.status_code == 200 and r.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_checks_the_database(client, settings):
    settings.CELERY_BROKER_URL = ""
    r = client.get("/readyz")
    assert r.status_code == 200
    assert r.json()["checks"]["database"] == "ok"


@pytest.mark.django_db
def test_readyz_answers_degraded_not_unavailable_when_only_the_broker_is_down(client, settings):
    """Submissions still commit without the broker (their parks stay stale for the sweep):
    an orchestrator routing on /readyz must keep the web processes."""
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    r = client.get("/readyz")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "degraded"
    assert body["checks"]["database"] == "ok"
    assert "Error" in body["checks"]["broker"]  # the broker's state, named


@pytest.mark.django_db
def test_readyz_answers_503_when_the_database_cannot_serve(client, settings, monkeypatch):
    from django.db import OperationalError

    from ecopark import health

    def refused(*args, **kwargs):
        raise OperationalError("connection refused")

    settings.CELERY_BROKER_URL = ""
    monkeypatch.setattr(health.connection, "cursor", refused)
    r = client.get("/readyz")
    assert r.status_code == 503
    assert r.json()["status"] == "unavailable"
    assert r.json()["checks"]["database"] == "OperationalError: connection refused"


def _manage(*args, env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_check_deploy():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "ECOPARK_"))}
    env.update(
        ECOPARK_ENV="production",
        SECRET_KEY="x" * 20 + "a-long-random-production-secret-key-0123456789",
        ALLOWED_HOSTS="ecopark.example.org",
    )
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "ALLOWED_HOSTS")}
    env.update(ECOPARK_ENV="production")
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_sessions_are_read_from_a_shared_cache_only():
    """A process-local cache would keep a session another process deleted (log-out): only a
    shared one (CACHE_URL) serves sessions."""
    code = (
        "from django.conf import settings as s; "
        "print(s.CACHES['default']['BACKEND'], s.SESSION_ENGINE, s.CACHE_SHARED)"
    )
    env = {k: v for k, v in os.environ.items() if k != "CACHE_URL"}
    local = _manage("shell", "-c", code, env=env)
    assert local.returncode == 0, local.stderr
    assert local.stdout.strip().splitlines()[-1].split() == [
        "django.core.cache.backends.locmem.LocMemCache",
        "django.contrib.sessions.backends.db",
        "False",
    ]
    shared = _manage("shell", "-c", code, env={**env, "CACHE_URL": "redis://127.0.0.1:6379/14"})
    assert shared.returncode == 0, shared.stderr
    assert shared.stdout.strip().splitlines()[-1].split() == [
        "ecopark.cache.DegradingRedisCache",
        "django.contrib.sessions.backends.cached_db",
        "True",
    ]


def test_openapi_schema_lists_the_parks_and_enterprises_endpoints(admin_client):
    r = admin_client.get("/api/v1/schema/?format=json")
    assert r.status_code == 200
    paths = r.json()["paths"]
    assert "/api/v1/parks/{id}/" in paths and "/api/v1/enterprises/" in paths


def test_plotly_js_is_ecoparks_partial_bundle_of_the_installed_plotly_version():
    """The pages load static/vendor/plotly-ecopark.min.js, built by ``make plotly`` from
    frontend/plotly/: the plotly.js version of the installed plotly.py (whose figures the
    dashboards send), with every trace type the dashboards' figures use and no CDN."""
    import plotly

    packaged = (Path(plotly.__file__).parent / "package_data/plotly.min.js").read_text()[:200]
    version = re.search(r"plotly\.js v(\d+\.\d+\.\d+)", packaged).group(1)
    shipped = (ROOT / "static/vendor/plotly-ecopark.min.js").read_text()
    assert shipped.startswith(f"/*! plotly.js v{version}, partial bundle of ecopark")
    package = json.loads((ROOT / "frontend/plotly/package.json").read_text())
    assert package["devDependencies"]["plotly.js"] == version
    assert len(shipped) < 2_000_000  # the full bundle is 4.8 MB
    entry = (ROOT / "frontend/plotly/entry.js").read_text()
    registered = set(re.findall(r"require\('plotly\.js/lib/(\w+)'\)", entry)) | {"scatter"}
    sources = "".join(p.read_text() for p in (ROOT / "dashboards").glob("figures*.py"))
    used = {name.lower() for name in re.findall(r"\bgo\.(\w+)\(", sources)} - {"figure"}
    assert used and used <= registered, f"traces missing from the bundle: {used - registered}"
    templates = "".join(p.read_text() for p in (ROOT / "templates").rglob("*.html"))
    assert "cdn." not in templates and "https://" not in templates
    assert "plotly.min.js" not in templates


def test_the_favicon_is_served_from_static(client):
    r = client.get("/favicon.ico")
    assert r.status_code == 301 and r["Location"] == "/static/favicon.svg"


@pytest.mark.django_db
def test_expired_sessions_are_purged_daily_under_beat(settings):
    import datetime

    from celery.schedules import crontab
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    from ecopark.celery import app, clear_sessions

    entry = settings.CELERY_BEAT_SCHEDULE["clear-sessions"]
    assert entry["task"] == "ecopark.clear_sessions" and entry["task"] in app.tasks
    assert entry["schedule"] == crontab(hour=3, minute=30)  # once a day
    now = timezone.now()
    Session.objects.create(
        session_key="old", session_data="", expire_date=now - datetime.timedelta(days=1)
    )
    Session.objects.create(
        session_key="live", session_data="", expire_date=now + datetime.timedelta(days=1)
    )
    clear_sessions()
    assert list(Session.objects.values_list("session_key", flat=True)) == ["live"]


@pytest.mark.django_db
def test_html_pages_carry_a_strict_content_security_policy(client):
    page = client.get("/accounts/login/")
    policy = dict(part.strip().split(" ", 1) for part in page["Content-Security-Policy"].split(";"))
    assert policy["script-src"] == "'self'"  # no inline script, no eval, no other site
    assert policy["object-src"] == "'none'" and policy["frame-ancestors"] == "'none'"
    assert policy["default-src"] == "'self'"


def test_no_template_has_an_inline_script_or_event_handler():
    import re

    inline = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>|\son[a-z]+=", re.I)
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "templates").rglob("*.html")
        if inline.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_x_forwarded_proto_is_trusted_only_from_the_named_proxy(rf, settings):
    from django.http import HttpResponse

    from ecopark.middleware import TrustedProxyMiddleware

    settings.TRUSTED_PROXY_IPS = ["10.0.0.9"]
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    seen = {}

    def view(request):
        seen["secure"] = request.is_secure()
        return HttpResponse()

    middleware = TrustedProxyMiddleware(view)
    middleware(rf.get("/", HTTP_X_FORWARDED_PROTO="https", REMOTE_ADDR="203.0.113.7"))
    assert seen["secure"] is False  # a client talking to gunicorn directly
    middleware(rf.get("/", HTTP_X_FORWARDED_PROTO="https", REMOTE_ADDR="10.0.0.9"))
    assert seen["secure"] is True  # the proxy


def test_without_a_named_proxy_x_forwarded_proto_is_ignored():
    code = "from django.conf import settings as s; print(s.SECURE_PROXY_SSL_HEADER)"
    env = {k: v for k, v in os.environ.items() if k != "TRUSTED_PROXY_IPS"}
    env.update(
        ECOPARK_ENV="production",
        SECRET_KEY="x" * 20 + "a-long-random-production-secret-key-0123456789",
        ALLOWED_HOSTS="ecopark.example.org",
    )
    result = _manage("shell", "-c", code, env=env)
    assert result.stdout.strip().splitlines()[-1] == "None", result.stderr
    result = _manage("shell", "-c", code, env={**env, "TRUSTED_PROXY_IPS": "10.0.0.9"})
    assert result.stdout.strip().splitlines()[-1] == "('HTTP_X_FORWARDED_PROTO', 'https')"


def test_gunicorn_s_timeout_is_set_in_the_dockerfile_and_compose():
    assert '"--timeout", "60"' in (ROOT / "Dockerfile").read_text()
    assert "--timeout 60" in (ROOT / "docker-compose.yml").read_text()


@pytest.mark.parametrize(
    "query, parameter",
    [("/api/v1/campaigns/?period=0.5", "period"), ("/api/v1/responses/?status=", "status"),
     ("/api/v1/parks/?eip_pilot=null", "eip_pilot"), ("/api/v1/responses/?park=1.5", "park"),
     ("/api/v1/responses/?code=", "code")],
)  # fmt: skip
def test_an_invalid_filter_value_answers_400_naming_the_parameter(
    client, personas, query, parameter
):
    client.login(username=personas.ministry.username, password="test-password-1")
    reply = client.get(query)
    assert reply.status_code == 400
    body = reply.json()
    assert list(body) == ["detail", "code", "errors"]
    assert list(body["errors"]) == [parameter]
    assert body["detail"] == " ".join(body["errors"][parameter]) and body["code"]


def test_valid_filter_values_still_filter(client, personas):
    client.login(username=personas.ministry.username, password="test-password-1")
    pilots = client.get("/api/v1/parks/?eip_pilot=true").json()
    assert pilots["count"] >= 1 and all(p["eip_pilot"] for p in pilots["results"])


@pytest.mark.django_db
def test_the_schema_documents_errors_nullability_and_the_409_bodies(admin_client):
    schema = admin_client.get("/api/v1/schema/?format=json").json()
    components = schema["components"]["schemas"]
    assert components["SurveyCampaign"]["properties"]["province_code"]["nullable"] is True
    measure = components["Measure"]["properties"]
    assert measure["payback_years"]["nullable"] is True
    assert measure["emission_factor"]["nullable"] is True
    patch = schema["paths"]["/api/v1/responses/{id}/"]["patch"]["responses"]
    assert {"400", "403", "404", "409", "415"} <= set(patch)
    conflict = components["StaleVersion"]
    assert set(conflict["required"]) == {"detail", "code"}  # stale_version and locked alike
    bulk = schema["paths"]["/api/v1/responses/approve/"]["post"]["responses"]["400"]
    ref = bulk["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert "code" in components[ref]["required"]
    parks = schema["paths"]["/api/v1/parks/"]["get"]["responses"]
    assert {"200", "400", "401", "403", "404"} <= set(parks)


def test_an_unknown_api_address_answers_json_404(client, personas):
    client.login(username=personas.ministry.username, password="test-password-1")
    reply = client.get("/api/v1/symbiosis-exchanges/-2.5e-73/")
    assert reply.status_code == 404 and reply["Content-Type"] == "application/json"
    assert reply.json() == {"detail": "Không tìm thấy.", "code": "not_found"}
