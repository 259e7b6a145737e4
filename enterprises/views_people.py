"""The people of a scope: invite, follow each invitation's state, resend, revoke, deactivate a
user, and the history of changes (audit). Thin views over ``services_people.py`` and
``selectors.py``; the policy answers 404 outside the reading scope and 403 inside it without
the right."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import selectors
from . import services_people as people
from .forms import InvitationForm, add_service_errors
from .models import Invitation, UserScope
from .policy import Action, can, restrict, scopes_of


def _language(request) -> str:
    return "en" if (request.LANGUAGE_CODE or "vi").startswith("en") else "vi"


@login_required
def people_page(request):
    """Invite someone (when the user may), the invitations with their state, and the people
    of the user's scope with their memberships, last login and a deactivate button."""
    if not scopes_of(request.user):
        raise Http404
    targets = selectors.invitation_targets(request.user)
    form = InvitationForm(targets=targets, initial={"language": _language(request)})
    if request.method == "POST":
        if not targets:
            raise PermissionDenied
        form = InvitationForm(request.POST, targets=targets)
        if form.is_valid():
            role, target = form.role_and_target()
            try:
                invitation, _token = people.invitation_create(
                    user=request.user,
                    email=form.cleaned_data["email"],
                    role=role,
                    target=target,
                    language=form.cleaned_data["language"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("An invitation was sent to %(email)s.") % {"email": invitation.email},
                )
                return redirect("people")
    now = timezone.now()
    invitations = list(selectors.invitations_visible(request.user)[:300])
    for inv in invitations:
        inv.state_now = inv.state_at(now)
        inv.state_label = Invitation.State(inv.state_now).label
        inv.manageable = inv.state_now in ("sent", "expired") and can(
            request.user, Action.INVITE, inv
        )
    persons = list(selectors.people_visible(request.user))
    for person in persons:
        person.manageable = person.pk != request.user.pk and any(
            m.is_active and can(request.user, Action.INVITE, m) for m in person.visible_memberships
        )
    return render(
        request,
        "enterprises/people.html",
        {
            "form": form,
            "can_invite": bool(targets),
            "invitations": invitations,
            "persons": persons,
        },
        status=422 if form.errors else 200,
    )


def _invitation_change(request, pk: int, change, done: str):
    """Run ``change`` (resend or revoke) on an invitation the user manages; back to People
    with ``done`` or the refusal."""
    invitation = get_object_or_404(restrict(Invitation.objects.all(), request.user), pk=pk)
    if not can(request.user, Action.INVITE, invitation):
        raise PermissionDenied
    try:
        change(user=request.user, invitation=invitation)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done % {"email": invitation.email})
    return redirect("people")


@login_required
@require_POST
def invitation_resend(request, pk: int):
    """Send an invitation again with a new 7-day link."""
    return _invitation_change(
        request, pk, people.invitation_resend, _("The invitation was sent again to %(email)s.")
    )


@login_required
@require_POST
def invitation_revoke(request, pk: int):
    """Withdraw an invitation; its link stops working."""
    return _invitation_change(
        request, pk, people.invitation_revoke, _("The invitation to %(email)s was revoked.")
    )


@login_required
@require_POST
def user_deactivate(request, pk: int):
    """End the memberships of a person that the user manages; the account is deactivated when
    none is left."""
    visible = restrict(UserScope.objects.all(), request.user, Action.VIEW).values("user_id")
    person = get_object_or_404(get_user_model()._default_manager.filter(pk__in=visible), pk=pk)
    try:
        outcome = people.user_deactivate(user=request.user, person=person)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if outcome.account_deactivated:
            messages.success(
                request,
                _("%(name)s was deactivated and can no longer log in.") % {"name": person.username},
            )
        else:
            messages.success(
                request,
                _("%(name)s no longer belongs to your scope; their other memberships remain.")
                % {"name": person.username},
            )
    return redirect("people")


@login_required
def audit(request):
    """The latest changes of the user's scope: invitations, memberships, deactivations, parks
    and tenants edited (who, when, what changed)."""
    if not scopes_of(request.user):
        raise Http404
    return render(
        request, "enterprises/audit.html", {"entries": selectors.audit_entries(request.user)}
    )
