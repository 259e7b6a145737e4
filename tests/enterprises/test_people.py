"""Invitations, memberships, deactivation, profiles, personal API tokens and the audit of
people, around the personas (Django's locmem mailbox; the real SMTP server is in
tests/test_browser_people.py)."""

from __future__ import annotations

import datetime
import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from freezegun import freeze_time
from rest_framework.test import APIClient

from enterprises.models import Invitation, Profile, Role, UserScope
from enterprises.policy import Action, can
from enterprises.services_people import (
    invitation_accept,
    invitation_create,
    invitation_resend,
    invitation_revoke,
    user_deactivate,
)
from surveys.models import Response
from surveys.services import response_submit

from ..conftest import PASSWORD

NEW_PASSWORD = "Ecopark-Lotus-2026"


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def link_token(message) -> str:
    return re.search(r"/accounts/invitation/([^/\s]+)/", message.body).group(1)


def invite_colleague_of_a(personas, email="lan@a.example", language="vi"):
    return invitation_create(
        user=personas.park_manager,
        email=email,
        role=Role.ENTERPRISE,
        target=personas.ent_a,
        language=language,
    )


# ------------------------------------------------------------------ who invites whom


def test_ministry_invites_ministry_and_board_users_but_not_park_managers(personas):
    m, c = personas.ministry, personas.catalogue
    assert can(m, Action.INVITE, Invitation(role=Role.MINISTRY))
    assert can(m, Action.INVITE, Invitation(role=Role.BOARD, province=c.hai_phong))
    assert not can(m, Action.INVITE, Invitation(role=Role.PARK_MANAGER, park=c.amata))
    assert not can(m, Action.INVITE, Invitation(role=Role.ENTERPRISE, enterprise=personas.ent_a))


def test_board_invites_park_managers_of_its_province_only(personas):
    b, c = personas.board, personas.catalogue
    assert can(b, Action.INVITE, Invitation(role=Role.PARK_MANAGER, park=c.amata))
    assert not can(b, Action.INVITE, Invitation(role=Role.PARK_MANAGER, park=c.dinh_vu))
    assert not can(b, Action.INVITE, Invitation(role=Role.BOARD, province=c.dong_nai))
    with pytest.raises(PermissionDenied):
        invitation_create(user=b, email="x@y.vn", role=Role.PARK_MANAGER, target=c.dinh_vu)


def test_park_manager_invites_its_tenants_users_and_an_enterprise_its_colleagues(personas):
    pm, a = personas.park_manager, personas.enterprise_a
    assert can(pm, Action.INVITE, Invitation(role=Role.ENTERPRISE, enterprise=personas.ent_b))
    assert not can(pm, Action.INVITE, Invitation(role=Role.ENTERPRISE, enterprise=personas.ent_c))
    assert not can(
        pm, Action.INVITE, Invitation(role=Role.PARK_MANAGER, park=personas.catalogue.amata)
    )
    assert can(a, Action.INVITE, Invitation(role=Role.ENTERPRISE, enterprise=personas.ent_a))
    assert not can(a, Action.INVITE, Invitation(role=Role.ENTERPRISE, enterprise=personas.ent_b))


def test_the_invitation_form_offers_exactly_what_the_user_may_give(client, personas):
    login(client, personas.park_manager)
    page = client.get("/people/").content.decode()
    options = re.findall(r'<option value="(enterprise:\d+)"', page)
    assert sorted(options) == sorted(
        [f"enterprise:{personas.ent_a.pk}", f"enterprise:{personas.ent_b.pk}"]
    )
    login(client, personas.enterprise_a)
    page = client.get("/people/").content.decode()
    assert re.findall(r'<option value="([a-z_]+:\d*)"', page) == [f"enterprise:{personas.ent_a.pk}"]


# ------------------------------------------------------------------ the e-mail and the link


def test_the_invitation_email_is_in_the_chosen_language_with_a_link_valid_seven_days(personas):
    with freeze_time("2026-03-02 03:00:00"):
        invitation, token = invite_colleague_of_a(personas, language="en")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["lan@a.example"]
    assert message.subject == "Invitation to ecopark: enterprise respondent, Enterprise A (test)"
    assert f"http://127.0.0.1:8000/accounts/invitation/{token}/" in message.body
    assert invitation.expires_at == datetime.datetime(2026, 3, 9, 3, 0, tzinfo=datetime.UTC)
    assert invitation.token_digest != token and len(invitation.token_digest) == 64
    invite_colleague_of_a(personas, email="hoa@a.example", language="vi")
    assert mail.outbox[1].subject.startswith("Lời mời tham gia ecopark")


