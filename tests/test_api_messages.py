"""DRF's own refusals answer in the page's language: Vietnamese first (no language cookie),
English when the person chose it (``django_language`` cookie). The Vietnamese comes from our
catalogue (``common/django_messages.py``: DRF's own Vietnamese covers about 20 messages), and
``ecopark/errors.py`` words the two DRF does not translate (``get_object_or_404``'s 404 and the
JSON parse error). The browser's Accept-Language is ignored (``VietnameseFirstMiddleware``)."""

from __future__ import annotations

import pytest

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db

VI = {
    "no_credentials": "Yêu cầu chưa có thông tin xác thực.",
    "unknown_id": "Không tìm thấy khu công nghiệp nào khớp với yêu cầu.",
    "method": "Phương thức “DELETE” không được phép.",
    "required": "Trường này là bắt buộc.",
    "integer": "Hãy nhập một số nguyên hợp lệ.",
    "too_long": "Trường này không được dài quá 200 ký tự.",
    "choice": "“zzz” không phải là một lựa chọn hợp lệ.",
    "page": "Trang không hợp lệ.",
    "json": "Lỗi đọc JSON - Expecting property name enclosed in double quotes: line 1 column 2 (char 1)",
    "media_type": "Kiểu dữ liệu “text/plain” của yêu cầu không được hỗ trợ.",
    "permission": "Bạn không có quyền thực hiện thao tác này.",
    "token": "Mã truy cập không hợp lệ.",
}
EN = {
    "no_credentials": "Authentication credentials were not provided.",
    "unknown_id": "No park matches the given query.",
    "method": 'Method "DELETE" not allowed.',
    "required": "This field is required.",
    "integer": "A valid integer is required.",
    "too_long": "Ensure this field has no more than 200 characters.",
    "choice": '"zzz" is not a valid choice.',
    "page": "Invalid page.",
    "json": "JSON parse error - Expecting property name enclosed in double quotes: line 1 column 2 (char 1)",
    "media_type": 'Unsupported media type "text/plain" in request.',
    "permission": "You do not have permission to perform this action.",
    "token": "Invalid token.",
}


def refusals(client, personas, language: str) -> dict[str, object]:
    """One refusal of each kind, as (status, code or field, message)."""
    if language == "en":
        client.cookies["django_language"] = "en"
    got = {}
    r = client.get("/api/v1/parks/", HTTP_ACCEPT_LANGUAGE="en" if language == "vi" else "vi")
    got["no_credentials"] = (r.status_code, r.json()["code"], r.json()["detail"])
    r = client.get("/api/v1/parks/", HTTP_AUTHORIZATION="Token nonsense")
    got["token"] = (r.status_code, r.json()["code"], r.json()["detail"])
    client.login(username=personas.ministry.username, password=PASSWORD)
    r = client.get("/api/v1/parks/999999/")
    got["unknown_id"] = (r.status_code, r.json()["code"], r.json()["detail"])
    r = client.delete("/api/v1/parks/")
    got["method"] = (r.status_code, r.json()["code"], r.json()["detail"])
    r = client.post(
        "/api/v1/parks/",
        {"name_vi": "x" * 201, "kind": "zzz"},
        content_type="application/json",
    )
    body = r.json()["errors"]
    got["required"] = (r.status_code, "province_code", body["province_code"][0])
    got["too_long"] = (r.status_code, "name_vi", body["name_vi"][0])
    got["choice"] = (r.status_code, "kind", body["kind"][0])
    # a JSON string where an integer belongs is refused before the other fields are read
    # (common/serializers.py), with DRF's message of the field
    r = client.post(
        "/api/v1/parks/", {"established_year": "năm 2000"}, content_type="application/json"
    )
    got["integer"] = (r.status_code, "established_year", r.json()["errors"]["established_year"][0])
    r = client.get("/api/v1/parks/", {"page": 999})
    got["page"] = (r.status_code, r.json()["code"], r.json()["detail"])
    r = client.post("/api/v1/parks/", "{bad", content_type="application/json")
    got["json"] = (r.status_code, r.json()["code"], r.json()["detail"])
    r = client.post("/api/v1/parks/", "x", content_type="text/plain")
    got["media_type"] = (r.status_code, r.json()["code"], r.json()["detail"])
    client.login(username=personas.enterprise_a.username, password=PASSWORD)
    r = client.patch(
        f"/api/v1/enterprises/{personas.ent_a.pk}/", {}, content_type="application/json"
    )
    got["permission"] = (r.status_code, r.json()["code"], r.json()["detail"])
    return got


EXPECTED_STATUS = {
    "no_credentials": (401, "not_authenticated"),
    "token": (401, "authentication_failed"),
    "unknown_id": (404, "not_found"),
    "method": (405, "method_not_allowed"),
    "required": (400, "province_code"),
    "integer": (400, "established_year"),
    "too_long": (400, "name_vi"),
    "choice": (400, "kind"),
    "page": (404, "not_found"),
    "json": (400, "parse_error"),
    "media_type": (415, "unsupported_media_type"),
    "permission": (403, "permission_denied"),
}


