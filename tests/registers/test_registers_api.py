"""Registers through the API, the pages and the XLSX import: scope (404 outside),
read-only roles (403), conflicting edits (409), all-or-nothing import with named cells."""

from __future__ import annotations

import datetime
import io
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from common.xlsx import FileRefused
from registers.imports import measures_import
from registers.models import RECPMeasure, Stream
from registers.services import ParticipantSpec, exchange_save, measure_save, stream_save

from ..conftest import PASSWORD

pytestmark = pytest.mark.usefixtures("grid_factors")


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def records(personas):
    m = measure_save(
        user=personas.enterprise_a,
        enterprise=personas.ent_a,
        data={
            "area": "water",
            "title": "Cooling water reuse",
            "status": "implemented",
            "year": 2024,
            "saving_value": Decimal("12"),
            "saving_unit": "ML",
        },
    )
    s = stream_save(
        user=personas.enterprise_a,
        enterprise=personas.ent_a,
        data={"direction": "output", "category": "plastic", "quantity_per_year": 5, "unit": "t"},
    )
    return m, s


def test_enterprise_b_cannot_see_or_edit_enterprise_a_measures_or_streams(personas, records):
    measure, stream = records
    b = api(personas.enterprise_b)
    assert b.get("/api/v1/recp-measures/").json()["results"] == []
    assert b.get("/api/v1/streams/").json()["results"] == []
    assert b.get(f"/api/v1/recp-measures/{measure.pk}/").status_code == 404
    assert b.get(f"/api/v1/streams/{stream.pk}/").status_code == 404
    put = b.patch(
        f"/api/v1/recp-measures/{measure.pk}/", {"title": "x", "version": 1}, format="json"
    )
    assert put.status_code == 404
    assert b.delete(f"/api/v1/streams/{stream.pk}/").status_code == 404
    # nor create one for A
    created = b.post(
        "/api/v1/recp-measures/",
        {
            "enterprise": personas.ent_a.pk,
            "area": "energy",
            "title": "x",
            "status": "identified",
            "year": 2025,
        },
        format="json",
    )
    assert created.status_code == 400 and "enterprise" in created.json()["errors"]
    # and the pages answer 404 too
    client = pytest.importorskip("django.test").Client()
    client.login(username=personas.enterprise_b.username, password=PASSWORD)
    assert client.get(f"/registers/measures/{measure.pk}/").status_code == 404
    assert client.post(f"/registers/streams/{stream.pk}/", {"action": "delete"}).status_code == 404
    assert Stream.objects.filter(pk=stream.pk).exists()
    measure.refresh_from_db()
    assert measure.title == "Cooling water reuse"


def test_the_board_reads_its_province_but_cannot_write_and_other_boards_see_nothing(
    personas, records
):
    measure, _stream = records
    board = api(personas.board)
    got = board.get(f"/api/v1/recp-measures/{measure.pk}/")
    assert got.status_code == 200
    # 12 ML = 12 000 m³, stored canonically, the typed value kept
    assert Decimal(got.json()["saving_value"]) == Decimal("12000")
    assert got.json()["saving_unit"] == "m³" and got.json()["saving_unit_entered"] == "ML"
    refused = board.patch(
        f"/api/v1/recp-measures/{measure.pk}/", {"title": "x", "version": 1}, format="json"
    )
    assert refused.status_code == 403
    assert api(personas.other_board).get(f"/api/v1/recp-measures/{measure.pk}/").status_code == 404


def test_an_update_with_a_stale_version_answers_409_and_saves_nothing(personas, records):
    measure, _stream = records
    a = api(personas.enterprise_a)
    ok = a.patch(
        f"/api/v1/recp-measures/{measure.pk}/",
        {"saving_money_vnd": "30000000", "investment_vnd": "90000000", "version": 1},
        format="json",
    )
    assert ok.status_code == 200, ok.json()
    assert ok.json()["version"] == 2 and ok.json()["payback_years"] == 3.0  # 90 / 30 million
    stale = a.patch(
        f"/api/v1/recp-measures/{measure.pk}/", {"title": "Other", "version": 1}, format="json"
    )
    assert stale.status_code == 409
    missing = a.patch(f"/api/v1/recp-measures/{measure.pk}/", {"title": "Other"}, format="json")
    assert missing.status_code == 400 and "version" in missing.json()["errors"]
    measure.refresh_from_db()
    assert measure.title == "Cooling water reuse"


