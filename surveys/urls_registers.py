"""URLs of the register pages (issue 7), mounted at ``/registers/``."""

from django.urls import path

from . import views_registers as v

app_name = "registers"
urlpatterns = [
    path("", v.home, name="home"),
    path("measures/", v.measure_list, name="measures"),
    path("measures/new/", v.measure_edit, name="measure_new"),
    path("measures/<int:pk>/", v.measure_edit, name="measure"),
    path("measures/import/", v.measure_import, name="measure_import"),
    path("measures/template.xlsx", v.measure_template, name="measure_template"),
    path("exchanges/", v.exchange_list, name="exchanges"),
    path("exchanges/new/", v.exchange_edit, name="exchange_new"),
    path("exchanges/<int:pk>/", v.exchange_edit, name="exchange"),
    path("streams/", v.stream_list, name="streams"),
    path("streams/new/", v.stream_edit, name="stream_new"),
    path("streams/<int:pk>/", v.stream_edit, name="stream"),
    path("certificates/", v.certificate_list, name="certificates"),
    path("certificates/new/", v.certificate_edit, name="certificate_new"),
    path("certificates/<int:pk>/", v.certificate_edit, name="certificate"),
    path("roadmap/", v.action_list, name="actions"),
    path("roadmap/new/", v.action_edit, name="action_new"),
    path("roadmap/<int:pk>/", v.action_edit, name="action"),
    path("matching/", v.matching, name="matching"),
    path("matching/propose/", v.matching_propose, name="matching_propose"),
    path("parks/<int:pk>/", v.park_registers, name="park"),
]
