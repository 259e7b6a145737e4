"""The database a benchmark measures on, shared by ``import_xlsx.py`` and
``reporting_rates.py``: a temporary SQLite (the default, removed afterwards), a scratch
database named by URL, or the configured ``DATABASE_URL``; Django set up on it, migrated, and
the run kept inside a transaction that is rolled back, so nothing stays behind."""

from __future__ import annotations

import os
import shutil
import tempfile


def run_on_scratch_database(
    run, args, *, database_url: str | None = None, configured: bool = False, rollback=True
) -> dict:
    """Return ``run(args)`` (the figures) measured on: ``database_url`` when given (migrated,
    the run rolled back); else the configured ``DATABASE_URL`` when ``configured`` (not
    migrated, rolled back); else a temporary SQLite (migrated, rolled back only with
    ``rollback``, removed afterwards). Sets up Django (``ecopark.settings``, ``LOG_LEVEL``
    WARNING unless set)."""
    workdir = None
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    elif not configured:
        workdir = tempfile.mkdtemp(prefix="ecopark-bench-")
        os.environ["DATABASE_URL"] = f"sqlite:///{workdir}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ecopark.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction

    try:
        if workdir or database_url:
            call_command("migrate", verbosity=0, interactive=False)
        if workdir and not rollback:
            return run(args)
        with transaction.atomic():
            figures = run(args)
            transaction.set_rollback(True)
        return figures
    finally:
        if workdir:
            shutil.rmtree(workdir, ignore_errors=True)
