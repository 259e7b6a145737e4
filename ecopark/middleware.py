"""Request middleware of ecopark."""

from __future__ import annotations


class VietnameseFirstMiddleware:
    """Vietnamese first: ignore the browser's Accept-Language header.

    The language is Vietnamese (``LANGUAGE_CODE``) until the person picks English with the
    switch (Django's language cookie); many Vietnamese users run English-language browsers.
    Must come before ``django.middleware.locale.LocaleMiddleware``.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)


class PreferredLanguageMiddleware:
    """The interface follows a logged-in person's preferred language (their profile), which
    :class:`enterprises.backends.ScopedModelBackend` loads with the user as
    ``preferred_language``. Must come after ``AuthenticationMiddleware`` and
    ``LocaleMiddleware``; anonymous visitors keep the language switch's cookie."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.utils import translation

        language = getattr(getattr(request, "user", None), "preferred_language", None)
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)


class TrustedProxyMiddleware:
    """Honour ``X-Forwarded-Proto`` only from the proxies ``TRUSTED_PROXY_IPS`` names.

    Django's ``SECURE_PROXY_SSL_HEADER`` trusts the header from any client; ecopark sets it
    only when ``TRUSTED_PROXY_IPS`` is set, and this middleware removes the header from
    requests whose ``REMOTE_ADDR`` is not one of those addresses, so a client talking to
    gunicorn directly cannot pass a plain-HTTP request off as HTTPS. Must come first.
    """

    def __init__(self, get_response):
        from django.conf import settings

        self.get_response = get_response
        self.trusted = frozenset(settings.TRUSTED_PROXY_IPS)

    def __call__(self, request):
        if request.META.get("REMOTE_ADDR") not in self.trusted:
            request.META.pop("HTTP_X_FORWARDED_PROTO", None)
        return self.get_response(request)
