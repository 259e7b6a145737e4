"""Reads about people and the registry, each filtered by the one policy
(``enterprises/policy.py``): who the user may invite, the people and invitations it sees, the
history of changes (audit) of its scope, and the registry's investment projects (Part I of the
annual reports, Circular 05/2025/TT-BKHĐT forms A.4 and B.4) with personal data hidden from
those who may not see it (action ``view_personal``)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from common.collation import vi_key

from .models import (
    ROLE_SCOPE_FIELD,
    Enterprise,
    InvestmentProject,
    Invitation,
    Park,
    Role,
    UserScope,
)
from .policy import Action, can, invitable_roles, restrict


def invitation_targets(user) -> list[tuple[str, str, object]]:
    """The memberships the user may invite someone to, as ``(value, label, target)``:
    ``value`` is ``"<role>:<id>"`` (``"ministry:"`` for the ministry), ``target`` the
    province, park or enterprise (None for the ministry). Boards see their province's parks, a
    park manager its tenants, an enterprise user its enterprises. Roles in :class:`Role`'s
    order, each role's scopes in Vietnamese alphabetical order (``common.collation.vi_key``) of
    the name shown (a park's in the active language)."""
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
        allowed = [
            (getattr(obj, "name", None) or str(obj), obj)
            for obj in rows
            if can(user, Action.INVITE, Invitation(role=role, **{field: obj}))
        ]
        # one role's scopes in Vietnamese alphabetical order of the names the page shows
        for name, obj in sorted(allowed, key=lambda pair: vi_key(pair[0])):
            out.append((f"{role}:{obj.pk}", f"{role.label} – {name}", obj))
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
    names: dict = {}  # (model, pk) → name, shared by the rows
    for row in rows:
        changes = []
        previous = row.prev_record if row.history_type == "~" else None
        if previous is not None:
            delta = row.diff_against(previous)
            for change in delta.changes:
                field = row.instance_type._meta.get_field(change.field)
                changes.append(
                    (
                        str(field.verbose_name),
                        _show(field, change.old, names),
                        _show(field, change.new, names),
                    )
                )
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


def _show(field, value, names: dict) -> str:
    """A recorded value as the page shows it: a dash for none; a date and time in local time
    ``dd/mm/yyyy HH:MM`` (as the page's "when" column), a date ``dd/mm/yyyy``; a reference by
    the object's name (a user by user name; "#<id>" when it no longer exists); a choice by its
    label; yes/no in the active language; anything else as text. ``names`` caches the
    references looked up (one query per distinct object)."""
    if value is None or value == "":
        return "—"
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if field.is_relation and field.many_to_one:
        model = field.related_model
        key = (model, value)
        if key not in names:
            obj = model._default_manager.filter(pk=value).first()
            if obj is None:
                names[key] = f"#{value}"
            elif model is get_user_model():
                names[key] = obj.get_username()
            else:
                names[key] = str(obj)
        return names[key]
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
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


class _Hidden:
    """Stands for a personal value the user may not see (its text is a dash)."""

    def __str__(self) -> str:
        return "•••"

    def __repr__(self) -> str:
        return "HIDDEN"

    def __bool__(self) -> bool:
        return True


#: the value shown in place of personal data the user may not see
HIDDEN = _Hidden()


def project_defaults(*, park: Park, enterprise: Enterprise | None = None) -> dict:
    """What the registry already knows of a project before anyone types it: the park's
    infrastructure developer (``Park.operator``, an organisation) for a park; the enterprise
    itself as the economic organisation implementing the project (name and tax code, which is
    its enterprise code since the Law on Enterprises 2014) for an enterprise."""
    if enterprise is None:
        return {
            "investor_kind": InvestmentProject.InvestorKind.ORGANISATION,
            "investor_name": park.operator or "",
        }
    return {"organisation_name": enterprise.name, "organisation_code": enterprise.tax_code}


def project_of(*, park: Park, enterprise: Enterprise | None = None) -> InvestmentProject:
    """The investment project of ``park`` (its infrastructure project) or of ``enterprise``:
    the saved one, or an unsaved one holding :func:`project_defaults` (nothing is written)."""
    found = InvestmentProject.objects.filter(park=park, enterprise=enterprise).first()
    if found is not None:
        return found
    return InvestmentProject(
        park=park, enterprise=enterprise, **project_defaults(park=park, enterprise=enterprise)
    )


def project_as_of(project: InvestmentProject, moment: datetime.datetime | None):
    """``project`` as it stood at ``moment`` (its history), e.g. when a report was submitted;
    the project itself when ``moment`` is None, the project is unsaved or has no history
    before that moment."""
    if moment is None or project.pk is None:
        return project
    try:
        return project.history.as_of(moment)
    except InvestmentProject.DoesNotExist:
        return project


def project_values(project: InvestmentProject, user) -> dict[str, object]:
    """``{field: value}`` for every registry field of ``project``
    (:meth:`InvestmentProject.registry_fields`), personal data (``PERSONAL_FIELDS``) replaced by
    :data:`HIDDEN` when the user may not ``view_personal`` and the field holds a value. Values
    are ``str`` (blank ``""``) or ``datetime.date`` (blank None)."""
    probe = (
        project
        if project.pk
        else InvestmentProject(park_id=project.park_id, enterprise_id=project.enterprise_id)
    )
    personal = can(user, Action.VIEW_PERSONAL, probe)
    values = {}
    for name in InvestmentProject.registry_fields():
        value = getattr(project, name)
        if name in InvestmentProject.PERSONAL_FIELDS and not personal and value not in ("", None):
            value = HIDDEN
        values[name] = value
    return values
