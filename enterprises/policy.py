"""The one permission policy of ecopark: who may see and who may change what.

Every page, API view, service, form and template asks this module, and nothing else compares
roles (``tests/test_architecture.py`` checks it). Two questions, NetBox-style:

- :func:`can` ``(user, action, obj)`` → bool: may ``user`` do ``action`` on ``obj``? ``obj`` is
  a model instance (saved, or an unsaved *probe* such as ``RECPMeasure(enterprise=e)`` for
  "may the user add a measure of ``e``"), or a model class, which asks about every object of
  the model in the country (only a grant that reaches everything answers yes: the national
  dashboard, maintaining the catalogue, recomputing a whole campaign).
- :func:`restrict` ``(queryset, user, action)`` → the rows of ``queryset`` the user may act on,
  as one SQL filter (no row is read).

Both read the same table, :data:`RULES`: for each model (by its ``app_label.model`` label, so
this module imports no app above ``enterprises``), the lookups from the model to its park, its
enterprise (and, for symbiosis exchanges, its participating enterprises), and for each action
the grants: a role and the relation between the user's scope and the object. Default deny: a
model or action without a grant is refused, and a user without a scope
(:class:`~enterprises.models.UserScope`) may do nothing; a superuser acts as ministry staff.

Roles and scopes (``docs/architecture.md``, "Who may do what"): ministry → every park;
provincial board → the parks of its province; park manager → its park and its tenants;
enterprise → its own enterprise (and its park's dashboard, never another enterprise's
answers). A user may hold several memberships (:func:`scopes_of`): :func:`can` is true when any
of them allows, and :func:`restrict` ORs their filters (the union). People (memberships and
invitations) follow the same table: a grant may name the roles of the memberships it reaches
(the ministry invites ministry and board users; a board park managers of its province's parks;
a park manager its tenants' users; an enterprise's user colleagues of its enterprise). Pages
answer 404 for an object outside the user's reading scope and 403 for an
object the user may read but not change.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q, QuerySet

from .models import Enterprise, Park, Province, Role, UserScope

#: attribute of a user holding its active memberships (set by enterprises.backends)
SCOPES_ATTRIBUTE = "_ecopark_scopes"


class Action(enum.StrEnum):
    """What a user may want to do with an object."""

    VIEW = "view"  #: read it
    CHANGE = "change"  #: edit it (answers of a response, a register entry, a registry row)
    SUBMIT = "submit"  #: hand a response in
    REVIEW = "review"  #: return a response for correction
    APPROVE = "approve"  #: approve a response (it is then locked)
    REOPEN = "reopen"  #: reopen an approved response for a correction
    EXTEND = "extend"  #: grant a response a later due date (surveys.periods)
    IMPORT = "import"  #: upload the answers of a park's tenants from an Excel file
    PROPOSE = "propose"  #: turn a matching candidate into a proposed symbiosis exchange
    REPORT = "report"  #: download a park's documents: its dashboard workbook, its Art. 41 PDF
    MANAGE = "manage"  #: open campaigns, maintain the catalogue, propose exchanges, recompute;
    #: keep a park's tenants in the registry (add, edit, deactivate, import)
    INVITE = "invite"  #: invite someone to a membership, resend or revoke it, end a membership
    AUDIT = "audit"  #: read the history of changes (who, when, what)
    #: read the personal data of a natural person in the registry (dates of birth, identity
    #: documents, home addresses, mobile numbers): never the ministry, never other tenants
    VIEW_PERSONAL = "view_personal"


class Relation(enum.StrEnum):
    """How a grant reaches an object from the user's scope."""

    ALL = "all"  #: every object (ministry)
    PROVINCE = "province"  #: objects of the parks of the scope's province
    PARK = "park"  #: objects of the scope's park, park-level and its tenants'
    PARK_LEVEL = "park_level"  #: the scope park's own rows (no enterprise), not its tenants'
    TENANTS = "tenants"  #: rows of the scope park's enterprises, not the park's own
    ENTERPRISE = "enterprise"  #: rows of the scope's enterprise
    OWN_PARK = "own_park"  #: the park of the scope's enterprise (its dashboard)
    PARTICIPANT = "participant"  #: objects in which an enterprise the user may read takes part
    RESPONDENT = "respondent"  #: objects with a response the user may view (campaigns)


