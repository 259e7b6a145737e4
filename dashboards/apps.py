from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardsConfig(AppConfig):
    """Score snapshots, recompute tasks and dashboards."""

    name = "dashboards"
    verbose_name = _("Dashboards")

    def ready(self) -> None:
        """Subscribe to the survey and register signals (neither app imports dashboards) and
        move the dashboards' cache stamp on every change of a model they show."""
        from django.db.models.signals import post_delete, post_save

        from registers.signals import register_entries_changed
        from surveys.signals import scored_answers_changed

        from . import receivers, tasks  # noqa: F401 - tasks: published by name (publish.py)

        scored_answers_changed.connect(
            receivers.enqueue_recompute, dispatch_uid="dashboards.enqueue_recompute"
        )
        register_entries_changed.connect(
            receivers.enqueue_register_recompute,
            dispatch_uid="dashboards.enqueue_register_recompute",
        )
        for model in receivers.STAMPED_MODELS:
            for signal in (post_save, post_delete):
                signal.connect(
                    receivers.bump_stamp,
                    sender=model,
                    dispatch_uid=f"dashboards.bump_stamp.{signal is post_save}.{model.__name__}",
                )
