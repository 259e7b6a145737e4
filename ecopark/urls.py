"""URL map: pages, health probes, the API under /api/v1/ and its OpenAPI schema."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from dashboards import views as dashboard_views
from dashboards.api import NationalScoresView, ParkScoresView
from dashboards.views_recompute import CampaignRecomputeAPIView
from enterprises.api import EnterpriseViewSet, ParkViewSet
from indicators.api import FrameworkViewSet
from registers.api import register_routes
from surveys.api import CampaignViewSet, ResponseViewSet

from . import health, views

router = DefaultRouter()
router.register("parks", ParkViewSet, basename="park")
router.register("enterprises", EnterpriseViewSet, basename="enterprise")
router.register("campaigns", CampaignViewSet, basename="campaign")
router.register("responses", ResponseViewSet, basename="response")
router.register("frameworks", FrameworkViewSet, basename="framework")
register_routes(router)  # RECP, symbiosis, streams, certificates, roadmap

urlpatterns = [
    path("", dashboard_views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    # browsers ask for /favicon.ico before reading the page's <link rel="icon">
    path("favicon.ico", views.favicon, name="favicon"),
    path("readyz", health.readyz, name="readyz"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("parks/", include("dashboards.urls")),
    path("surveys/", include("surveys.urls")),
    path("registers/parks/<int:pk>/", dashboard_views.park_registers, name="park_registers"),
    path("registers/", include("registers.urls")),
    path("registry/", include("enterprises.urls")),
    path("catalogue/", include("indicators.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/parks/<int:pk>/scores/", ParkScoresView.as_view(), name="park-scores"),
    path("api/v1/scores/", NationalScoresView.as_view(), name="national-scores"),
    path(
        "api/v1/campaigns/<int:pk>/recompute/",
        CampaignRecomputeAPIView.as_view(),
        name="campaign-recompute-api",
    ),
    path("api/v1/", include(router.urls)),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/v1/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
]
