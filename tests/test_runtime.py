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
def test_readyz_reports_an_unreachable_broker(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    r = client.get("/readyz")
    assert r.status_code == 503
    assert r.json()["checks"]["broker"] != "ok"


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
        "django.core.cache.backends.redis.RedisCache",
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
