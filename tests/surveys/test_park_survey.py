"""The park survey: save draft, refuse unreadable numbers, submit → snapshot."""

from django.urls import reverse

from dashboards.models import CriterionResult, RecomputeState, ScoreSnapshot
from surveys.models import Answer, Response

from ..conftest import PASSWORD


def post(client, response, data, action="save"):
    payload = {"version": Response.objects.get(pk=response.pk).version, "action": action}
    payload.update(data)
    return client.post(reverse("surveys:response", args=[response.pk]), payload)


def test_a_non_numeric_value_is_refused_naming_the_field_and_kept(client, personas, amata_response):
    client.login(username=personas.park_manager.username, password=PASSWORD)
    r = post(
        client, amata_response, {"symbioses_operating": "một", "basic_services_provided": "yes"}
    )
    assert r.status_code == 200
    html = r.content.decode()
    assert "Số cộng sinh công nghiệp đang vận hành trong KCN" in html  # the field's label
    assert "“một”" in html
    assert 'value="một"' in html  # what was typed is still in the field
    assert Answer.objects.filter(response=amata_response).count() == 0  # nothing saved halfway


def test_english_form_names_the_field_in_english(client, personas, amata_response):
    client.login(username=personas.park_manager.username, password=PASSWORD)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    r = post(client, amata_response, {"wastewater_total_m3": "12abc"})
    assert "Industrial wastewater generated in the park in the year" in r.content.decode()


def test_vietnamese_numbers_are_read_and_units_converted(client, personas, amata_response):
    client.login(username=personas.park_manager.username, password=PASSWORD)
    r = post(
        client,
        amata_response,
        {
            "wastewater_total_m3": "1.234,5",
            "wastewater_reused_m3": "1",
            "wastewater_reused_m3__unit": "ML",  # 1 megalitre = 1 000 m³ (≤ total)
        },
    )
    assert r.status_code == 302
    total = Answer.objects.get(response=amata_response, data_element__code="wastewater_total_m3")
    reused = Answer.objects.get(response=amata_response, data_element__code="wastewater_reused_m3")
    assert str(total.value_number.normalize()) == "1234.5" and total.raw == "1.234,5"
    assert reused.value_number == 1000 and reused.unit_entered == "ML"
    assert Response.objects.get(pk=amata_response.pk).version == 2


def test_a_stale_version_is_refused_and_nothing_is_overwritten(client, personas, amata_response):
    client.login(username=personas.park_manager.username, password=PASSWORD)
    assert post(client, amata_response, {"symbioses_operating": "1"}).status_code == 302
    stale = client.post(
        reverse("surveys:response", args=[amata_response.pk]),
        {"version": 1, "action": "save", "symbioses_operating": "5"},
    )
    assert stale.status_code == 200
    html = stale.content.decode()
    assert 'id="conflicts"' in html  # both values are shown side by side
    assert (
        "<p>Chưa có gì được lưu: báo cáo đã được người khác thay đổi trong lúc bạn đang sửa.</p>"
        in html
    )
    row = html[html.index('<tr data-code="symbioses_operating">') :]
    row = row[: row.index("</tr>")]
    assert '<td class="yours">5</td>' in row and '<td class="saved">1</td>' in row
    assert 'value="5"' in html  # what this person typed is kept in the form
    answer = Answer.objects.get(response=amata_response, data_element__code="symbioses_operating")
    assert answer.value_number == 1


def test_submitting_computes_the_parks_snapshot(
    client, personas, amata_response, django_capture_on_commit_callbacks
):
    client.login(username=personas.park_manager.username, password=PASSWORD)
    with django_capture_on_commit_callbacks(execute=True):
        r = post(
            client,
            amata_response,
            {
                "symbioses_operating": "1",
                "symbiosis_participants_iso": "no",
                "basic_services_provided": "yes",
            },
            action="submit",
        )
    assert r.status_code == 302 and r["Location"] == reverse(
        "dashboards:park", args=[personas.catalogue.amata.pk]
    )
    assert Response.objects.get(pk=amata_response.pk).status == "submitted"
    snap = ScoreSnapshot.objects.get(
        campaign=amata_response.campaign, park=personas.catalogue.amata, enterprise__isnull=True
    )
    states = dict(
        CriterionResult.objects.filter(snapshot=snap).values_list("criterion__code", "state")
    )
    assert states["VN35-EIP-E2"] == "met"
    assert states["VN35-EIP-E3"] == "not_met"
    assert states["VN35-EIP-I2"] == "met"
    assert states["VN35-EIP-I3"] == "no_data"  # unanswered is never "not met"
    assert states["VN35-EIP-I1"] == "no_data"  # look-back needs 2023 and 2024 too
    assert states["VN-C05-ENV1"] == "no_threshold"
    assert not RecomputeState.objects.get(
        campaign=amata_response.campaign, park=personas.catalogue.amata
    ).stale
    page = client.get(
        reverse("dashboards:park", args=[personas.catalogue.amata.pk])
    ).content.decode()
    assert 'data-code="VN35-EIP-E2"' in page and "category-figure" in page


def test_a_submitted_response_is_locked(
    client, personas, amata_response, django_capture_on_commit_callbacks
):
    client.login(username=personas.park_manager.username, password=PASSWORD)
    with django_capture_on_commit_callbacks(execute=True):
        post(client, amata_response, {"symbioses_operating": "0"}, action="submit")
    r = post(client, amata_response, {"symbioses_operating": "3"})
    assert r.status_code == 403
    answer = Answer.objects.get(response=amata_response, data_element__code="symbioses_operating")
    assert answer.value_number == 0


def test_dashboard_page_uses_a_constant_number_of_queries(
    client, personas, amata_response, django_assert_max_num_queries
):
    client.login(username=personas.ministry.username, password=PASSWORD)
    # 17 whatever the number of tenants: session, user, stamps, park, campaigns, snapshots,
    # criteria, data elements, answers, the tenants' names and tax codes (sorted and paged in
    # Python), the shown page's tenants with their results, reporting counts per park and the
    # parks' names, and four register reads
    with django_assert_max_num_queries(17):
        assert (
            client.get(reverse("dashboards:park", args=[personas.catalogue.amata.pk])).status_code
            == 200
        )
    with django_assert_max_num_queries(8):
        assert client.get(reverse("dashboards:parks")).status_code == 200


def test_an_implausibly_large_number_is_refused_naming_the_field(client, personas, amata_response):
    client.login(username=personas.park_manager.username, password=PASSWORD)
    huge = "999999999999999999999999999999"  # 30 digits: more than an answer can hold
    r = post(client, amata_response, {"wastewater_total_m3": huge})
    assert r.status_code == 200
    html = r.content.decode()
    assert "Tổng lượng nước thải công nghiệp phát sinh trong năm" in html
    assert f'value="{huge}"' in html
    assert not Answer.objects.filter(response=amata_response).exists()
    # the largest accepted magnitude is below 10^15
    ok = post(client, amata_response, {"wastewater_total_m3": "999.999.999.999.999"})
    assert ok.status_code == 302
    assert client.get(reverse("surveys:response", args=[amata_response.pk])).status_code == 200
