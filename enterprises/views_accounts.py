"""A person's own pages: the profile (names, phone, preferred language, last login, personal
API tokens), the invitation link, the language switch and the lockout answer. Password reset
and change are Django's own views with the project's templates (``ecopark/urls.py``)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language
from knox.models import AuthToken

from . import services_people as people
from .forms import AcceptForm, ProfileForm, TokenForm, add_service_errors
from .models import Profile
from .policy import scopes_of


@login_required
def profile(request):
    """The person's profile: names, e-mail, phone, preferred language (the interface follows
    it), last login, memberships, and personal API tokens (create: the token is shown once;
    revoke)."""
    user = request.user
    stored = Profile.objects.filter(user=user).first()
    initial = {
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "phone": stored.phone if stored else "",
        "language": stored.language if stored else (request.LANGUAGE_CODE or "vi")[:2],
    }
    form = ProfileForm(initial=initial)
    token_form = TokenForm()
    new_token = None
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "profile":
            form = ProfileForm(request.POST)
            if form.is_valid():
                try:
                    people.profile_update(user=user, **form.cleaned_data)
                except ValidationError as exc:
                    add_service_errors(form, exc)
                else:
                    response = redirect("profile")
                    messages.success(request, _("Your profile was saved."))
                    return response
        elif action == "token":
            token_form = TokenForm(request.POST)
            if token_form.is_valid():
                _row, new_token = people.api_token_create(
                    user=user, days=token_form.cleaned_data["days"]
                )
                token_form = TokenForm()
        elif action == "revoke":
            if people.api_token_revoke(user=user, token_key=request.POST.get("token_key", "")):
                messages.success(request, _("The token was revoked."))
            return redirect("profile")
    tokens = AuthToken.objects.filter(user=user).order_by("-created")
    return render(
        request,
        "enterprises/profile.html",
        {
            "form": form,
            "token_form": token_form,
            "new_token": new_token,
            "tokens": tokens,
            "memberships": [s for s in scopes_of(user) if s.pk is not None],
        },
        status=422
        if request.method == "POST" and new_token is None and (form.errors or token_form.errors)
        else 200,
    )


def invitation_accept(request, token: str):
    """The link of an invitation e-mail: a new person sets a password (and names, phone); a
    person with an account accepts while logged in. A link already used, expired, revoked or
    unknown is refused with a message (status 410 or 404)."""
    try:
        invitation = people.invitation_by_token(token)
    except people.InvitationRefused as exc:
        status = 404 if exc.reason == "unknown" else 410
        return render(
            request,
            "enterprises/invitation_refused.html",
            {"message": exc.message, "reason": exc.reason},
            status=status,
        )
    account = people.existing_account(invitation)
    needs_login = account is not None and account.is_active
    # a deactivated account keeps its user name; the form shows its names to keep or correct
    form = AcceptForm(
        initial={"first_name": account.first_name, "last_name": account.last_name}
        if account is not None
        else None
    )
    if request.method == "POST":
        if needs_login:
            try:
                people.invitation_accept(token=token, user=request.user)
            except PermissionDenied as exc:
                messages.error(request, str(exc))
            else:
                messages.success(
                    request, _("You joined %(target)s.") % {"target": invitation.target_name}
                )
                return redirect("home")
        else:
            form = AcceptForm(request.POST)
            if form.is_valid():
                data = form.cleaned_data
                try:
                    person = people.invitation_accept(
                        token=token,
                        password=data["password1"],
                        first_name=data["first_name"],
                        last_name=data["last_name"],
                        phone=data["phone"],
                    )
                except ValidationError as exc:
                    for field, errs in exc.message_dict.items():
                        form.add_error("password1" if field == "password" else None, errs)
                except people.InvitationRefused as exc:
                    return render(
                        request,
                        "enterprises/invitation_refused.html",
                        {"message": exc.message, "reason": exc.reason},
                        status=410,
                    )
                else:
                    username = person.get_username()
                    messages.success(
                        request,
                        _("Your password is set. Log in with your user name, %(username)s.")
                        % {"username": username},
                    )
                    return redirect(reverse("login") + "?" + urlencode({"username": username}))
    return render(
        request,
        "enterprises/invitation_accept.html",
        {
            "invitation": invitation,
            "form": form,
            "needs_login": needs_login,
            "account": account,
            "logged_in_as_invitee": needs_login
            and request.user.is_authenticated
            and request.user.pk == account.pk,
        },
        status=422 if form.errors else 200,
    )


@require_POST
def language_switch(request):
    """Django's ``set_language``, also remembered as a logged-in person's preferred
    language."""
    if request.user.is_authenticated:
        people.language_set(user=request.user, language=request.POST.get("language", ""))
    return set_language(request)


def locked_out(request, original_response=None, credentials=None):
    """django-axes' answer to a locked-out login (``AXES_LOCKOUT_CALLABLE``): status 429 with
    a translated message on the login form; for the API, 401 with ``WWW-Authenticate`` and
    ``{"detail", "code": "locked_out"}`` as :class:`enterprises.authentication.LockedOut`."""
    message = _(
        "Too many failed logins for this user from your address: try again in 15 minutes, "
        "or reset your password."
    )
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": message, "code": "locked_out"}, status=401)
        response["WWW-Authenticate"] = 'Basic realm="api"'
        return response
    return render(request, "registration/locked_out.html", {"message": message}, status=429)
