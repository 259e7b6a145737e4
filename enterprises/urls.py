from django.urls import path

from . import views

app_name = "enterprises"
urlpatterns = [
    path("parks/<int:pk>/project/", views.park_project, name="park_project"),
    path("enterprises/<int:pk>/project/", views.enterprise_project, name="enterprise_project"),
]