@pytest.mark.parametrize("language, words", [("vi", VI), ("en", EN)])
def test_drf_refusals_answer_in_the_page_language(client, personas, language, words):
    got = refusals(client, personas, language)
    expected = {kind: (*EXPECTED_STATUS[kind], words[kind]) for kind in EXPECTED_STATUS}
    assert got == expected


def test_every_drf_msgid_we_word_is_drfs_own_to_the_letter():
    """A msgid differing by one character from DRF's is never looked up: each one listed in
    ``common/django_messages.py`` is a message DRF (or knox) really has."""
    from django.utils.translation import override
    from rest_framework import exceptions, fields, pagination, relations, validators
    from rest_framework.authentication import BasicAuthentication

    from common.django_messages import DRF_OVERRIDDEN

    sources = [
        *(c.default_detail for c in vars(exceptions).values() if hasattr(c, "default_detail")),
        exceptions.Throttled.extra_detail_singular,
        exceptions.Throttled.extra_detail_plural,
        *(
            message
            for cls in vars(fields).values()
            if isinstance(cls, type)
            for message in getattr(cls, "default_error_messages", {}).values()
        ),
        *(
            message
            for cls in vars(relations).values()
            if isinstance(cls, type)
            for message in getattr(cls, "default_error_messages", {}).values()
        ),
        pagination.PageNumberPagination.invalid_page_message,
        validators.UniqueValidator.message,
        validators.UniqueTogetherValidator.message,
        validators.ProhibitSurrogateCharactersValidator.message,
    ]
    with override("en"):
        known = {str(message) for message in sources}
    auth_messages = {
        "Invalid basic header. No credentials provided.",
        "Invalid basic header. Credentials string should not contain spaces.",
        "Invalid basic header. Credentials not correctly base64 encoded.",
        "Invalid username/password.",
        "User inactive or deleted.",
        "Invalid token header. No credentials provided.",
        "Invalid token header. Token string should not contain spaces.",
        "Invalid token header. Token string should not contain invalid characters.",
        "Invalid token.",
        "Invalid data. Expected a dictionary, but got {datatype}.",
    }
    assert BasicAuthentication.__module__ == "rest_framework.authentication"
    assert sorted(set(DRF_OVERRIDDEN) - known - auth_messages) == []


def test_a_throttled_request_waits_in_vietnamese():
    """DRF formats its "Expected available in {wait} seconds." after translating it, then
    picks singular or plural: both have our Vietnamese (which has no plural)."""
    from django.utils.translation import override
    from rest_framework.exceptions import Throttled

    with override("vi"):
        details = [str(Throttled(wait=wait).detail) for wait in (1, 42.3)]
    assert details == [
        "Yêu cầu bị từ chối vì gửi quá nhiều trong thời gian ngắn. Có thể gửi lại sau 1 giây.",
        "Yêu cầu bị từ chối vì gửi quá nhiều trong thời gian ngắn. Có thể gửi lại sau 43 giây.",
    ]


# ---------------------------------------------------- the score API's own refusals, unknown addresses

SCORE_VI = {
    "campaign_not_integer": (
        400,
        {
            "detail": "Cần mã số của đợt báo cáo (một số nguyên).",
            "code": "invalid",
            "errors": {"campaign": ["Cần mã số của đợt báo cáo (một số nguyên)."]},
        },
    ),
    "park_no_response": (
        404,
        {
            "detail": "KCN này không có phiếu trả lời nào trong đợt báo cáo đó.",
            "code": "not_found",
        },
    ),
    "park_no_such_campaign": (
        404,
        {"detail": "Không có đợt báo cáo này.", "code": "not_found"},
    ),
    "no_such_campaign": (404, {"detail": "Không có đợt báo cáo này.", "code": "not_found"}),
    "recompute_unknown": (
        404,
        {"detail": "Không tìm thấy đợt báo cáo nào khớp với yêu cầu.", "code": "not_found"},
    ),
    "park_id_not_integer": (
        404,
        {"detail": "Không tìm thấy khu công nghiệp nào khớp với yêu cầu.", "code": "not_found"},
    ),
    "unknown_address": (404, {"detail": "Không tìm thấy.", "code": "not_found"}),
    "unknown_deeper": (404, {"detail": "Không tìm thấy.", "code": "not_found"}),
}
SCORE_EN = {
    "campaign_not_integer": (
        400,
        {
            "detail": "A campaign id (integer) is required.",
            "code": "invalid",
            "errors": {"campaign": ["A campaign id (integer) is required."]},
        },
    ),
    "park_no_response": (
        404,
        {"detail": "This park has no response in that campaign.", "code": "not_found"},
    ),
    "park_no_such_campaign": (404, {"detail": "No such campaign.", "code": "not_found"}),
    "no_such_campaign": (404, {"detail": "No such campaign.", "code": "not_found"}),
    "recompute_unknown": (
        404,
        {"detail": "No campaign matches the given query.", "code": "not_found"},
    ),
    "park_id_not_integer": (
        404,
        {"detail": "No park matches the given query.", "code": "not_found"},
    ),
    "unknown_address": (404, {"detail": "Not found.", "code": "not_found"}),
    "unknown_deeper": (404, {"detail": "Not found.", "code": "not_found"}),
}


