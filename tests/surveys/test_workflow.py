"""The reporting workflow: opening campaigns, submit → return with
comments → resubmit → approve (locked) → reopen, bulk approval, the inbox and completion."""

from __future__ import annotations

import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import translation

from indicators.models import DataElement, FrameworkVersion
from surveys.forms import AnswerValue
from surveys.models import Answer, AnswerComment, Campaign, Response, Transition
from surveys.selectors import campaign_completion, inbox_for
from surveys.services import (
    BulkApproveError,
    campaign_open,
    response_approve,
    response_bulk_approve,
    response_reopen,
    response_return,
    response_save_answers,
    response_submit,
)
from surveys.signals import scored_answers_changed

from ..conftest import PASSWORD, open_dates

# Parks per province after the 1 July 2025 merger, counted by hand in
# enterprises/data/parks.csv (column province_after_2025_vi).
DONG_NAI_PARKS = 22
HAI_PHONG_PARKS = 13


def responses_by_name(personas, campaign):
    """The five responses of the 2025 campaign: ``amata``, ``dinh_vu`` (park responses),
    ``a``, ``b`` (Amata tenants), ``c_`` (a Đình Vũ tenant)."""
    c = personas.catalogue
    in_campaign = Response.objects.filter(campaign=campaign)
    return SimpleNamespace(
        amata=in_campaign.get(park=c.amata, enterprise=None),
        dinh_vu=in_campaign.get(park=c.dinh_vu, enterprise=None),
        a=in_campaign.get(enterprise=personas.ent_a),
        b=in_campaign.get(enterprise=personas.ent_b),
        c_=in_campaign.get(enterprise=personas.ent_c),
    )


@pytest.fixture
def r(personas, campaign_2025):
    """The five responses of the 2025 campaign, by name."""
    return responses_by_name(personas, campaign_2025)


def element(code: str) -> DataElement:
    return DataElement.objects.get(version__framework__code="VN-2022", version__number=1, code=code)


def save(response, user, **values):
    """Save answers through the service: ints/Decimals as numbers, bools as yes/no."""
    cleaned = {}
    for code, v in values.items():
        if v is None:
            cleaned[element(code)] = AnswerValue()
        elif isinstance(v, bool):
            cleaned[element(code)] = AnswerValue(flag=v, raw="yes" if v else "no")
        else:
            cleaned[element(code)] = AnswerValue(number=Decimal(v), raw=str(v))
    fresh = Response.objects.get(pk=response.pk)
    return response_save_answers(
        response=fresh, values=cleaned, user=user, expected_version=fresh.version
    )


def fresh(response) -> Response:
    return Response.objects.get(pk=response.pk)


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


@pytest.fixture
def english(client, english_messages):
    client.cookies["django_language"] = "en"


# --- the walk through the pages ---------------------------------------------------------------


