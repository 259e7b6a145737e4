"""Reporting periods under a frozen clock (surveys/periods.py): a campaign open from 01/04/2026
to 30/06/2026 for Amata and Đình Vũ. Before it opens a response is read-only and an import is
refused; while it is open the respondent changes and submits; after it closes every channel
(form, autosave, API, Excel import, evidence) refuses with the close date named, unless the
board of the province or the ministry grants an extension; a response returned after the
close stays editable until the due date its reviewer set. Timeliness is recorded at the
first submission."""

from __future__ import annotations

import datetime
import io
import re
from decimal import Decimal
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from freezegun import freeze_time
from rest_framework.test import APIClient

import surveys.tasks
from enterprises.policy import Action, can
from indicators.models import DataElement
from surveys import interchange
from surveys.evidence import evidence_upload
from surveys.forms import AnswerValue
from surveys.models import Answer, Campaign, Evidence, Extension, Response, Transition
from surveys.periods import PeriodState, response_period
from surveys.selectors import inbox_for
from surveys.services import (
    campaign_open,
    response_extend,
    response_return,
    response_save_answers,
    response_submit,
)

from ..conftest import PASSWORD
from .test_excel_import import make_xl_campaign
from .test_excel_import import xlsx_bytes as workbook_bytes
from .test_reminders import addresses, body_en, english, smtp, subject  # noqa: F401, F811

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
OPENS, CLOSES = datetime.date(2026, 4, 1), datetime.date(2026, 6, 30)
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def on(day: datetime.date, hour: int = 10):
    """The clock frozen at ``hour`` o'clock in Hồ Chí Minh City on ``day``."""
    return freeze_time(datetime.datetime(day.year, day.month, day.day, hour, tzinfo=HCM))


def d(month: int, day: int) -> datetime.date:
    return datetime.date(2026, month, day)


# messages in English (the pages are asked for in English through the language cookie)
pytestmark = pytest.mark.usefixtures("english_messages")


@pytest.fixture
def calendar(personas):
    """The 2025 campaign open 01/04/2026–30/06/2026 for Amata and Đình Vũ."""
    c = personas.catalogue
    return campaign_open(
        name="Calendar 2025",
        period=2025,
        framework_version=c.vn2022,
        opens_on=OPENS,
        closes_on=CLOSES,
        parks=[c.amata, c.dinh_vu],
    )


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def response_of(campaign, enterprise=None, park=None) -> Response:
    if enterprise is not None:
        return Response.objects.get(campaign=campaign, enterprise=enterprise)
    return Response.objects.get(campaign=campaign, park=park, enterprise__isnull=True)


def element(code: str) -> DataElement:
    return DataElement.objects.get(version__framework__code="VN-2022", version__number=1, code=code)


def save_count(response, user, n: int) -> Response:
    fresh = Response.objects.get(pk=response.pk)
    return response_save_answers(
        response=fresh,
        values={element("symbioses_participating"): AnswerValue(number=Decimal(n), raw=str(n))},
        user=user,
        expected_version=fresh.version,
    )


def login(client, user, language="en"):
    assert client.login(username=user.username, password=PASSWORD)
    client.cookies["django_language"] = language
    return client


def api_as(user) -> APIClient:
    client = APIClient()
    client.cookies["django_language"] = "en"
    client.force_authenticate(user)
    return client


def upload_pdf(response, user):
    return evidence_upload(
        response=Response.objects.get(pk=response.pk),
        data_element=element("compliant"),
        file=SimpleUploadedFile("proof.pdf", PDF),
        user=user,
    )


def import_rows(campaign, park, rows) -> interchange.ImportCheck:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["tax_code", "e_recp"])
    for row in rows:
        ws.append(row)
    return interchange.import_check(
        campaign=campaign, park=park, file=io.BytesIO(workbook_bytes(wb))
    )


# --- before the campaign opens --------------------------------------------------------------


