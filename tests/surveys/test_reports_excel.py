"""The official report forms in the Excel round trip: every field has a column or a row, a
park manager fills A.4/A.5 and its tenants' B.4 (products included) offline and uploads them,
all or nothing, errors by cell."""

from __future__ import annotations

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