def test_enterprise_submits_park_manager_returns_with_a_comment_enterprise_corrects_board_approves(
    client, personas, r, english
):
    url = reverse("surveys:response", args=[r.a.pk])
    login(client, personas.enterprise_a)
    page = client.post(
        url,
        {
            "version": 1,
            "action": "submit",
            "symbioses_participating": "2",
            "compliant": "yes",
        },
    )
    assert page.status_code == 302
    assert fresh(r.a).status == "submitted"

    # the park manager returns it with a comment on one answer and a general reason
    login(client, personas.park_manager)
    page = client.get(url)
    assert page.status_code == 200 and 'id="review-form"' in page.content.decode()
    page = client.post(
        reverse("surveys:response_review", args=[r.a.pk]),
        {
            "action": "return",
            "reason": "Please check the symbiosis count.",
            "comment__symbioses_participating": "We know of one exchange only.",
        },
    )
    assert page.status_code == 302
    assert fresh(r.a).status == "returned"
    comment = AnswerComment.objects.get(response=r.a)
    assert (comment.data_element.code, comment.text, comment.by) == (
        "symbioses_participating",
        "We know of one exchange only.",
        personas.park_manager,
    )

    # the enterprise sees the reason and the comment, on the page and in its inbox
    login(client, personas.enterprise_a)
    html = client.get(url).content.decode()
    assert "Please check the symbiosis count." in html
    assert "We know of one exchange only." in html
    inbox = client.get(reverse("surveys:responses")).content.decode()
    assert 'id="inbox-returned"' in inbox and "We know of one exchange only." in inbox

    # corrects and resubmits
    page = client.post(
        url,
        {
            "version": fresh(r.a).version,
            "action": "submit",
            "symbioses_participating": "1",
            "compliant": "yes",
        },
    )
    assert page.status_code == 302
    assert fresh(r.a).status == "submitted"

    # the board approves: the answers are locked
    login(client, personas.board)
    page = client.post(reverse("surveys:response_review", args=[r.a.pk]), {"action": "approve"})
    assert page.status_code == 302
    assert fresh(r.a).status == "approved"
    login(client, personas.enterprise_a)
    page = client.post(
        url, {"version": fresh(r.a).version, "action": "save", "symbioses_participating": "7"}
    )
    assert page.status_code == 403
    answer = Answer.objects.get(response=r.a, data_element__code="symbioses_participating")
    assert answer.value_number == 1
    assert "Approved: the answers are locked." in client.get(url).content.decode()

    # the board reopens: a reason is required
    login(client, personas.board)
    review = reverse("surveys:response_review", args=[r.a.pk])
    page = client.post(review, {"action": "reopen", "reason": "  "})
    assert page.status_code == 200
    assert "A reason is required to reopen a response." in page.content.decode()
    assert fresh(r.a).status == "approved"
    page = client.post(review, {"action": "reopen", "reason": "Audit found a second meter."})
    assert page.status_code == 302
    assert fresh(r.a).status == "returned"

    steps = list(
        Transition.objects.filter(response=r.a)
        .order_by("at", "pk")
        .values_list("from_status", "to_status", "by__username", "reason")
    )
    assert steps == [
        ("draft", "submitted", "t-ent-a", ""),
        ("submitted", "returned", "t-amata", "Please check the symbiosis count."),
        ("returned", "submitted", "t-ent-a", ""),
        ("submitted", "approved", "t-board", ""),
        ("approved", "returned", "t-board", "Audit found a second meter."),
    ]


def test_a_reviewer_error_keeps_what_was_typed(client, personas, r, english):
    save(r.a, personas.enterprise_a, compliant=True)
    response_submit(response=fresh(r.a), user=personas.enterprise_a)
    login(client, personas.park_manager)
    page = client.post(
        reverse("surveys:response_review", args=[r.a.pk]),
        {"action": "return", "reason": "", "comment__not_an_element": "x"},
    )
    # no reason and no comment on a real element: refused, nothing changes
    assert page.status_code == 200
    assert "Say why the response is returned, or comment on an answer." in page.content.decode()
    assert fresh(r.a).status == "submitted"


# --- who may take which step --------------------------------------------------------------------


def test_park_manager_cannot_approve_its_own_park_response_but_the_board_can(personas, r):
    save(r.amata, personas.park_manager, symbioses_operating=1)
    response_submit(response=fresh(r.amata), user=personas.park_manager)
    with pytest.raises(PermissionDenied):
        response_approve(response=fresh(r.amata), user=personas.park_manager)
    with pytest.raises(PermissionDenied):
        response_approve(response=fresh(r.amata), user=personas.ministry)
    with pytest.raises(PermissionDenied):
        response_approve(response=fresh(r.amata), user=personas.other_board)
    response_approve(response=fresh(r.amata), user=personas.board)
    assert fresh(r.amata).status == "approved"


def test_the_board_also_reviews_enterprise_responses_of_its_province(personas, r):
    response_submit(response=fresh(r.b), user=personas.enterprise_b)
    response_return(response=fresh(r.b), user=personas.board, reason="Fill the ISO question.")
    assert fresh(r.b).status == "returned"


def test_only_the_board_reopens(personas, r):
    response_submit(response=fresh(r.a), user=personas.enterprise_a)
    response_approve(response=fresh(r.a), user=personas.park_manager)
    with pytest.raises(PermissionDenied):
        response_reopen(response=fresh(r.a), user=personas.park_manager, reason="typo")
    with pytest.raises(PermissionDenied):
        response_reopen(response=fresh(r.a), user=personas.other_board, reason="typo")
    with pytest.raises(ValidationError) as exc:
        response_reopen(response=fresh(r.a), user=personas.board, reason="")
    assert "reason" in exc.value.message_dict
    response_reopen(
        response=fresh(r.a),
        user=personas.board,
        reason="Wrong year",
        comments={"compliant": "Check the 2025 inspection."},
    )
    assert fresh(r.a).status == "returned"
    assert AnswerComment.objects.get(response=r.a).text == "Check the 2025 inspection."