def test_before_the_campaign_opens_enterprise_a_reads_its_response_but_cannot_change_it(
    client, personas, calendar, media
):
    response = response_of(calendar, personas.ent_a)
    message = (
        "The reporting period opens on 01/04/2026: until then this response can be read but "
        "not changed."
    )
    with on(d(3, 20)):
        assert response_period(response).state == PeriodState.NOT_OPEN
        with pytest.raises(ValidationError) as exc:
            save_count(response, personas.enterprise_a, 2)
        assert exc.value.code == "period_not_open" and exc.value.messages == [message]
        with pytest.raises(ValidationError) as exc:
            response_submit(response=response, user=personas.enterprise_a)
        assert exc.value.messages == [message]
        with pytest.raises(ValidationError) as exc:
            upload_pdf(response, personas.enterprise_a)
        assert exc.value.messages == [message]

        login(client, personas.enterprise_a)
        page = client.get(reverse("surveys:response", args=[response.pk])).content.decode()
        assert '<span class="period not_open" id="period-state">Not yet open</span>' in page
        assert message in page  # the period note
        assert 'value="submit"' not in page and "disabled" in page  # read-only fields
        reply = client.post(
            reverse("surveys:autosave", args=[response.pk]),
            {"version": 1, "symbioses_participating": "2"},
        )
        assert reply.status_code == 403
        assert reply.json() == {"saved": False, "code": "period_not_open", "message": message}
        reply = api_as(personas.enterprise_a).patch(
            f"/api/v1/responses/{response.pk}/",
            {"version": 1, "answers": [{"data_element": "symbioses_participating", "value": 2}]},
            format="json",
        )
        assert reply.status_code == 409
        assert reply.json() == {"detail": message, "code": "period_not_open"}
    vi = login(client, personas.enterprise_a, "vi")
    with on(d(3, 20)):
        page = vi.get(reverse("surveys:response", args=[response.pk])).content.decode()
    assert '<span class="period not_open" id="period-state">Chưa tới hạn</span>' in page
    assert not Answer.objects.filter(response=response).exists()
    assert not Evidence.objects.filter(response=response).exists()


def test_before_the_campaign_opens_the_park_managers_import_is_refused_with_the_date(
    client, personas, calendar
):
    xl = make_xl_campaign(personas.catalogue, name="Excel calendar")
    Campaign.objects.filter(pk=xl.pk).update(opens_on=OPENS, closes_on=CLOSES)
    xl.refresh_from_db()
    with on(d(3, 20)):
        check = import_rows(xl, personas.catalogue.amata, [["0300588569", "Có"]])
        assert [e.reason for e in check.errors] == [
            "The reporting period of «Excel calendar» opens on 01/04/2026: answers can be "
            "imported from that day."
        ]
        assert check.rows == []
        # the same through the import page: refused, nothing saved
        login(client, personas.park_manager)
        content = workbook_bytes(_filled_template(xl, personas))
        page = client.post(
            reverse("surveys:excel_import", args=[xl.pk, personas.catalogue.amata.pk]),
            {"file": SimpleUploadedFile("f.xlsx", content), "number_format": "vi"},
        )
        assert page.status_code == 200
        assert "opens on 01/04/2026" in page.content.decode()
    assert not Answer.objects.filter(response__campaign=xl).exists()
    with on(d(4, 1)):  # the opening day: the same file imports
        check = import_rows(xl, personas.catalogue.amata, [["0300588569", "Có"]])
        assert check.errors == []
        interchange.import_save(check=check, user=personas.park_manager)
    assert Answer.objects.filter(response__campaign=xl).count() == 1


def _filled_template(xl, personas):
    buffer = io.BytesIO()
    interchange.template_write(campaign=xl, park=personas.catalogue.amata, file=buffer)
    buffer.seek(0)
    wb = openpyxl.load_workbook(buffer)
    wb.worksheets[0]["C3"] = "Có"
    return wb


# --- while open ----------------------------------------------------------------------------


def test_while_open_enterprise_a_saves_and_submits_on_time(client, personas, calendar):
    response = response_of(calendar, personas.ent_a)
    with on(d(6, 30), hour=23):  # the close date itself is still within the period
        assert response_period(response).state == PeriodState.OPEN
        save_count(response, personas.enterprise_a, 2)
        submitted = response_submit(response=response, user=personas.enterprise_a)
        login(client, personas.enterprise_a)
        page = client.get(reverse("surveys:response", args=[response.pk])).content.decode()
    assert submitted.status == Response.Status.SUBMITTED
    assert submitted.days_late == 0
    assert submitted.first_submitted_at == datetime.datetime(2026, 6, 30, 23, tzinfo=HCM)
    assert '<span class="period open" id="period-state">Within the period</span>' in page
    assert "first submitted 30/06/2026, on time" in page


# --- after the close -----------------------------------------------------------------------


