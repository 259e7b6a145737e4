"""Catalogue pages, mounted at ``catalogue/`` (namespace ``indicators``)."""

from django.urls import path

from . import views

app_name = "indicators"
urlpatterns = [
    path("", views.framework_list, name="frameworks"),
    path("<str:code>/", views.framework_detail, name="framework"),
    path("<str:code>/diff/", views.version_compare, name="diff"),
    path("<str:code>/v<int:number>/", views.version_detail, name="version"),
    path(
        "<str:code>/v<int:number>/new-draft/",
        views.version_new_draft_view,
        name="version_new_draft",
    ),
    path("<str:code>/v<int:number>/publish/", views.version_publish_view, name="version_publish"),
    path("<str:code>/v<int:number>/discard/", views.version_discard_view, name="version_discard"),
    path(
        "<str:code>/v<int:number>/criteria/<str:criterion>/edit/",
        views.criterion_edit,
        name="criterion_edit",
    ),
    path(
        "<str:code>/v<int:number>/data-elements/<str:element>/edit/",
        views.data_element_edit,
        name="data_element_edit",
    ),
]
