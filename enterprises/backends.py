"""Authentication backend of ecopark."""

from __future__ import annotations

from functools import cache

from axes.backends import AxesStandaloneBackend
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db import connection

from .models import Profile, UserScope

#: attribute of a user holding its active memberships (a tuple), read by enterprises.policy
SCOPES_ATTRIBUTE = "_ecopark_scopes"


#: membership columns loaded with the user (``is_active`` is true by the join; the rest are
#: deferred)
_SCOPE_FIELDS = ("id", "user_id", "role", "province_id", "park_id", "enterprise_id")


@cache
def _user_with_scopes_sql() -> str:
    """SELECT of one user (every column), its profile's language (``profile__language``) and
    its active memberships' columns (``scope__<attname>``) by primary key: one row per
    membership, or one with NULLs; built once from the models' metadata."""
    user_model = get_user_model()
    quote = connection.ops.quote_name
    user_pk = quote(user_model._meta.pk.column)
    user_columns = ", ".join(f"u.{quote(f.column)}" for f in user_model._meta.concrete_fields)
    scope_columns = ", ".join(
        f"s.{quote(UserScope._meta.get_field(name.removesuffix('_id')).column)} "
        f"AS {quote('scope__' + name)}"
        for name in _SCOPE_FIELDS
    )
    scope_user = quote(UserScope._meta.get_field("user").column)
    profile_user = quote(Profile._meta.get_field("user").column)
    return (
        f"SELECT {user_columns}, p.{quote('language')} AS {quote('profile__language')}, "
        f"{scope_columns} "
        f"FROM {quote(user_model._meta.db_table)} u "
        f"LEFT OUTER JOIN {quote(Profile._meta.db_table)} p ON p.{profile_user} = u.{user_pk} "
        f"LEFT OUTER JOIN {quote(UserScope._meta.db_table)} s "
        f"ON s.{scope_user} = u.{user_pk} AND s.{quote('is_active')} "
        f"WHERE u.{user_pk} = %s ORDER BY s.{quote('id')}"
    )


def load_user(user_id):
    """The user with primary key ``user_id`` (active or not) with its active memberships
    (``enterprises.policy.scopes_of``) and preferred language (``preferred_language``, None
    without a profile) loaded, in one query; None when there is none."""
    rows = list(get_user_model()._default_manager.raw(_user_with_scopes_sql(), [user_id]))
    if not rows:
        return None
    user = rows[0]
    user.preferred_language = getattr(user, "profile__language", None)
    scopes = []
    for row in rows:
        if getattr(row, "scope__id", None) is None:
            continue
        scope = UserScope.from_db(
            user._state.db,
            list(_SCOPE_FIELDS),
            [getattr(row, "scope__" + n) for n in _SCOPE_FIELDS],
        )
        scope.is_active = True
        UserScope._meta.get_field("user").set_cached_value(scope, user)
        scopes.append(scope)
    setattr(user, SCOPES_ATTRIBUTE, tuple(scopes))
    return user


class ScopedModelBackend(ModelBackend):
    """Django's username/password backend that loads the user's active memberships
    (:class:`enterprises.models.UserScope`) and preferred language in the same query as the
    user, so :func:`enterprises.policy.scopes_of` costs no query on any page.

    Authentication itself is :class:`~django.contrib.auth.backends.ModelBackend`'s: an
    inactive user gets no session (``user_can_authenticate``). The per-request lookup
    (:meth:`get_user`) is a raw query built once from the models' metadata: the same join
    through the ORM costs about 0.7 ms of query compilation on every page, the raw one 0.3 ms
    (``benchmarks/load_pages.py``)."""

    def get_user(self, user_id):
        """The active user with primary key ``user_id`` with its memberships loaded, or
        None."""
        try:
            user_id = get_user_model()._meta.pk.to_python(user_id)
        except Exception:  # a malformed id in a session: no user
            return None
        user = load_user(user_id)
        if user is None:
            return None
        return user if self.user_can_authenticate(user) else None


class LockoutBackend(AxesStandaloneBackend):
    """django-axes' lockout check, first of ``AUTHENTICATION_BACKENDS``: a user name locked
    out from an address is refused before any password is checked (login form and API basic
    authentication, which both pass the request). A call without a request (a management
    command, the test client's ``login``) has no address to lock and goes on to the password
    backends unchecked."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
