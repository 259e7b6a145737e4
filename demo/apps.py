from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """Demo data (``load_demo``) and synthetic national data for benchmarks
    (``generate_synthetic``): tooling above the runtime apps, never imported by them."""

    name = "demo"
    verbose_name = _("Demo and synthetic data")
