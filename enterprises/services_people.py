"""Writes about people: invitations (create, resend, revoke, accept), memberships (end one,
deactivate a user), profiles and personal API tokens. See ``docs/people.md``.

Who may do what is asked of the one policy (``enterprises/policy.py``: the ``invite`` action on
invitations and memberships). Every change is kept by django-simple-history with who made it
(``HistoricalInvitation``, ``HistoricalUserScope``); the inviter's e-mail is sent inside the
same transaction, so an invitation that could not be sent is not saved.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from knox.models import AuthToken

from .models import (
    INVITATION_VALID_DAYS,
    ROLE_SCOPE_FIELD,
    Invitation,
    Profile,
    Role,
    UserScope,
)
from .policy import Action, can, forget_scopes

#: Lifetimes a person may choose for a personal API token (days).
TOKEN_LIFETIMES_DAYS = (30, 90, 365)


def token_digest(token: str) -> str:
    """SHA-256 hex digest of an invitation token (only the digest is stored)."""
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_link(token: str) -> str:
    """The absolute link of an invitation (``SITE_URL`` + ``/accounts/invitation/<token>/``)."""
    from django.urls import reverse

    return settings.SITE_URL.rstrip("/") + reverse("invitation_accept", args=[token])


def _send(invitation: Invitation, token: str) -> None:
    """Send the invitation e-mail in the invitation's language: a person who already has an
    account (:func:`existing_account`) is told to log in with it and accept, a deactivated
    one to set a new password, anyone else to set a password with the e-mail as user name.
    Raises ``ValidationError`` (on ``email``) when the mail server refuses it."""
    with translation.override(invitation.language):
        context = {
            "invitation": invitation,
            "account": existing_account(invitation),
            "link": invitation_link(token),
            "inviter": invitation.invited_by.get_full_name() or invitation.invited_by.username,
            "role": invitation.get_role_display(),
            "target": invitation.target_name,
            "valid_until": timezone.localtime(invitation.expires_at),
        }
        subject = _("Invitation to ecopark: %(role)s, %(target)s") % context
        body = render_to_string("enterprises/email/invitation.txt", context)
    message = EmailMessage(subject=subject, body=body, to=[invitation.email])
    try:
        message.send(fail_silently=False)
    except OSError as exc:  # smtplib errors are OSErrors
        raise ValidationError(
            {
                "email": _("The e-mail could not be sent (%(error)s); nothing was saved.")
                % {"error": exc}
            }
        ) from exc


def _new_token(invitation: Invitation, now: datetime.datetime) -> str:
    token = secrets.token_urlsafe(32)
    invitation.token_digest = token_digest(token)
    invitation.sent_at = now
    invitation.expires_at = now + datetime.timedelta(days=INVITATION_VALID_DAYS)
    return token


def _probe(role: str, target) -> Invitation:
    """An unsaved invitation for ``role`` over ``target`` (None, a Province, Park or
    Enterprise), to ask the policy about."""
    field = ROLE_SCOPE_FIELD[Role(role)]
    if field is None:
        return Invitation(role=role)
    expected = Invitation._meta.get_field(field).related_model
    if not isinstance(target, expected):
        raise ValidationError({"scope": _("Choose what the invitation covers.")})
    return Invitation(role=role, **{field: target})


@transaction.atomic
def invitation_create(
    *, user, email: str, role: str, target=None, language: str = "vi"
) -> tuple[Invitation, str]:
    """Invite ``email`` to ``role`` over ``target`` (None for the ministry, else the
    province, park or enterprise) and send the e-mail; returns the invitation and its token.

    Raises ``PermissionDenied`` when the policy refuses (a board inviting a board, a park
    manager inviting for another park's tenant) and ``ValidationError`` naming ``email``
    (malformed, already a member, already invited and still valid, mail server refused),
    ``role``/``scope`` or ``language``.
    """
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": _("Enter a valid e-mail address.")}) from None
    if role not in Role.values:
        raise ValidationError({"role": _("Choose a role.")})
    if language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": _("Choose Vietnamese or English.")})
    probe = _probe(role, target)
    if not can(user, Action.INVITE, probe):
        raise PermissionDenied(_("You may not invite people to this role and scope."))
    same = {
        "role": role,
        "province": probe.province,
        "park": probe.park,
        "enterprise": probe.enterprise,
    }
    if UserScope.objects.filter(user__email__iexact=email, is_active=True, **same).exists():
        raise ValidationError(
            {"email": _("%(email)s is already a member here.") % {"email": email}}
        )
    now = timezone.now()
    pending = Invitation.objects.filter(
        email__iexact=email,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=now,
        **same,
    )
    if pending.exists():
        raise ValidationError(
            {
                "email": _(
                    "%(email)s has already been invited here and the link is still valid; "
                    "resend it from the list instead."
                )
                % {"email": email}
            }
        )
    invitation = Invitation(email=email, language=language, invited_by=user, created_at=now, **same)
    invitation._history_user = user
    token = _new_token(invitation, now)
    invitation.full_clean()
    invitation.save()
    _send(invitation, token)
    return invitation, token


def _managed_invitation(user, invitation: Invitation) -> None:
    if not can(user, Action.INVITE, invitation):
        raise PermissionDenied(_("You may not change this invitation."))


def _pending_invitation(user, invitation: Invitation, refused: str) -> Invitation:
    """``invitation`` locked for the transaction, changed by ``user`` (recorded in its
    history); ``PermissionDenied`` outside the user's right, ``ValidationError`` with
    ``refused`` (``%(state)s``: its state) when it was already accepted or revoked."""
    _managed_invitation(user, invitation)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.state in (Invitation.State.ACCEPTED, Invitation.State.REVOKED):
        raise ValidationError(refused % {"state": invitation.get_state_display()})
    invitation._history_user = user
    return invitation


@transaction.atomic
def invitation_resend(*, user, invitation: Invitation) -> str:
    """Send the invitation again with a new link valid ``INVITATION_VALID_DAYS`` days (the
    old link stops working); returns the new token. Raises ``PermissionDenied`` outside the
    user's right and ``ValidationError`` for an accepted or revoked invitation."""
    invitation = _pending_invitation(
        user, invitation, _("This invitation is %(state)s and cannot be sent again.")
    )
    token = _new_token(invitation, timezone.now())
    invitation.times_sent += 1
    invitation.save()
    _send(invitation, token)
    return token


@transaction.atomic
def invitation_revoke(*, user, invitation: Invitation) -> Invitation:
    """Withdraw an invitation that was not accepted: its link stops working. Raises
    ``PermissionDenied`` outside the user's right and ``ValidationError`` when it was already
    accepted or revoked."""
    invitation = _pending_invitation(
        user, invitation, _("This invitation is %(state)s and cannot be revoked.")
    )
    invitation.revoked_at = timezone.now()
    invitation.save()
    return invitation


class InvitationRefused(Exception):
    """The link cannot be used: ``reason`` is ``"unknown"``, ``"accepted"``, ``"deactivated"``
    (accepted, and the account deactivated since), ``"expired"`` or ``"revoked"``; ``message``
    says so in the active language."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason
        self.message = message


def invitation_by_token(token: str, *, for_update: bool = False) -> Invitation:
    """The invitation a link's ``token`` opens while it may be used; raises
    :class:`InvitationRefused` otherwise (unknown, already used, expired, revoked)."""
    rows = Invitation.objects.select_related(
        "province", "park", "enterprise", "invited_by", "accepted_by"
    )
    if for_update:
        rows = rows.select_for_update(of=("self",))
    invitation = rows.filter(token_digest=token_digest(token or "")).first()
    if invitation is None:
        raise InvitationRefused(
            "unknown",
            _(
                "This invitation link is not valid: it may have been replaced by a newer "
                "e-mail. Use the latest link you received, or ask the person who invited you."
            ),
        )
    state = invitation.state
    if state == Invitation.State.ACCEPTED:
        # the link keeps its digest once accepted, so that opening it again lands here
        person = invitation.accepted_by
        if person is not None and not person.is_active:
            raise InvitationRefused("deactivated", _deactivated_message(invitation, person))
        raise InvitationRefused(
            "accepted",
            _("This invitation has already been used. Log in with the user name %(username)s.")
            % {"username": person.get_username()}
            if person is not None
            else _("This invitation has already been used. Log in with your e-mail and password."),
        )
    if state == Invitation.State.REVOKED:
        raise InvitationRefused(
            "revoked", _("This invitation was withdrawn by the person who sent it.")
        )
    if state == Invitation.State.EXPIRED:
        raise InvitationRefused(
            "expired",
            _("This invitation expired on %(date)s. Ask %(inviter)s to send it again.")
            % {
                "date": timezone.localtime(invitation.expires_at).strftime("%d/%m/%Y %H:%M"),
                "inviter": invitation.invited_by.get_full_name()
                or invitation.invited_by.email
                or invitation.invited_by.username,
            },
        )
    return invitation


def _deactivated_message(invitation: Invitation, person) -> str:
    """What the used link of ``invitation`` says once its account (``person``) was deactivated
    (:func:`user_deactivate`): that it cannot log in, and who may invite the person again — a
    new invitation is what reactivates a deactivated account (:func:`invitation_accept`). The
    inviters are those of ``enterprises.policy.INVITERS`` for the invitation's role, told by
    the object of its scope (``enterprises.models.ROLE_SCOPE_FIELD``, which a database
    constraint ties to the role): an enterprise (enterprise user) → its park's manager or a
    colleague; a park (park manager) → the board of the park's province; a province (board)
    or nothing (ministry) → ministry staff."""
    username = person.get_username()
    if invitation.enterprise is not None:
        enterprise = invitation.enterprise
        return _(
            "This invitation was accepted, but the account %(username)s has since been "
            "deactivated and can no longer log in. Only a new invitation reactivates it: ask "
            "the park manager of %(park)s or a colleague at %(enterprise)s to invite you again."
        ) % {"username": username, "park": enterprise.park.name, "enterprise": enterprise.name}
    if invitation.park is not None:
        return _(
            "This invitation was accepted, but the account %(username)s has since been "
            "deactivated and can no longer log in. Only a new invitation reactivates it: ask "
            "the provincial management board of %(province)s to invite you again."
        ) % {"username": username, "province": invitation.park.province.name_vi}
    return _(
        "This invitation was accepted, but the account %(username)s has since been "
        "deactivated and can no longer log in. Only a new invitation reactivates it: ask "
        "ministry staff to invite you again."
    ) % {"username": username}


def existing_account(invitation: Invitation):
    """The account already registered with the invitation's e-mail, as its e-mail or as its
    user name (people invited before log in with their e-mail), or None."""
    return (
        get_user_model()
        ._default_manager.filter(
            Q(email__iexact=invitation.email) | Q(username__iexact=invitation.email)
        )
        .order_by("pk")
        .first()
    )


def _join(invitation: Invitation, person) -> UserScope:
    fields = {
        "user": person,
        "role": invitation.role,
        "province": invitation.province,
        "park": invitation.park,
        "enterprise": invitation.enterprise,
    }
    scope = UserScope.objects.filter(**fields).first() or UserScope(**fields)
    if scope.pk is None or not scope.is_active:
        scope.is_active = True
        scope._history_user = person
        scope.save()
    forget_scopes(person)
    return scope


@transaction.atomic
def invitation_accept(
    *,
    token: str,
    password: str = "",
    first_name: str = "",
    last_name: str = "",
    phone: str = "",
    user=None,
):
    """Use an invitation link once: the invited person gets the membership.

    A new person (no account with that e-mail) becomes a user named by the e-mail, with
    ``password`` (Django's password validators), names, ``phone`` and the invitation's
    language as preferred language. A person who already has an account (:func:`existing_account`)
    accepts while logged in as that account (``user``); a deactivated account is reactivated
    with the new password, keeps its user name (which the login form asks for: it may differ
    from the e-mail) and takes the names given (empty ones keep the old). Returns the user.
    Raises :class:`InvitationRefused` for a link that cannot be used, ``PermissionDenied``
    (naming the account's user name) when ``user`` is someone else or nobody,
    ``ValidationError`` naming ``password``."""
    invitation = invitation_by_token(token, for_update=True)
    person = existing_account(invitation)
    if person is not None and person.is_active:
        if user is None or user.pk != person.pk:
            raise PermissionDenied(
                _(
                    "An account with this e-mail exists: log in with its user name, "
                    "%(username)s, to accept."
                )
                % {"username": person.get_username()}
            )
    else:
        try:
            password_validation.validate_password(
                password, user=person or get_user_model()(username=invitation.email)
            )
        except ValidationError as exc:
            raise ValidationError({"password": exc.messages}) from exc
        if person is None:
            person = get_user_model()._default_manager.create_user(
                username=invitation.email,
                email=invitation.email,
                password=password,
                first_name=first_name.strip()[:150],
                last_name=last_name.strip()[:150],
            )
        else:
            person.set_password(password)
            person.is_active = True
            person.first_name = first_name.strip()[:150] or person.first_name
            person.last_name = last_name.strip()[:150] or person.last_name
            person.save()
        Profile.objects.update_or_create(
            user=person, defaults={"phone": phone.strip()[:40], "language": invitation.language}
        )
    _join(invitation, person)
    invitation._history_user = person
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = person
    # the digest stays: the link opened again is refused as "already used" (naming the user
    # name), and ``invitation_by_token`` refuses an accepted invitation, so it works once
    invitation.save()
    return person


@dataclass
class Deactivation:
    """What :func:`user_deactivate` did: the memberships ended, and whether the account
    itself was deactivated (no active membership left)."""

    memberships_ended: int
    account_deactivated: bool


@transaction.atomic
def user_deactivate(*, user, person) -> Deactivation:
    """End every membership of ``person`` that ``user`` manages (the ``invite`` action on
    memberships); when none is left active the account is deactivated and can no longer log
    in. Answers, approvals and history stay attributed to ``person``; the memberships' history
    records who ended them. Raises ``PermissionDenied`` when ``user`` manages none of them and
    ``ValidationError`` for ``user`` themself."""
    if person.pk == user.pk:
        raise ValidationError(_("You cannot deactivate your own account."))
    active = UserScope.objects.filter(user=person, is_active=True).select_related(
        "enterprise", "park"
    )
    managed = [s for s in active if can(user, Action.INVITE, s)]
    if not managed:
        raise PermissionDenied(_("You do not manage any of this person's memberships."))
    for scope in managed:
        scope.is_active = False
        scope._history_user = user
        scope.save()
    left = active.count() - len(managed)
    if left == 0 and person.is_active:
        person.is_active = False
        person.save(update_fields=["is_active"])
        AuthToken.objects.filter(user=person).delete()
    forget_scopes(person)
    return Deactivation(memberships_ended=len(managed), account_deactivated=left == 0)


@transaction.atomic
def profile_update(
    *, user, first_name: str, last_name: str, email: str, phone: str, language: str
) -> Profile:
    """Save the person's own names, e-mail, phone and preferred language. Raises
    ``ValidationError`` naming ``email`` (malformed, or another account's) or ``language``."""
    email = (email or "").strip().lower()
    errors = {}
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = _("Enter a valid e-mail address.")
        else:
            taken = get_user_model()._default_manager.filter(email__iexact=email)
            if taken.exclude(pk=user.pk).exists():
                errors["email"] = _("Another account uses this e-mail.")
    if language not in dict(settings.LANGUAGES):
        errors["language"] = _("Choose Vietnamese or English.")
    if errors:
        raise ValidationError(errors)
    user.first_name = first_name.strip()[:150]
    user.last_name = last_name.strip()[:150]
    user.email = email
    user.save(update_fields=["first_name", "last_name", "email"])
    profile, _created = Profile.objects.update_or_create(
        user=user, defaults={"phone": phone.strip()[:40], "language": language}
    )
    user.preferred_language = language
    return profile


@transaction.atomic
def language_set(*, user, language: str) -> None:
    """Remember the language a logged-in person picked with the switch (their profile's)."""
    if language in dict(settings.LANGUAGES):
        Profile.objects.update_or_create(user=user, defaults={"language": language})
        user.preferred_language = language


@transaction.atomic
def api_token_create(*, user, days: int) -> tuple[AuthToken, str]:
    """A personal API token for ``user``, valid ``days`` days (one of
    :data:`TOKEN_LIFETIMES_DAYS`); returns the row and the token, shown once (only a
    SHA-512 digest is stored, django-rest-knox). A script sends ``Authorization: Token
    <token>`` and is scoped like the user."""
    if days not in TOKEN_LIFETIMES_DAYS:
        raise ValidationError({"days": _("Choose how long the token stays valid.")})
    return AuthToken.objects.create(user=user, expiry=datetime.timedelta(days=days))


@transaction.atomic
def api_token_revoke(*, user, token_key: str) -> int:
    """Revoke the user's token(s) whose public prefix is ``token_key``; returns how many."""
    deleted, _rows = AuthToken.objects.filter(user=user, token_key=token_key).delete()
    return deleted
