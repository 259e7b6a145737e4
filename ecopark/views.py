"""Small site-wide views."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView


def favicon(request):
    """``/favicon.ico``, which browsers ask for before reading a page's ``<link rel="icon">``:
    a permanent redirect to the static icon (resolved per request, so the production
    manifest storage gives its hashed name)."""
    from django.http import HttpResponsePermanentRedirect
    from django.templatetags.static import static

    return HttpResponsePermanentRedirect(static("favicon.svg"))


def not_found(request, exception=None):
    """404 for an address that matches no page: JSON (``{"detail", "code"}``) under
    ``/api/``, as the API's other errors, the HTML page elsewhere."""
    from django.http import JsonResponse
    from django.utils.translation import gettext
    from django.views.defaults import page_not_found

    if request.path.startswith("/api/"):
        return JsonResponse({"detail": gettext("Not found."), "code": "not_found"}, status=404)
    return page_not_found(request, exception)


@extend_schema(exclude=True)
class UnknownAPIAddress(APIView):
    """Every address under ``/api/`` that no endpoint matches (the last URL pattern,
    ``ecopark/urls.py``): 404 ``{"detail": "Not found.", "code": "not_found"}`` for any
    method, as the API's other 404s (``ecopark/errors.py``), in the caller's language (basic
    and token authentication run first and activate the person's, as on the other endpoints;
    wrong credentials answer 401). Django's ``handler404`` (:func:`not_found`) answers the
    same only without ``DEBUG``; this answers with it too. Not in the OpenAPI schema."""

    permission_classes = [AllowAny]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        raise NotFound