def test_a_measure_created_through_the_api_gets_its_co2e_from_the_grid_factor(personas):
    a = api(personas.enterprise_a)
    made = a.post(
        "/api/v1/recp-measures/",
        {
            "enterprise": personas.ent_a.pk,
            "area": "energy",
            "title": "Compressor VSD",
            "status": "verified",
            "year": 2023,
            "saving_value": "200",
            "saving_unit": "MWh",
            "energy_carrier": "electricity",
        },
        format="json",
    )
    assert made.status_code == 201, made.json()
    body = made.json()
    # 200 MWh × 0.6592 t CO2/MWh (2023) = 131.84 t CO2e
    assert Decimal(body["ghg_reduction_tco2e"]) == Decimal("131.8400")
    assert body["emission_factor"]["year"] == 2023
    wrong = a.post(
        "/api/v1/recp-measures/",
        {
            "enterprise": personas.ent_a.pk,
            "area": "energy",
            "title": "Bad unit",
            "status": "verified",
            "year": 2023,
            "saving_value": "5",
            "saving_unit": "VND",
        },
        format="json",
    )
    assert wrong.status_code == 400 and "saving_value" in wrong.json()["errors"]


def test_an_exchange_is_seen_by_its_participants_and_its_park_only(personas):
    ex = exchange_save(
        user=personas.park_manager,
        park=personas.catalogue.amata,
        data={
            "kind": "service",
            "title": "Shared lab",
            "status": "proposed",
        },
        participants=[
            ParticipantSpec(kind="enterprise", role="shares", enterprise=personas.ent_a),
            ParticipantSpec(kind="developer", role="provides", park=personas.catalogue.amata),
        ],
    )
    assert (
        api(personas.enterprise_a).get(f"/api/v1/symbiosis-exchanges/{ex.pk}/").status_code == 200
    )
    assert (
        api(personas.enterprise_b).get(f"/api/v1/symbiosis-exchanges/{ex.pk}/").status_code == 404
    )
    assert (
        api(personas.other_enterprise).get(f"/api/v1/symbiosis-exchanges/{ex.pk}/").status_code
        == 404
    )
    b = api(personas.enterprise_b).post(
        "/api/v1/symbiosis-exchanges/",
        {
            "park": personas.catalogue.amata.pk,
            "kind": "water",
            "title": "One party",
            "status": "proposed",
            "participants": [
                {"kind": "enterprise", "role": "provides", "enterprise": personas.ent_b.pk}
            ],
        },
        format="json",
    )
    assert b.status_code == 400 and "participants" in b.json()["errors"]


# ------------------------------------------------------------------------------ import


def workbook(rows, *, sheet="RECP") -> io.BytesIO:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append(
        [
            "tax_code",
            "area",
            "title",
            "status",
            "year",
            "saving_value",
            "saving_unit",
            "energy_carrier",
            "saving_money_vnd",
        ]
    )
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    return buf