def test_after_the_close_every_channel_refuses_enterprise_b_naming_the_close_date(
    client, personas, calendar, media
):
    response = response_of(calendar, personas.ent_b)
    message = (
        "The reporting period closed on 30/06/2026: this response can no longer be changed or "
        "submitted unless the provincial management board or the ministry grants an extension."
    )
    with on(d(7, 1), hour=0):
        assert response_period(response).state == PeriodState.CLOSED
        # the service
        with pytest.raises(ValidationError) as exc:
            save_count(response, personas.enterprise_b, 3)
        assert exc.value.code == "period_closed" and exc.value.messages == [message]
        with pytest.raises(ValidationError) as exc:
            response_submit(response=response, user=personas.enterprise_b)
        assert exc.value.messages == [message]
        # the form, sent from a page loaded before midnight: refused, what was typed kept
        login(client, personas.enterprise_b)
        page = client.post(
            reverse("surveys:response", args=[response.pk]),
            {"version": 1, "symbioses_participating": "3", "action": "submit"},
        )
        html = page.content.decode()
        assert page.status_code == 200 and message in html
        assert re.search(r'name="symbioses_participating"[^>]* value="3"', html)
        # autosave
        reply = client.post(
            reverse("surveys:autosave", args=[response.pk]),
            {"version": 1, "symbioses_participating": "3"},
        )
        assert reply.status_code == 403 and reply.json()["message"] == message
        assert reply.json()["code"] == "period_closed"
        # the API: change and submit
        api = api_as(personas.enterprise_b)
        reply = api.patch(
            f"/api/v1/responses/{response.pk}/",
            {"version": 1, "answers": [{"data_element": "symbioses_participating", "value": 3}]},
            format="json",
        )
        assert reply.status_code == 409 and reply.json() == {
            "detail": message,
            "code": "period_closed",
        }
        reply = api.post(f"/api/v1/responses/{response.pk}/submit/")
        assert reply.status_code == 409 and reply.json()["detail"] == message
        # evidence
        with pytest.raises(ValidationError) as exc:
            upload_pdf(response, personas.enterprise_b)
        assert exc.value.messages == [message]
        # the inbox: overdue, past the reporting period
        inbox = inbox_for(user=personas.enterprise_b, today=d(7, 1))
        assert [r.pk for r in inbox.overdue] == [response.pk]
        assert inbox.overdue[0].period.state == PeriodState.CLOSED
    fresh = Response.objects.get(pk=response.pk)
    assert (fresh.status, fresh.version, fresh.days_late) == ("draft", 1, None)
    assert not Answer.objects.filter(response=response).exists()
    assert not Evidence.objects.filter(response=response).exists()


def test_after_the_close_an_import_row_of_a_closed_response_names_the_close_date(
    personas, calendar
):
    xl = make_xl_campaign(personas.catalogue, name="Excel calendar")
    Campaign.objects.filter(pk=xl.pk).update(opens_on=OPENS, closes_on=CLOSES)
    xl.refresh_from_db()
    with on(d(7, 2)):
        check = import_rows(xl, personas.catalogue.amata, [["0300588569", "Có"]])
    assert [(e.row, e.column, e.reason) for e in check.errors] == [
        (
            2,
            "A",
            "Enterprise A (test): The reporting period closed on 30/06/2026: this response can "
            "no longer be changed or submitted unless the provincial management board or the "
            "ministry grants an extension.",
        )
    ]


# --- extensions ----------------------------------------------------------------------------


def test_only_the_provinces_board_or_the_ministry_may_grant_an_extension(personas, calendar):
    response = response_of(calendar, personas.ent_b)  # in Amata, Đồng Nai
    assert can(personas.board, Action.EXTEND, response)
    assert can(personas.ministry, Action.EXTEND, response)
    for user in (
        personas.other_board,
        personas.park_manager,
        personas.enterprise_b,
        personas.enterprise_a,
    ):
        assert not can(user, Action.EXTEND, response)
    with on(d(7, 2)):
        for user in (personas.other_board, personas.park_manager, personas.enterprise_b):
            with pytest.raises(PermissionDenied):
                response_extend(response=response, user=user, until=d(7, 15), reason="asked")
        with pytest.raises(ValidationError) as exc:
            response_extend(response=response, user=personas.board, until=d(6, 30), reason=" ")
        assert exc.value.message_dict == {
            "until": ["The new due date must be after the campaign's close date, 30/06/2026."],
            "reason": ["Say why the extension is granted."],
        }
        with pytest.raises(ValidationError) as exc:
            response_extend(response=response, user=personas.board, until=d(7, 1), reason="x")
        assert exc.value.message_dict == {"until": ["The due date 01/07/2026 is in the past."]}
        extension = response_extend(
            response=response, user=personas.ministry, until=d(7, 20), reason="Flood in May."
        )
    assert extension.granted_by == personas.ministry
    assert Extension.objects.filter(response=response).count() == 1


