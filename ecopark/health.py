"""Liveness and readiness probes.

``/healthz`` answers 200 whenever the process runs.

``/readyz`` tells "cannot serve" from "degraded". The database is required: when it does not
answer a query, 503 (``"status": "unavailable"``). The broker (``CELERY_BROKER_URL``) and the
shared cache (``CACHE_URL``) are not: without them submissions still commit (their parks stay
stale until the sweep publishes them, docs/architecture.md) and pages are served from the
database, so an unreachable broker or cache answers 200 with ``"status": "degraded"``. An
orchestrator routing on this probe keeps the web processes while only the broker is down. The
JSON body names every check: ``"ok"``, ``"eager (no broker configured)"``, ``"per process"``
or the error.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

#: readiness states, in the JSON body's ``status``
READY, DEGRADED, UNAVAILABLE = "ok", "degraded", "unavailable"


@never_cache
def healthz(request):
    """Liveness: the process is up."""
    return JsonResponse({"status": "ok"})


def _check_database() -> str | None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means not ready
        return f"{type(exc).__name__}: {exc}"
    return None


def _check_broker() -> str | None:
    from ecopark.celery import app

    try:
        with app.connection_for_write(url=settings.CELERY_BROKER_URL) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


def _check_cache() -> str | None:
    cache = caches["default"]
    try:
        client = getattr(cache, "_cache", None)
        if hasattr(client, "get_client"):  # Redis: ask it directly (the cache itself degrades)
            client.get_client(None).ping()
        else:
            cache.get("ecopark-readyz")
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


@never_cache
def readyz(request):
    """Readiness: ``{"status": "ok" | "degraded" | "unavailable", "checks": {...}}``; 503 only
    when the database fails, 200 otherwise (see the module's docstring)."""
    database = _check_database()
    checks = {"database": database or "ok"}
    if settings.CELERY_BROKER_URL:
        checks["broker"] = _check_broker() or "ok"
    else:
        checks["broker"] = "eager (no broker configured)"
    checks["cache"] = (_check_cache() or "ok") if settings.CACHE_SHARED else "per process"
    if database:
        status = UNAVAILABLE
    elif checks["broker"] not in ("ok", "eager (no broker configured)") or checks["cache"] not in (
        "ok",
        "per process",
    ):
        status = DEGRADED
    else:
        status = READY
    return JsonResponse(
        {"status": status, "checks": checks}, status=503 if status == UNAVAILABLE else 200
    )