@dataclass(frozen=True)
class Grant:
    """``role`` may act on objects that ``relation`` reaches from the user's scope; for
    memberships and invitations, ``roles`` (when set) are the roles of those the grant
    reaches (a board invites park managers, not other boards)."""

    role: str
    relation: Relation
    roles: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Rule:
    """How one model is reached: ``park`` is the lookup from the model to its
    :class:`~enterprises.models.Park` (``""``: the model is Park; None: it has none; a tuple:
    alternative lookups, the first set one counts), ``enterprise`` to its Enterprise (``""``:
    it is Enterprise; None: it has none), ``province`` to its Province (default: through the
    park; a tuple: alternatives), ``participant`` to the enterprises taking part (symbiosis
    exchanges), ``responses`` the reverse lookup to its responses (campaigns), ``role`` the
    field holding the role of a membership or invitation (for :attr:`Grant.roles`);
    ``grants`` maps each action to the grants that allow it."""

    park: str | tuple[str, ...] | None
    enterprise: str | None
    grants: dict[Action, tuple[Grant, ...]]
    province: str | tuple[str, ...] | None = None
    participant: str | None = None
    responses: str | None = None
    role: str | None = None
    staff: frozenset[Action] = field(default_factory=frozenset)

    @property
    def park_paths(self) -> tuple[str, ...]:
        """The lookups to the park (empty: the model has none)."""
        if self.park is None:
            return ()
        return self.park if isinstance(self.park, tuple) else (self.park,)

    @property
    def province_paths(self) -> tuple[str, ...]:
        """The lookups to the province: ``province`` if set, else through the park."""
        if self.province is not None:
            return self.province if isinstance(self.province, tuple) else (self.province,)
        return tuple("province" if p == "" else f"{p}__province" for p in self.park_paths)


M, B, P, E = Role.MINISTRY, Role.BOARD, Role.PARK_MANAGER, Role.ENTERPRISE
R = Relation

#: who reads a park's or an enterprise's rows: the ministry, the board of the province, the
#: park manager (park-level and tenants), the enterprise (its own rows only)
READERS = (Grant(M, R.ALL), Grant(B, R.PROVINCE), Grant(P, R.PARK), Grant(E, R.ENTERPRISE))
#: who keeps an enterprise's registers: the enterprise itself and its park's manager
ENTERPRISE_KEEPERS = (Grant(E, R.ENTERPRISE), Grant(P, R.PARK))
#: who answers a response: the park manager (the park's own) or the enterprise (its own)
RESPONDENTS = (Grant(P, R.PARK_LEVEL), Grant(E, R.ENTERPRISE))
#: who reviews a response (Decree 35/2022/ND-CP Art. 43: the park reports to the board; each
#: enterprise to the park's developer and the board): the board of the province, and the park
#: manager for its tenants' responses (never its own)
REVIEWERS = (Grant(B, R.PROVINCE), Grant(P, R.TENANTS))
#: who reads an exchange (and its savings): the readers of its park, and those of an enterprise
#: taking part (an exchange of a neighbouring park with one of the tenants)
EXCHANGE_READERS = (
    *READERS[:3],
    Grant(B, R.PARTICIPANT),
    Grant(P, R.PARTICIPANT),
    Grant(E, R.PARTICIPANT),
)
#: who keeps an exchange (and its savings): the park manager, or a tenant taking part
EXCHANGE_KEEPERS = (Grant(P, R.PARK), Grant(E, R.PARTICIPANT))
#: who puts a park in a campaign, imports its tenants' answers or edits it: the ministry
#: anywhere, a board in its province
PARK_STEWARDS = (Grant(M, R.ALL), Grant(B, R.PROVINCE))
#: who keeps a park's tenants in the registry (adds, edits, deactivates, imports, moves): the
#: park manager, and the stewards of the park
TENANT_KEEPERS = (Grant(P, R.PARK), *PARK_STEWARDS)
#: who sees the people of a scope (memberships, invitations) and their history
PEOPLE_READERS = (
    Grant(M, R.ALL),
    Grant(B, R.PROVINCE),
    Grant(P, R.PARK),
    Grant(E, R.ENTERPRISE),
)
#: who invites whom (and resends, revokes, ends memberships): the ministry its own staff and
#: the boards; a board the park managers of its province's parks; a park manager the users of
#: its tenants; an enterprise's user colleagues of its enterprise
INVITERS = (
    Grant(M, R.ALL, roles=(M, B)),
    Grant(B, R.PROVINCE, roles=(P,)),
    Grant(P, R.PARK, roles=(E,)),
    Grant(E, R.ENTERPRISE, roles=(E,)),
)
#: people are reached through the object of their membership: a province (board), a park
#: (park manager), an enterprise (enterprise user)
PEOPLE_PATHS = {
    "park": ("park", "enterprise__park"),
    "enterprise": "enterprise",
    "province": ("province", "park__province", "enterprise__park__province"),
    "role": "role",
}

