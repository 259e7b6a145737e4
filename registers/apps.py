from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistersConfig(AppConfig):
    """What firms record all year: RECP measures, symbiosis exchanges, ISO certificates,
    streams and matching, roadmap actions (``docs/architecture.md``)."""

    name = "registers"
    verbose_name = _("Registers")
