"""The official report forms in the Excel round trip: every field has a column or a row, a
park manager fills A.4/A.5 and its tenants' B.4 (products included) offline and uploads them,
all or nothing, errors by cell."""

from __future__ import annotations

import html
import io
from decimal import Decimal

import openpyxl
import pytest
from django.utils import translation

from enterprises.models import InvestmentProject
from indicators.official_forms import Kind, SourceKind, official_form
from surveys import interchange
from surveys.interchange_reports import item_code
from surveys.models import Answer, ProductionLine, ReportValue, Response

pytestmark = pytest.mark.django_db


def template(campaign, park, user) -> openpyxl.Workbook:
    out = io.BytesIO()
    with translation.override("vi"):
        interchange.template_write(campaign=campaign, park=park, file=out, user=user)
    out.seek(0)
    return openpyxl.load_workbook(out)


def upload(wb, campaign, park, user, language="vi"):
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    with translation.override("en"):
        check = interchange.import_check(
            campaign=campaign, park=park, file=out, language=language, user=user
        )
    if check.ok:
        interchange.import_save(check=check, user=user)
    return check


def sheet(wb, first_code: str):
    """The sheet whose hidden code row starts with ``first_code`` (names are translated)."""
    return next(ws for ws in wb.worksheets[1:] if ws["A2"].value == first_code)


def codes_of(ws, row: int = 2) -> list[str]:
    return [str(c.value) for c in ws[row] if c.value is not None]


def expected_codes(code: str) -> set[str]:
    """What a sheet must carry for form ``code``: every data field but computed ones, files,
    the project choice and the production table (its own sheet)."""
    return {
        item_code(i)
        for i in official_form(code).data_items()
        if not i.read_only
        and i.kind not in (Kind.FILE, Kind.PROJECT)
        and i.source.kind is not SourceKind.TABLE
    }


def test_every_field_of_the_four_forms_has_a_column_or_a_row(report_campaign, personas):
    wb = template(report_campaign, personas.catalogue.amata, personas.park_manager)
    data, products, park = wb.worksheets[0], sheet(wb, "tax_code"), sheet(wb, "park_report")
    columns = set(codes_of(data))
    assert expected_codes("B.4") | expected_codes("B.5") <= columns
    assert codes_of(products) == [
        "tax_code", "product", "unit", "design_capacity", "actual_output", "energy_per_unit",
        "energy_carrier", "revenue_million_vnd",
    ]  # fmt: skip
    rows = {str(r[0].value) for r in park.iter_rows(min_row=3) if r[0].value}
    assert expected_codes("A.4") | expected_codes("A.5") == rows
    # the developer's name is what the registry knows (Park.operator), prefilled
    name_row = next(r for r in park.iter_rows(min_row=3) if r[0].value == "registry:investor_name")
    assert name_row[4].value == personas.catalogue.amata.operator