#: a membership or an invitation: read, offered and audited through the object it is of
PEOPLE = Rule(
    **PEOPLE_PATHS,
    grants={
        Action.VIEW: PEOPLE_READERS,
        Action.INVITE: INVITERS,
        Action.AUDIT: PEOPLE_READERS,
    },
)
#: an entry of an enterprise's own register (RECP measure, ISO certificate, stream): read as
#: its enterprise is, kept by the enterprise and its park manager
ENTERPRISE_REGISTER = Rule(
    park="enterprise__park",
    enterprise="enterprise",
    grants={Action.VIEW: READERS, Action.CHANGE: ENTERPRISE_KEEPERS},
)

RULES: dict[str, Rule] = {
    "enterprises.province": Rule(
        park=None,
        enterprise=None,
        province="",
        grants={Action.VIEW: (Grant(M, R.ALL), Grant(B, R.PROVINCE))},
    ),
    "enterprises.park": Rule(
        park="",
        enterprise=None,
        grants={
            Action.VIEW: (*READERS[:3], Grant(E, R.OWN_PARK)),
            # add a park (a probe with its province) or edit one: the ministry, a board
            Action.CHANGE: PARK_STEWARDS,
            # the park's documents (dashboard XLSX and Art. 41 PDF, which quote the park's
            # answers): those who follow the park; a tenant reads its park's page only
            Action.REPORT: READERS[:3],
            Action.MANAGE: PARK_STEWARDS,
            Action.IMPORT: (Grant(B, R.PROVINCE), Grant(P, R.PARK)),
            Action.AUDIT: (*PARK_STEWARDS, Grant(P, R.PARK)),
        },
    ),
    "enterprises.enterprise": Rule(
        park="park",
        enterprise="",
        grants={
            Action.VIEW: READERS,
            # keep its registers (RECP, certificates, streams, roadmap)
            Action.CHANGE: ENTERPRISE_KEEPERS,
            # keep it in the registry: name, tax code, sector, contact, deactivation, import
            Action.MANAGE: TENANT_KEEPERS,
            Action.AUDIT: READERS,
        },
    ),
    "enterprises.userscope": PEOPLE,
    "enterprises.invitation": PEOPLE,
    # Part I of the annual reports (Circular 05/2025 forms A.4, B.4): a park's infrastructure
    # project (no enterprise) or an enterprise's project, with investor and representative
    "enterprises.investmentproject": Rule(
        park="park",
        enterprise="enterprise",
        grants={
            Action.VIEW: READERS,
            Action.CHANGE: ENTERPRISE_KEEPERS,
            # personal data: the entity's own users, its park's manager and the board
            Action.VIEW_PERSONAL: (Grant(B, R.PROVINCE), Grant(P, R.PARK), Grant(E, R.ENTERPRISE)),
        },
    ),
    "indicators.frameworkversion": Rule(
        park=None,
        enterprise=None,
        grants={Action.MANAGE: (Grant(M, R.ALL),)},
        staff=frozenset({Action.MANAGE}),
    ),
    "surveys.campaign": Rule(
        park=None,
        enterprise=None,
        province="province",
        responses="responses",
        grants={
            # the ministry every campaign; a board its province's; everyone the campaigns
            # with a response they may read
            Action.VIEW: (
                Grant(M, R.ALL),
                Grant(B, R.PROVINCE),
                Grant(B, R.RESPONDENT),
                Grant(P, R.RESPONDENT),
                Grant(E, R.RESPONDENT),
            ),
            Action.MANAGE: (Grant(M, R.ALL), Grant(B, R.PROVINCE)),
        },
    ),
    "surveys.response": Rule(
        park="park",
        enterprise="enterprise",
        grants={
            Action.VIEW: READERS,
            Action.CHANGE: RESPONDENTS,
            Action.SUBMIT: RESPONDENTS,
            Action.REVIEW: REVIEWERS,
            Action.APPROVE: REVIEWERS,
            Action.REOPEN: (Grant(B, R.PROVINCE),),
            # an extension after the close: the board of the province, or the ministry
            Action.EXTEND: (Grant(M, R.ALL), Grant(B, R.PROVINCE)),
        },
    ),
    "surveys.answer": Rule(
        park="response__park",
        enterprise="response__enterprise",
        grants={Action.VIEW: READERS},
    ),
    "surveys.evidence": Rule(
        park="response__park",
        enterprise="response__enterprise",
        grants={Action.VIEW: READERS, Action.CHANGE: RESPONDENTS},
    ),
    "registers.recpmeasure": ENTERPRISE_REGISTER,
    "registers.isocertificate": ENTERPRISE_REGISTER,
    "registers.stream": ENTERPRISE_REGISTER,
    "registers.symbiosisexchange": Rule(
        park="park",
        enterprise=None,
        participant="participants__enterprise",
        grants={
            Action.VIEW: EXCHANGE_READERS,
            # a tenant taking part must stay a participant (registers.services)
            Action.CHANGE: EXCHANGE_KEEPERS,
            # record a new exchange of a park: its manager, or one of its tenants
            Action.MANAGE: (Grant(P, R.PARK), Grant(E, R.OWN_PARK)),
            # turn a matching candidate into a proposed exchange: the park manager
            Action.PROPOSE: (Grant(P, R.PARK),),
        },
    ),
    # a yearly saving of an exchange: read and kept as its exchange is
    "registers.symbiosissaving": Rule(
        park="exchange__park",
        enterprise=None,
        participant="exchange__participants__enterprise",
        grants={Action.VIEW: EXCHANGE_READERS, Action.CHANGE: EXCHANGE_KEEPERS},
    ),
    "registers.roadmapaction": Rule(
        park="park",
        enterprise="enterprise",
        grants={
            Action.VIEW: READERS,
            # park-level actions: the park manager; an enterprise's: it or its park manager
            Action.CHANGE: ENTERPRISE_KEEPERS,
        },
    ),
}


