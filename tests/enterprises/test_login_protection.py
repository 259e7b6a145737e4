"""Login protection: django-axes locks a user name from one address after 5 failures within
15 minutes, for 15 minutes, on the login form and on API basic authentication; DRF throttles
anonymous and authenticated API clients; a request without valid basic credentials answers
401 with WWW-Authenticate."""

from __future__ import annotations

import base64

import pytest
from django.test import Client
from freezegun import freeze_time
from rest_framework.test import APIClient

from ..conftest import PASSWORD

LOCKED_VI = "Đăng nhập sai quá nhiều lần với tên đăng nhập này từ địa chỉ của bạn"


def form_login(client, username, password):
    return client.post("/accounts/login/", {"username": username, "password": password})


def basic(username, password) -> str:
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


def test_five_wrong_passwords_lock_the_user_from_that_address_even_with_the_right_one(personas):
    user = personas.enterprise_a.username
    client = Client(REMOTE_ADDR="203.0.113.7")
    with freeze_time("2026-05-04 01:00:00") as clock:
        for _ in range(4):
            assert form_login(client, user, "wrong").status_code == 200
            clock.tick(60)
        locked = form_login(client, user, "wrong")  # the fifth failure locks
        assert locked.status_code == 429
        right = form_login(client, user, PASSWORD)
        assert right.status_code == 429
        assert LOCKED_VI in right.content.decode()
        assert "_auth_user_id" not in client.session
        # the same user from another address, and another user from this one, still log in
        assert form_login(Client(REMOTE_ADDR="198.51.100.2"), user, PASSWORD).status_code == 302
        other = personas.enterprise_b.username
        assert form_login(client, other, PASSWORD).status_code == 302


def test_the_lock_ends_after_fifteen_minutes(personas):
    user = personas.enterprise_a.username
    client = Client(REMOTE_ADDR="203.0.113.7")
    with freeze_time("2026-05-04 01:00:00") as clock:
        for _ in range(5):
            form_login(client, user, "wrong")
        clock.tick(14 * 60)
        assert form_login(client, user, PASSWORD).status_code == 429
        clock.tick(61)
        assert form_login(client, user, PASSWORD).status_code == 302


def test_failures_more_than_fifteen_minutes_apart_do_not_add_up(personas):
    """django-axes counts failures until 15 minutes pass without one; four, a pause of 16
    minutes, then four more do not lock."""
    user = personas.enterprise_a.username
    client = Client(REMOTE_ADDR="203.0.113.7")
    with freeze_time("2026-05-04 01:00:00") as clock:
        for _ in range(4):
            form_login(client, user, "wrong")
        clock.tick(16 * 60)
        for _ in range(4):
            assert form_login(client, user, "wrong").status_code == 200
        assert form_login(client, user, PASSWORD).status_code == 302


def test_the_lock_message_is_english_for_english_readers(personas):
    client = Client(REMOTE_ADDR="203.0.113.8")
    client.cookies["django_language"] = "en"
    for _ in range(5):
        form_login(client, personas.enterprise_a.username, "wrong")
    text = form_login(client, personas.enterprise_a.username, PASSWORD).content.decode()
    assert "Too many failed logins for this user from your address" in text


def test_api_basic_authentication_is_locked_too(personas):
    """The API answers a locked-out user name 401 (its credentials refused, even the right
    ones), not the login form's 429: code ``locked_out`` says why."""
    api = APIClient(REMOTE_ADDR="203.0.113.9")
    user = personas.enterprise_a.username
    answers = [api.get("/api/v1/parks/", HTTP_AUTHORIZATION=basic(user, "wrong")) for _ in range(5)]
    assert [a.status_code for a in answers] == [401] * 5
    # the fifth failure locks, as on the form
    assert [a.json()["code"] for a in answers] == ["authentication_failed"] * 4 + ["locked_out"]
    locked = api.get("/api/v1/parks/", HTTP_AUTHORIZATION=basic(user, PASSWORD))
    assert locked.status_code == 401
    assert locked["WWW-Authenticate"] == 'Basic realm="api"'
    assert locked.json()["code"] == "locked_out"
    assert locked.json()["detail"].startswith(LOCKED_VI)
    other = APIClient(REMOTE_ADDR="198.51.100.3")
    assert other.get("/api/v1/parks/", HTTP_AUTHORIZATION=basic(user, PASSWORD)).status_code == 200


@pytest.mark.parametrize("credentials", [None, "Basic bm9ib2R5Om5vdGhpbmc=", "Basic ???"])
def test_missing_or_wrong_basic_credentials_answer_401_with_www_authenticate(personas, credentials):
    headers = {} if credentials is None else {"HTTP_AUTHORIZATION": credentials}
    answer = APIClient().get("/api/v1/scores/", **headers)
    assert answer.status_code == 401
    assert answer["WWW-Authenticate"] == 'Basic realm="api"'


def test_a_wrong_token_answers_401(personas):
    answer = APIClient().get("/api/v1/parks/", HTTP_AUTHORIZATION="Token " + "0" * 64)
    assert answer.status_code == 401


def test_anonymous_api_clients_are_throttled(settings, personas):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "3/minute", "user": "5/minute"},
    }
    # the schema is the API's public page; elsewhere DRF answers 401 before it counts (and
    # django-axes limits password guesses)
    api = APIClient(REMOTE_ADDR="203.0.113.10")
    codes = [api.get("/api/v1/schema/").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    # another address has its own count
    assert APIClient(REMOTE_ADDR="203.0.113.11").get("/api/v1/schema/").status_code == 200


def test_authenticated_api_clients_are_throttled_per_user(settings, personas):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "3/minute", "user": "5/minute"},
    }
    a, b = APIClient(), APIClient()
    a.force_authenticate(personas.enterprise_a)
    b.force_authenticate(personas.enterprise_b)
    codes = [a.get("/api/v1/parks/").status_code for _ in range(6)]
    assert codes == [200, 200, 200, 200, 200, 429]
    throttled = a.get("/api/v1/parks/")
    assert 55 <= int(throttled["Retry-After"]) <= 60
    assert b.get("/api/v1/parks/").status_code == 200
