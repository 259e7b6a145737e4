from django.urls import path

from . import views

app_name = "surveys"
urlpatterns = [
    path("", views.response_list, name="responses"),
    path("responses/<int:pk>/", views.response_detail, name="response"),
]
