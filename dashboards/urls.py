from django.urls import path

from . import views

app_name = "dashboards"
urlpatterns = [
    path("", views.park_list, name="parks"),
    path("<int:pk>/", views.park_detail, name="park"),
]
