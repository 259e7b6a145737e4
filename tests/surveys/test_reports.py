"""The official reports (Circular 05/2025 forms A.4, A.5, B.4, B.5) on the response page and
in the services, with values worked by hand."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import translation

from indicators.official_forms import official_form
from surveys.models import Origin, ProductionLine, ReportValue, Response
from surveys.reports import field_name, report_missing, report_values
from surveys.services import IncompleteReport, campaign_open, response_submit
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("grid_factors")]


def client_for(user, language: str = "vi") -> Client:
    from django.conf import settings

    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def park_response(campaign, personas) -> Response:
    return Response.objects.get(campaign=campaign, park=personas.catalogue.amata, enterprise=None)


def name(code: str, key: str) -> str:
    return field_name(official_form(code).item(key))


def test_the_park_manager_sees_a4_and_a5_laid_out_by_part_and_section(report_campaign, personas):
    response = park_response(report_campaign, personas)
    page = client_for(personas.park_manager).get(f"/surveys/responses/{response.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="form-a4"' in html and 'id="form-a5"' in html
    assert name("A.4", "I.2.5.1") in html


def post(client, response, data, action="save"):
    response.refresh_from_db()
    body = {"version": response.version, "action": action, **data}
    return client.post(f"/surveys/responses/{response.pk}/", body)


def stored(response, ident) -> ReportValue:
    return ReportValue.objects.get(response=response, item=ident)


def test_land_shares_are_computed_by_the_server_from_the_four_areas(report_campaign, personas):
    response = park_response(report_campaign, personas)
    client = client_for(personas.park_manager)
    with translation.override("vi"):
        reply = post(
            client,
            response,
            {
                name("A.4", "I.2.5.1"): "250",
                name("A.4", "I.2.5.2"): "25,5",
                name("A.4", "I.2.5.4"): "30,25",
                name("A.4", "I.2.5.6"): "7,5",
                name("A.4", "I.2.5.8"): "12,345",
                # a share typed by hand is ignored: the server's value is the one stored
                name("A.4", "I.2.5.3"): "99",
            },
        )
    assert reply.status_code == 302
    shares = {
        key: stored(response, f"A.4:{key}").value_number
        for key in ("I.2.5.3", "I.2.5.5", "I.2.5.7", "I.2.5.9")
    }
    # 25.5/250 = 10.2 %; 30.25/250 = 12.1 %; 7.5/250 = 3 %; 12.345/250 = 4.938 → 4.94 %
    assert shares == {
        "I.2.5.3": Decimal("10.2"),
        "I.2.5.5": Decimal("12.1"),
        "I.2.5.7": Decimal("3"),
        "I.2.5.9": Decimal("4.94"),
    }
    assert stored(response, "A.4:I.2.5.3").origin == Origin.CALCULATED
    # a new total moves every share at the next save
    post(client, response, {name("A.4", "I.2.5.1"): "300"})
    assert stored(response, "A.4:I.2.5.3").value_number == Decimal("8.5")


def test_a_percentage_out_of_range_gets_the_forms_message_and_nothing_is_saved(
    report_campaign, personas
):
    response = park_response(report_campaign, personas)
    with translation.override("vi"):
        reply = post(
            client_for(personas.park_manager),
            response,
            {name("A.4", "III.1.2.4"): "120", name("A.4", "I.2.5.1"): "250"},
        )
    assert reply.status_code == 400
    assert "Giá trị hợp lệ trong khoảng từ 0 - 100%" in reply.content.decode()
    assert not ReportValue.objects.filter(response=response).exists()


def test_numbers_take_at_most_15_integer_digits_and_5_decimals(report_campaign, personas):
    response = park_response(report_campaign, personas)
    with translation.override("en"):
        reply = post(
            client_for(personas.park_manager, "en"),
            response,
            {
                name("A.4", "III.1.2.3"): "1234567890123456",
                name("A.4", "III.1.2.6"): "1.123456",
            },
        )
    html = reply.content.decode()
    assert reply.status_code == 400
    # each message twice: in the list at the top and beside its field
    assert html.count("at most 15 digits before the decimal mark and 5 after it") == 4


def test_money_typed_in_vnd_is_kept_in_million_vnd(report_campaign, personas):
    response = park_response(report_campaign, personas)
    item = name("A.4", "III.1.2.6")
    with translation.override("vi"):
        post(
            client_for(personas.park_manager),
            response,
            {item: "1.234.567.891", f"{item}__unit": "VND"},
        )
    value = stored(response, "A.4:III.1.2.6")
    assert value.value_number == Decimal("1234.56789")  # rounded half up to 5 decimals
    assert (value.raw, value.unit_entered) == ("1.234.567.891", "VND")


def test_submit_lists_every_missing_required_field_and_keeps_the_draft(report_campaign, personas):
    response = park_response(report_campaign, personas)
    client = client_for(personas.park_manager, "en")
    reply = post(client, response, {name("A.4", "I.2.5.1"): "250"}, action="submit")
    assert reply.status_code == 400
    html = reply.content.decode()
    assert 'id="missing-fields"' in html
    response.refresh_from_db()
    assert response.status == Response.Status.DRAFT
    assert stored(response, "A.4:I.2.5.1").value_number == Decimal("250")  # the draft kept it
    with translation.override("en"):
        missing = report_missing(response, personas.park_manager)
    labels = [m.label for m in missing]
    # Part I from the registry: the developer's name is known (Park.operator), its code is not
    assert "A.4 1.2 Enterprise code" in labels
    assert "A.4 1.1 Name of the investor implementing the project" not in labels
    # land: the total is given, green space is not, and its share is not listed twice
    assert "A.4 2.5.2 Land area for green space" in labels
    assert "A.4 2.5.3 Green space share" not in labels
    # optional fields are not asked: II.1 and the whole of III.2
    assert not [x for x in labels if x.startswith("A.4 II.1") or x.startswith("A.4 2.1.")]
    assert "A.5 2 (ENV.3) Recirculation and reuse of industrial wastewater" not in labels
    assert "A.5 Industrial wastewater generated in the year" in labels
    assert "A.5 18 (ECO.6) Value of the park's services" in labels
    # every one is linked to its field on the page
    for m in missing:
        assert f'href="#{m.anchor}"' in html
        assert f'id="{m.anchor}"' in html
    required = [i for f in ("A.4", "A.5") for i in official_form(f).data_items() if i.required]
    # all required fields but: the project (the response's own), 1.1 (known), 2.5.1 (given),
    # and the computed fields, never asked of the person (4 shares, 2 totals, ENV.3)
    assert len(missing) == len(required) - 1 - 1 - 1 - 4 - 2 - 1


def test_a_complete_a4_and_a5_are_submitted_and_the_board_sees_them(report_campaign, personas):
    response = park_response(report_campaign, personas)
    client = client_for(personas.park_manager, "vi")
    data = complete_park_report(response, personas)
    reply = post(client, response, data, action="submit")
    assert reply.status_code == 302, [
        line for line in reply.content.decode().splitlines() if "error" in line
    ][:20]
    response.refresh_from_db()
    assert response.status == Response.Status.SUBMITTED
    page = client_for(personas.board, "en").get(f"/surveys/responses/{response.pk}/")
    assert page.status_code == 200 and "Land area for green space" in page.content.decode()


def complete_park_report(response, personas) -> dict:
    """A POST body answering every required field of A.4 and A.5 (the registry's Part I
    fields the park lacks included)."""
    data = {}
    for form in ("A.4", "A.5"):
        for item in official_form(form).data_items():
            key = item.source.element or name(form, item.key)
            if item.read_only or item.kind.value in ("heading", "project", "file"):
                continue
            value = {
                "integer": "3",
                "decimal": "12,5",
                "percentage": "10",
                "yes_no": "yes",
                "date": "01/02/2020",
                "text": "Có",
                "textarea": "Nội dung",
                "choice": "male",
                "enterprises": personas.ent_a.tax_code,
            }[item.kind.value]
            if item.source.field == "investor_email" or item.source.field == "representative_email":
                value = "info@example.vn"
            if item.source.field == "investor_tax_code":
                value = "0300588569"
            data[key] = value
    data[name("A.4", "I.2.5.1")] = "250"
    data["wastewater_total_m3"] = "1000"
    data["wastewater_reused_m3"] = "200"
    return data


def test_a_register_figure_accepted_is_recorded_as_the_registers_and_one_overridden_as_typed(
    report_campaign, personas
):
    from registers.services import measure_save

    measure_save(
        user=personas.park_manager,
        enterprise=personas.ent_a,
        data={
            "area": "energy",
            "title": "VSD",
            "status": "verified",
            "year": 2022,
            "saving_value": Decimal("310"),
            "saving_unit": "MWh",
            "energy_carrier": "electricity",
            "saving_money_vnd": 560_000_000,
        },
    )
    response = park_response(report_campaign, personas)
    client = client_for(personas.park_manager, "vi")
    electricity, money = name("A.4", "III.1.2.3"), name("A.4", "III.1.2.6")
    page = client.get(f"/surveys/responses/{response.pk}/").content.decode()
    assert f'data-use="{electricity}" data-value="&quot;310000&quot;"' in page
    assert "310.000 kWh" in page  # the figure beside the field, grouped the Vietnamese way
    post(
        client,
        response,
        {
            electricity: "310000",
            f"{electricity}__origin": "registers",
            money: "500",  # the registers say 560: the person overrides
            f"{money}__origin": "registers",
            "symbioses_operating": "0",
            "symbioses_operating__origin": "registers",
        },
    )
    assert stored(response, "A.4:III.1.2.3").origin == Origin.REGISTERS
    overridden = stored(response, "A.4:III.1.2.6")
    assert (overridden.value_number, overridden.origin) == (Decimal("500"), Origin.TYPED)
    answer = response.answers.get(data_element__code="symbioses_operating")
    assert (answer.value_number, answer.origin) == (Decimal("0"), Origin.REGISTERS)
    # the report's values say which is which (what the documents render)
    with translation.override("vi"):
        a4 = report_values(response, personas.park_manager)[0]
    assert a4.by_key["III.1.2.3"].origin == "registers"
    assert a4.by_key["III.1.2.3"].text == "310.000"
    assert a4.by_key["III.1.2.6"].origin == "typed"
    assert a4.by_key["III.1.2.6"].suggestion.value == Decimal("560")


@pytest.fixture
def amata_registers(personas):
    """The registers of ``tests/registers/test_report_rollups.py``: four measures and three
    exchanges with their 2025 savings."""
    from tests.registers.test_report_rollups import build_amata_registers

    return build_amata_registers(personas)


def test_a4_savings_totals_from_three_exchanges_and_four_measures_accepted_from_the_registers(
    report_campaign, amata_registers
):
    from surveys.reports import suggestion_input

    personas = amata_registers
    response = park_response(report_campaign, personas)
    with translation.override("vi"):
        a4 = report_values(response, personas.park_manager)[0]
        data = {}
        for f in a4.fields:
            if f.suggestion is None or not f.item.kind.is_number:
                continue
            if not (f.item.key.startswith("III.1.") or f.item.key.startswith("III.3.")):
                continue
            data[name("A.4", f.item.key)] = suggestion_input(f.item, f.suggestion)
            data[name("A.4", f.item.key) + "__origin"] = "registers"
    post(client_for(personas.park_manager, "vi"), response, data)
    # RECP money in 2025 (million VND): electricity 560 + water 420, nothing else in the
    # form's lines (the fuels' 1 250 have no field in A.4)
    assert stored(response, "A.4:III.1.3.16").value_number == Decimal("980")
    # symbiosis money: electricity 90 + water 180 + wastewater 90 + recycling 10 + materials
    # used from other enterprises 135 = 505 (the 67.5 of revenue from supplying is no saving)
    assert stored(response, "A.4:III.3.25").value_number == Decimal("505")
    assert stored(response, "A.4:III.3.2").value_number == Decimal("50000")  # kWh, not 550 000
    assert stored(response, "A.4:III.3.21").value_number == Decimal("45")
    assert stored(response, "A.4:III.3.21").origin == Origin.REGISTERS


def enterprise_response(campaign, ent) -> Response:
    return Response.objects.get(campaign=campaign, enterprise=ent)


def test_production_rows_are_checked_cell_by_cell_and_kept_all_or_nothing(
    report_campaign, personas
):
    response = enterprise_response(report_campaign, personas.ent_a)
    client = client_for(personas.enterprise_a, "en")
    reply = post(
        client,
        response,
        {
            "prod-present": "1",
            "prod-0-product": "Woven fabric",
            "prod-0-unit": "m²/năm",
            "prod-0-design_capacity": "1,200,000",
            "prod-0-actual_output": "950,000",
            "prod-0-energy_per_unit": "0.35",
            "prod-0-energy_carrier": "electricity",
            "prod-0-revenue_million_vnd": "48,500",
            "prod-1-product": "",
            "prod-1-unit": "kg/năm",
            "prod-1-design_capacity": "-5",
            "prod-1-revenue_million_vnd": "1.1234567",
        },
    )
    assert reply.status_code == 400
    html = reply.content.decode()
    assert "Product 2, «product»: name the product." in html
    assert "Product 2, «unit of measure»: choose one of: tấn/năm, m/năm, m²/năm, m³/giờ." in html
    assert "Product 2, «design capacity»: the value cannot be negative." in html
    assert (
        "Product 2, «revenue (million VND)»: at most 15 digits before the decimal mark and 5 "
        "after it." in html
    )
    assert not ProductionLine.objects.filter(response=response).exists()
    post(
        client,
        response,
        {
            "prod-present": "1",
            "prod-0-product": "Woven fabric",
            "prod-0-unit": "m²/năm",
            "prod-0-design_capacity": "1,200,000",
            "prod-0-revenue_million_vnd": "48,500",
        },
    )
    line = ProductionLine.objects.get(response=response)
    assert (line.design_capacity, line.revenue_million_vnd, line.energy_carrier) == (
        Decimal("1200000"),
        Decimal("48500"),
        "electricity",
    )
    # an incomplete row is no complete row: the table is listed as missing at submit
    with pytest.raises(IncompleteReport) as exc:
        response_submit(response=response, user=personas.enterprise_a)
    table = [m for m in exc.value.missing if "at least one complete row" in m.label]
    assert len(table) == 1
    page = client.get(f"/surveys/responses/{response.pk}/").content.decode()
    assert f'id="{table[0].anchor}"' in page  # the link opens the table's section


def assert_kept_as_typed(reply, typed: dict[str, str]) -> None:
    """The refused page (400) holds each typed text in its one ``<input>``, a text input with
    ``inputmode="decimal"``; no input on the page is ``type="number"``."""
    assert reply.status_code == 400
    html = reply.content.decode()
    for input_name, text in typed.items():
        tags = re.findall(rf'<input[^>]*\bname="{re.escape(input_name)}"[^>]*>', html)
        assert len(tags) == 1, (input_name, tags)
        assert 'type="text"' in tags[0] and 'inputmode="decimal"' in tags[0]
        assert f'value="{text}"' in tags[0]
    assert 'type="number"' not in html


def test_numbers_that_cannot_be_read_come_back_as_typed_in_text_inputs(report_campaign, personas):
    """A refused save re-renders the report forms with what was typed: number fields are text
    inputs (``inputmode="decimal"``, read by ``common.parsing``, so 1.234,5 works), never
    ``type="number"``, which cannot hold "12abc" and would come back blank."""
    response = park_response(report_campaign, personas)
    typed = {
        name("A.4", "I.2.5.1"): "12abc",  # decimal
        name("A.4", "III.1.1.1"): "mười hai",  # integer
        name("A.4", "III.1.2.4"): "5,5%x",  # percentage
        name("A.4", "III.1.2.3"): "1.234,5",  # a readable Vietnamese decimal, kept as typed
    }
    assert_kept_as_typed(post(client_for(personas.park_manager), response, typed), typed)
    assert not ReportValue.objects.filter(response=response).exists()

    ent_response = enterprise_response(report_campaign, personas.ent_a)
    cells = {"prod-0-design_capacity": "một nghìn", "prod-0-revenue_million_vnd": "1.234,5"}
    reply = post(
        client_for(personas.enterprise_a),
        ent_response,
        {"prod-present": "1", "prod-0-product": "Vải", "prod-0-unit": "kg/năm", **cells},
    )
    assert_kept_as_typed(reply, cells)


def test_b4_part_i_fills_what_the_registry_lacks_and_hides_personal_data_from_the_ministry(
    report_campaign, personas
):
    from enterprises.models import InvestmentProject

    response = enterprise_response(report_campaign, personas.ent_a)
    client = client_for(personas.enterprise_a, "vi")
    post(
        client,
        response,
        {
            name("B.4", "I.1.1.1"): "individual",
            name("B.4", "I.1.1.2"): "Lê Văn C",
            name("B.4", "I.1.1.6"): "079070001234",
            name("B.4", "I.1.1.4"): "01/05/1975",
        },
    )
    project = InvestmentProject.objects.get(enterprise=personas.ent_a)
    assert (project.investor_kind, project.investor_identity_number) == (
        "individual",
        "079070001234",
    )
    assert project.history.first().history_user == personas.enterprise_a
    board_page = client_for(personas.board).get(f"/surveys/responses/{response.pk}/")
    ministry_page = client_for(personas.ministry).get(f"/surveys/responses/{response.pk}/")
    assert "079070001234" in board_page.content.decode()
    assert "079070001234" not in ministry_page.content.decode()
    assert "Lê Văn C" in ministry_page.content.decode()
    # the organisation's sections are not asked of an individual investor
    with translation.override("en"):
        labels = [m.label for m in report_missing(response, personas.enterprise_a)]
    assert "B.4 1.2.11 Website" not in labels
    assert "B.4 1.1.3 Gender" in labels


def docx_bytes() -> bytes:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Override PartName="/word/document.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
        )
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def test_the_symbiosis_agreements_are_uploaded_as_word_pdf_or_excel_documents(
    report_campaign, personas, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from surveys.evidence import EvidenceError, evidence_upload

    settings.MEDIA_ROOT = str(tmp_path)
    response = park_response(report_campaign, personas)
    evidence_upload(
        response=response,
        item="A.4:III.2.1.11",
        file=SimpleUploadedFile("thoa-thuan.docx", docx_bytes()),
        user=personas.park_manager,
    )
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    with pytest.raises(EvidenceError):
        evidence_upload(
            response=response,
            item="A.4:III.2.1.11",
            file=SimpleUploadedFile("anh.png", png),
            user=personas.park_manager,
        )
    a4 = report_values(response, personas.park_manager)[0]
    assert a4.by_key["III.2.1.11"].value == ["thoa-thuan.docx"]


def test_opening_a_campaign_chooses_its_forms_and_refuses_them_on_another_framework(personas):
    from django.core.exceptions import ValidationError

    from indicators.models import FrameworkVersion

    c = personas.catalogue
    kwargs = dict(
        name="x", period=2025, opens_on=datetime.date(2026, 1, 1),
        closes_on=datetime.date(2026, 3, 31), parks=[c.amata],
    )  # fmt: skip
    campaign = campaign_open(framework_version=c.vn2022, report_forms=["B.5", "A.4"], **kwargs)
    assert campaign.report_forms == ["A.4", "B.5"]  # filing order
    vn2018 = FrameworkVersion.objects.get(framework__code="VN-2018", number=1)
    with pytest.raises(ValidationError) as exc, translation.override("en"):
        campaign_open(framework_version=vn2018, report_forms=["A.4"], **kwargs)
    assert exc.value.message_dict["report_forms"] == [
        "A.4 belong to another framework than VN-2018."
    ]
    page = client_for(personas.board, "en").get("/surveys/campaigns/new/")
    assert 'value="A.4" id="id_report_forms_0" checked' in page.content.decode()


@pytest.mark.parametrize("code", ["A.4", "A.5", "B.4", "B.5"])
def test_every_data_field_of_the_forms_is_on_the_response_page(report_campaign, personas, code):
    form = official_form(code)
    subject = None if form.subject == "park" else personas.ent_a
    response = Response.objects.get(campaign=report_campaign, enterprise=subject)
    user = personas.park_manager if subject is None else personas.enterprise_a
    page = client_for(user, "en").get(f"/surveys/responses/{response.pk}/").content.decode()
    from indicators.official_forms import SourceKind

    columns = {"revenue": "revenue_million_vnd"}
    for item in form.data_items():
        if item.source.kind is SourceKind.TABLE:  # a column of the production table's rows
            column = columns.get(item.source.field, item.source.field)
            assert f'name="prod-__i__-{column}"' in page, item.key
        else:
            assert f'id="{item.anchor}"' in page, item.key


def test_every_error_of_a_save_is_listed_at_once_part_i_date_included(report_campaign, personas):
    from enterprises.models import InvestmentProject

    response = enterprise_response(report_campaign, personas.ent_b)
    client = client_for(personas.enterprise_b, "vi")
    reply = post(
        client,
        response,
        {
            name("B.4", "I.2.5"): "31/02/2020",
            name("B.4", "III.P3.2"): "-5",
            name("B.4", "III.P3.4"): "99999999999999999999999999999",
            "prod-present": "1",
            "prod-0-product": "Ống thép",
            "prod-0-unit": "tấn/năm",
            "prod-0-design_capacity": "abc",
        },
    )
    assert reply.status_code == 400
    listed = reply.context["report_errors"]
    assert [anchor for anchor, _m in listed] == [
        "item-B4-I-2-5",
        "id_prod-0-design_capacity",
        "item-B4-III-P3-2",
        "item-B4-III-P3-4",
    ]
    messages = [m for _a, m in listed]
    assert messages[0] == (
        "«2.5 Ngày điều chỉnh gần nhất (nếu có)»: “31/02/2020” không phải là ngày hợp lệ; "
        "hãy nhập theo dạng dd/mm/yyyy."
    )
    assert messages[1].startswith("Sản phẩm 1, «")
    assert messages[2].startswith("«P3.2 Tiết kiệm điện năng»")
    assert messages[3].startswith("«P3.4 Tiết kiệm chi phí điện»")
    assert not ProductionLine.objects.filter(response=response).exists()
    assert not ReportValue.objects.filter(response=response, item__startswith="B.4:III").exists()
    assert not InvestmentProject.objects.filter(enterprise=personas.ent_b).exists()


def test_b4_part_iv_applies_only_when_the_enterprise_counts_symbioses(report_campaign, personas):
    """B.4 P4.2–P4.33 describe the enterprise's symbioses (reference B4.csv, Phần IV): with
    P4.1 = 0 they are not asked and print "(không áp dụng)"; with P4.1 = 2 they are."""
    from indicators.models import DataElement
    from surveys.models import Answer

    response = enterprise_response(report_campaign, personas.ent_a)
    element = DataElement.objects.get(
        version=report_campaign.framework_version, code="symbioses_participating"
    )
    p42 = "B.4 P4.2 Loại hình cộng sinh công nghiệp (5 lựa chọn)"

    def missing():
        with translation.override("vi"):
            return [m.label for m in report_missing(response, personas.enterprise_a)]

    assert "B.4 P4.1 Số lượng cộng sinh công nghiệp đã thực hiện đến năm [N]" in missing()
    answer = Answer.objects.create(
        response=response, data_element=element, value_number=Decimal(0), raw="0"
    )
    labels = missing()
    assert not [m for m in labels if m.startswith("B.4 P4.")], labels
    with translation.override("vi"):
        [b4] = [
            fv for fv in report_values(response, personas.enterprise_a) if fv.form.code == "B.4"
        ]
    assert not b4.by_key["IV.P4.2"].shown and not b4.by_key["IV.P4.33"].shown
    from django.contrib.auth.models import AnonymousUser

    from surveys.documents import report_documents

    [document] = report_documents(response, AnonymousUser(), language="vi", forms=["B4"])
    lines = {
        line.number: line.value for p in document.parts for s in p.sections for line in s.lines
    }
    assert (lines["P4.1"], lines["P4.2"], lines["P4.33"]) == (
        "0",
        "(không áp dụng)",
        "(không áp dụng)",
    )
    answer.value_number, answer.raw = Decimal(2), "2"
    answer.save()
    labels = missing()
    assert p42 in labels
    assert "B.4 P4.33 Tiết kiệm chi phí từ dịch vụ dùng chung" in labels
    page = client_for(personas.enterprise_a).get(f"/surveys/responses/{response.pk}/")
    html = page.content.decode()
    p42_field = html[
        html.index('id="item-B4-IV-P4-2"') - 400 : html.index('id="item-B4-IV-P4-2"') + 400
    ]
    assert 'data-show-if="symbioses_participating" data-show-above="0"' in p42_field


def test_a_stale_save_of_report_fields_shows_both_values_and_overwrites_nothing(
    report_campaign, personas
):
    response = park_response(report_campaign, personas)
    area = name("A.4", "I.2.5.1")
    colleague, person = client_for(personas.park_manager), client_for(personas.park_manager)
    assert post(colleague, response, {area: "250"}).status_code == 302  # version 1 → 2
    url = f"/surveys/responses/{response.pk}/"
    with translation.override("vi"):
        reply = person.post(url, {"version": 1, "action": "save", area: "300"})
    html = reply.content.decode()
    assert reply.status_code == 409
    assert "báo cáo đã được người khác thay đổi trong lúc bạn đang sửa" in html
    # one instruction, not "reload" beside "the form still holds yours"
    assert "tải lại trang" not in html
    assert "kể cả các trường bạn không sửa. Lưu lại lần nữa sẽ ghi mọi giá trị" in html
    row = re.search(r'<tr data-code="A\.4:I\.2\.5\.1">.*?</tr>', html, re.S).group(0)
    item = official_form("A.4").item("I.2.5.1")
    assert f'href="#{item.anchor}"' in row and item.label_vi in row
    assert '<td class="yours">300</td><td class="saved">250</td>' in row
    assert 'value="300"' in html  # what was typed stays in the form
    assert stored(response, "A.4:I.2.5.1").value_number == 250
    # both values seen: saving the form again is deliberate and stores the person's value
    assert person.post(url, {"version": 2, "action": "save", area: "300"}).status_code == 302
    assert stored(response, "A.4:I.2.5.1").value_number == 300


def test_a_stale_save_listing_no_differing_field_keeps_the_old_version(report_campaign, personas):
    response = park_response(report_campaign, personas)
    area, other = name("A.4", "I.2.5.1"), name("A.4", "I.2.5.2")
    client = client_for(personas.park_manager)
    assert post(client, response, {area: "250", other: "20"}).status_code == 302  # 1 → 2
    url = f"/surveys/responses/{response.pk}/"
    # a stale form that sends the value now stored: nothing to compare, refused again
    reply = client.post(url, {"version": 1, "action": "save", area: "250"})
    assert reply.status_code == 409
    html = reply.content.decode()
    assert 'id="conflicts"' not in html
    assert (
        "Không giá trị nào bạn gửi khác với dữ liệu đang lưu: hãy tải lại trang để tiếp tục "
        "từ phiên bản đã lưu." in html
    )
    assert re.search(r'name="version" value="1"', html)
