"""The Excel round trip: template download, import checks (whole file first, all or nothing),
refused files, the error report, and who may import.

A throwaway framework version (``XL-TEST``) gives one enterprise data element of every type,
so that every reading rule is exercised; the values expected are worked out by hand.
"""

from __future__ import annotations

import csv
import datetime
import html
import io
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse

from common import xlsx
from indicators.models import DataElement as DE
from indicators.models import Framework, FrameworkVersion
from surveys import interchange
from surveys.forms import AnswerValue
from surveys.models import Answer, ImportJob, Response
from surveys.services import campaign_open, response_save_answers

from ..conftest import PASSWORD, open_dates

ELEMENTS = [
    # code, applies_to, value_type, unit, label_vi, label_en, min, max, choices
    ("e_recp", "enterprise", "yes_no", "", "Áp dụng RECP", "Applies RECP", None, None, []),
    ("e_count", "enterprise", "integer", "", "Số cộng sinh", "Symbioses", 0, None, []),
    ("e_water", "enterprise", "decimal", "m³", "Nước sử dụng", "Water used", 0, None, []),
    ("e_share", "enterprise", "percentage", "%", "Tỷ lệ tái sử dụng", "Reuse share", 0, 100, []),
    ("e_iso", "enterprise", "choice", "", "Chứng nhận ISO", "ISO certificate", None, None,
     ["ISO 14001", "ISO 50001"]),
    ("e_audit", "enterprise", "date", "", "Ngày kiểm toán", "Audit date", None, None, []),
    ("e_note", "enterprise", "text", "", "Ghi chú", "Note", None, None, []),
    ("e_proof", "enterprise", "document", "", "Minh chứng", "Proof", None, None, []),
    ("p_water", "park", "decimal", "m³", "Nước cả KCN", "Park water", 0, None, []),
]  # fmt: skip
#: template columns: A tax code, B name, then C.. the enterprise elements without documents
COLUMNS = {"e_recp": "C", "e_count": "D", "e_water": "E", "e_share": "F", "e_iso": "G",
           "e_audit": "H", "e_note": "I", "version": "J"}  # fmt: skip


def make_xl_campaign(catalogue, parks=None, name="Excel 2025"):
    """A published throwaway version with ELEMENTS and a 2025 campaign on it."""
    framework, _ = Framework.objects.get_or_create(
        code="XL-TEST", defaults={"title_vi": "Thử Excel", "title_en": "Excel test"}
    )
    version = FrameworkVersion.objects.create(
        framework=framework,
        number=FrameworkVersion.objects.filter(framework=framework).count() + 1,
        title_vi="Thử Excel",
        title_en="Excel test",
        status=FrameworkVersion.Status.PUBLISHED,
    )
    for order, (code, applies, vt, unit, vi, en, lo, hi, choices) in enumerate(ELEMENTS):
        DE.objects.create(
            version=version,
            code=code,
            applies_to=applies,
            value_type=vt,
            unit=unit,
            label_vi=vi,
            label_en=en,
            min_value=lo,
            max_value=hi,
            choices=choices,
            order=order,
        )
    return campaign_open(
        name=name,
        period=2025,
        framework_version=version,
        **open_dates(),
        parks=parks or [catalogue.amata, catalogue.dinh_vu],
    )


@pytest.fixture
def xl(personas):
    return make_xl_campaign(personas.catalogue)


def response_of(campaign, enterprise):
    return Response.objects.get(campaign=campaign, enterprise=enterprise)


def answers_of(campaign, enterprise) -> dict:
    out = {}
    for a in Answer.objects.filter(response=response_of(campaign, enterprise)).select_related(
        "data_element"
    ):
        out[a.data_element.code] = (
            a.value_bool if a.value_bool is not None else a.value_number or a.value_text
        )
    return out


def save_number(campaign, user, enterprise, code, number, raw):
    """Save one number answer of ``enterprise``'s response (version 1) as ``user`` typed it."""
    response_save_answers(
        response=response_of(campaign, enterprise),
        values={
            DE.objects.get(version=campaign.framework_version, code=code): AnswerValue(
                number=Decimal(number), raw=raw
            )
        },
        user=user,
        expected_version=1,
    )