def test_a_park_manager_fills_a4_and_b4_offline_and_uploads_them(report_campaign, personas):
    amata = personas.catalogue.amata
    wb = template(report_campaign, amata, personas.park_manager)
    park = sheet(wb, "park_report")
    row_of = {r[0].value: r[0].row for r in park.iter_rows(min_row=3) if r[0].value}
    park[f"E{row_of['A.4:I.2.5.1']}"] = 250
    park[f"E{row_of['A.4:I.2.5.2']}"] = "25,5"
    park[f"E{row_of['A.4:III.1.2.4']}"] = 0.042  # a cell formatted as a percentage: 4.2 %
    park[f"E{row_of['A.4:III.1.2.6']}"] = 560
    park[f"E{row_of['registry:representative_name']}"] = "Nguyễn Văn A"
    park[f"E{row_of['ghg_programme']}"] = "Có"
    data = wb.worksheets[0]
    col = {c.value: c.column_letter for c in data[2] if c.value}
    tax_row = {data[f"A{r}"].value: r for r in range(3, data.max_row + 1)}
    a = tax_row[personas.ent_a.tax_code]
    data[f"{col['B.4:III.P3.2']}{a}"] = 310000
    data[f"{col['B.4:IV.P4.2']}{a}"] = "io_exchange; other"
    data[f"{col['registry:investor_kind']}{a}"] = "individual"
    data[f"{col['grievance_rules_pct']}{a}"] = 0.8
    products = sheet(wb, "tax_code")
    products.append([personas.ent_a.tax_code, "Vải", "m²/năm", 1200000, 950000, "0,35",
                     "electricity", 48500])  # fmt: skip
    products.append([personas.ent_a.tax_code, "Sợi", "tấn/năm", 3000, 2650, 850, "gas", 95000])
    check = upload(wb, report_campaign, amata, personas.park_manager)
    assert check.errors == []
    response = Response.objects.get(campaign=report_campaign, park=amata, enterprise=None)
    values = {v.item: v for v in ReportValue.objects.filter(response=response)}
    assert values["A.4:I.2.5.3"].value_number == Decimal("10.2")  # computed on import
    assert values["A.4:III.1.2.4"].value_number == Decimal("4.2")
    assert response.answers.get(data_element__code="ghg_programme").value_bool is True
    project = InvestmentProject.objects.get(park=amata, enterprise=None)
    assert project.representative_name == "Nguyễn Văn A"
    ent_response = Response.objects.get(campaign=report_campaign, enterprise=personas.ent_a)
    assert (
        ReportValue.objects.get(response=ent_response, item="B.4:IV.P4.2").value_text
        == "io_exchange;other"
    )
    assert Answer.objects.get(
        response=ent_response, data_element__code="grievance_rules_pct"
    ).value_number == Decimal("80")
    assert list(
        ProductionLine.objects.filter(response=ent_response).values_list(
            "product", "energy_per_unit", "energy_carrier"
        )
    ) == [("Vải", Decimal("0.35"), "electricity"), ("Sợi", Decimal("850"), "gas")]
    assert InvestmentProject.objects.get(enterprise=personas.ent_a).investor_kind == "individual"
    # the round trip: a new template carries what was saved
    again = template(report_campaign, amata, personas.park_manager)
    assert sheet(again, "tax_code")["D3"].value == 1200000
    park2 = sheet(again, "park_report")
    assert park2[f"E{row_of['A.4:I.2.5.2']}"].value == Decimal("25.5")


def test_bad_cells_of_every_sheet_are_named_and_nothing_is_saved(report_campaign, personas):
    from enterprises.services import project_update

    amata = personas.catalogue.amata
    project_update(
        user=personas.enterprise_a,
        park=amata,
        enterprise=personas.ent_a,
        values={"investor_name": "Lê Văn C"},
    )
    wb = template(report_campaign, amata, personas.park_manager)
    park = sheet(wb, "park_report")
    row_of = {r[0].value: r[0].row for r in park.iter_rows(min_row=3) if r[0].value}
    park[f"E{row_of['A.4:III.1.2.4']}"] = "120"
    park[f"E{row_of['A.4:I.2.5.1']}"] = "1234567890123456"
    data = wb.worksheets[0]
    col = {c.value: c.column_letter for c in data[2] if c.value}
    a = next(
        r for r in range(3, data.max_row + 1) if data[f"A{r}"].value == personas.ent_a.tax_code
    )
    data[f"{col['registry:investor_name']}{a}"] = "Someone else"
    products = sheet(wb, "tax_code")
    products.append([personas.ent_a.tax_code, "Vải", "kg/năm", -1, 1, 1, "coal", 1])
    check = upload(wb, report_campaign, amata, personas.park_manager, language="en")
    reasons = {(e.sheet, e.row, e.column): e.reason for e in check.errors}
    park_title, products_title = park.title, products.title
    assert reasons[(park_title, row_of["A.4:III.1.2.4"], "E")] == (
        "Valid values are from 0 to 100%."
    )
    assert reasons[(park_title, row_of["A.4:I.2.5.1"], "E")] == (
        "at most 15 digits before the decimal mark and 5 after it."
    )
    assert reasons[(data.title, a, col["registry:investor_name"])] == (
        "The registry holds “Lê Văn C”; change it on the registry page, not by import."
    )
    assert reasons[(products_title, 3, "C")] == "choose one of: tấn/năm, m/năm, m²/năm, m³/giờ."
    assert reasons[(products_title, 3, "D")] == "the value cannot be negative."
    assert reasons[(products_title, 3, "G")] == "choose electricity, oil or gas."
    assert not ReportValue.objects.exists() and not ProductionLine.objects.exists()


