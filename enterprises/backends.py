"""Authentication backend of ecopark."""

from __future__ import annotations

from functools import cache

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db import connection

from .models import UserScope


@cache
def _user_with_scope_sql() -> str:
    """SELECT of one user (every column) and its scope's columns (aliased ``scope__<attname>``)
    by primary key, built once from the models' metadata."""
    user_model = get_user_model()
    quote = connection.ops.quote_name
    user_pk = quote(user_model._meta.pk.column)
    scope_user = quote(UserScope._meta.get_field("user").column)
    user_columns = ", ".join(f"u.{quote(f.column)}" for f in user_model._meta.concrete_fields)
    scope_columns = ", ".join(
        f"s.{quote(f.column)} AS {quote('scope__' + f.attname)}"
        for f in UserScope._meta.concrete_fields
    )
    return (
        f"SELECT {user_columns}, {scope_columns} "
        f"FROM {quote(user_model._meta.db_table)} u "
        f"LEFT OUTER JOIN {quote(UserScope._meta.db_table)} s ON s.{scope_user} = u.{user_pk} "
        f"WHERE u.{user_pk} = %s"
    )


class ScopedModelBackend(ModelBackend):
    """Django's username/password backend that loads the user's scope
    (:class:`enterprises.models.UserScope`) in the same query as the user, so
    :func:`enterprises.policy.scope_of` costs no query on any page.

    Authentication itself is :class:`~django.contrib.auth.backends.ModelBackend`'s: an
    inactive user gets no session (``user_can_authenticate``). The per-request lookup
    (:meth:`get_user`) is a raw query built once from the models' metadata: the same join
    through the ORM costs about 0.7 ms of query compilation on every page, the raw one 0.3 ms
    (``benchmarks/load_pages.py``)."""

    def get_user(self, user_id):
        """The active user with primary key ``user_id`` with ``user.scope`` loaded (or known
        to be missing), or None."""
        user_model = get_user_model()
        try:
            user_id = user_model._meta.pk.to_python(user_id)
        except Exception:  # a malformed id in a session: no user
            return None
        user = next(iter(user_model._default_manager.raw(_user_with_scope_sql(), [user_id])), None)
        if user is None:
            return None
        reverse = UserScope._meta.get_field("user")
        if getattr(user, "scope__id", None) is None:
            reverse.remote_field.set_cached_value(user, None)  # user.scope raises DoesNotExist
        else:
            scope = UserScope.from_db(
                user._state.db,
                [f.attname for f in UserScope._meta.concrete_fields],
                [getattr(user, "scope__" + f.attname) for f in UserScope._meta.concrete_fields],
            )
            reverse.set_cached_value(scope, user)
            reverse.remote_field.set_cached_value(user, scope)
        return user if self.user_can_authenticate(user) else None