def test_wrong_state_steps_are_refused_with_a_clear_message(personas, r):
    with translation.override("en"):
        with pytest.raises(ValidationError) as exc:
            response_approve(response=fresh(r.a), user=personas.park_manager)
        assert exc.value.code == "wrong_status"
        assert exc.value.messages == [
            "Only a submitted response can be approved; this one is draft."
        ]
        with pytest.raises(ValidationError) as exc:
            response_return(response=fresh(r.a), user=personas.park_manager, reason="x")
        assert exc.value.messages == [
            "Only a submitted response can be returned; this one is draft."
        ]
        response_submit(response=fresh(r.a), user=personas.enterprise_a)
        with pytest.raises(ValidationError) as exc:
            response_reopen(response=fresh(r.a), user=personas.board, reason="x")
        assert exc.value.messages == [
            "Only an approved response can be reopened; this one is submitted."
        ]
        with pytest.raises(ValidationError) as exc:
            response_submit(response=fresh(r.a), user=personas.enterprise_a)
        assert exc.value.messages == ["This response is submitted and can no longer be changed."]
    assert Transition.objects.filter(response=r.a).count() == 1


def test_return_needs_a_reason_or_a_comment_and_refuses_unknown_questions(personas, r):
    response_submit(response=fresh(r.a), user=personas.enterprise_a)
    with pytest.raises(ValidationError) as exc:
        response_return(response=fresh(r.a), user=personas.park_manager, reason=" ")
    assert list(exc.value.message_dict) == ["reason"]
    with pytest.raises(ValidationError) as exc:
        # a park question on an enterprise response
        response_return(
            response=fresh(r.a),
            user=personas.park_manager,
            comments={"symbioses_operating": "?"},
        )
    assert "symbioses_operating" in exc.value.message_dict["comments"][0]
    assert fresh(r.a).status == "submitted"
    response_return(
        response=fresh(r.a),
        user=personas.park_manager,
        comments={"compliant": "Attach the inspection record."},
    )
    step = Transition.objects.get(response=r.a, to_status="returned")
    assert step.reason == "" and step.comments.get().text == "Attach the inspection record."


def test_approved_answers_are_locked_in_the_service(personas, r):
    save(r.a, personas.enterprise_a, symbioses_participating=3)
    response_submit(response=fresh(r.a), user=personas.enterprise_a)
    response_approve(response=fresh(r.a), user=personas.board)
    with pytest.raises(ValidationError) as exc:
        save(r.a, personas.enterprise_a, symbioses_participating=4)
    assert exc.value.code == "locked"
    assert Answer.objects.get(response=r.a).value_number == 3


def test_every_step_announces_the_change_inside_the_transaction(personas, r):
    heard = []

    def receiver(sender, *, campaign_id, park_ids, reason, **kwargs):
        heard.append((reason, park_ids, transaction.get_connection().in_atomic_block))

    scored_answers_changed.connect(receiver)
    try:
        response_submit(response=fresh(r.a), user=personas.enterprise_a)
        response_return(response=fresh(r.a), user=personas.park_manager, reason="x")
        response_submit(response=fresh(r.a), user=personas.enterprise_a)
        response_approve(response=fresh(r.a), user=personas.park_manager)
        response_reopen(response=fresh(r.a), user=personas.board, reason="y")
    finally:
        scored_answers_changed.disconnect(receiver)
    amata = personas.catalogue.amata.pk
    assert heard == [
        ("submit", [amata], True),
        ("return", [amata], True),
        ("submit", [amata], True),
        ("approve", [amata], True),
        ("reopen", [amata], True),
    ]


# --- bulk approval ---------------------------------------------------------------------------