def login(client, user, language=None):
    client.login(username=user.username, password=PASSWORD)
    if language:
        client.post(reverse("set_language"), {"language": language, "next": "/"})


def template_url(campaign, park):
    return reverse("surveys:excel_template", args=[campaign.pk, park.pk])


def import_url(campaign, park):
    return reverse("surveys:excel_import", args=[campaign.pk, park.pk])


def download_template(client, campaign, park) -> openpyxl.Workbook:
    r = client.get(template_url(campaign, park))
    assert r.status_code == 200
    return openpyxl.load_workbook(io.BytesIO(b"".join(r.streaming_content)))


def xlsx_bytes(wb) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def upload(client, campaign, park, content: bytes, name="filled.xlsx", number_format="vi"):
    return client.post(
        import_url(campaign, park),
        {"file": SimpleUploadedFile(name, content), "number_format": number_format},
    )


# --------------------------------------------------------------------------- template


def test_template_has_a_row_per_enterprise_a_column_per_element_and_dropdowns(client, personas, xl):
    save_number(xl, personas.enterprise_a, personas.ent_a, "e_share", "12.5", "12,5")
    login(client, personas.park_manager)  # Vietnamese
    ws = download_template(client, xl, personas.catalogue.amata).worksheets[0]
    codes = [c.value for c in ws[2]]
    assert codes == ["tax_code", "enterprise_name", "e_recp", "e_count", "e_water", "e_share",
                     "e_iso", "e_audit", "e_note", "response_version"]  # fmt: skip
    assert ws.row_dimensions[2].hidden
    assert ws["E1"].value == "Nước sử dụng [m³]" and ws["F1"].value == "Tỷ lệ tái sử dụng [%]"
    # Amata's two enterprises (not Đình Vũ's), by name, tax codes as text
    assert [ws.cell(row=r, column=1).value for r in (3, 4)] == ["0300588569", "0101248141"]
    assert ws.max_row == 4
    # prefilled: 12.5 % is the fraction 0.125 in a percent-formatted cell; version 2
    assert ws["F3"].value == 0.125 and "%" in ws["F3"].number_format
    assert ws["J3"].value == 2 and ws["J4"].value == 1
    validations = {str(dv.sqref): dv.formula1 for dv in ws.data_validations.dataValidation}
    assert validations["C3:C4"] == '"Có,Không"'
    assert validations["G3:G4"].endswith("!$A$1:$A$2")
    assert ws["H3"].number_format == "DD/MM/YYYY" and ws["D3"].number_format == "#,##0"


def test_english_template_offers_yes_and_no(client, personas, xl):
    login(client, personas.park_manager, "en")
    ws = download_template(client, xl, personas.catalogue.amata).worksheets[0]
    assert ws["E1"].value == "Water used [m³]" and ws["A1"].value == "Tax code"
    formulas = [dv.formula1 for dv in ws.data_validations.dataValidation]
    assert '"Yes,No"' in formulas


# --------------------------------------------------------------------------- clean imports


def test_a_clean_file_imports_and_the_answers_equal_the_cells(client, personas, xl):
    login(client, personas.park_manager)
    amata = personas.catalogue.amata
    wb = download_template(client, xl, amata)
    ws = wb.worksheets[0]
    ws["C3"] = "Có"
    ws["D3"] = 3
    ws["E3"] = 1234.5
    ws["F3"] = 0.125  # the template formats F as a percentage: 12.5 %
    ws["G3"] = "ISO 14001"
    ws["H3"] = datetime.date(2025, 3, 15)
    ws["I3"] = "Tái sử dụng nước làm mát"
    ws["C4"] = "Không"
    ws["F4"] = 40  # percent points in a cell formatted as a plain number
    ws["F4"].number_format = "General"
    r = upload(client, xl, amata, xlsx_bytes(wb))
    assert r.status_code == 302
    assert answers_of(xl, personas.ent_a) == {
        "e_recp": True,
        "e_count": Decimal("3"),
        "e_water": Decimal("1234.5"),
        "e_share": Decimal("12.5"),
        "e_iso": "ISO 14001",
        "e_audit": "2025-03-15",
        "e_note": "Tái sử dụng nước làm mát",
    }
    assert answers_of(xl, personas.ent_b) == {"e_recp": False, "e_share": Decimal("40")}
    water = Answer.objects.get(
        response=response_of(xl, personas.ent_a), data_element__code="e_water"
    )
    assert water.updated_by == personas.park_manager and water.raw == "1234.5"
    assert response_of(xl, personas.ent_a).version == 2
    assert response_of(xl, personas.ent_b).version == 2


