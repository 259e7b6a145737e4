"""The Celery application of ecopark.

Configuration comes from Django settings (``CELERY_*``). Without ``CELERY_BROKER_URL`` tasks run
eagerly in-process (the embedded default of docs/architecture.md).
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ecopark.settings")

app = Celery("ecopark")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="ecopark.clear_sessions")
def clear_sessions() -> None:
    """Delete expired sessions from the database (Django's ``clearsessions``); scheduled daily
    under beat (``CELERY_BEAT_SCHEDULE["clear-sessions"]``)."""
    from django.core.management import call_command

    call_command("clearsessions")