def test_bulk_approve_is_all_or_nothing_and_names_each_failure(personas, r):
    for resp, user in ((r.a, personas.enterprise_a), (r.b, personas.enterprise_b)):
        response_submit(response=fresh(resp), user=user)
    response_submit(response=fresh(r.c_), user=personas.other_enterprise)
    with translation.override("en"), pytest.raises(BulkApproveError) as exc:
        response_bulk_approve(
            response_ids=[r.a.pk, r.b.pk, r.c_.pk, r.amata.pk, 99_999_999], user=personas.board
        )
    failures = {f.response_id: f.reason for f in exc.value.failures}
    assert failures == {
        r.c_.pk: "not found",  # Đình Vũ: outside the Đồng Nai board's scope
        r.amata.pk: "it is draft, only submitted responses are approved",
        99_999_999: "not found",
    }
    assert fresh(r.a).status == fresh(r.b).status == "submitted"  # nothing approved

    with translation.override("en"), pytest.raises(BulkApproveError) as exc:
        save(r.amata, personas.park_manager, symbioses_operating=1)
        response_submit(response=fresh(r.amata), user=personas.park_manager)
        response_bulk_approve(response_ids=[r.a.pk, r.amata.pk], user=personas.park_manager)
    assert [(f.response_id, f.reason) for f in exc.value.failures] == [
        (r.amata.pk, "you do not review this response")
    ]

    heard = []

    def listener(sender, **kwargs):
        heard.append(kwargs)

    scored_answers_changed.connect(listener)
    try:
        approved = response_bulk_approve(
            response_ids=[r.b.pk, r.a.pk, r.a.pk], user=personas.park_manager
        )
    finally:
        scored_answers_changed.disconnect(listener)
    assert [x.pk for x in approved] == [r.b.pk, r.a.pk]
    assert fresh(r.a).status == fresh(r.b).status == "approved"
    assert Transition.objects.filter(to_status="approved", by=personas.park_manager).count() == 2
    assert [(h["park_ids"], h["reason"]) for h in heard] == [
        ([personas.catalogue.amata.pk], "approve")
    ]


def test_bulk_approve_page_reports_failures_and_approves_nothing(client, personas, r, english):
    response_submit(response=fresh(r.a), user=personas.enterprise_a)
    login(client, personas.park_manager)
    url = reverse("surveys:campaign_approve", args=[r.a.campaign_id])
    page = client.post(url, {"responses": [r.a.pk, r.b.pk], "confirm": "yes"}, follow=True)
    html = page.content.decode()
    assert "Nothing was approved:" in html
    assert f"Response {r.b.pk}: it is draft, only submitted responses are approved" in html
    assert fresh(r.a).status == "submitted"
    page = client.post(url, {"responses": [r.a.pk], "confirm": "yes"}, follow=True)
    assert "1 response approved." in page.content.decode()
    assert fresh(r.a).status == "approved"


# --- opening campaigns -----------------------------------------------------------------------


def test_a_board_opens_a_campaign_for_its_province_with_every_park_and_tenant(personas):
    c = personas.catalogue
    campaign = campaign_open(
        name="Đồng Nai 2025",
        period=2025,
        framework_version=c.vn2022,
        **open_dates(),
        province=c.dong_nai,
        reminder_days="7, 30",
        user=personas.board,
    )
    assert campaign.scope == "province" and campaign.province == c.dong_nai
    assert campaign.reminder_days_list == [30, 7]
    park_level = Response.objects.filter(campaign=campaign, enterprise=None)
    assert park_level.count() == DONG_NAI_PARKS
    tenants = Response.objects.filter(campaign=campaign, enterprise__isnull=False)
    assert sorted(tenants.values_list("enterprise__name", flat=True)) == [
        "Enterprise A (test)",
        "Enterprise B (test)",
    ]


def test_a_board_cannot_open_a_campaign_outside_its_province(personas):
    c = personas.catalogue
    common = dict(
        name="x",
        period=2025,
        framework_version=c.vn2022,
        **open_dates(),
    )
    with pytest.raises(PermissionDenied):
        campaign_open(province=c.hai_phong, user=personas.board, **common)
    with pytest.raises(PermissionDenied):
        campaign_open(user=personas.board, **common)  # all parks
    with pytest.raises(PermissionDenied):
        campaign_open(parks=[c.amata, c.dinh_vu], user=personas.board, **common)
    with pytest.raises(PermissionDenied):
        campaign_open(parks=[c.amata], user=personas.park_manager, **common)
    with pytest.raises(PermissionDenied):
        campaign_open(parks=[c.amata], user=personas.enterprise_a, **common)
    assert not Campaign.objects.filter(name="x").exists()
    campaign = campaign_open(province=c.hai_phong, user=personas.other_board, **common)
    assert campaign.responses.count() == HAI_PHONG_PARKS + 1  # + Enterprise C of Đình Vũ


def test_opening_refuses_a_draft_version_reversed_dates_and_unreadable_reminders(personas):
    c = personas.catalogue
    draft = FrameworkVersion.objects.create(
        framework=c.vn2022.framework, number=99, title_vi="nháp", title_en="draft"
    )
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        campaign_open(
            name="x",
            period=2025,
            framework_version=draft,
            opens_on=datetime.date(2026, 3, 1),
            closes_on=datetime.date(2026, 1, 1),
            reminder_days="30,soon",
            user=personas.ministry,
        )
    errors = exc.value.message_dict
    assert errors["framework_version"] == ["A campaign must use a published framework version."]
    assert errors["closes_on"] == ["The close date is before the open date."]
    assert errors["reminder_days"] == ["“soon” is not a number of days between 1 and 365."]
    assert not Campaign.objects.filter(name="x").exists()


