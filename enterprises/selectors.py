"""Reads about people and the registry, each filtered by the one policy
(``enterprises/policy.py``): who the user may invite, the people and invitations it sees, and
the history of changes (audit) of its scope."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from .models import ROLE_SCOPE_FIELD, Enterprise, Invitation, Park, Role, UserScope
from .policy import Action, can, invitable_roles, restrict


def invitation_targets(user) -> list[tuple[str, str, object]]:
    """The memberships the user may invite someone to, as ``(value, label, target)``:
    ``value`` is ``"<role>:<id>"`` (``"ministry:"`` for the ministry), ``target`` the
    province, park or enterprise (None for the ministry). Boards see their province's parks, a
    park manager its tenants, an enterprise user its enterprises."""
    roles = invitable_roles(user)
    out: list[tuple[str, str, object]] = []
    for role in Role:
        if role not in roles:
            continue
        field = ROLE_SCOPE_FIELD[role]
        if field is None:
            if can(user, Action.INVITE, Invitation(role=role)):
                out.append((f"{role}:", str(role.label), None))
            continue
        model = Invitation._meta.get_field(field).related_model
        rows = restrict(model._default_manager.all(), user, Action.VIEW)
        if model is Enterprise:
            rows = rows.filter(is_active=True).select_related("park")
        for obj in rows:
            if can(user, Action.INVITE, Invitation(role=role, **{field: obj})):
                out.append((f"{role}:{obj.pk}", f"{role.label} – {obj}", obj))
    return out


def invitations_visible(user) -> QuerySet[Invitation]:
    """Invitations of the scopes the user sees, newest first."""
    return (
        restrict(Invitation.objects.all(), user, Action.VIEW)
        .select_related("province", "park", "enterprise", "invited_by", "accepted_by")
        .order_by("-created_at")
    )


def people_visible(user) -> QuerySet:
    """Users with a membership the user may see, by user name, with their memberships
    (``visible_memberships``: those the user sees, active or ended)."""
    memberships = restrict(UserScope.objects.all(), user, Action.VIEW)
    return (
        get_user_model()
        ._default_manager.filter(pk__in=memberships.values("user_id"))
        .prefetch_related(
            Prefetch(
                "scopes",
                queryset=memberships.select_related("province", "park", "enterprise").order_by(
                    "pk"
                ),
                to_attr="visible_memberships",
            )
        )
        .order_by("username")
    )


@dataclass
class AuditEntry:
    """One recorded change: when, who, what kind of object, which one, what happened
    (created, changed, deleted) and the fields changed (``(field label, old, new)``)."""

    when: datetime.datetime
    who: str
    kind: str
    subject: str
    action: str
    changes: list[tuple[str, str, str]]


_TYPES = {"+": "created", "~": "changed", "-": "deleted"}


def _entries(history_qs, kind: str, limit: int) -> list[AuditEntry]:
    rows = list(history_qs.select_related("history_user").order_by("-history_date")[:limit])
    out = []
    for row in rows:
        changes = []
        previous = row.prev_record if row.history_type == "~" else None
        if previous is not None:
            delta = row.diff_against(previous)
            for change in delta.changes:
                field = row.instance_type._meta.get_field(change.field)
                changes.append((str(field.verbose_name), _show(change.old), _show(change.new)))
        who = row.history_user
        out.append(
            AuditEntry(
                when=row.history_date,
                who=(who.get_full_name() or who.username) if who else _("system"),
                kind=kind,
                subject=str(row.instance),
                action=_TYPES.get(row.history_type, row.history_type),
                changes=changes,
            )
        )
    return out


def _show(value) -> str:
    if value is None or value == "":
        return "—"
    return str(value)


def audit_entries(user, *, limit: int = 100) -> list[AuditEntry]:
    """The latest ``limit`` changes of the user's scope, newest first: invitations and
    memberships it may see, parks and enterprises whose history it may read (the ``audit``
    action). Each model's history is one query plus one per changed row (its previous
    version)."""
    parks = restrict(Park.objects.all(), user, Action.AUDIT).values("pk")
    enterprises = restrict(Enterprise.objects.all(), user, Action.AUDIT).values("pk")
    invitations = restrict(Invitation.objects.all(), user, Action.AUDIT).values("pk")
    memberships = restrict(UserScope.objects.all(), user, Action.AUDIT).values("pk")
    entries = (
        _entries(Park.history.filter(id__in=parks), _("park"), limit)
        + _entries(Enterprise.history.filter(id__in=enterprises), _("enterprise"), limit)
        + _entries(Invitation.history.filter(id__in=invitations), _("invitation"), limit)
        + _entries(UserScope.history.filter(id__in=memberships), _("membership"), limit)
    )
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries[:limit]