def test_the_board_grants_an_extension_and_enterprise_b_submits_late_until_the_new_date(
    client, personas, calendar
):
    response = response_of(calendar, personas.ent_b)
    with on(d(7, 2), hour=9):
        login(client, personas.board)
        reply = client.post(
            reverse("surveys:response_extension", args=[response.pk]),
            {"until": "15/07/2026", "reason": "The person in charge of reporting left."},
        )
        assert reply.status_code == 302
        page = client.get(reverse("surveys:response", args=[response.pk])).content.decode()
    extension = Extension.objects.get(response=response)
    assert (extension.until, extension.granted_by, extension.reason) == (
        d(7, 15),
        personas.board,
        "The person in charge of reporting left.",
    )
    assert extension.granted_at == datetime.datetime(2026, 7, 2, 9, tzinfo=HCM)
    assert "Extended until 15/07/2026 by t-board on 02/07/2026 09:00" in page
    assert "The person in charge of reporting left." in page
    assert "this response is due on 15/07/2026" in page

    with on(d(7, 10)):
        assert response_period(Response.objects.get(pk=response.pk)).state == PeriodState.OPEN
        save_count(response, personas.enterprise_b, 3)
        submitted = response_submit(response=response, user=personas.enterprise_b)
    assert submitted.days_late == 10  # late against the close date, 30/06/2026

    # another response with the same extension, not submitted in time
    other = response_of(calendar, personas.ent_a)
    with on(d(7, 2)):
        response_extend(response=other, user=personas.board, until=d(7, 15), reason="Asked.")
    with on(d(7, 16)):
        with pytest.raises(ValidationError) as exc:
            save_count(other, personas.enterprise_a, 1)
    assert exc.value.messages == [
        "This response was due on 15/07/2026: it can no longer be changed or submitted unless "
        "the provincial management board or the ministry grants an extension."
    ]


def test_a_submitted_response_is_not_extended(personas, calendar):
    response = response_of(calendar, personas.ent_a)
    with on(d(6, 1)):
        response_submit(response=response, user=personas.enterprise_a)
    with on(d(7, 2)):
        with pytest.raises(ValidationError) as exc:
            response_extend(response=response, user=personas.board, until=d(7, 15), reason="x")
    assert exc.value.code == "wrong_status"


# --- returned after the close ------------------------------------------------------------


def test_a_response_returned_after_the_close_stays_editable_until_the_reviewers_due_date(
    client, personas, calendar
):
    response = response_of(calendar, personas.ent_a)
    with on(d(6, 20)):
        save_count(response, personas.enterprise_a, 1)
        first = response_submit(response=response, user=personas.enterprise_a)
    assert first.days_late == 0

    with on(d(7, 5)):
        # after the close a return needs the date the correction is due
        with pytest.raises(ValidationError) as exc:
            response_return(response=response, user=personas.park_manager, reason="Check.")
        assert exc.value.message_dict == {
            "due_on": [
                "The response was due on 30/06/2026: set the date by which the correction is due."
            ]
        }
        # the park manager returns it through the page with a due date
        login(client, personas.park_manager)
        reply = client.post(
            reverse("surveys:response_review", args=[response.pk]),
            {"action": "return", "reason": "Name the partner.", "due_on": "2026-07-20"},
        )
        assert reply.status_code == 302
    step = Transition.objects.filter(response=response).latest("at")
    assert (step.to_status, step.due_on, step.by) == ("returned", d(7, 20), personas.park_manager)
    returned = Response.objects.get(pk=response.pk)
    assert returned.due_on == d(7, 20)

    with on(d(7, 18)):  # after the campaign's close, before its own due date
        assert response_period(returned).state == PeriodState.OPEN
        save_count(returned, personas.enterprise_a, 2)
        again = response_submit(response=returned, user=personas.enterprise_a)
    # the first submission's record is kept: it came in on time
    assert (again.days_late, again.first_submitted_at) == (0, first.first_submitted_at)
    assert again.submitted_at == datetime.datetime(2026, 7, 18, 10, tzinfo=HCM)

    with on(d(7, 22)):
        response_return(
            response=again, user=personas.park_manager, reason="Once more.", due_on=d(7, 25)
        )
    with on(d(7, 26)):
        with pytest.raises(ValidationError) as exc:
            save_count(again, personas.enterprise_a, 3)
    assert exc.value.messages == [
        "This response was due on 25/07/2026: it can no longer be changed or submitted unless "
        "the provincial management board or the ministry grants an extension."
    ]
    assert Answer.objects.get(response=response).value_number == 2