def test_vietnamese_text_numbers_percent_and_co_are_read(client, personas, xl):
    login(client, personas.park_manager)
    amata = personas.catalogue.amata
    wb = download_template(client, xl, amata)
    ws = wb.worksheets[0]
    ws["E3"], ws["F3"], ws["C3"] = "1.234,5", "12,5%", "Có"
    r = upload(client, xl, amata, xlsx_bytes(wb))
    assert r.status_code == 302
    assert answers_of(xl, personas.ent_a) == {
        "e_water": Decimal("1234.5"),
        "e_share": Decimal("12.5"),
        "e_recp": True,
    }
    share = Answer.objects.get(
        response=response_of(xl, personas.ent_a), data_element__code="e_share"
    )
    assert share.raw == "12,5%"


def test_english_text_numbers_dates_and_yes_are_read(client, personas, xl):
    login(client, personas.park_manager, "en")
    amata = personas.catalogue.amata
    wb = download_template(client, xl, amata)
    ws = wb.worksheets[0]
    ws["E3"], ws["F3"], ws["C3"], ws["H3"] = "1,234.5", "12.5%", "Yes", "03/04/2025"
    ws["G3"] = "iso 50001"  # a choice matched without regard to case
    r = upload(client, xl, amata, xlsx_bytes(wb), number_format="en")
    assert r.status_code == 302
    assert answers_of(xl, personas.ent_a) == {
        "e_water": Decimal("1234.5"),
        "e_share": Decimal("12.5"),
        "e_recp": True,
        "e_audit": "2025-04-03",  # day first: 3 April
        "e_iso": "ISO 50001",
    }


def test_blank_rows_are_ignored_and_blank_cells_leave_answers_unchanged(client, personas, xl):
    save_number(xl, personas.enterprise_b, personas.ent_b, "e_count", "7", "7")
    login(client, personas.park_manager)
    amata = personas.catalogue.amata
    wb = download_template(client, xl, amata)
    ws = wb.worksheets[0]
    ws.insert_rows(4, amount=2)  # rows 4 and 5 blank, Enterprise B moves to row 6
    ws["B5"] = "   "  # whitespace only: still blank
    ws["D6"] = None  # B's stored 7 stays
    ws["C6"] = "Có"
    ws["C3"] = "Không"
    ws["A9"] = ""  # trailing blank rows
    r = upload(client, xl, amata, xlsx_bytes(wb))
    assert r.status_code == 302
    assert answers_of(xl, personas.ent_a) == {"e_recp": False}
    assert answers_of(xl, personas.ent_b) == {"e_count": Decimal("7"), "e_recp": True}


def test_a_file_without_the_code_row_is_matched_by_english_labels(personas, xl):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Tax code", "Water used [m³]", "Applies RECP"])
    ws.append(["0300588569", 250, "yes"])
    check = interchange.import_check(
        campaign=xl, park=personas.catalogue.amata, file=io.BytesIO(xlsx_bytes(wb))
    )
    assert check.errors == []
    interchange.import_save(check=check, user=personas.park_manager)
    assert answers_of(xl, personas.ent_a) == {"e_water": Decimal("250"), "e_recp": True}


# --------------------------------------------------------------------------- errors


def test_one_bad_cell_saves_nothing_and_names_the_cell(client, personas, xl):
    login(client, personas.park_manager, "en")
    amata = personas.catalogue.amata
    wb = download_template(client, xl, amata)
    ws = wb.worksheets[0]
    ws["C3"], ws["E3"] = "Yes", 100  # a good row
    ws["E4"] = "12abc"  # the bad cell
    r = upload(client, xl, amata, xlsx_bytes(wb), number_format="en")
    assert r.status_code == 200
    html = r.content.decode()
    assert "Data!E4" in html and "Water used [m³]" in html
    assert "“12abc” is not a number; write a number such as 1,234.5." in html
    assert Answer.objects.filter(response__campaign=xl).count() == 0
    assert response_of(xl, personas.ent_a).version == 1
    report = client.get(reverse("surveys:excel_import_errors", args=[xl.pk, amata.pk]))
    rows = list(csv.reader(io.StringIO(report.content.decode("utf-8-sig"))))
    assert rows == [
        ["cell", "sheet", "row", "column", "header", "value", "reason"],
        ["Data!E4", "Data", "4", "E", "Water used [m³]", "12abc",
         "“12abc” is not a number; write a number such as 1,234.5."],
    ]  # fmt: skip


