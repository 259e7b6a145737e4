from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardsConfig(AppConfig):
    """Score snapshots, recompute tasks and dashboards."""

    name = "dashboards"
    verbose_name = _("Dashboards")

    def ready(self) -> None:
        """Subscribe to the survey signals (surveys never imports dashboards) and move the
        dashboards' cache stamp on every change of a model they show."""
        from django.db.models.signals import post_delete, post_save

        from surveys.signals import scored_answers_changed

        from . import receivers

        scored_answers_changed.connect(
            receivers.enqueue_recompute, dispatch_uid="dashboards.enqueue_recompute"
        )
        for model in receivers.STAMPED_MODELS:
            for signal in (post_save, post_delete):
                signal.connect(
                    receivers.bump_stamp,
                    sender=model,
                    dispatch_uid=f"dashboards.bump_stamp.{signal is post_save}.{model.__name__}",
                )
