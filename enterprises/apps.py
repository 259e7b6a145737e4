from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnterprisesConfig(AppConfig):
    """Provinces, parks, enterprises, roles and scopes."""

    name = "enterprises"
    verbose_name = _("Parks and enterprises")