def test_a_cell_typed_with_a_unit_is_converted_to_the_forms_unit(report_campaign, personas):
    amata = personas.catalogue.amata
    wb = template(report_campaign, amata, personas.park_manager)
    park = sheet(wb, "park_report")
    row_of = {r[0].value: r[0].row for r in park.iter_rows(min_row=3) if r[0].value}
    park[f"E{row_of['A.4:III.1.2.6']}"] = "1.234.567.891 VND"
    park[f"E{row_of['A.4:III.1.2.3']}"] = "12,5 MWh"
    park[f"E{row_of['A.4:III.1.3.3']}"] = "560 triệu đồng"
    check = upload(wb, report_campaign, amata, personas.park_manager)
    assert check.errors == []
    response = Response.objects.get(campaign=report_campaign, park=amata, enterprise=None)
    values = {v.item: v.value_number for v in ReportValue.objects.filter(response=response)}
    assert values["A.4:III.1.2.6"] == Decimal("1234.56789")
    assert values["A.4:III.1.2.3"] == Decimal("12500")
    assert values["A.4:III.1.3.3"] == Decimal("560")


# --------------------------------------------------------------------------- the demo's case:
# a park manager downloads the template of a campaign where one tenant's response is
# submitted and fuels are quantities with their own unit (B.4 P3.6, P4.10), and uploads it


def fuel_setup(report_campaign, personas) -> Response:
    """Enterprise A (row 3): fuels 24 000 L and 1 166 666,66667 kWh, two products, then
    submitted; Enterprise B (row 4) stays a draft, with fuel 12 t. Returns A's response."""
    from surveys.forms import AnswerValue
    from surveys.services import ProductionRowInput, response_save_report

    def save(enterprise, user, report, production=None):
        response = Response.objects.get(campaign=report_campaign, enterprise=enterprise)
        return response_save_report(
            response=response,
            user=user,
            expected_version=response.version,
            report=report,
            production=production,
        )

    a = save(
        personas.ent_a,
        personas.enterprise_a,
        {
            "B.4:III.P3.6": AnswerValue(number=Decimal("24000"), raw="24.000", unit="L"),
            "B.4:IV.P4.10": AnswerValue(
                number=Decimal("1166666.66667"), raw="1.166.666,66667", unit="kWh"
            ),
        },
        [
            ProductionRowInput("Vải", "m²/năm", Decimal(1200000), Decimal(950000),
                               Decimal("0.35"), "electricity", Decimal(48500)),
            ProductionRowInput("Sợi", "tấn/năm", Decimal(3000), Decimal(2650), Decimal(850),
                               "gas", Decimal(95000)),
        ],
    )  # fmt: skip
    Response.objects.filter(pk=a.pk).update(status=Response.Status.SUBMITTED)
    save(
        personas.ent_b,
        personas.enterprise_b,
        {"B.4:III.P3.6": AnswerValue(number=Decimal("12"), raw="12", unit="t")},
    )
    return Response.objects.get(pk=a.pk)


def columns_of(ws) -> dict[str, str]:
    return {c.value: c.column_letter for c in ws[2] if c.value}


def test_an_unchanged_template_with_a_submitted_response_and_fuels_changes_nothing(
    client, report_campaign, personas
):
    from django.urls import reverse

    from ..conftest import PASSWORD

    a = fuel_setup(report_campaign, personas)
    amata = personas.catalogue.amata
    wb = template(report_campaign, amata, personas.park_manager)
    data = wb.worksheets[0]
    col = columns_of(data)
    # each fuel is followed by its unit column, prefilled with the unit it was entered in
    p36, p410 = col["B.4:III.P3.6"], col["B.4:IV.P4.10"]
    assert col["B.4:III.P3.6:unit"] == openpyxl.utils.get_column_letter(
        openpyxl.utils.column_index_from_string(p36) + 1
    )
    assert data[f"{col['B.4:III.P3.6:unit']}1"].value == "B.4 P3.6 Nhiên liệu năm [N-1] – đơn vị"
    assert (data[f"{p36}3"].value, data[f"{col['B.4:III.P3.6:unit']}3"].value) == (24000, "L")
    assert str(data[f"{p410}3"].value) == "1166666.66667"  # a number cell (a float)
    assert data[f"{col['B.4:IV.P4.10:unit']}3"].value == "kWh"
    assert (data[f"{p36}4"].value, data[f"{col['B.4:III.P3.6:unit']}4"].value) == (12, "t")
    assert [r[1].value for r in sheet(wb, "tax_code").iter_rows(min_row=3)] == ["Vải", "Sợi"]

    check = upload(wb, report_campaign, amata, personas.park_manager)
    assert (check.errors, check.rows, check.answers_changed) == ([], [], 0)
    # the same through the pages, as the park manager does it
    client.login(username=personas.park_manager.username, password=PASSWORD)
    content = io.BytesIO(
        b"".join(
            client.get(
                reverse("surveys:excel_template", args=[report_campaign.pk, amata.pk])
            ).streaming_content
        )
    )
    content.name = "mau.xlsx"
    r = client.post(
        reverse("surveys:excel_import", args=[report_campaign.pk, amata.pk]),
        {"file": content, "number_format": "vi"},
        follow=True,
    )
    assert r.redirect_chain[-1][1] == 302
    assert (
        "Đã đọc tệp (2 dòng): các câu trả lời trùng với dữ liệu đã lưu nên không có gì cần "
        "thay đổi." in html.unescape(r.content.decode())
    )
    assert Response.objects.get(pk=a.pk).version == a.version