def test_the_link_sets_a_password_once_and_the_person_sees_only_its_enterprise(client, personas):
    invitation, token = invite_colleague_of_a(personas)
    answer = client.post(
        f"/accounts/invitation/{token}/",
        {
            "first_name": "Lan",
            "last_name": "Nguyễn",
            "phone": "0901 234 567",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
    )
    assert answer.status_code == 302 and answer["Location"].startswith("/accounts/login/")
    person = get_user_model().objects.get(username="lan@a.example")
    assert person.check_password(NEW_PASSWORD) and person.first_name == "Lan"
    assert Profile.objects.get(user=person).phone == "0901 234 567"
    invitation.refresh_from_db()
    assert invitation.state == Invitation.State.ACCEPTED and invitation.accepted_by == person
    # the same link again: refused with a message
    again = client.get(f"/accounts/invitation/{token}/")
    assert again.status_code == 410  # the used link is refused, naming the user name
    assert "Lời mời này đã được sử dụng. Hãy đăng nhập bằng tên đăng nhập lan@a.example." in (
        " ".join(again.content.decode().split())
    )
    assert "password1" not in again.content.decode()
    assert client.login(username="lan@a.example", password=NEW_PASSWORD)
    listed = client.get("/api/v1/enterprises/").json()["results"]
    assert [e["id"] for e in listed] == [personas.ent_a.pk]


def test_a_used_link_is_refused_even_when_posted_twice_at_once(personas):
    _invitation, token = invite_colleague_of_a(personas)
    invitation_accept(token=token, password=NEW_PASSWORD)
    with pytest.raises(Exception) as refused:
        invitation_accept(token=token, password=NEW_PASSWORD)
    assert getattr(refused.value, "reason", None) == "accepted"
    assert get_user_model().objects.filter(email="lan@a.example").count() == 1


def test_an_expired_link_is_refused_with_a_message(client, personas):
    with freeze_time("2026-03-02 03:00:00"):
        _invitation, token = invite_colleague_of_a(personas)
    with freeze_time("2026-03-09 03:00:01"):
        answer = client.get(f"/accounts/invitation/{token}/")
    assert answer.status_code == 410
    text = answer.content.decode()
    assert "Lời mời này đã hết hạn vào 09/03/2026 10:00" in text
    assert not get_user_model().objects.filter(email="lan@a.example").exists()


def test_a_weak_password_is_refused_and_the_link_stays_usable(client, personas):
    _invitation, token = invite_colleague_of_a(personas)
    answer = client.post(
        f"/accounts/invitation/{token}/",
        {"password1": "12345678", "password2": "12345678"},
    )
    assert answer.status_code == 422
    assert not get_user_model().objects.filter(email="lan@a.example").exists()
    assert client.get(f"/accounts/invitation/{token}/").status_code == 200


def test_resend_makes_a_new_link_and_the_old_one_stops_working(client, personas):
    with freeze_time("2026-03-02 03:00:00"):
        invitation, old = invite_colleague_of_a(personas)
    with freeze_time("2026-03-12 03:00:00"):  # expired, then sent again
        assert invitation.state == Invitation.State.EXPIRED
        new = invitation_resend(user=personas.park_manager, invitation=invitation)
        invitation.refresh_from_db()
        assert invitation.state == Invitation.State.SENT and invitation.times_sent == 2
        assert invitation.expires_at == datetime.datetime(2026, 3, 19, 3, 0, tzinfo=datetime.UTC)
        assert client.get(f"/accounts/invitation/{old}/").status_code == 404
        assert client.get(f"/accounts/invitation/{new}/").status_code == 200
    assert link_token(mail.outbox[-1]) == new


def test_a_revoked_link_is_refused_and_cannot_be_resent(client, personas):
    invitation, token = invite_colleague_of_a(personas)
    invitation_revoke(user=personas.enterprise_a, invitation=invitation)
    answer = client.get(f"/accounts/invitation/{token}/")
    assert answer.status_code == 410
    assert "Lời mời này đã được người gửi thu hồi." in answer.content.decode()
    with pytest.raises(ValidationError):
        invitation_resend(user=personas.park_manager, invitation=invitation)
    invitation.refresh_from_db()
    with pytest.raises(ValidationError) as twice:
        invitation_revoke(user=personas.enterprise_a, invitation=invitation)
    assert str(invitation.get_state_display()) in twice.value.messages[0]  # names its state
    assert invitation.times_sent == 1


def test_inviting_twice_while_the_link_is_valid_is_refused(personas):
    invite_colleague_of_a(personas)
    with pytest.raises(ValidationError) as refused:
        invite_colleague_of_a(personas, email="LAN@a.example")
    assert "resend" in str(refused.value.message_dict["email"]) or "gửi lại" in str(
        refused.value.message_dict["email"]
    )


def test_the_inviter_sees_each_state(client, personas):
    with freeze_time("2026-03-02 03:00:00"):
        expired, _t = invite_colleague_of_a(personas, email="old@a.example")
    revoked, _t = invite_colleague_of_a(personas, email="no@a.example")
    invitation_revoke(user=personas.park_manager, invitation=revoked)
    accepted, token = invite_colleague_of_a(personas, email="yes@a.example")
    invitation_accept(token=token, password=NEW_PASSWORD)
    invite_colleague_of_a(personas, email="sent@a.example")
    login(client, personas.park_manager)
    page = client.get("/people/").content.decode()
    states = dict(re.findall(r'<tr data-email="([^"]+)">.*?<span class="state-(\w+)">', page, re.S))
    assert states == {
        "old@a.example": "expired",
        "no@a.example": "revoked",
        "yes@a.example": "accepted",
        "sent@a.example": "sent",
    }
    api = APIClient()
    api.force_authenticate(personas.park_manager)
    listed = {i["email"]: i["state"] for i in api.get("/api/v1/invitations/").json()["results"]}
    assert listed == states


# ------------------------------------------------------------- several enterprises: the union


def test_a_consultant_invited_to_a_second_enterprise_sees_the_union(client, personas):
    _inv, token = invite_colleague_of_a(personas, email="consultant@firm.example")
    invitation_accept(token=token, password=NEW_PASSWORD)
    _inv, token2 = invitation_create(
        user=personas.other_enterprise,
        email="consultant@firm.example",
        role=Role.ENTERPRISE,
        target=personas.ent_c,
    )
    person = get_user_model().objects.get(email="consultant@firm.example")
    # someone else logged in cannot accept it; the consultant must log in first
    with pytest.raises(PermissionDenied):
        invitation_accept(token=token2, user=personas.enterprise_b)
    assert client.login(username="consultant@firm.example", password=NEW_PASSWORD)
    page = client.get(f"/accounts/invitation/{token2}/")
    assert page.status_code == 200 and 'id="accept"' in page.content.decode()
    assert client.post(f"/accounts/invitation/{token2}/").status_code == 302
    assert UserScope.objects.filter(user=person, is_active=True).count() == 2
    ids = sorted(e["id"] for e in client.get("/api/v1/enterprises/").json()["results"])
    assert ids == sorted([personas.ent_a.pk, personas.ent_c.pk])
    parks = sorted(p["id"] for p in client.get("/api/v1/parks/").json()["results"])
    assert parks == sorted([personas.catalogue.amata.pk, personas.catalogue.dinh_vu.pk])
    assert client.get(f"/api/v1/enterprises/{personas.ent_b.pk}/").status_code == 404


# ------------------------------------------------------------------------- deactivation


def test_a_deactivated_user_cannot_log_in_and_stays_attributed(client, personas, campaign_2025):
    mine = Response.objects.get(campaign=campaign_2025, enterprise=personas.ent_b)
    response_submit(response=mine, user=personas.enterprise_b)
    outcome = user_deactivate(user=personas.park_manager, person=personas.enterprise_b)
    assert (outcome.memberships_ended, outcome.account_deactivated) == (1, True)
    assert not client.login(username=personas.enterprise_b.username, password=PASSWORD)
    mine.refresh_from_db()
    assert mine.submitted_by_id == personas.enterprise_b.pk
    ended = UserScope.history.filter(user_id=personas.enterprise_b.pk).latest("history_date")
    assert (ended.is_active, ended.history_user) == (False, personas.park_manager)


def test_deactivation_ends_only_the_memberships_the_manager_keeps(personas):
    UserScope.objects.create(
        user=personas.enterprise_a, role=Role.ENTERPRISE, enterprise=personas.ent_c
    )
    outcome = user_deactivate(user=personas.park_manager, person=personas.enterprise_a)
    assert (outcome.memberships_ended, outcome.account_deactivated) == (1, False)
    person = get_user_model().objects.get(pk=personas.enterprise_a.pk)
    assert person.is_active
    assert list(
        UserScope.objects.filter(user=person, is_active=True).values_list("enterprise", flat=True)
    ) == [personas.ent_c.pk]


def test_nobody_deactivates_themself(personas):
    with pytest.raises(ValidationError):
        user_deactivate(user=personas.park_manager, person=personas.park_manager)


def test_last_login_is_shown_to_the_manager_and_on_the_profile(client, personas):
    with freeze_time("2026-04-01 02:30:00"):
        login(client, personas.enterprise_b)
    with freeze_time("2026-04-01 03:00:00"):
        page = client.get("/accounts/profile/").content.decode()
        assert "01/04/2026 09:30" in page
        login(client, personas.park_manager)
        people = client.get("/people/").content.decode()
    row = re.search(r'<tr data-username="t-ent-b">.*?</tr>', people, re.S)
    assert "01/04/2026 09:30" in row.group(0)


# ------------------------------------------------------------------- profile and language


def test_the_interface_follows_the_preferred_language(client, personas):
    login(client, personas.enterprise_a)
    assert '<html lang="vi">' in client.get("/accounts/profile/").content.decode()
    answer = client.post(
        "/accounts/profile/",
        {
            "action": "profile",
            "first_name": "An",
            "last_name": "Trần",
            "email": "an@a.example",
            "phone": "028 1234",
            "language": "en",
        },
    )
    assert answer.status_code == 302
    page = client.get("/accounts/profile/").content.decode()
    assert '<html lang="en">' in page and "My profile" in page
    # the switch in the header changes the preference too
    client.post("/i18n/setlang/", {"language": "vi", "next": "/accounts/profile/"})
    assert Profile.objects.get(user=personas.enterprise_a).language == "vi"
    assert '<html lang="vi">' in client.get("/accounts/profile/").content.decode()


def test_a_profile_email_of_another_account_is_refused_and_kept(client, personas):
    personas.enterprise_b.email = "b@b.example"
    personas.enterprise_b.save()
    login(client, personas.enterprise_a)
    answer = client.post(
        "/accounts/profile/",
        {
            "action": "profile",
            "first_name": "An",
            "last_name": "",
            "email": "b@b.example",
            "phone": "",
            "language": "vi",
        },
    )
    assert answer.status_code == 422
    text = answer.content.decode()
    assert 'value="An"' in text and "Một tài khoản khác đã dùng email này." in text


# ------------------------------------------------------------------------ API tokens


def test_a_personal_token_is_shown_once_scoped_like_the_user_and_revoked(client, personas):
    login(client, personas.enterprise_a)
    page = client.post("/accounts/profile/", {"action": "token", "days": "30"}).content.decode()
    token = re.search(r'id="new-token".*?<code>([^<]+)</code>', page, re.S).group(1)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    listed = api.get("/api/v1/enterprises/").json()["results"]
    assert [e["id"] for e in listed] == [personas.ent_a.pk]
    assert api.get(f"/api/v1/enterprises/{personas.ent_b.pk}/").status_code == 404
    assert token not in client.get("/accounts/profile/").content.decode()  # shown once
    client.post("/accounts/profile/", {"action": "revoke", "token_key": token[:15]})
    assert api.get("/api/v1/enterprises/").status_code == 401


def test_a_deactivated_users_tokens_stop_working(personas):
    from enterprises.services_people import api_token_create

    _row, token = api_token_create(user=personas.enterprise_b, days=30)
    user_deactivate(user=personas.park_manager, person=personas.enterprise_b)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get("/api/v1/enterprises/").status_code == 401


# ------------------------------------------------------------------------------ audit


def test_the_audit_shows_who_invited_and_deactivated_to_that_scopes_managers(client, personas):
    invitation, _t = invite_colleague_of_a(personas)
    invitation_revoke(user=personas.enterprise_a, invitation=invitation)
    user_deactivate(user=personas.park_manager, person=personas.enterprise_b)
    login(client, personas.park_manager)
    page = client.get("/people/audit/").content.decode()
    rows = re.findall(r"<tr><td>.*?</tr>", page, re.S)
    joined = "\n".join(rows)
    assert "lan@a.example" in joined and "t-ent-a" in joined and "t-amata" in joined
    assert "Thu hồi" in joined or "thu hồi" in joined.lower()
    login(client, personas.other_board)
    other = client.get("/people/audit/").content.decode()
    assert "lan@a.example" not in other and "t-ent-b" not in other


def test_every_invitation_change_is_recorded_with_who_and_when(personas):
    with freeze_time("2026-03-02 03:00:00"):
        invitation, _t = invite_colleague_of_a(personas)
    with freeze_time("2026-03-03 03:00:00"):
        invitation_resend(user=personas.enterprise_a, invitation=invitation)
    rows = list(invitation.history.order_by("history_date"))
    assert [(r.history_type, r.history_user.username, r.times_sent) for r in rows] == [
        ("+", "t-amata", 1),
        ("~", "t-ent-a", 2),
    ]
    assert rows[1].history_date == timezone.make_aware(datetime.datetime(2026, 3, 3, 10, 0))


def test_an_account_named_by_the_email_must_log_in_to_accept(personas, django_user_model):
    named = django_user_model.objects.create_user(username="lan@a.example", password=PASSWORD)
    _invitation, token = invite_colleague_of_a(personas)
    with pytest.raises(PermissionDenied):
        invitation_accept(token=token, password=NEW_PASSWORD)
    assert invitation_accept(token=token, user=named) == named
    assert UserScope.objects.filter(user=named, enterprise=personas.ent_a, is_active=True).exists()


@pytest.mark.parametrize(
    ("language", "new_account", "existing_account"),
    [
        (
            "vi",
            "Tên đăng nhập của bạn sẽ là địa chỉ email lan@a.example.",
            "Bạn đã có tài khoản ecopark: hãy đăng nhập bằng tên đăng nhập lan-nguyen và mật"
            " khẩu bạn vẫn dùng.",
        ),
        (
            "en",
            "Your user name will be your e-mail address, lan@a.example.",
            "You already have an ecopark account: log in with your user name, lan-nguyen, and"
            " your usual password.",
        ),
    ],
)
def test_the_invitation_email_tells_an_existing_account_to_log_in_with_it(
    personas, language, new_account, existing_account
):
    invitation, _token = invite_colleague_of_a(personas, language=language)
    first = " ".join(mail.outbox[0].body.split())
    assert new_account in first and existing_account not in first
    invitation_revoke(user=personas.park_manager, invitation=invitation)
    get_user_model().objects.create_user(username="lan-nguyen", email="lan@a.example")
    invite_colleague_of_a(personas, language=language)
    second = " ".join(mail.outbox[1].body.split())
    assert existing_account in second and new_account not in second
    assert "lan@a.example" not in second


# ------------------------------------------------------------------------ token lifetimes


@pytest.mark.parametrize(
    "language, labels",
    [("vi", ["30 ngày", "90 ngày", "365 ngày"]), ("en", ["30 days", "90 days", "365 days"])],
)
def test_the_token_lifetimes_are_in_the_page_language(client, personas, language, labels):
    Profile.objects.create(user=personas.ministry, language=language)
    login(client, personas.ministry)
    page = client.get("/accounts/profile/").content.decode()
    select = re.search(r'<select name="days".*?</select>', page, re.S).group(0)
    assert re.findall(r"<option[^>]*>([^<]+)</option>", select) == labels


# ------------------------------------------------------------------------------ the audit


AUDIT_ACCEPTED = {
    "vi": ["Đã chấp nhận: — → 03/03/2026 09:13", "Người chấp nhận: — → lan@a.example"],
    "en": ["Accepted: — → 03/03/2026 09:13", "Accepted by: — → lan@a.example"],
}


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_audit_shows_local_times_and_names_not_raw_values(client, personas, language):
    """Accepting an invitation records when (02:13:39.633661 UTC: 09:13 in Hà Nội, as the
    "when" column) and by whom (the user id: shown as the user name)."""
    with freeze_time("2026-03-02 03:00:00"):
        _invitation, token = invite_colleague_of_a(personas)
    with freeze_time("2026-03-03 02:13:39.633661"):
        form = {"first_name": "Lan", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
        assert client.post(f"/accounts/invitation/{token}/", form).status_code == 302
    login(client, personas.park_manager)
    client.cookies["django_language"] = language
    page = client.get("/people/audit/").content.decode()
    changed = re.findall(
        r"<tr><td>03/03/2026 09:13</td><td>Lan</td><td>[^<]*</td>\s*<td>[^<]*"
        r'<ul class="plain">(.*?)</ul>',
        page,
    )
    assert [re.findall(r"<li>(.*?)</li>", items) for items in changed] == [AUDIT_ACCEPTED[language]]
