"""Small site-wide views."""

from __future__ import annotations


def favicon(request):
    """``/favicon.ico``, which browsers ask for before reading a page's ``<link rel="icon">``:
    a permanent redirect to the static icon (resolved per request, so the production
    manifest storage gives its hashed name)."""
    from django.http import HttpResponsePermanentRedirect
    from django.templatetags.static import static

    return HttpResponsePermanentRedirect(static("favicon.svg"))