def test_the_opening_page_creates_the_responses_of_the_chosen_parks(client, personas, english):
    c = personas.catalogue
    login(client, personas.ministry)
    assert client.get(reverse("surveys:campaign_new")).status_code == 200
    page = client.post(
        reverse("surveys:campaign_new"),
        {
            "name": "Amata pilot 2025",
            "period": "2025",
            "framework_version": c.vn2022.pk,
            "scope": "parks",
            "parks": [c.amata.pk],
            "opens_on": "2026-01-01",
            "closes_on": "31/03/2026",
            "reminder_days": "30,7",
        },
    )
    campaign = Campaign.objects.get(name="Amata pilot 2025")
    assert page.status_code == 302 and page["Location"] == reverse(
        "surveys:campaign", args=[campaign.pk]
    )
    assert campaign.closes_on == datetime.date(2026, 3, 31)
    assert campaign.responses.count() == 3  # Amata + enterprises A and B
    assert campaign.created_by == personas.ministry


def test_the_opening_page_keeps_what_was_typed_when_refused(client, personas, english):
    c = personas.catalogue
    login(client, personas.board)
    page = client.post(
        reverse("surveys:campaign_new"),
        {
            "name": "Typed name",
            "period": "2025",
            "framework_version": c.vn2022.pk,
            "scope": "province",
            "province": c.hai_phong.pk,  # not offered to the Đồng Nai board
            "opens_on": "2026-01-01",
            "closes_on": "2026-03-31",
            "reminder_days": "30,7",
        },
    )
    html = page.content.decode()
    assert page.status_code == 200 and 'value="Typed name"' in html
    assert 'id="form-errors"' in html
    assert "<p>The campaign was not opened. Please correct:</p>" in html
    assert not Campaign.objects.filter(name="Typed name").exists()
    # the board's form offers its own province only, and no "all parks"
    form_html = client.get(reverse("surveys:campaign_new")).content.decode()
    assert 'value="all"' not in form_html and "Hải Phòng" not in form_html


# --- no silent overwrite on the page ------------------------------------------------------------


def test_a_stale_save_shows_both_values_per_field_and_keeps_what_was_typed(
    client, personas, r, english
):
    save(r.amata, personas.park_manager, symbioses_operating=1)  # someone saves version 1 → 2
    login(client, personas.park_manager)
    url = reverse("surveys:response", args=[r.amata.pk])
    page = client.post(url, {"version": 1, "action": "save", "symbioses_operating": "5"})
    html = page.content.decode()
    assert page.status_code == 200
    assert "version 2" in html
    # not the person's mistake: the page says what happened, not "please correct"
    assert (
        "<p>Nothing was saved: the report was changed by someone else while you were editing "
        "it.</p>" in html
    )
    assert "Please correct" not in html
    assert '<tr data-code="symbioses_operating">' in html
    assert '<td class="yours">5</td><td class="saved">1</td>' in html
    assert "Your value: 5 — the value now saved: 1" in html
    assert 'value="5"' in html  # what was typed stays in the field
    assert Answer.objects.get(response=r.amata).value_number == 1
    # the person has seen both values: saving again stores theirs
    page = client.post(url, {"version": 2, "action": "save", "symbioses_operating": "5"})
    assert page.status_code == 302
    assert Answer.objects.get(response=r.amata).value_number == 5


# --- inbox and completion ------------------------------------------------------------------