def test_every_error_of_the_file_is_reported_at_once(personas, xl):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Số liệu"
    ws.append(["tax_code", "e_count", "e_share", "e_recp"])
    ws.append(["0300588569", 2.5, 120, "có lẽ"])
    ws.append(["0101248141", -1, "12,5%", "Có"])
    check = interchange.import_check(
        campaign=xl, park=personas.catalogue.amata, file=io.BytesIO(xlsx_bytes(wb))
    )
    assert [(e.cell, e.reason) for e in check.errors] == [
        ("'Số liệu'!B2", "“2.5” must be a whole number."),
        ("'Số liệu'!C2", "Valid values are from 0 to 100%."),  # the forms' message
        ("'Số liệu'!D2", "“có lẽ” is not yes/no; write Có or Không."),
        ("'Số liệu'!B3", "-1 is below the minimum 0."),
    ]


def test_formula_cells_are_refused_by_name_and_nothing_is_saved(client, personas, xl):
    login(client, personas.park_manager, "en")
    amata = personas.catalogue.amata
    wb = download_template(client, xl, amata)
    ws = wb.worksheets[0]
    ws["C3"], ws["E3"] = "Yes", 100  # a good row
    ws["E4"] = '=HYPERLINK("https://example.org/water", 250)'  # a number column
    ws["C4"] = '=IF(E3>0,"Yes","No")'
    check = interchange.import_check(
        campaign=xl, park=amata, file=io.BytesIO(xlsx_bytes(wb)), language="en"
    )
    reason = (
        "This cell holds a formula; enter its value instead (in Excel: copy the cell, then "
        "Paste Special → Values)."
    )
    assert [(e.cell, e.value, e.reason) for e in check.errors] == [
        ("Data!C4", '=IF(E3>0,"Yes","No")', reason),
        ("Data!E4", '=HYPERLINK("https://example.org/water", 250)', reason),
    ]
    assert check.errors[1].header == "Water used [m³]"
    r = upload(client, xl, amata, xlsx_bytes(wb), number_format="en")
    assert r.status_code == 200 and "Data!E4" in r.content.decode()
    assert Answer.objects.filter(response__campaign=xl).count() == 0


def test_a_wrong_tax_code_row_is_reported(client, personas, xl):
    login(client, personas.park_manager, "en")
    amata = personas.catalogue.amata
    wb = download_template(client, xl, amata)
    ws = wb.worksheets[0]
    ws["A3"] = "0300588560"  # check digit wrong (0300588569 is right)
    ws["A4"] = "0900189284"  # valid, but the enterprise is in Đình Vũ
    ws["C3"] = ws["C4"] = "Yes"
    r = upload(client, xl, amata, xlsx_bytes(wb), number_format="en")
    html = r.content.decode()
    assert "Data!A3" in html and "0300588560 is not a valid Vietnamese tax code" in html
    assert "Data!A4" in html
    assert "No enterprise with tax code 0900189284 is in Amata" in html
    assert Answer.objects.filter(response__campaign=xl).count() == 0


def test_a_tax_code_excel_turned_into_a_number_is_padded_back(personas, xl):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["tax_code", "e_recp"])
    ws.append([300588569, "Có"])  # 0300588569 without its leading zero
    check = interchange.import_check(
        campaign=xl, park=personas.catalogue.amata, file=io.BytesIO(xlsx_bytes(wb))
    )
    assert check.errors == [] and check.rows[0].response_id == response_of(xl, personas.ent_a).pk


