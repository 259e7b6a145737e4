from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardsConfig(AppConfig):
    """Score snapshots, recompute tasks and dashboards."""

    name = "dashboards"
    verbose_name = _("Dashboards")

    def ready(self) -> None:
        """Subscribe to the survey signals (surveys never imports dashboards)."""
        from surveys.signals import scored_answers_changed

        from . import receivers

        scored_answers_changed.connect(
            receivers.enqueue_recompute, dispatch_uid="dashboards.enqueue_recompute"
        )