def test_a_due_date_in_the_past_is_refused_when_returning(personas, calendar):
    response = response_of(calendar, personas.ent_a)
    with on(d(6, 1)):
        response_submit(response=response, user=personas.enterprise_a)
        with pytest.raises(ValidationError) as exc:
            response_return(
                response=response, user=personas.park_manager, reason="x", due_on=d(5, 31)
            )
    assert exc.value.message_dict == {"due_on": ["The due date 31/05/2026 is in the past."]}


# --- reminders follow the extension (real SMTP on loopback) -------------------------------


def test_reminders_follow_enterprise_bs_extension_over_real_smtp(smtp, addresses, calendar):  # noqa: F811
    """Schedule "30,7": the overdue reminder goes to every late respondent the day after the
    close; once the board extends B's response to 31/07/2026, B alone is reminded 7 days
    before the new date, and is overdue the day after it."""
    b = response_of(calendar, addresses.ent_b)
    with on(d(7, 1), hour=7):
        assert surveys.tasks.send_reminders.delay().get()["sent"] == 3  # A, B, Amata's manager
    assert {tuple(r) for r, _m in smtp.take()} == {
        ("a@ent-a.example",),
        ("b@ent-b.example",),
        ("manager@amata.example",),
    }
    with on(d(7, 2)):
        response_extend(response=b, user=addresses.board, until=d(7, 31), reason="Asked.")

    with on(d(7, 24), hour=7):
        assert surveys.tasks.send_reminders.delay().get()["sent"] == 1
    [(rcpt, message)] = smtp.take()
    assert rcpt == ["b@ent-b.example"]
    assert english(subject(message), " / ") == (
        "Reminder: your response to Calendar 2025 is due on 31/07/2026"
    )
    assert (
        "The campaign closed on 30/06/2026; this response may still be changed and submitted "
        "until 31/07/2026." in " ".join(body_en(message).split())
    )
    assert "31/07/2026" in subject(message).split(" / ")[0]  # the Vietnamese part too
    with on(d(7, 24), hour=8):  # a second run the same day sends nothing again
        assert surveys.tasks.send_reminders.delay().get()["sent"] == 0

    with on(d(8, 1), hour=7):
        assert surveys.tasks.send_reminders.delay().get()["sent"] == 1
    [(rcpt, message)] = smtp.take()
    assert rcpt == ["b@ent-b.example"]
    assert english(subject(message), " / ") == "Overdue: Calendar 2025 (due 31/07/2026)"
    assert "was due on 31/07/2026 and has not been submitted" in body_en(message)


def test_the_extension_page_answers_404_outside_the_scope_and_403_without_the_right(
    client, personas, calendar
):
    response = response_of(calendar, personas.ent_b)  # Amata, Đồng Nai
    url = reverse("surveys:response_extension", args=[response.pk])
    data = {"until": "2026-07-15", "reason": "Asked."}
    expected = {
        personas.other_board: 404,  # Hải Phòng's board does not read Amata's responses
        personas.enterprise_a: 404,  # nor does another enterprise
        personas.park_manager: 403,  # reads it, may not extend it
        personas.enterprise_b: 403,  # its own response
    }
    with on(d(7, 2)):
        for user, status in expected.items():
            client.logout()
            login(client, user)
            assert client.post(url, data).status_code == status, user.username
        # the board's form refuses a date before the close, naming the field
        client.logout()
        login(client, personas.board)
        page = client.post(url, {"until": "2026-06-01", "reason": "Asked."})
        assert page.status_code == 400
        assert "The new due date must be after the campaign&#x27;s close date, 30/06/2026." in (
            page.content.decode()
        )
        assert '<details class="extension-form" open id="extension">' in page.content.decode()
    assert not Extension.objects.filter(response=response).exists()
