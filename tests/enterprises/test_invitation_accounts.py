"""An invitation to an e-mail that already has an account names the account's user name — the
login form asks for it, and it may differ from the e-mail: a deactivated account keeps its user
name when the link reactivates it, and the refusal to someone else logged in says which user
name to log in with (``enterprises/services_people.py``, ``enterprises/views_accounts.py``,
``templates/enterprises/invitation_accept.html``)."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from ..conftest import PASSWORD
from .test_people import NEW_PASSWORD, invite_colleague_of_a

TEXTS = {
    "vi": {
        "stays": "Tài khoản của bạn đã bị vô hiệu hóa; đặt mật khẩu mới sẽ kích hoạt lại tài"
        " khoản. Tên đăng nhập của bạn vẫn là lan-nguyen. Hãy chọn mật khẩu.",
        "will_be": "Tên đăng nhập của bạn sẽ là địa chỉ email",
        "set": "Đã đặt mật khẩu. Hãy đăng nhập bằng tên đăng nhập lan-nguyen.",
        "page_log_in": "Đã có tài khoản dùng email lan@a.example. Hãy đăng nhập bằng tên đăng"
        " nhập lan-nguyen của tài khoản đó, rồi mở lại đường dẫn này để chấp nhận.",
        "refused": "Đã có tài khoản dùng email này: hãy đăng nhập bằng tên đăng nhập"
        " lan-nguyen để chấp nhận.",
    },
    "en": {
        "stays": "Your account was deactivated; setting a new password reactivates it. Your"
        " user name stays lan-nguyen. Choose a password.",
        "will_be": "Your user name will be your e-mail address",
        "set": "Your password is set. Log in with your user name, lan-nguyen.",
        "page_log_in": "An account with the e-mail lan@a.example already exists. Log in with"
        " its user name, lan-nguyen, then open this link again to accept.",
        "refused": "An account with this e-mail exists: log in with its user name,"
        " lan-nguyen, to accept.",
    },
}


def text(reply) -> str:
    return " ".join(reply.content.decode().split())


def lan(*, is_active: bool):
    return get_user_model().objects.create_user(
        username="lan-nguyen",
        email="lan@a.example",
        password=PASSWORD,
        first_name="Lan",
        last_name="Nguyễn",
        is_active=is_active,
    )


@pytest.mark.parametrize("language", ["vi", "en"])
def test_a_deactivated_account_is_told_its_user_name_stays(client, personas, language):
    person = lan(is_active=False)
    _invitation, token = invite_colleague_of_a(personas, language=language)
    client.cookies["django_language"] = language
    page = client.get(f"/accounts/invitation/{token}/")
    assert page.status_code == 200
    assert TEXTS[language]["stays"] in text(page)
    assert TEXTS[language]["will_be"] not in text(page)
    assert page.context["form"]["first_name"].value() == "Lan"
    reply = client.post(
        f"/accounts/invitation/{token}/",
        {
            "first_name": "Lan",
            "last_name": "Nguyễn Thị",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
        follow=True,
    )
    assert reply.redirect_chain == [("/accounts/login/?username=lan-nguyen", 302)]
    assert TEXTS[language]["set"] in text(reply)
    person.refresh_from_db()
    assert (person.username, person.is_active, person.last_name) == (
        "lan-nguyen",
        True,
        "Nguyễn Thị",
    )
    # what the page said is what the login form takes
    assert client.login(username="lan-nguyen", password=NEW_PASSWORD)
    assert not client.login(username="lan@a.example", password=NEW_PASSWORD)


@pytest.mark.parametrize("language", ["vi", "en"])
def test_someone_else_logged_in_is_told_the_accounts_user_name(client, personas, language):
    lan(is_active=True)
    _invitation, token = invite_colleague_of_a(personas, language=language)
    client.cookies["django_language"] = language
    assert client.login(username=personas.enterprise_b.username, password=PASSWORD)
    page = client.get(f"/accounts/invitation/{token}/")
    assert TEXTS[language]["page_log_in"] in text(page)
    # its log-in button fills the user name in
    assert f"?next=/accounts/invitation/{token}/&amp;username=lan-nguyen" in text(page)
    refused = client.post(f"/accounts/invitation/{token}/")
    assert TEXTS[language]["refused"] in text(refused)
    assert "log in as lan@a.example" not in text(refused)


USED = {
    "vi": "Lời mời này đã được sử dụng. Hãy đăng nhập bằng tên đăng nhập lan@a.example.",
    "en": "This invitation has already been used. Log in with the user name lan@a.example.",
}


@pytest.mark.parametrize("language", ["vi", "en"])
def test_a_used_link_says_so_and_names_the_user_name_and_cannot_be_used_again(
    client, personas, language
):
    invitation, token = invite_colleague_of_a(personas, language=language)
    client.cookies["django_language"] = language
    form = {"first_name": "Lan", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    assert client.post(f"/accounts/invitation/{token}/", form).status_code == 302
    client.logout()
    client.cookies["django_language"] = language
    again = client.get(f"/accounts/invitation/{token}/")
    assert again.status_code == 410
    assert USED[language] in text(again)
    # posted again (another password): refused the same way, nothing changes
    other = {
        "first_name": "X",
        "password1": "Another-Lotus-2027",
        "password2": "Another-Lotus-2027",
    }
    again = client.post(f"/accounts/invitation/{token}/", other)
    assert again.status_code == 410 and USED[language] in text(again)
    person = get_user_model().objects.get(username="lan@a.example")
    assert person.check_password(NEW_PASSWORD) and person.first_name == "Lan"
    invitation.refresh_from_db()
    assert invitation.accepted_by == person


DEACTIVATED = {
    "vi": "Lời mời này đã được chấp nhận, nhưng sau đó tài khoản lan@a.example đã bị vô hiệu"
    " hóa nên không thể đăng nhập nữa. Tài khoản chỉ được kích hoạt lại bằng một lời mời mới:"
    " hãy đề nghị nhà đầu tư hạ tầng của Khu công nghiệp Amata hoặc một đồng nghiệp ở"
    " Enterprise A (test) mời lại bạn.",
    "en": "This invitation was accepted, but the account lan@a.example has since been"
    " deactivated and can no longer log in. Only a new invitation reactivates it: ask the park"
    " manager of Amata City Bien Hoa Industrial Park or a colleague at Enterprise A (test) to"
    " invite you again.",
}


@pytest.mark.parametrize("language", ["vi", "en"])
def test_a_used_link_of_an_account_deactivated_since_says_so_and_who_may_invite_again(
    client, personas, language
):
    """docs/people.md: a deactivated account cannot log in, and a new invitation from who
    manages the membership (here Amata's park manager, or a colleague at Enterprise A) is
    what reactivates it — so the old link no longer says "log in with …"."""
    from enterprises.services_people import user_deactivate

    _invitation, token = invite_colleague_of_a(personas, language=language)
    form = {"first_name": "Lan", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    assert client.post(f"/accounts/invitation/{token}/", form).status_code == 302
    person = get_user_model().objects.get(username="lan@a.example")
    assert user_deactivate(user=personas.park_manager, person=person).account_deactivated
    client.logout()
    client.cookies["django_language"] = language
    again = client.get(f"/accounts/invitation/{token}/")
    assert again.status_code == 410
    assert DEACTIVATED[language] in text(again)
    assert USED[language] not in text(again)
    assert not client.login(username="lan@a.example", password=NEW_PASSWORD)


def test_a_park_managers_deactivated_account_is_sent_to_the_provinces_board(personas):
    """A park manager's membership is given by the board of the park's province
    (``enterprises.policy.INVITERS``): the used link names that board."""
    from django.utils.translation import override

    from enterprises.models import Role
    from enterprises.services_people import (
        InvitationRefused,
        invitation_accept,
        invitation_by_token,
        invitation_create,
        user_deactivate,
    )

    _invitation, token = invitation_create(
        user=personas.board,
        email="minh@amata.example",
        role=Role.PARK_MANAGER,
        target=personas.catalogue.amata,
        language="vi",
    )
    person = invitation_accept(token=token, first_name="Minh", password=NEW_PASSWORD)
    user_deactivate(user=personas.board, person=person)
    with override("en"), pytest.raises(InvitationRefused) as refused:
        invitation_by_token(token)
    assert refused.value.reason == "deactivated"
    assert refused.value.message == (
        "This invitation was accepted, but the account minh@amata.example has since been"
        " deactivated and can no longer log in. Only a new invitation reactivates it: ask the"
        " provincial management board of Đồng Nai to invite you again."
    )
    with override("vi"), pytest.raises(InvitationRefused) as refused:
        invitation_by_token(token)
    assert refused.value.message == (
        "Lời mời này đã được chấp nhận, nhưng sau đó tài khoản minh@amata.example đã bị vô hiệu"
        " hóa nên không thể đăng nhập nữa. Tài khoản chỉ được kích hoạt lại bằng một lời mời mới:"
        " hãy đề nghị Ban Quản lý các KCN Đồng Nai mời lại bạn."
    )
