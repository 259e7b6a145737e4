"""Django's password rules (``AUTH_PASSWORD_VALIDATORS``) in the page's language on the
invitation and password-change pages: their Vietnamese is ours (``common/django_messages.py``;
Django 5.2's Vietnamese lacks the minimum length's plural msgid)."""

from __future__ import annotations

import re

import pytest

from ..conftest import PASSWORD
from .test_people import invite_colleague_of_a, login


def text(reply) -> str:
    """The page's words, tags removed, spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", reply.content.decode()).split())


RULES = {
    "vi": {
        "help": "Mật khẩu không được quá giống các thông tin cá nhân khác của bạn."
        " Mật khẩu phải có ít nhất 8 ký tự. Mật khẩu không được là một mật khẩu thông dụng."
        " Mật khẩu không được chỉ gồm chữ số.",
        "short": "Mật khẩu này quá ngắn: cần ít nhất 8 ký tự.",
    },
    "en": {
        "help": "Your password can’t be too similar to your other personal information."
        " Your password must contain at least 8 characters. Your password can’t be a commonly"
        " used password. Your password can’t be entirely numeric.",
        "short": "This password is too short. It must contain at least 8 characters.",
    },
}


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_password_rules_are_in_the_page_language(client, personas, language):
    _invitation, token = invite_colleague_of_a(personas, language=language)
    client.cookies["django_language"] = language
    page = client.get(f"/accounts/invitation/{token}/")
    assert RULES[language]["help"] in text(page)
    reply = client.post(f"/accounts/invitation/{token}/", {"password1": "ab1", "password2": "ab1"})
    assert reply.status_code == 422
    assert reply.context["form"].errors["password1"] == [RULES[language]["short"]]
    assert RULES[language]["short"] in text(reply)

    login(client, personas.ministry)  # no profile: the cookie's language
    page = client.get("/accounts/password/change/")
    assert RULES[language]["help"] in text(page)
    reply = client.post(
        "/accounts/password/change/",
        {"old_password": PASSWORD, "new_password1": "ab1", "new_password2": "ab1"},
    )
    assert reply.context["form"].errors["new_password2"] == [RULES[language]["short"]]
    assert RULES[language]["short"] in text(reply)


def test_the_other_password_refusals_are_vietnamese(client, personas):
    """Too similar to the user name, too common, all digits: Django's own rules, our words."""
    login(client, personas.ministry)
    refused = {}
    for password in ("t-ministry1", "password", "98765432190"):
        reply = client.post(
            "/accounts/password/change/",
            {"old_password": PASSWORD, "new_password1": password, "new_password2": password},
        )
        refused[password] = reply.context["form"].errors["new_password2"]
    assert refused == {
        "t-ministry1": ["Mật khẩu quá giống tên đăng nhập."],
        "password": ["Mật khẩu này quá phổ biến."],
        "98765432190": ["Mật khẩu này chỉ gồm chữ số."],
    }
