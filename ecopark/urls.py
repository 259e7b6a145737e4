"""URL map: pages, health probes, the API under /api/v1/ and its OpenAPI schema."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from dashboards import views as dashboard_views
from dashboards.api import NationalScoresView, ParkScoresView
from dashboards.views_recompute import CampaignRecomputeAPIView
from enterprises import views_accounts
from enterprises.api import EnterpriseViewSet, InvitationViewSet, ParkViewSet, UserViewSet
from enterprises.urls import people_patterns
from indicators.api import FrameworkViewSet
from registers.api import register_routes
from surveys.api import CampaignViewSet, ResponseViewSet

from . import health, views

router = DefaultRouter()
router.register("parks", ParkViewSet, basename="park")
router.register("enterprises", EnterpriseViewSet, basename="enterprise")
router.register("invitations", InvitationViewSet, basename="invitation")
router.register("users", UserViewSet, basename="user")
router.register("campaigns", CampaignViewSet, basename="campaign")
router.register("responses", ResponseViewSet, basename="response")
router.register("frameworks", FrameworkViewSet, basename="framework")
register_routes(router)  # RECP, symbiosis, streams, certificates, roadmap

handler404 = "ecopark.views.not_found"

urlpatterns = [
    path("", dashboard_views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    # browsers ask for /favicon.ico before reading the page's <link rel="icon">
    path("favicon.ico", views.favicon, name="favicon"),
    path("readyz", health.readyz, name="readyz"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Django's own password views with the project's templates (templates/registration/)
    path(
        "accounts/password/change/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path(
        "accounts/password/reset/",
        auth_views.PasswordResetView.as_view(
            subject_template_name="registration/password_reset_subject.txt",
            email_template_name="registration/password_reset_email.txt",
        ),
        name="password_reset",
    ),
    path(
        "accounts/password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/password/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("accounts/profile/", views_accounts.profile, name="profile"),
    path(
        "accounts/invitation/<str:token>/",
        views_accounts.invitation_accept,
        name="invitation_accept",
    ),
    path("i18n/setlang/", views_accounts.language_switch, name="set_language"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("people/", include(people_patterns)),
    path("registry/", include("enterprises.urls")),
    path("parks/", include("dashboards.urls")),
    path("surveys/", include("surveys.urls")),
    path("registers/parks/<int:pk>/", dashboard_views.park_registers, name="park_registers"),
    path("registers/", include("registers.urls")),
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
    # the split view serves its script as a file: the pages' CSP allows no inline script
    path("api/v1/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    # last: any other address under /api/ (ending with a slash: CommonMiddleware still adds
    # the slash to a known endpoint's address) answers the API's JSON 404
    re_path(r"^api/(?:.*/)?$", views.UnknownAPIAddress.as_view(), name="api-not-found"),
]