def test_a_changed_cell_of_a_submitted_response_is_refused_by_name(report_campaign, personas):
    fuel_setup(report_campaign, personas)
    amata = personas.catalogue.amata
    wb = template(report_campaign, amata, personas.park_manager)
    data, products = wb.worksheets[0], sheet(wb, "tax_code")
    col = columns_of(data)
    data[f"{col['B.4:III.P3.6']}3"] = 25000  # a new number
    data[f"{col['B.4:IV.P4.10:unit']}3"] = "MWh"  # the same number in another unit
    data[f"{col['B.4:III.P3.6']}4"] = 13  # Enterprise B's draft may change
    products["D4"] = 3100  # Sợi's design capacity
    check = upload(wb, report_campaign, amata, personas.park_manager, language="en")
    reason = (
        "The response of Enterprise A (test) is submitted and can no longer be changed: this "
        "cell differs from what it holds."
    )
    assert [(e.sheet, e.row, e.column, e.reason) for e in check.errors] == [
        (data.title, 3, col["B.4:III.P3.6"], reason),
        (data.title, 3, col["B.4:IV.P4.10:unit"], reason),
        (products.title, 4, "D", reason),
    ]
    assert ReportValue.objects.get(
        response__enterprise=personas.ent_b, item="B.4:III.P3.6"
    ).value_number == Decimal("12")


def test_a_fuel_typed_in_another_unit_is_stored_with_that_unit(report_campaign, personas):
    fuel_setup(report_campaign, personas)
    amata = personas.catalogue.amata
    wb = template(report_campaign, amata, personas.park_manager)
    data = wb.worksheets[0]
    col = columns_of(data)
    data[f"{col['B.4:III.P3.6']}4"] = "2,5"
    data[f"{col['B.4:III.P3.6:unit']}4"] = "m3"  # another spelling of m³
    data[f"{col['B.4:IV.P4.10']}4"] = "1.500 L"  # the unit typed after the number
    check = upload(wb, report_campaign, amata, personas.park_manager)
    assert check.errors == [] and check.answers_changed == 2
    stored = {
        v.item: (v.value_number, v.unit_entered)
        for v in ReportValue.objects.filter(response__enterprise=personas.ent_b)
        if v.item in ("B.4:III.P3.6", "B.4:IV.P4.10")
    }
    assert stored == {
        "B.4:III.P3.6": (Decimal("2.5"), "m³"),
        "B.4:IV.P4.10": (Decimal("1500"), "L"),
    }
    again = template(report_campaign, amata, personas.park_manager).worksheets[0]
    assert (
        again[f"{col['B.4:IV.P4.10']}4"].value,
        again[f"{col['B.4:IV.P4.10:unit']}4"].value,
    ) == (
        1500,
        "L",
    )


def test_a_fuel_without_a_unit_is_refused_naming_the_cell(report_campaign, personas):
    amata = personas.catalogue.amata
    wb = template(report_campaign, amata, personas.park_manager)
    data = wb.worksheets[0]
    col = columns_of(data)
    data[f"{col['B.4:III.P3.6']}3"] = 24000  # the unit column left blank
    check = upload(wb, report_campaign, amata, personas.park_manager, language="en")
    # the unit's own cell is at fault, the column right after the value's
    assert col["B.4:III.P3.6:unit"] == openpyxl.utils.get_column_letter(
        openpyxl.utils.column_index_from_string(col["B.4:III.P3.6"]) + 1
    )
    assert [(e.row, e.column, e.header, e.value, e.reason) for e in check.errors] == [
        (
            3,
            col["B.4:III.P3.6:unit"],
            data[f"{col['B.4:III.P3.6:unit']}1"].value,
            "",
            "the unit is empty while the quantity is filled (24000): choose the unit of the "
            "quantity (litre, m³, tonne, kWh …).",
        )
    ]
    assert not ReportValue.objects.filter(item="B.4:III.P3.6").exists()