def basic(user) -> str:
    import base64

    return "Basic " + base64.b64encode(f"{user.username}:{PASSWORD}".encode()).decode()


def score_refusals(client, personas, **headers) -> dict:
    """The score API's refusals; "park_no_response" asks Amata's scores in a real campaign
    opened for Đình Vũ only, "park_no_such_campaign" in a campaign that does not exist."""
    from surveys.services import campaign_open

    from .conftest import open_dates

    c = personas.catalogue
    dinh_vu_only = campaign_open(
        name="Đình Vũ 2025", period=2025, framework_version=c.vn2022, parks=[c.dinh_vu],
        **open_dates(),
    )  # fmt: skip
    amata = c.amata.pk
    paths = {
        "campaign_not_integer": "/api/v1/scores/?campaign=abc",
        "park_no_response": f"/api/v1/parks/{amata}/scores/?campaign={dinh_vu_only.pk}",
        "park_no_such_campaign": f"/api/v1/parks/{amata}/scores/?campaign=999999",
        "no_such_campaign": "/api/v1/scores/?campaign=999999",
        "recompute_unknown": "/api/v1/campaigns/999999/recompute/",
        "park_id_not_integer": "/api/v1/parks/abc/",
        "unknown_address": "/api/v1/nonexistent/",
        "unknown_deeper": "/api/v2/some/thing/",
    }
    got = {}
    for kind, path in paths.items():
        r = client.get(path, **headers)
        assert r["Content-Type"] == "application/json", (kind, r["Content-Type"])
        got[kind] = (r.status_code, r.json())
    return got


@pytest.mark.parametrize("language, words", [("vi", SCORE_VI), ("en", SCORE_EN)])
def test_the_score_api_and_unknown_addresses_answer_in_the_callers_language(
    client, personas, settings, language, words
):
    """A ministry caller with basic authentication and no profile: Vietnamese without a
    cookie, English with ``django_language=en``. With ``DEBUG`` on (``make run``) too: an
    address under /api/ that no endpoint matches answers the API's JSON 404, not Django's
    HTML page."""
    settings.DEBUG = True
    if language == "en":
        client.cookies["django_language"] = "en"
    assert score_refusals(client, personas, HTTP_AUTHORIZATION=basic(personas.ministry)) == words


def test_the_profile_language_wins_over_the_cookie_on_the_api_as_on_the_pages(client, personas):
    """README's rule: a person's profile language (set at invitation, changed by the language
    switch) wins over the cookie; the cookie counts for someone without a profile."""
    from enterprises.models import Profile

    Profile.objects.create(user=personas.ministry, language="vi")
    client.cookies["django_language"] = "en"
    auth = {"HTTP_AUTHORIZATION": basic(personas.ministry)}
    assert client.get("/api/v1/scores/?campaign=999999", **auth).json()["detail"] == (
        "Không có đợt báo cáo này."
    )
    client.login(username=personas.ministry.username, password=PASSWORD)
    page = client.get("/accounts/profile/")
    assert page.context["LANGUAGE_CODE"] == "vi"
    Profile.objects.filter(user=personas.ministry).update(language="en")
    del client.cookies["django_language"]
    assert client.get("/api/v1/scores/?campaign=999999", **auth).json()["detail"] == (
        "No such campaign."
    )


def test_an_endpoint_without_its_slash_is_still_redirected_to_it(client, personas):
    client.login(username=personas.ministry.username, password=PASSWORD)
    r = client.get("/api/v1/parks")
    assert (r.status_code, r["Location"]) == (301, "/api/v1/parks/")
    r = client.get("/api/v1/nonexistent")
    assert (r.status_code, r["Location"]) == (301, "/api/v1/nonexistent/")


def test_a_campaign_outside_the_callers_campaigns_is_no_such_campaign_for_a_parks_scores(
    client, personas
):
    """Enterprise A (Amata) asking Amata's scores in a campaign opened for Đình Vũ only: it
    cannot see that campaign (``surveys.selectors.campaigns_visible``), so the answer is the
    one of a campaign that does not exist, not the park's; the ministry, who sees it, is told
    Amata has no response in it."""
    from surveys.services import campaign_open

    from .conftest import open_dates

    c = personas.catalogue
    dinh_vu_only = campaign_open(
        name="Đình Vũ 2025", period=2025, framework_version=c.vn2022, parks=[c.dinh_vu],
        **open_dates(),
    )  # fmt: skip
    path = f"/api/v1/parks/{c.amata.pk}/scores/?campaign={dinh_vu_only.pk}"
    got = {
        who: client.get(path, HTTP_AUTHORIZATION=basic(getattr(personas, who))).json()
        for who in ("enterprise_a", "ministry")
    }
    assert got == {
        "enterprise_a": {"detail": "Không có đợt báo cáo này.", "code": "not_found"},
        "ministry": {
            "detail": "KCN này không có phiếu trả lời nào trong đợt báo cáo đó.",
            "code": "not_found",
        },
    }
