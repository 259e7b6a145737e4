"""The API's basic authentication: DRF's, answering 429 with a translated message when
django-axes has locked the user out (5 failures in 15 minutes from one address). Kept apart
from the API views: DRF reads this setting while view classes are being defined."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.authentication import BasicAuthentication


class LockedOut(exceptions.APIException):
    """429: django-axes locked this user name out from this address."""

    status_code = status.HTTP_429_TOO_MANY_REQUESTS
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
