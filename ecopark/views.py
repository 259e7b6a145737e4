"""Small site-wide views."""

from __future__ import annotations


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