# ---------------------------------------------------------------------------------- scopes


def scopes_of(user) -> tuple[UserScope, ...]:
    """The user's active memberships, oldest first (empty: anonymous, inactive, or none).
    Superusers act as ministry staff. Costs no query when the user was loaded by
    :class:`enterprises.backends.ScopedModelBackend`; otherwise one, kept on the user."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", True):
        return ()
    if user.is_superuser:
        return (UserScope(user=user, role=Role.MINISTRY),)
    scopes = getattr(user, SCOPES_ATTRIBUTE, None)
    if scopes is None:
        scopes = tuple(UserScope.objects.filter(user=user, is_active=True).order_by("pk"))
        setattr(user, SCOPES_ATTRIBUTE, scopes)
    return scopes


def forget_scopes(user) -> None:
    """Drop the memberships kept on ``user`` (after one was added or ended)."""
    if hasattr(user, SCOPES_ATTRIBUTE):
        delattr(user, SCOPES_ATTRIBUTE)


def scope_of(user) -> UserScope | None:
    """The user's first active membership, or None: where a page needs one starting point
    (the landing page, the park whose roadmap a user records). Permissions use them all."""
    scopes = scopes_of(user)
    return scopes[0] if scopes else None


def own_enterprise_ids(user) -> list[int]:
    """Ids of the enterprises the user belongs to as an enterprise user (several for a
    group's officer or a consultant)."""
    return [s.enterprise_id for s in scopes_of(user) if s.enterprise_id is not None]


def scope_key(user) -> tuple | None:
    """A hashable summary of what the user may see (each membership's role and ids), for
    cache keys of pages whose content depends on the scope only; None without a scope."""
    scopes = scopes_of(user)
    if not scopes:
        return None
    return tuple(sorted((s.role, s.province_id, s.park_id, s.enterprise_id) for s in scopes))


def _rule(model) -> Rule | None:
    return RULES.get(model._meta.label_lower)


# ----------------------------------------------------------------- one object: can(...)


def _walk(obj, path: str):
    """``obj`` followed along the ``__``-separated ``path`` (``""``: ``obj`` itself); None when
    a step is missing."""
    for step in path.split("__") if path else ():
        if obj is None:
            return None
        obj = getattr(obj, step, None)
    return obj


def _id_of(obj, path: str | tuple[str, ...] | None):
    """The primary key at the end of ``path`` from ``obj`` without loading the last row (the
    ``<field>_id`` attribute), or None; for a tuple of alternative paths, the first found."""
    if path is None:
        return None
    if isinstance(path, tuple):
        for alternative in path:
            found = _id_of(obj, alternative)
            if found is not None:
                return found
        return None
    if path == "":
        return obj.pk
    head, _, last = path.rpartition("__")
    parent = _walk(obj, head)
    return None if parent is None else getattr(parent, f"{last}_id", None)


def _enterprise_park_id(scope: UserScope) -> int | None:
    return scope.enterprise.park_id if scope.enterprise_id else None


def _reaches(user, scope: UserScope, grant: Grant, rule: Rule, obj, action: Action) -> bool:
    if grant.roles is not None and getattr(obj, rule.role or "", None) not in grant.roles:
        return False
    rel = grant.relation
    if rel is R.ALL:
        return True
    if rel is R.PROVINCE:
        paths = rule.province_paths
        if not paths:
            return False
        if paths == ("",):
            return obj.pk is not None and obj.pk == scope.province_id
        province_id = _id_of(obj, paths)
        return province_id is not None and province_id == scope.province_id
    park_id = _id_of(obj, rule.park_paths or None)
    enterprise_id = _id_of(obj, rule.enterprise)
    if rel is R.PARK:
        return park_id is not None and park_id == scope.park_id
    if rel is R.PARK_LEVEL:
        return park_id is not None and park_id == scope.park_id and enterprise_id is None
    if rel is R.TENANTS:
        return park_id is not None and park_id == scope.park_id and enterprise_id is not None
    if rel is R.ENTERPRISE:
        return enterprise_id is not None and enterprise_id == scope.enterprise_id
    if rel is R.OWN_PARK:
        return park_id is not None and park_id == _enterprise_park_id(scope)
    if rel is R.PARTICIPANT:
        if obj.pk is None or rule.participant is None:
            return False
        readable = restrict(Enterprise.objects.all(), user, Action.VIEW)
        return (
            type(obj)
            ._default_manager.filter(pk=obj.pk, **{f"{rule.participant}__in": readable})
            .exists()
        )
    if rel is R.RESPONDENT:
        if obj.pk is None or rule.responses is None:
            return False
        return restrict(type(obj)._default_manager.filter(pk=obj.pk), user, action).exists()
    return False


def _allowed(user, action: Action, rule: Rule, obj, *, every: bool) -> bool:
    if action in rule.staff and getattr(user, "is_staff", False) and user.is_active:
        return True
    for scope in scopes_of(user):
        for grant in rule.grants.get(action, ()):
            if grant.role != scope.role:
                continue
            if every:
                if grant.relation is R.ALL:
                    return True
            elif _reaches(user, scope, grant, rule, obj, action):
                return True
    return False


def can(user, action: Action | str, obj) -> bool:
    """True when ``user`` may do ``action`` on ``obj`` (a model instance, saved or a probe,
    or a model class meaning every object of that model). Unknown models and actions are
    refused (default deny). May run one query for the relations that need one
    (participants of an exchange, an enterprise's park, a campaign's responses)."""
    model = obj if isinstance(obj, type) else type(obj)
    rule = _rule(model)
    if rule is None:
        return False
    return _allowed(user, Action(action), rule, obj, every=isinstance(obj, type))


# --------------------------------------------------------------- many objects: restrict


def _q(user, scope: UserScope, grant: Grant, rule: Rule, model, action: Action) -> Q | None:
    """The filter that ``grant`` gives ``scope`` on ``model``; None when it reaches nothing."""
    q = _q_relation(user, scope, grant, rule, model, action)
    if q is None or grant.roles is None:
        return q
    return Q(**{f"{rule.role}__in": grant.roles}) & q


def _any_of(paths: tuple[str, ...], value) -> Q | None:
    """``Q(path_id=value)`` for one path, OR-ed over alternatives; None without a path."""
    q = None
    for path in paths:
        one = Q(**{"pk" if path == "" else f"{path}_id": value})
        q = one if q is None else q | one
    return q


def _q_relation(user, scope: UserScope, grant: Grant, rule: Rule, model, action) -> Q | None:
    rel = grant.relation
    if rel is R.ALL:
        return Q()
    if rel is R.PROVINCE:
        return _any_of(rule.province_paths, scope.province_id)
    park_paths = rule.park_paths
    enterprise = (
        None
        if rule.enterprise is None
        else ("pk" if rule.enterprise == "" else f"{rule.enterprise}_id")
    )
    if rel is R.PARK:
        return _any_of(park_paths, scope.park_id)
    if rel in (R.PARK_LEVEL, R.TENANTS):
        if len(park_paths) != 1 or rule.enterprise is None:
            return None
        park = "pk" if park_paths[0] == "" else f"{park_paths[0]}_id"
        return Q(**{park: scope.park_id, f"{rule.enterprise}__isnull": rel is R.PARK_LEVEL})
    if rel is R.ENTERPRISE:
        return None if enterprise is None else Q(**{enterprise: scope.enterprise_id})
    if rel is R.OWN_PARK:
        if len(park_paths) != 1:
            return None
        park = "pk" if park_paths[0] == "" else f"{park_paths[0]}_id"
        return Q(
            **{f"{park}__in": Enterprise.objects.filter(pk=scope.enterprise_id).values("park")}
        )
    if rel is R.PARTICIPANT:
        if rule.participant is None:
            return None
        readable = restrict(Enterprise.objects.all(), user, Action.VIEW)
        taking_part = model._default_manager.filter(
            **{f"{rule.participant}__in": readable.values("pk")}
        ).values("pk")
        return Q(pk__in=taking_part)
    if rel is R.RESPONDENT:
        if rule.responses is None:
            return None
        related = model._meta.get_field(rule.responses)
        responses = restrict(related.related_model._default_manager.all(), user, action)
        return Q(Exists(responses.filter(**{related.field.name: OuterRef("pk")})))
    return None


def restrict(queryset: QuerySet, user, action: Action | str = Action.VIEW) -> QuerySet:
    """The rows of ``queryset`` that ``user`` may do ``action`` on, as one filter (nothing is
    read). Default deny: ``queryset.none()`` for an unknown model or action, a user without a
    scope, or a role without a grant."""
    action = Action(action)
    model = queryset.model
    rule = _rule(model)
    if rule is None:
        return queryset.none()
    if action in rule.staff and getattr(user, "is_staff", False) and user.is_active:
        return queryset
    condition: Q | None = None
    for scope in scopes_of(user):
        for grant in rule.grants.get(action, ()):
            if grant.role != scope.role:
                continue
            q = _q(user, scope, grant, rule, model, action)
            if q is None:
                continue
            if not q:  # Q(): everything
                return queryset
            condition = q if condition is None else condition | q
    return queryset.none() if condition is None else queryset.filter(condition)


def users_who_can(action: Action | str, obj) -> QuerySet:
    """The active users who may do ``action`` on ``obj`` (a saved instance), e.g. who is
    e-mailed about a certificate or a response: the inverse of :func:`can`, one query when
    evaluated. Grants reaching everything (the ministry) are left out: they are not the
    people an object's notices are for."""
    action = Action(action)
    rule = _rule(type(obj))
    users = get_user_model()._default_manager.filter(is_active=True)
    if rule is None:
        return users.none()
    park_id = _id_of(obj, rule.park_paths or None)
    enterprise_id = _id_of(obj, rule.enterprise)
    condition = Q(pk__in=[])
    for grant in rule.grants.get(action, ()):
        rel, role = grant.relation, Q(role=grant.role)
        if rel is R.PROVINCE and rule.province_paths:
            paths = rule.province_paths
            province_id = obj.pk if paths == ("",) else _id_of(obj, paths)
            condition |= role & Q(province_id=province_id)
        elif rel is R.PARK and park_id is not None:
            condition |= role & Q(park_id=park_id)
        elif rel is R.PARK_LEVEL and park_id is not None and enterprise_id is None:
            condition |= role & Q(park_id=park_id)
        elif rel is R.TENANTS and park_id is not None and enterprise_id is not None:
            condition |= role & Q(park_id=park_id)
        elif rel is R.ENTERPRISE and enterprise_id is not None:
            condition |= role & Q(enterprise_id=enterprise_id)
        elif rel is R.OWN_PARK and park_id is not None:
            condition |= role & Q(enterprise__park_id=park_id)
        elif rel is R.PARTICIPANT and rule.participant is not None and obj.pk is not None:
            taking_part = type(obj)._default_manager.filter(pk=obj.pk).values(rule.participant)
            condition |= role & Q(enterprise_id__in=taking_part)
    memberships = UserScope.objects.filter(condition, is_active=True).values("user_id")
    return users.filter(pk__in=memberships)


def scopes_who_can(
    action: Action | str, label: str, *, park_ids=(), enterprise_ids=()
) -> QuerySet[UserScope]:
    """Scopes of the active users who may do ``action`` on objects of model ``label`` (e.g.
    ``"surveys.response"``) that belong to the parks ``park_ids`` (park-level objects, or
    through the park) or the enterprises ``enterprise_ids``: :func:`users_who_can` for many
    subjects in one query (reminders and digests). Grants reaching a province or everything
    are left out: notices go to the people of the parks and enterprises themselves."""
    action = Action(action)
    rule = RULES.get(label)
    scopes = UserScope.objects.filter(user__is_active=True, is_active=True)
    if rule is None:
        return scopes.none()
    condition = Q(pk__in=[])
    for grant in rule.grants.get(action, ()):
        role = Q(role=grant.role)
        if grant.relation in (R.PARK, R.PARK_LEVEL, R.TENANTS) and park_ids:
            condition |= role & Q(park_id__in=list(park_ids))
        elif grant.relation is R.ENTERPRISE and enterprise_ids:
            condition |= role & Q(enterprise_id__in=list(enterprise_ids))
    return scopes.filter(condition)


# ------------------------------------------------------------------ named questions
# Shorthands for questions pages ask often; each is one of the rules above.


def visible_parks(user) -> QuerySet[Park]:
    """Parks the user may read: all (ministry), its province's (board), its own (park
    manager), the park its enterprise is in (enterprise)."""
    return restrict(Park.objects.all(), user, Action.VIEW)


def visible_enterprises(user) -> QuerySet[Enterprise]:
    """Enterprises the user may read: those of its parks, or only itself for an enterprise."""
    return restrict(Enterprise.objects.all(), user, Action.VIEW)


def nameable_parks(user, park: Park) -> QuerySet[Park]:
    """Parks whose infrastructure developer ``user`` may name as a participant of a symbiosis
    exchange of ``park``: that park and the parks the user may read — as the enterprises it
    may name are the park's tenants and those it may read
    (:func:`registers.selectors.participant_choices`)."""
    return Park.objects.filter(Q(pk=park.pk) | Q(pk__in=visible_parks(user).values("pk")))


def matchable(streams: QuerySet, user) -> QuerySet:
    """The ``streams`` a user may meet among matching candidates: those it may read (an
    enterprise its own, a park manager its tenants') and those their owners offered for
    matching (``offered``): another enterprise's stream is never shown without that consent."""
    return streams.filter(Q(offered=True) | Q(pk__in=restrict(streams, user).values("pk")))


def park_visible_by_scope(user, park_id: int) -> bool | None:
    """Whether park ``park_id`` is in :func:`visible_parks`, where the scope alone answers it
    without a query (ministry: True, provided the park exists; park manager: its own park;
    no scope: False); None when it takes a row (board, enterprise): ask
    :func:`visible_parks`."""
    scopes = scopes_of(user)
    if not scopes:
        return False
    if can(user, Action.VIEW, Park):
        return True
    if all(s.park_id is not None for s in scopes):
        return can(user, Action.VIEW, Park(pk=park_id))
    return None


@dataclass
class _Subject:
    """A stand-in for a response of one subject: its park and enterprise ids."""

    park_id: int
    enterprise_id: int | None
    pk: int | None = None


def can_respond(user, *, park_id: int, enterprise_id: int | None) -> bool:
    """True when the user answers that subject's responses: the park manager of the park (for
    a park-level response) or the enterprise itself (the ``change`` grant of a response)."""
    subject = _Subject(park_id=park_id, enterprise_id=enterprise_id)
    return _allowed(user, Action.CHANGE, RULES["surveys.response"], subject, every=False)


def follows_others(user) -> bool:
    """True for users who follow other people's responses and tenants (ministry, board, park
    manager): they may read enterprises that are not their own."""
    roles = {s.role for s in scopes_of(user)}
    return any(
        g.role in roles and g.relation is not R.ENTERPRISE
        for g in RULES["enterprises.enterprise"].grants[Action.VIEW]
    )


def landing(user) -> tuple[str, object] | None:
    """Where the user starts: ``("national", None)`` (ministry), ``("province", Province)``
    (board), ``("park", park id)`` (park manager), ``("enterprise", enterprise id)``
    (enterprise); None without a scope."""
    scope = scope_of(user)
    if scope is None:
        return None
    if can(user, Action.VIEW, Province):
        return "national", None
    if scope.province_id is not None:
        return "province", scope.province
    if scope.park_id is not None:
        return "park", scope.park_id
    return "enterprise", scope.enterprise_id


def park_people(park: Park) -> QuerySet:
    """The active users who work for ``park``: its managers and its tenants' users (the
    people a roadmap action of the park may be given to)."""
    memberships = UserScope.objects.filter(
        Q(park=park) | Q(enterprise__park=park), is_active=True
    ).values("user_id")
    return get_user_model()._default_manager.filter(is_active=True, pk__in=memberships)


def works_in_park(user, park: Park) -> bool:
    """True when ``user`` is one of :func:`park_people` of ``park``."""
    for scope in scopes_of(user):
        if scope.user_id is None:
            continue
        if scope.park_id is not None and scope.park_id == park.pk:
            return True
        if scope.enterprise_id is not None and scope.enterprise.park_id == park.pk:
            return True
    return False


def invitable_roles(user) -> set[str]:
    """The roles the user may invite people to (through any of its memberships)."""
    roles = {s.role for s in scopes_of(user)}
    return {
        invited
        for rule in (RULES["enterprises.invitation"],)
        for grant in rule.grants[Action.INVITE]
        if grant.role in roles
        for invited in grant.roles or ()
    }