def upload(buf: io.BytesIO, name="m.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, buf.getvalue())


def test_a_clean_workbook_is_imported_whole(personas):
    tax = personas.ent_a.tax_code
    outcome = measures_import(
        user=personas.park_manager,
        file=upload(
            workbook(
                [
                    [
                        tax,
                        "năng lượng",
                        "LED",
                        "verified",
                        2022,
                        "1.000",
                        "kWh",
                        "electricity",
                        2_000_000,
                    ],
                    [tax, "water", "Reuse", "Đã thực hiện", 2024, 500, "m3", None, None],
                ]
            )
        ),
    )
    assert outcome.ok and outcome.created == 2
    led = RECPMeasure.objects.get(title="LED")
    # "1.000" read the Vietnamese way: one thousand kWh; × 0.6766 t/MWh = 0.6766 t CO2e
    assert led.saving_value == Decimal("1000") and led.ghg_reduction_tco2e == Decimal("0.6766")
    assert RECPMeasure.objects.get(title="Reuse").status == "implemented"


def test_one_bad_row_saves_nothing_and_names_sheet_row_and_column(personas):
    tax = personas.ent_a.tax_code
    outcome = measures_import(
        user=personas.park_manager,
        file=upload(
            workbook(
                [
                    [tax, "energy", "LED", "verified", 2022, 1000, "kWh", "electricity", None],
                    [tax, "energy", "Boiler", "verified", 2022, 12, "MWh", None, None],
                    ["0101248141", "water", "Not mine?", "verified", 2022, 1, "m3", None, None],
                    [tax, "water", "Bad number", "verified", 2022, "12abc", "m3", None, None],
                ]
            )
        ),
    )
    assert not outcome.ok
    assert RECPMeasure.objects.count() == 0
    where = {(e.sheet, e.row, e.column) for e in outcome.errors}
    assert ("RECP", 3, "H") in where  # energy saved without its carrier
    assert ("RECP", 5, "F") in where  # 12abc is not a number
    # enterprise B is a tenant of Amata: the park manager may record for it
    assert ("RECP", 4, "A") not in where


def test_an_enterprise_cannot_import_for_another_enterprise(personas):
    outcome = measures_import(
        user=personas.enterprise_a,
        file=upload(
            workbook(
                [[personas.ent_b.tax_code, "water", "x", "verified", 2022, 1, "m3", None, None]]
            )
        ),
    )
    assert [(e.row, e.column) for e in outcome.errors] == [(2, "A")]
    assert RECPMeasure.objects.count() == 0


def test_files_that_are_not_plain_xlsx_are_refused_as_a_whole(personas):
    with pytest.raises(FileRefused) as exc:
        measures_import(user=personas.park_manager, file=upload(io.BytesIO(b"a,b\n1,2\n"), "m.csv"))
    assert exc.value.code == "not_xlsx"
    macro = io.BytesIO()
    with zipfile.ZipFile(macro, "w") as z, zipfile.ZipFile(workbook([])) as src:
        for item in src.infolist():
            z.writestr(item, src.read(item.filename))
        z.writestr("xl/vbaProject.bin", b"\x00" * 10)
    with pytest.raises(FileRefused) as exc:
        measures_import(user=personas.park_manager, file=upload(macro, "m.xlsx"))
    assert exc.value.code == "macros"
    big = SimpleUploadedFile("big.xlsx", b"PK\x03\x04" + b"0" * (10 * 1024 * 1024 + 1))
    with pytest.raises(FileRefused) as exc:
        measures_import(user=personas.park_manager, file=big)
    assert exc.value.code == "too_large"


# ------------------------------------------------------------------------------- pages


def test_the_register_pages_render_for_the_park_manager(client, personas, records, campaign_2025):
    client.login(username=personas.park_manager.username, password=PASSWORD)
    amata = personas.catalogue.amata
    for url in [
        "/registers/measures/",
        "/registers/measures/new/",
        f"/registers/measures/{records[0].pk}/",
        "/registers/exchanges/",
        "/registers/exchanges/new/",
        "/registers/streams/",
        "/registers/certificates/new/",
        "/registers/roadmap/",
        "/registers/roadmap/new/",
        f"/registers/matching/?park={amata.pk}",
        "/registers/measures/import/",
        f"/registers/parks/{amata.pk}/",
        f"/parks/{amata.pk}/",
    ]:
        assert client.get(url).status_code == 200, url
    page = client.get(f"/parks/{amata.pk}/").content.decode()
    assert 'id="registers-h"' in page


def test_a_value_that_cannot_be_read_keeps_what_was_typed_and_saves_nothing(client, personas):
    client.login(username=personas.enterprise_a.username, password=PASSWORD)
    response = client.post(
        "/registers/measures/new/",
        {
            "enterprise": personas.ent_a.pk,
            "area": "energy",
            "title": "LED",
            "status": "verified",
            "year": "2024",
            "saving_value": "12.5",  # an English decimal in a Vietnamese form: refused
            "saving_unit": "MWh",
            "energy_carrier": "electricity",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "12.5" in html and "error-text" in html
    assert not RECPMeasure.objects.exists()


def test_outside_parties_get_404_on_the_park_register_page(client, personas):
    client.login(username=personas.other_enterprise.username, password=PASSWORD)
    assert client.get(f"/registers/parks/{personas.catalogue.amata.pk}/").status_code == 404
    assert client.get(f"/registers/matching/?park={personas.catalogue.amata.pk}").status_code == 404


def test_the_certificate_list_marks_an_expired_certificate(client, personas):
    from registers.services import certificate_save

    certificate_save(
        user=personas.enterprise_a,
        enterprise=personas.ent_a,
        data={
            "standard": "iso50001",
            "expires_on": datetime.date.today() - datetime.timedelta(days=1),
        },
    )
    client.login(username=personas.enterprise_a.username, password=PASSWORD)
    html = client.get("/registers/certificates/").content.decode()
    assert 'class="flagged"' in html and "ISO 50001" in html


def test_an_entry_never_moves_to_another_enterprise_and_is_deleted_by_its_keeper(personas, records):
    measure, stream = records
    manager = api(personas.park_manager)  # keeps both tenants of Amata
    moved = manager.patch(
        f"/api/v1/streams/{stream.pk}/",
        {"enterprise": personas.ent_b.pk, "version": 1},
        format="json",
    )
    assert moved.status_code == 400
    assert moved.json()["errors"] == {
        "enterprise": ["Không thể chuyển dòng vật chất/năng lượng sang doanh nghiệp khác."]
    }
    stream.refresh_from_db()
    assert stream.enterprise == personas.ent_a and stream.version == 1
    a = api(personas.enterprise_a)
    assert a.delete(f"/api/v1/recp-measures/{measure.pk}/").status_code == 204
    assert not RECPMeasure.objects.filter(pk=measure.pk).exists()
