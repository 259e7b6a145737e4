from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    """Criteria frameworks and the scoring engine."""

    name = "indicators"
    verbose_name = _("Criteria catalogue")
