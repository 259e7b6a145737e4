from django.urls import path

from . import views, views_recompute

app_name = "dashboards"
urlpatterns = [
    path("", views.park_list, name="parks"),
    path("<int:pk>/", views.park_detail, name="park"),
    path("<int:pk>/export.xlsx", views.park_export, name="park-export"),
    path("<int:pk>/report.pdf", views.park_report, name="park-report"),
    path("national/", views.national, name="national"),
    path("national/export.xlsx", views.national_export, name="national-export"),
    path("provinces/<str:code>/", views.province, name="province"),
    path("provinces/<str:code>/export.xlsx", views.province_export, name="province-export"),
    path("enterprises/<int:pk>/", views.enterprise_detail, name="enterprise"),
    path("enterprises/<int:pk>/export.xlsx", views.enterprise_export, name="enterprise-export"),
    path(
        "campaigns/<int:pk>/recompute/",
        views_recompute.campaign_recompute_page,
        name="campaign-recompute",
    ),
]
