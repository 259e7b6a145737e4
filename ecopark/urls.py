"""URL map: pages, health probes, the API under /api/v1/ and its OpenAPI schema."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from dashboards import views as dashboard_views
from enterprises.api import EnterpriseViewSet, ParkViewSet

from . import health

router = DefaultRouter()
router.register("parks", ParkViewSet, basename="park")
router.register("enterprises", EnterpriseViewSet, basename="enterprise")

urlpatterns = [
    path("", dashboard_views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("parks/", include("dashboards.urls")),
    path("surveys/", include("surveys.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include(router.urls)),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/v1/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
]