def test_the_inbox_groups_due_overdue_returned_submitted_and_to_review(personas, r, campaign_2025):
    before_close = campaign_2025.closes_on - datetime.timedelta(days=30)
    after_close = campaign_2025.closes_on + datetime.timedelta(days=1)
    assert [x.pk for x in inbox_for(user=personas.enterprise_a, today=before_close).due] == [r.a.pk]
    late = inbox_for(user=personas.enterprise_a, today=after_close)
    assert [x.pk for x in late.overdue] == [r.a.pk] and late.due == []

    response_submit(response=fresh(r.a), user=personas.enterprise_a)
    assert [x.pk for x in inbox_for(user=personas.enterprise_a, today=before_close).submitted] == [
        r.a.pk
    ]
    manager = inbox_for(user=personas.park_manager, today=before_close)
    assert [x.pk for x in manager.to_review] == [r.a.pk]
    assert [x.pk for x in manager.due] == [r.amata.pk]  # its own park response

    response_return(
        response=fresh(r.a),
        user=personas.park_manager,
        reason="See comment",
        comments={"compliant": "Which inspection?"},
    )
    inbox = inbox_for(user=personas.enterprise_a, today=before_close)
    assert [x.pk for x in inbox.returned] == [r.a.pk]
    assert inbox.returned[0].return_step.reason == "See comment"
    assert [c.text for c in inbox.returned[0].return_comments] == ["Which inspection?"]
    assert inbox_for(user=personas.park_manager, today=before_close).to_review == []

    save(r.amata, personas.park_manager, symbioses_operating=1)
    response_submit(response=fresh(r.amata), user=personas.park_manager)
    assert [x.pk for x in inbox_for(user=personas.board, today=before_close).to_review] == [
        r.amata.pk
    ]
    assert inbox_for(user=personas.other_board, today=before_close).to_review == []
    assert inbox_for(user=personas.ministry, today=before_close).is_empty


def test_completion_counts_invited_started_submitted_and_approved_per_park(
    personas, r, django_assert_num_queries
):
    save(r.a, personas.enterprise_a, compliant=True)
    response_submit(response=fresh(r.a), user=personas.enterprise_a)
    save(r.b, personas.enterprise_b, compliant=False)  # started, still a draft
    save(r.amata, personas.park_manager, symbioses_operating=2)
    campaign = r.a.campaign
    with django_assert_num_queries(1):
        rows = campaign_completion(campaign=campaign, user=personas.ministry)
    by_park = {row.park_id: row for row in rows}
    amata = by_park[personas.catalogue.amata.pk]
    assert (amata.invited, amata.started, amata.submitted, amata.approved) == (2, 2, 1, 0)
    assert amata.park_status == "draft" and amata.park_started
    assert amata.park_response_id == r.amata.pk
    dinh_vu = by_park[personas.catalogue.dinh_vu.pk]
    assert (dinh_vu.invited, dinh_vu.started, dinh_vu.submitted, dinh_vu.approved) == (1, 0, 0, 0)
    assert not dinh_vu.park_started

    response_approve(response=fresh(r.a), user=personas.park_manager)
    rows = campaign_completion(campaign=r.a.campaign, user=personas.board)
    with translation.override("vi"):
        assert [(x.park_name, x.invited, x.started, x.submitted, x.approved) for x in rows] == [
            ("Khu công nghiệp Amata", 2, 2, 1, 1)  # the board sees Đồng Nai only
        ]


def test_the_inbox_page_uses_a_constant_number_of_queries(
    client, personas, r, django_assert_max_num_queries
):
    login(client, personas.board)
    with django_assert_max_num_queries(14):
        assert client.get(reverse("surveys:responses")).status_code == 200
    # more parks and responses submitted: still the same bound
    for resp, user in ((r.a, personas.enterprise_a), (r.b, personas.enterprise_b)):
        response_submit(response=fresh(resp), user=user)
    with django_assert_max_num_queries(14):
        page = client.get(reverse("surveys:responses"))
    assert 'id="inbox-to_review"' in page.content.decode()
    assert 'id="completion"' in page.content.decode()


def test_the_response_and_campaign_pages_use_a_bounded_number_of_queries(
    client, personas, r, django_assert_max_num_queries
):
    for value in (1, 2, 3):  # three changes of one answer: history grows, queries do not
        save(r.a, personas.enterprise_a, symbioses_participating=value, compliant=True)
    response_submit(response=fresh(r.a), user=personas.enterprise_a)
    response_return(
        response=fresh(r.a),
        user=personas.park_manager,
        reason="x",
        comments={"compliant": "y", "symbioses_participating": "z"},
    )
    login(client, personas.park_manager)
    with django_assert_max_num_queries(20):
        assert client.get(reverse("surveys:response", args=[r.a.pk])).status_code == 200
    national = campaign_open(  # every park: 97 park responses + 3 enterprises
        name="National 2025",
        period=2025,
        framework_version=personas.catalogue.vn2022,
        **open_dates(),
        user=personas.ministry,
    )
    assert national.responses.count() == 97 + 3
    login(client, personas.ministry)
    with django_assert_max_num_queries(6):  # completion of all 97 parks in one query
        page = client.get(reverse("surveys:campaign", args=[national.pk]))
    assert page.content.decode().count("<tr data-park=") == 97
