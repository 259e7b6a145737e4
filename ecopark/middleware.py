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
