"""The API's basic authentication: DRF's, answering 401 with code ``locked_out`` and a
translated message when django-axes has locked the user out (5 failures in 15 minutes from one
address). Kept apart from the API views: DRF reads this setting while view classes are being
defined.

401, not the login form's 429: the lock refuses these credentials (even right ones) for a
while, it does not limit the client's requests — the same client may go on with another
user's credentials or a token. 401 with ``WWW-Authenticate`` is what an API client reads as
"credentials not accepted"; ``code`` says why.

Basic and token authentication happen inside the API view, after the middleware: they
activate the person's preferred language themselves (:class:`PreferredLanguageMixin`), as
``ecopark.middleware.PreferredLanguageMiddleware`` does for a session."""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext as _
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from rest_framework import exceptions
from rest_framework.authentication import BasicAuthentication


class LockedOut(exceptions.AuthenticationFailed):
    """401 (with ``WWW-Authenticate``), code ``locked_out``: django-axes locked this user name
    out from this address."""

    default_code = "locked_out"


class PreferredLanguageMixin:
    """After a successful ``authenticate``, the request's messages follow the person's
    preferred language (``Profile.language``; none: the language the middleware chose)."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None:
            from .models import Profile

            user = result[0]
            language = getattr(user, "preferred_language", None) or (
                Profile.objects.filter(user_id=user.pk).values_list("language", flat=True).first()
            )
            if language:
                translation.activate(language)
                request._request.LANGUAGE_CODE = language
        return result


class TokenAuthentication(PreferredLanguageMixin, KnoxTokenAuthentication):
    """django-rest-knox's personal tokens, answering in the person's language."""


class AxesBasicAuthentication(PreferredLanguageMixin, BasicAuthentication):
    """HTTP basic authentication that says so when django-axes refused a locked-out user
    (instead of a bare "invalid user name/password") and answers in the person's language."""

    def authenticate_credentials(self, userid, password, request=None):
        try:
            return super().authenticate_credentials(userid, password, request)
        except exceptions.AuthenticationFailed:
            if getattr(request, "axes_locked_out", False):
                raise LockedOut(
                    _(
                        "Too many failed logins for this user from your address: try again "
                        "in 15 minutes, or reset your password."
                    )
                ) from None
            raise
