"""The one permission policy of ecopark: who sees and changes what (DESIGN.md §1, §6).

Views and API both filter their querysets through these functions, so an object outside a
user's scope is simply not found (HTTP 404). Default deny: a user without a
:class:`~enterprises.models.UserScope` (and not a superuser) sees nothing.

Scopes: ministry → every park; provincial board → the parks of its province; park manager → its
park; enterprise → its own enterprise, and its own park only for park-level reads that the
policy allows (the park dashboard, never another enterprise's answers).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from .models import Enterprise, Park, Role, UserScope


def scope_of(user) -> UserScope | None:
    """The user's scope, or None (anonymous, or no scope assigned). Superusers act as ministry."""
    if not getattr(user, "is_authenticated", False):
        return None
    if user.is_superuser:
        return UserScope(user=user, role=Role.MINISTRY)
    try:
        return user.scope
    except UserScope.DoesNotExist:
        return None


def role_of(user) -> str | None:
    """The role value (``"ministry"``, ``"board"``, ``"park_manager"``, ``"enterprise"``) or None."""
    scope = scope_of(user)
    return scope.role if scope else None


def _park_q(scope: UserScope, park_path: str) -> Q | None:
    """Q restricting ``park_path`` to the scope's parks; None means no restriction."""
    prefix = f"{park_path}__" if park_path else ""
    if scope.role == Role.MINISTRY:
        return None
    if scope.role == Role.BOARD:
        return Q(**{f"{prefix}province_id": scope.province_id})
    if scope.role == Role.PARK_MANAGER:
        return Q(**{f"{prefix}pk" if prefix else "pk": scope.park_id})
    return Q(pk__in=[])


def visible_parks(user) -> QuerySet[Park]:
    """Parks the user may read: all (ministry), its province's (board), its own (park manager),
    the park its enterprise is in (enterprise)."""
    scope = scope_of(user)
    if scope is None:
        return Park.objects.none()
    if scope.role == Role.ENTERPRISE:
        return Park.objects.filter(enterprises__pk=scope.enterprise_id)
    q = _park_q(scope, "")
    return Park.objects.all() if q is None else Park.objects.filter(q)


def park_visible_by_scope(user, park_id: int) -> bool | None:
    """Whether park ``park_id`` is in :func:`visible_parks` of ``user``, where the scope alone
    answers it without a query: False without a scope, True for the ministry (provided the park
    exists: the caller still looks it up before showing it), the park manager's own park.
    None when it takes the park's or the enterprise's row (board, enterprise): ask
    :func:`visible_parks`."""
    scope = scope_of(user)
    if scope is None:
        return False
    if scope.role == Role.MINISTRY:
        return True
    if scope.role == Role.PARK_MANAGER:
        return scope.park_id == park_id
    return None


def visible_enterprises(user) -> QuerySet[Enterprise]:
    """Enterprises the user may read: those of its parks, or only itself for an enterprise."""
    scope = scope_of(user)
    if scope is None:
        return Enterprise.objects.none()
    if scope.role == Role.ENTERPRISE:
        return Enterprise.objects.filter(pk=scope.enterprise_id)
    q = _park_q(scope, "park")
    return Enterprise.objects.all() if q is None else Enterprise.objects.filter(q)


def filter_visible(
    queryset: QuerySet, user, *, park_path: str = "park", enterprise_path: str | None = "enterprise"
) -> QuerySet:
    """Restrict ``queryset`` to rows in the user's scope.

    ``park_path`` is the lookup from the model to its Park; ``enterprise_path`` to its
    Enterprise (rows with a null enterprise are park-level rows) or None when the model has no
    enterprise. Enterprise users see only rows of their own enterprise; park-level rows are not
    theirs. Returns ``queryset.none()`` for users without a scope.
    """
    scope = scope_of(user)
    if scope is None:
        return queryset.none()
    if scope.role == Role.ENTERPRISE:
        if enterprise_path is None:
            return queryset.none()
        return queryset.filter(**{f"{enterprise_path}_id": scope.enterprise_id})
    if scope.role == Role.MINISTRY:
        return queryset
    if scope.role == Role.BOARD:
        return queryset.filter(**{f"{park_path}__province_id": scope.province_id})
    if scope.role == Role.PARK_MANAGER:
        return queryset.filter(**{f"{park_path}_id": scope.park_id})
    return queryset.none()


def can_respond(user, *, park_id: int, enterprise_id: int | None) -> bool:
    """True when the user is the respondent of that subject: the park manager of the park (for
    a park-level response) or the enterprise itself."""
    scope = scope_of(user)
    if scope is None:
        return False
    if enterprise_id is None:
        return scope.role == Role.PARK_MANAGER and scope.park_id == park_id
    return scope.role == Role.ENTERPRISE and scope.enterprise_id == enterprise_id
