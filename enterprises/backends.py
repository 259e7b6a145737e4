"""Authentication backend of ecopark."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class ScopedModelBackend(ModelBackend):
    """Django's username/password backend that loads the user's scope
    (:class:`enterprises.models.UserScope`) in the same query as the user, so
    :func:`enterprises.policy.scope_of` costs no query on any page. (Only the scope: each
    further join costs more to compile than the query it would save on the few pages that
    read the scope's province, park or enterprise.)

    Authentication itself is :class:`~django.contrib.auth.backends.ModelBackend`'s: an
    inactive user gets no session (``user_can_authenticate``)."""

    def get_user(self, user_id):
        """The active user with primary key ``user_id`` and its scope, or None."""
        user_model = get_user_model()
        try:
            user = user_model._default_manager.select_related("scope").get(pk=user_id)
        except user_model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
