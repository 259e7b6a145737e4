"""The registry kept by its owners: parks by the ministry and the boards, tenants by their park
manager (tax codes checked and normalised, branches linked to their head office, deactivation,
moves that keep the past), and the tenants' XLSX import (all or nothing, errors by cell,
idempotent)."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from rest_framework.test import APIClient

from enterprises.imports import tenants_import
from enterprises.models import Enterprise, Park
from enterprises.services import enterprise_save, enterprise_set_active, park_save
from surveys.models import Response
from surveys.services import campaign_open

from ..conftest import PASSWORD

#: valid tax codes (check digits computed with python-stdnum) not used by the personas
FREE_CODES = ["5260181597", "0830166139", "1860913904", "9960308246"]


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


# ------------------------------------------------------------------------------ parks


def test_ministry_adds_a_park_anywhere_and_a_board_edits_its_provinces_only(personas):
    c = personas.catalogue
    park = park_save(
        user=personas.ministry,
        data={
            "name_vi": "Khu công nghiệp Thử Nghiệm",
            "name_en": "Test Industrial Park",
            "kind": Park.Kind.INDUSTRIAL_PARK,
            "status": Park.Status.PLANNED,
            "province": c.hai_phong,
            "area_ha": Decimal("150.5"),
        },
    )
    assert park.pk and park.history.first().history_user == personas.ministry
    edited = park_save(user=personas.board, park=c.amata, data={"status": Park.Status.OPERATING})
    assert edited.status == "operating"
    with pytest.raises(PermissionDenied):
        park_save(user=personas.board, park=park, data={"area_ha": Decimal("1")})
    with pytest.raises(PermissionDenied):  # a board cannot move a park out of its province
        park_save(user=personas.board, park=c.amata, data={"province": c.hai_phong})
    with pytest.raises(PermissionDenied):
        park_save(user=personas.park_manager, park=c.amata, data={"status": "closed"})


def test_a_park_outside_viet_nam_is_refused_on_the_field(client, personas):
    login(client, personas.board)
    c = personas.catalogue
    answer = client.post(
        f"/registry/parks/{c.amata.pk}/edit/",
        {
            "name_vi": c.amata.name_vi,
            "name_en": c.amata.name_en,
            "kind": c.amata.kind,
            "status": "",
            "province": c.dong_nai.pk,
            "latitude": "48.85",
            "longitude": "2.35",
        },
    )
    assert answer.status_code == 422
    text = answer.content.decode()
    assert 'value="48.85"' in text  # kept as typed
    assert '<div class="field has-error" id="field-latitude">' in text
    c.amata.refresh_from_db()
    assert c.amata.latitude != Decimal("48.85")


def test_the_api_lets_a_board_edit_its_park_and_names_the_field_of_a_bad_value(personas):
    api = APIClient()
    api.force_authenticate(personas.board)
    amata = personas.catalogue.amata
    ok = api.patch(f"/api/v1/parks/{amata.pk}/", {"status": "operating"}, format="json")
    assert ok.status_code == 200 and ok.json()["status"] == "operating"
    bad = api.patch(f"/api/v1/parks/{amata.pk}/", {"area_ha": "-3"}, format="json")
    assert bad.status_code == 400
    assert list(bad.json()["errors"]) == ["area_ha"]


# ---------------------------------------------------------------------------- tenants


def test_park_manager_adds_a_tenant_with_a_spaced_tax_code(personas):
    ent = enterprise_save(
        user=personas.park_manager,
        park=personas.catalogue.amata,
        data={"name": "  Công ty Mới  ", "tax_code": " 5260 181 597 ", "employees": 40},
    )
    assert (ent.tax_code, ent.name, ent.parent) == ("5260181597", "Công ty Mới", None)
    assert ent.history.first().history_user == personas.park_manager


def test_a_bad_check_digit_and_a_registered_code_are_refused_on_the_tax_code(personas):
    amata = personas.catalogue.amata
    with pytest.raises(ValidationError) as bad:
        enterprise_save(
            user=personas.park_manager, park=amata, data={"name": "X", "tax_code": "5260181598"}
        )
    assert "tax_code" in bad.value.message_dict
    with pytest.raises(ValidationError) as taken:
        enterprise_save(
            user=personas.park_manager, park=amata, data={"name": "X", "tax_code": "0300588569"}
        )
    assert taken.value.message_dict["tax_code"] == ["Mã số thuế 0300588569 đã được đăng ký."]


def test_a_branch_is_recorded_as_a_branch_of_its_head_office(personas):
    branch = enterprise_save(
        user=personas.park_manager,
        park=personas.catalogue.amata,
        data={"name": "A – chi nhánh", "tax_code": "0300588569 001"},
    )
    assert (branch.tax_code, branch.parent) == ("0300588569-001", personas.ent_a)
    with pytest.raises(ValidationError) as orphan:
        enterprise_save(
            user=personas.park_manager,
            park=personas.catalogue.amata,
            data={"name": "Orphan", "tax_code": "5260181597-002"},
        )
    assert "5260181597" in orphan.value.message_dict["tax_code"][0]


def test_an_enterprise_cannot_edit_its_own_registry_row_nor_a_park_manager_another_parks(
    personas,
):
    with pytest.raises(PermissionDenied):
        enterprise_save(user=personas.enterprise_a, enterprise=personas.ent_a, data={"name": "Y"})
    with pytest.raises(PermissionDenied):
        enterprise_save(
            user=personas.park_manager, park=personas.catalogue.dinh_vu, data={"name": "Z"}
        )


def test_a_deactivated_tenant_leaves_new_campaigns_and_keeps_its_past(personas, campaign_2025):
    enterprise_set_active(user=personas.park_manager, enterprise=personas.ent_b, active=False)
    c = personas.catalogue
    campaign = campaign_open(
        name="2026",
        period=2026,
        framework_version=c.vn2022,
        opens_on=datetime.date(2027, 1, 1),
        closes_on=datetime.date(2027, 3, 31),
        parks=[c.amata],
    )
    tenants = set(
        Response.objects.filter(campaign=campaign, enterprise__isnull=False).values_list(
            "enterprise", flat=True
        )
    )
    assert tenants == {personas.ent_a.pk}
    assert Response.objects.filter(campaign=campaign_2025, enterprise=personas.ent_b).exists()
    last = personas.ent_b.history.first()
    assert (last.is_active, last.history_user) == (False, personas.park_manager)


def test_a_tenant_that_moves_keeps_its_history_and_past_campaigns_keep_its_park(
    personas, campaign_2025
):
    c = personas.catalogue
    other = Park.objects.filter(province=c.dong_nai).exclude(pk=c.amata.pk).first()
    with pytest.raises(PermissionDenied):  # a park manager keeps one park's tenants
        enterprise_save(user=personas.park_manager, enterprise=personas.ent_a, park=other, data={})
    enterprise_save(user=personas.board, enterprise=personas.ent_a, park=other, data={})
    personas.ent_a.refresh_from_db()
    assert personas.ent_a.park == other
    past = Response.objects.get(campaign=campaign_2025, enterprise=personas.ent_a)
    assert past.park == c.amata
    parks_over_time = [h.park_id for h in personas.ent_a.history.order_by("history_date")]
    assert parks_over_time[-2:] == [c.amata.pk, other.pk]
    # the 2025 tenants of each park, as their dashboards list them
    from dashboards.selectors import park_tenants

    def tenants(park):
        return [t.enterprise.pk for t in park_tenants(park=park, campaign=campaign_2025)]

    assert tenants(c.amata) == [personas.ent_a.pk, personas.ent_b.pk]
    assert tenants(other) == []


# ----------------------------------------------------------------------------- import


def workbook(rows) -> io.BytesIO:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Doanh nghiệp"
    ws.append(["Mã số thuế", "Tên doanh nghiệp", "Mã ngành VSIC", "Số lao động", "Email liên hệ"])
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    buffer.name = "tenants.xlsx"
    return buffer


BAD_ROWS = [
    ["5260181597", "Công ty Một", "C", 120, "mot@example.vn"],
    ["0830166138", "Công ty Hai", "C", 80, ""],  # bad check digit (…139 is right)
    ["5260 181 597", "Công ty Một (lặp)", "C", 10, ""],  # duplicate of row 2
    ["1860913904-001", "Chi nhánh Ba", "C", 5, ""],  # branch of an unregistered head office
]
GOOD_ROWS = [
    ["5260181597", "Công ty Một", "C", 120, "mot@example.vn"],
    ["0830166139", "Công ty Hai", "C", 80, ""],
    ["1860913904", "Công ty Ba", "C", 300, ""],
    ["1860913904-001", "Chi nhánh Ba", "C", 5, ""],
]


def test_a_tenant_file_with_three_kinds_of_bad_code_is_refused_whole_with_each_cell_named(
    personas,
):
    before = Enterprise.objects.count()
    outcome = tenants_import(
        user=personas.park_manager, park=personas.catalogue.amata, file=workbook(BAD_ROWS)
    )
    assert [(e.cell, e.value) for e in outcome.errors] == [
        ("'Doanh nghiệp'!A3", "0830166138"),
        ("'Doanh nghiệp'!A4", "5260 181 597"),
        ("'Doanh nghiệp'!A5", "1860913904-001"),
    ]
    reasons = [e.reason for e in outcome.errors]
    assert reasons[0] == "0830166138 không phải là mã số thuế hợp lệ: chữ số kiểm tra không đúng"
    assert reasons[1] == "Mã số thuế 5260181597 đã có ở dòng 2 của tệp này."
    assert "chi nhánh của 1860913904, mà đơn vị này chưa được đăng ký" in reasons[2]
    assert Enterprise.objects.count() == before


def test_the_corrected_file_imports_and_the_same_file_again_changes_nothing(personas):
    amata = personas.catalogue.amata
    first = tenants_import(user=personas.park_manager, park=amata, file=workbook(GOOD_ROWS))
    assert first.errors == []
    assert (first.created, first.updated, first.unchanged) == (4, 0, 0)
    branch = Enterprise.objects.get(tax_code="1860913904-001")
    assert branch.parent.tax_code == "1860913904" and branch.park == amata
    one = Enterprise.objects.get(tax_code="5260181597")
    assert (one.sector.code, one.sector.edition, one.employees, one.contact_email) == (
        "C",
        "VSIC2018",
        120,
        "mot@example.vn",
    )
    history_rows = Enterprise.history.count()
    again = tenants_import(user=personas.park_manager, park=amata, file=workbook(GOOD_ROWS))
    assert (again.created, again.updated, again.unchanged, again.errors) == (0, 0, 4, [])
    assert Enterprise.history.count() == history_rows


def test_a_code_registered_in_another_park_is_refused_in_the_import(personas):
    outcome = tenants_import(
        user=personas.park_manager,
        park=personas.catalogue.amata,
        file=workbook([["0900189284", "C moved?", "", "", ""]]),
    )
    assert [e.cell for e in outcome.errors] == ["'Doanh nghiệp'!A2"]
    assert "đã được đăng ký ở một KCN khác" in outcome.errors[0].reason


def test_the_import_page_lists_each_cell_and_the_corrected_file_goes_through(client, personas):
    login(client, personas.park_manager)
    url = f"/registry/parks/{personas.catalogue.amata.pk}/import/"
    refused = client.post(url, {"file": workbook(BAD_ROWS)})
    assert refused.status_code == 422
    text = refused.content.decode()
    for cell in ("'Doanh nghiệp'!A3", "'Doanh nghiệp'!A4", "'Doanh nghiệp'!A5"):
        assert cell.replace("'", "&#x27;") in text
    accepted = client.post(url, {"file": workbook(GOOD_ROWS)})
    assert accepted.status_code == 302
    listing = client.get(accepted["Location"]).content.decode()
    assert 'data-tax-code="1860913904-001"' in listing


def test_the_blank_workbook_opens_with_the_headers_the_import_reads(client, personas):
    login(client, personas.park_manager)
    answer = client.get(f"/registry/parks/{personas.catalogue.amata.pk}/template.xlsx")
    wb = openpyxl.load_workbook(io.BytesIO(answer.content))
    headers = [c.value for c in wb.worksheets[0][1]]
    assert headers[:2] == ["Mã số thuế", "Tên doanh nghiệp"]


def test_the_tenant_form_shows_a_bad_tax_code_once_in_vietnamese(personas, client):
    login(client, personas.park_manager)
    page = client.post(
        f"/registry/parks/{personas.catalogue.amata.pk}/enterprises/new/",
        {"name": "X", "tax_code": "0312345678", "sector_edition": "VSIC2018"},
        HTTP_ACCEPT_LANGUAGE="vi",
    )
    assert page.status_code == 422
    html = page.content.decode()
    assert html.count('<p class="error-text">') == 1
    assert (
        '<p class="error-text">0312345678 không phải là mã số thuế hợp lệ: '
        "chữ số kiểm tra không đúng</p>" in html
    )
    assert not Enterprise.objects.filter(name="X").exists()


@pytest.mark.parametrize(
    ("language", "title", "rows"),
    [
        (
            "vi",
            "Hướng dẫn",
            [
                ("Cột", "Giá trị được chấp nhận"),
                ("Mã số thuế", "10 chữ số, hoặc 13 đối với chi nhánh"),
                ("Phiên bản VSIC", "VSIC2018, VSIC2025; để trống là VSIC2018."),
                ("Số lao động", "Một số nguyên ≥ 0; có thể để trống."),
            ],
        ),
        (
            "en",
            "Help",
            [
                ("Column", "Accepted values"),
                ("Tax code", "10 digits, or 13 for a branch"),
                ("VSIC edition", "VSIC2018, VSIC2025; VSIC2018 when blank."),
                ("Employees", "A whole number ≥ 0; may be blank."),
            ],
        ),
    ],
)
def test_the_blank_workbook_help_sheet_is_in_the_language_of_the_request(
    client, personas, language, title, rows
):
    login(client, personas.park_manager)
    client.cookies["django_language"] = language  # the language switch
    answer = client.get(f"/registry/parks/{personas.catalogue.amata.pk}/template.xlsx")
    wb = openpyxl.load_workbook(io.BytesIO(answer.content))
    data, help_sheet = wb.worksheets
    assert help_sheet.title == title
    got = {r[0]: r[1] for r in help_sheet.iter_rows(values_only=True)}
    # every column of the data sheet is explained under its own header
    assert list(got)[1:] == [c.value for c in data[1]]
    for column, text in rows:
        assert got[column].startswith(text)


@pytest.mark.parametrize(("language", "example_words"), [("vi", "ví dụ"), ("en", "e.g.")])
def test_the_help_sheets_sector_examples_are_accepted_by_the_import(
    client, personas, language, example_words
):
    """The help of the VSIC code column gives codes the import takes (the registry keeps
    sections and 2-digit divisions, ``enterprises/data/vsic-2018.csv``); a 4-digit class is
    refused with the division to write instead."""
    import re

    from django.utils import translation

    amata = personas.catalogue.amata
    login(client, personas.park_manager)
    client.cookies["django_language"] = language
    answer = client.get(f"/registry/parks/{amata.pk}/template.xlsx")
    wb = openpyxl.load_workbook(io.BytesIO(answer.content))
    data, help_sheet = wb.worksheets
    code_header = data.cell(row=1, column=3).value  # "Mã ngành VSIC" / "VSIC code"
    text = {r[0]: r[1] for r in help_sheet.iter_rows(values_only=True)}[code_header]
    examples = re.findall(rf"\({re.escape(example_words)} ([^)]+)\)", text)
    assert examples == ["C", "24"]
    for row, example in enumerate(examples):
        data.append([["5260181597", "0830166139"][row], f"Công ty {row}", example])
    data.append(["1860913904", "Công ty Ba", "2410"])

    def import_in(language):
        buffer = io.BytesIO()
        wb.save(buffer)
        buffer.seek(0)
        buffer.name = "tenants.xlsx"
        with translation.override(language):
            return tenants_import(user=personas.park_manager, park=amata, file=buffer)

    outcome = import_in(language)
    # only the class is refused, with the division to write
    assert [(e.row, e.column) for e in outcome.errors] == [(4, "C")]
    assert (
        outcome.errors[0].reason
        == {
            "vi": (
                "2410 là mã chi tiết hơn cấp 2 của VSIC2018; danh mục chỉ giữ mã cấp 2: hãy ghi 24."
            ),
            "en": (
                "2410 is finer than a division of VSIC2018; the registry keeps the 2-digit "
                "divisions: write 24."
            ),
        }[language]
    )
    data.delete_rows(4)
    outcome = import_in(language)
    assert outcome.errors == [] and outcome.created == 2
    assert sorted(
        Enterprise.objects.filter(tax_code__in=["5260181597", "0830166139"]).values_list(
            "sector__code", "sector__edition"
        )
    ) == [("24", "VSIC2018"), ("C", "VSIC2018")]