def test_an_approved_response_is_not_changed_and_its_row_is_reported(client, personas, xl):
    login(client, personas.park_manager, "en")
    amata = personas.catalogue.amata
    Response.objects.filter(pk=response_of(xl, personas.ent_b).pk).update(
        status=Response.Status.APPROVED
    )
    wb = download_template(client, xl, amata)
    unchanged = xlsx_bytes(wb)
    ws = wb.worksheets[0]
    ws["C3"], ws["C4"] = "Yes", "No"
    r = upload(client, xl, amata, xlsx_bytes(wb), number_format="en")
    html = r.content.decode()
    # the changed cell is named (C4: Enterprise B's yes/no), not the whole row
    assert "Data!C4" in html and "Data!A4" not in html
    assert (
        "The response of Enterprise B (test) is approved and can no longer be changed: this "
        "cell differs from what it holds." in html
    )
    assert Answer.objects.filter(response__campaign=xl).count() == 0
    # the same template without changes is accepted: nothing would change the approved response
    assert upload(client, xl, amata, unchanged, number_format="en").status_code == 302


def test_a_response_saved_since_the_template_was_made_is_not_overwritten(client, personas, xl):
    login(client, personas.park_manager, "en")
    amata = personas.catalogue.amata
    wb = download_template(client, xl, amata)
    save_number(xl, personas.enterprise_a, personas.ent_a, "e_water", "10", "10")
    wb.worksheets[0]["E3"] = 99
    r = upload(client, xl, amata, xlsx_bytes(wb), number_format="en")
    assert "Data!J3" in r.content.decode()
    assert "(version 1, now 2)" in r.content.decode()
    assert answers_of(xl, personas.ent_a) == {"e_water": Decimal("10")}


def test_a_change_between_check_and_save_is_refused(personas, xl):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["tax_code", "e_recp"])
    ws.append(["0300588569", "Có"])
    check = interchange.import_check(
        campaign=xl, park=personas.catalogue.amata, file=io.BytesIO(xlsx_bytes(wb))
    )
    Response.objects.filter(pk=check.rows[0].response_id).update(version=5)
    with pytest.raises(interchange.ValidationError) as exc:
        interchange.import_save(check=check, user=personas.park_manager)
    assert exc.value.messages == [
        "Row 2: the response of Enterprise A (test) was changed by someone else while the file "
        "was being checked; nothing was saved. Upload the file again."
    ]
    assert Answer.objects.filter(response__campaign=xl).count() == 0


# --------------------------------------------------------------------------- refused files


def test_a_macro_enabled_file_is_refused(client, personas, xl):
    login(client, personas.park_manager, "en")
    plain = xlsx_bytes(openpyxl.Workbook())
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(plain)) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "[Content_Types].xml":
                data = data.replace(
                    b"spreadsheetml.sheet.main+xml", b"ms-excel.sheet.macroEnabled.main+xml"
                )
            dst.writestr(item, data)
        dst.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0 fake VBA project")
    r = upload(client, xl, personas.catalogue.amata, out.getvalue(), name="filled.xlsx")
    assert "This workbook contains macros, which are not accepted." in r.content.decode()
    with pytest.raises(xlsx.FileRefused) as exc:
        xlsx.file_check(io.BytesIO(out.getvalue()))
    assert exc.value.code == "macros"


def test_an_oversized_file_is_refused(client, personas, xl):
    login(client, personas.park_manager, "en")
    big = b"PK\x03\x04" + b"\0" * (10 * 1024 * 1024 - 3)  # 10 MB + 1 byte
    r = upload(client, xl, personas.catalogue.amata, big)
    assert "The file is 10.00 MB, more than the 10 MB accepted." in r.content.decode()
    with pytest.raises(xlsx.FileRefused) as exc:
        xlsx.file_check(io.BytesIO(big))
    assert exc.value.code == "too_large"


def test_a_file_that_is_not_xlsx_is_refused_whatever_its_name(client, personas, xl):
    login(client, personas.park_manager, "en")
    csv_named_xlsx = "tax_code,e_recp\n0300588569,Có\n".encode()
    r = upload(client, xl, personas.catalogue.amata, csv_named_xlsx, name="data.xlsx")
    assert "This file is not an Excel workbook (.xlsx)." in r.content.decode()
    other_zip = io.BytesIO()
    with zipfile.ZipFile(other_zip, "w") as z:  # a zip, but no workbook inside
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w/>")
    with pytest.raises(xlsx.FileRefused) as exc:
        xlsx.file_check(io.BytesIO(other_zip.getvalue()))
    assert exc.value.code == "not_xlsx"
    assert Answer.objects.filter(response__campaign=xl).count() == 0