def test_an_unknown_fuel_unit_is_refused_quoting_its_cell_and_nothing_is_saved(
    report_campaign, personas
):
    amata = personas.catalogue.amata
    wb = template(report_campaign, amata, personas.park_manager)
    data = wb.worksheets[0]
    col = columns_of(data)
    data[f"{col['B.4:III.P3.6']}3"] = 24
    data[f"{col['B.4:III.P3.6:unit']}3"] = "xyz"
    data[f"{col['B.4:IV.P4.10']}3"] = 1500  # a good fuel on the same row: not saved either
    data[f"{col['B.4:IV.P4.10:unit']}3"] = "L"
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    with translation.override("vi"):  # the messages in Vietnamese
        check = interchange.import_check(
            campaign=report_campaign,
            park=amata,
            file=out,
            language="vi",
            user=personas.park_manager,
        )
    assert not check.ok
    cells = [(e.cell, e.value, e.reason) for e in check.errors]
    assert cells == [
        (
            f"'{data.title}'!{col['B.4:III.P3.6:unit']}3",
            "xyz",
            "“xyz” không phải là đơn vị của khối lượng: hãy chọn đơn vị của khối lượng (lít, "
            "m³, tấn, kWh …).",
        )
    ]
    assert not ReportValue.objects.filter(item__in=["B.4:III.P3.6", "B.4:IV.P4.10"]).exists()


def test_a_unit_changed_alone_counts_as_one_changed_answer(client, report_campaign, personas):
    from django.urls import reverse

    from ..conftest import PASSWORD

    fuel_setup(report_campaign, personas)
    amata = personas.catalogue.amata
    wb = template(report_campaign, amata, personas.park_manager)
    data = wb.worksheets[0]
    col = columns_of(data)
    data[f"{col['B.4:III.P3.6:unit']}4"] = "kg"  # Enterprise B's draft: 12 t → 12 kg
    out = io.BytesIO()
    wb.save(out)
    out.name = "mau.xlsx"
    out.seek(0)
    client.login(username=personas.park_manager.username, password=PASSWORD)
    r = client.post(
        reverse("surveys:excel_import", args=[report_campaign.pk, amata.pk]),
        {"file": out, "number_format": "vi", "language": "en"},
        follow=True,
    )
    assert (
        "Đã lưu dữ liệu nhập. Số dòng đã đọc: 2; số câu trả lời thay đổi: 1; số phiếu trả lời "
        "thay đổi: 1." in html.unescape(r.content.decode())
    )
    value = ReportValue.objects.get(response__enterprise=personas.ent_b, item="B.4:III.P3.6")
    assert (value.value_number, value.unit_entered) == (Decimal("12"), "kg")


def test_the_english_template_writes_the_units_in_english(report_campaign, personas):
    b4 = official_form("B.4")
    headers = {}
    for language in ("vi", "en"):
        out = io.BytesIO()
        with translation.override(language):
            interchange.template_write(
                campaign=report_campaign,
                park=personas.catalogue.amata,
                file=out,
                user=personas.park_manager,
            )
        out.seek(0)
        data = openpyxl.load_workbook(out).worksheets[0]
        by_code = {str(c.value): c.column for c in data[2] if c.value}
        headers[language] = [
            data.cell(row=1, column=by_code[item_code(b4.item(k))]).value
            for k in ("III.P3.3", "III.P3.4")
        ]
    assert headers["vi"] == [
        "B.4 P3.3 Giảm phát thải CO2 từ tiết kiệm điện [tấn/năm]",
        "B.4 P3.4 Tiết kiệm chi phí điện [triệu đồng]",
    ]
    assert headers["en"] == [
        "B.4 P3.3 CO2 emission reduction from electricity saving [tonnes/year]",
        "B.4 P3.4 Cost saving on electricity [million VND]",
    ]
