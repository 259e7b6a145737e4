"""Pages of people and of the registry (``/people/``, ``/registry/``)."""

from django.urls import path

from . import views, views_people, views_registry

people_patterns = [
    path("", views_people.people_page, name="people"),
    path("audit/", views_people.audit, name="audit"),
    path("invitations/<int:pk>/resend/", views_people.invitation_resend, name="invitation_resend"),
    path("invitations/<int:pk>/revoke/", views_people.invitation_revoke, name="invitation_revoke"),
    path("users/<int:pk>/deactivate/", views_people.user_deactivate, name="user_deactivate"),
]

app_name = "registry"
urlpatterns = [
    path("parks/", views_registry.park_list, name="parks"),
    path("parks/new/", views_registry.park_edit, name="park_new"),
    path("parks/<int:pk>/edit/", views_registry.park_edit, name="park_edit"),
    path("parks/<int:pk>/", views_registry.tenant_list, name="tenants"),
    path("parks/<int:park_pk>/enterprises/new/", views_registry.tenant_edit, name="tenant_new"),
    path("parks/<int:pk>/import/", views_registry.tenant_import, name="tenant_import"),
    path("parks/<int:pk>/template.xlsx", views_registry.tenant_template, name="tenant_template"),
    path("enterprises/<int:pk>/edit/", views_registry.tenant_edit, name="tenant_edit"),
    path("enterprises/<int:pk>/active/", views_registry.tenant_active, name="tenant_active"),
    path("parks/<int:pk>/project/", views.park_project, name="park_project"),
    path("enterprises/<int:pk>/project/", views.enterprise_project, name="enterprise_project"),
]
