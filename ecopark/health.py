"""Liveness and readiness probes.

``/healthz`` answers 200 whenever the process runs. ``/readyz`` answers 200 when the database
answers a query and, when a broker is configured (``CELERY_BROKER_URL``), when the broker
accepts a connection; otherwise 503 with the failing check named in the JSON body.
"""

from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache


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
    if not settings.CELERY_BROKER_URL:
        return None
    from ecopark.celery import app

    try:
        with app.connection_for_write(url=settings.CELERY_BROKER_URL) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


@never_cache
def readyz(request):
    """Readiness: database and (when configured) broker. 200 or 503 with ``checks``."""
    checks = {"database": _check_database() or "ok"}
    if settings.CELERY_BROKER_URL:
        checks["broker"] = _check_broker() or "ok"
    else:
        checks["broker"] = "eager (no broker configured)"
    ready = all(v == "ok" or v.startswith("eager") for v in checks.values())
    return JsonResponse(
        {"status": "ok" if ready else "unavailable", "checks": checks}, status=200 if ready else 503
    )