# --------------------------------------------------------------------------- who may import


def test_an_enterprise_cannot_download_the_template_or_import(client, personas, xl):
    amata = personas.catalogue.amata
    for user in (personas.enterprise_a, personas.other_enterprise):
        login(client, user)
        assert client.get(template_url(xl, amata)).status_code == 404
        assert upload(client, xl, amata, b"PK\x03\x04").status_code == 404
        assert client.get(import_url(xl, amata)).status_code == 404


def test_only_the_parks_manager_and_its_province_board_import(client, personas, xl):
    amata, dinh_vu = personas.catalogue.amata, personas.catalogue.dinh_vu
    expected = [
        (personas.park_manager, amata, 200),
        (personas.park_manager, dinh_vu, 404),  # another park
        (personas.board, amata, 200),  # Đồng Nai's board
        (personas.board, dinh_vu, 404),  # Hải Phòng's park
        (personas.other_board, amata, 404),
        (personas.other_board, dinh_vu, 200),
        (personas.ministry, amata, 404),  # ministry exports, it does not key in answers
    ]
    for user, park, status in expected:
        login(client, user)
        assert client.get(import_url(xl, park)).status_code == status, (user, park)
        assert client.get(template_url(xl, park)).status_code == status, (user, park)


def test_a_guessed_campaign_or_the_error_report_of_another_park_is_not_found(client, personas, xl):
    login(client, personas.park_manager)
    assert client.get(import_url(xl, personas.catalogue.dinh_vu)).status_code == 404
    missing = reverse("surveys:excel_import", args=[xl.pk + 999, personas.catalogue.amata.pk])
    assert client.get(missing).status_code == 404
    errors = reverse("surveys:excel_import_errors", args=[xl.pk, personas.catalogue.dinh_vu.pk])
    assert client.get(errors).status_code == 404


def test_the_history_of_an_imported_answer_names_the_importer(client, personas, xl):
    login(client, personas.park_manager)
    amata = personas.catalogue.amata
    wb = download_template(client, xl, amata)
    wb.worksheets[0]["E3"] = "250"
    upload(client, xl, amata, xlsx_bytes(wb))
    wb.worksheets[0]["E3"] = "1.000"
    wb.worksheets[0]["J3"] = 2  # the version after the first import
    assert upload(client, xl, amata, xlsx_bytes(wb)).status_code == 302
    answer = Answer.objects.get(
        response=response_of(xl, personas.ent_a), data_element__code="e_water"
    )
    assert answer.value_number == 1000 and answer.raw == "1.000"
    history = list(answer.history.order_by("history_date", "history_id"))
    assert [(h.value_number, h.history_type, h.history_user) for h in history] == [
        (Decimal("250"), "+", personas.park_manager),
        (Decimal("1000"), "~", personas.park_manager),
    ]
    assert response_of(xl, personas.ent_a).version == 3


def test_the_excel_pages_offer_import_only_to_importers(client, personas, xl):
    amata = personas.catalogue.amata
    page = reverse("surveys:excel_campaign", args=[xl.pk])
    login(client, personas.park_manager)
    assert xl.name in client.get(reverse("surveys:excel")).content.decode()
    html = client.get(page).content.decode()
    assert template_url(xl, amata) in html and import_url(xl, amata) in html
    assert template_url(xl, personas.catalogue.dinh_vu) not in html
    login(client, personas.enterprise_a)
    html = client.get(page).content.decode()
    assert reverse("surveys:excel_export", args=[xl.pk]) in html
    assert template_url(xl, amata) not in html
    only_dinh_vu = make_xl_campaign(
        personas.catalogue, parks=[personas.catalogue.dinh_vu], name="Đình Vũ only"
    )
    assert client.get(reverse("surveys:excel_campaign", args=[only_dinh_vu.pk])).status_code == 404
    assert "Đình Vũ only" not in client.get(reverse("surveys:excel")).content.decode()


# --------------------------------------------------------------------------- large files


def many_rows_xlsx(rows: int) -> bytes:
    """A workbook of ``rows`` rows × 3 columns under the template's header (write-only)."""
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("Data")
    ws.append(["Tax code", "e_count", "e_recp"])
    for i in range(rows - 1):
        ws.append([f"{i:010d}", i % 7, "Có"])
    return xlsx_bytes(wb)


