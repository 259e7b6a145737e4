"""The API's basic authentication: DRF's, answering 401 with code ``locked_out`` and a
translated message when django-axes has locked the user out (5 failures in 15 minutes from one
address). Kept apart from the API views: DRF reads this setting while view classes are being
defined.

401, not the login form's 429: the lock refuses these credentials (even right ones) for a
while, it does not limit the client's requests — the same client may go on with another
user's credentials or a token. 401 with ``WWW-Authenticate`` is what an API client reads as
"credentials not accepted"; ``code`` says why."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import BasicAuthentication


class LockedOut(exceptions.AuthenticationFailed):
    """401 (with ``WWW-Authenticate``), code ``locked_out``: django-axes locked this user name
    out from this address."""

    default_code = "locked_out"


class AxesBasicAuthentication(BasicAuthentication):
    """HTTP basic authentication that says so when django-axes refused a locked-out user
    (instead of a bare "invalid user name/password")."""

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
