"""URLs of the register pages, mounted at ``/registers/``. The five registers share the list
and edit views of :mod:`registers.views`, each given its :class:`~registers.views.
RegisterPages`."""

from django.urls import path

from . import views as v

app_name = "registers"


def _register(prefix: str, plural: str, pages) -> list:
    """The list, new and edit URLs of one register: ``<prefix>/`` (name ``plural``),
    ``<prefix>/new/`` (``<key>_new``) and ``<prefix>/<pk>/`` (``<key>``)."""
    kwargs = {"pages": pages}
    return [
        path(f"{prefix}/", v.register_list, kwargs, name=plural),
        path(f"{prefix}/new/", v.register_edit, kwargs, name=f"{pages.key}_new"),
        path(f"{prefix}/<int:pk>/", v.register_edit, kwargs, name=pages.key),
    ]


urlpatterns = [
    path("", v.home, name="home"),
    *_register("measures", "measures", v.MEASURES),
    path("measures/import/", v.measure_import, name="measure_import"),
    path("measures/template.xlsx", v.measure_template, name="measure_template"),
    *_register("exchanges", "exchanges", v.EXCHANGES),
    *_register("savings", "savings", v.SAVINGS),
    *_register("streams", "streams", v.STREAMS),
    *_register("certificates", "certificates", v.CERTIFICATES),
    *_register("roadmap", "actions", v.ACTIONS),
    path("matching/", v.matching_page, name="matching"),
    path("matching/propose/", v.matching_propose, name="matching_propose"),
]