def test_a_100000_row_file_is_refused_at_once_naming_the_row_cap(client, personas, xl):
    from surveys.services_imports import MAX_IMPORT_ROWS

    login(client, personas.park_manager, "en")
    amata = personas.catalogue.amata
    content = many_rows_xlsx(100_000)
    assert len(content) < xlsx.MAX_UPLOAD_BYTES
    r = upload(client, xl, amata, content, number_format="en")
    assert r.status_code == 200
    assert MAX_IMPORT_ROWS == 5000
    assert (
        "The first sheet has 100,000 rows; an import may have at most 5,000. Import the park's "
        "template (one row per enterprise), or split the file." in html.unescape(r.content.decode())
    )
    assert not ImportJob.objects.exists()
    assert Answer.objects.filter(response__campaign=xl).count() == 0


def test_a_file_too_long_for_a_request_is_imported_by_a_background_job_with_progress(
    client, personas, xl, monkeypatch, settings, tmp_path
):
    from surveys import views_excel

    settings.MEDIA_ROOT = str(tmp_path)
    monkeypatch.setattr(views_excel, "REQUEST_MAX_ROWS", 2)  # this template's 4 rows go behind
    login(client, personas.park_manager, "en")
    amata = personas.catalogue.amata
    wb = download_template(client, xl, amata)
    wb.worksheets[0]["C3"], wb.worksheets[0]["E3"] = "Yes", 100
    with TestCase.captureOnCommitCallbacks(execute=False) as published:
        r = upload(client, xl, amata, xlsx_bytes(wb), number_format="en")
    job = ImportJob.objects.get()
    assert r.status_code == 302 and r.url == reverse("surveys:excel_import_job", args=[job.pk])
    assert (job.status, job.rows_read, job.rows_total, job.requested_by) == (
        "queued",
        0,
        4,
        personas.park_manager,
    )
    page = client.get(r.url)
    assert b'<meta http-equiv="refresh" content="3">' in page.content
    assert b"0 / 4" in page.content
    assert Answer.objects.filter(response__campaign=xl).count() == 0  # nothing yet
    for callback in published:  # the worker runs the task
        callback()
    job.refresh_from_db()
    assert (job.status, job.rows_read, job.answers_changed, job.responses_changed) == (
        "done",
        2,
        2,
        1,
    )
    assert not job.file  # the upload is not kept
    page = client.get(r.url)
    assert b"http-equiv" not in page.content
    assert (
        "Import saved. Rows read: 2; answers changed: 2; responses changed: 1."
        in page.content.decode()
    )
    assert answers_of(xl, personas.ent_a)["e_water"] == Decimal("100")
    # the job is its requester's: the board of the province gets 404
    login(client, personas.board, "en")
    assert client.get(r.url).status_code == 404


def test_a_background_import_with_a_bad_cell_saves_nothing_and_lists_the_cell(
    client, personas, xl, monkeypatch, settings, tmp_path
):
    from surveys import views_excel

    settings.MEDIA_ROOT = str(tmp_path)
    monkeypatch.setattr(views_excel, "REQUEST_MAX_ROWS", 2)
    login(client, personas.park_manager, "en")
    amata = personas.catalogue.amata
    wb = download_template(client, xl, amata)
    ws = wb.worksheets[0]
    ws["C3"], ws["E3"], ws["E4"] = "Yes", 100, "12abc"
    with TestCase.captureOnCommitCallbacks(execute=True):
        r = upload(client, xl, amata, xlsx_bytes(wb), number_format="en")
    job = ImportJob.objects.get()
    assert job.status == "failed"
    assert [(e["cell"], e["reason"]) for e in job.errors] == [
        ("Data!E4", "“12abc” is not a number; write a number such as 1,234.5.")
    ]
    html = client.get(r.url).content.decode()
    assert "Data!E4" in html and "The file has 1 error. Nothing was saved" in html
    report = client.get(reverse("surveys:excel_import_job_errors", args=[job.pk]))
    assert "Data!E4" in report.content.decode("utf-8-sig")
    assert Answer.objects.filter(response__campaign=xl).count() == 0
