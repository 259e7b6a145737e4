"""Reports: the park's Art. 41 self-assessment PDF and the XLSX exports."""

from __future__ import annotations

import io
import re
import sys
import zipfile

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from openpyxl import load_workbook

from dashboards.reports import Sheet, workbook_bytes
from demo.demo import demo_tax_code
from enterprises.models import Enterprise
from indicators.models import DataElement
from surveys.models import Evidence, Response

from ..conftest import require
from .test_pages import login, score, two_periods  # noqa: F401

ART37_CODES = [f"VN35-EIP-I{i}" for i in range(1, 6)] + [f"VN35-EIP-E{i}" for i in range(1, 5)]


def weasyprint_works() -> bool:
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError):
        return False
    return True


def pdf_text(content: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


@pytest.fixture
def amata_reported(personas, campaign_2025, settings, tmp_path):
    """Amata 2025 scored from real answers, with an evidence file on basic services."""
    settings.MEDIA_ROOT = str(tmp_path)
    amata = personas.catalogue.amata
    score(
        campaign_2025,
        amata,
        {"basic_services_provided": True, "symbioses_operating": 2, "developer_compliant": True},
    )
    response = Response.objects.get(campaign=campaign_2025, park=amata, enterprise=None)
    Evidence.objects.create(
        response=response,
        data_element=DataElement.objects.get(
            version=campaign_2025.framework_version, code="basic_services_provided"
        ),
        file=ContentFile(b"%PDF-1.4 test", name="hop-dong-dich-vu.pdf"),
        original_name="Hợp đồng dịch vụ điện nước.pdf",
        kind="pdf",
        content_type="application/pdf",
        size=13,
        sha256="ab" * 32,
        uploaded_by=personas.park_manager,
    )
    return campaign_2025


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_park_pdf_renders_every_art37_criterion_with_state_source_and_evidence(
    client, personas, amata_reported, lang
):
    require(weasyprint_works(), "WeasyPrint or the pango library is not installed")
    login(client, personas.park_manager)
    amata = personas.catalogue.amata
    r = client.get(
        reverse("dashboards:park-report", args=[amata.pk]),
        {"campaign": amata_reported.pk, "lang": lang},
    )
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert r.content.startswith(b"%PDF")
    text = pdf_text(r.content)
    for code in ART37_CODES:
        assert code in text, code
    assert "Khu công nghiệp Amata" in text  # Vietnamese diacritics survive in the text layer
    assert "Hợp đồng dịch vụ điện nước.pdf" in text  # the evidence file of I2
    if lang == "vi":
        assert "Nghị định 35/2022/NĐ-CP, Điều 37 khoản 2 điểm b" in text
        assert "Decree 35/2022/ND-CP" not in text
        # the Vietnamese requirement, said to be a rendering, not the official text
        assert "Có ít nhất 01 hoạt động cộng sinh công nghiệp đang vận hành" in text
        assert "bản dịch, không phải văn bản chính thức" in text
        assert "Tuân thủ pháp luật 3 năm" in text  # I1's Vietnamese title
        assert "Số cộng sinh công nghiệp đang vận hành trong KCN: 2" in text  # E2's answer
    else:
        assert "Decree 35/2022/ND-CP, Art. 37(2)(b)" in text
        assert "Developer complied with the law for 3 years" in text
        assert "Number of industrial symbioses in operation in the park: 2" in text
        assert "Self-assessment against the eco-industrial park criteria" in text


def test_a_server_without_weasyprint_answers_with_a_clear_page_not_a_500(
    client, personas, amata_reported, monkeypatch
):
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # import now raises ImportError
    login(client, personas.park_manager, lang="en")
    r = client.get(
        reverse("dashboards:park-report", args=[personas.catalogue.amata.pk]),
        {"campaign": amata_reported.pk},
    )
    assert r.status_code == 503
    assert "PDF rendering is not available on this server" in r.content.decode()
    assert "libpango" in r.content.decode()


def test_the_pdf_and_exports_are_refused_outside_the_scope(client, personas, amata_reported):
    amata = personas.catalogue.amata
    for persona in ("other_board", "other_enterprise"):
        login(client, getattr(personas, persona))
        assert client.get(reverse("dashboards:park-report", args=[amata.pk])).status_code == 404
        assert client.get(reverse("dashboards:park-export", args=[amata.pk])).status_code == 404
        client.logout()
    # a tenant reads its park's dashboard but never the dossier, which quotes the park's answers
    login(client, personas.enterprise_a)
    assert client.get(reverse("dashboards:park-report", args=[amata.pk])).status_code == 403
    assert client.get(reverse("dashboards:park-export", args=[amata.pk])).status_code == 403
    page = client.get(reverse("dashboards:park", args=[amata.pk])).content.decode()
    assert reverse("dashboards:park-report", args=[amata.pk]) not in page


def test_the_national_export_has_every_dashboard_table_with_the_snapshot_numbers(
    client,
    personas,
    two_periods,  # noqa: F811
):
    login(client, personas.ministry, lang="en")
    r = client.get(reverse("dashboards:national-export"))
    assert r["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    wb = load_workbook(io.BytesIO(r.content))
    assert wb.sheetnames == ["Parks", "Criteria", "Provinces", "Map", "Index distribution"]
    parks = list(wb["Parks"].iter_rows(values_only=True))
    header = parks[0]
    amata = next(row for row in parks if row[0] == personas.catalogue.amata.name_en)
    record = dict(zip(header, amata, strict=True))
    # 55.50 now, 40.00 in 2024: trend 15.5; 5 of 9 met; 2 of 3 enterprises reported
    assert record["Index"] == 55.5 and record["Previous index"] == 40.0
    assert record["Trend (index points)"] == 15.5 and record["Previous period"] == 2024
    assert (record["Criteria met"], record["Criteria applicable"]) == (5, 9)
    assert (record["Enterprises reported"], record["Enterprises in the park"]) == (2, 3)
    assert record["Eligible for certification"] == "no"
    bands = {
        row[0]: row[2] for row in wb["Index distribution"].iter_rows(min_row=2, values_only=True)
    }
    assert bands[50] == 1 and bands[80] == 1 and sum(bands.values()) == 2


def test_the_province_export_includes_the_approval_queue(client, personas, two_periods):  # noqa: F811
    login(client, personas.board, lang="en")
    r = client.get(reverse("dashboards:province-export", args=[personas.catalogue.dong_nai.code]))
    wb = load_workbook(io.BytesIO(r.content))
    assert "Waiting for approval" in wb.sheetnames


def test_text_that_looks_like_a_formula_is_exported_as_text(client, personas, two_periods):  # noqa: F811
    c2024, c2025 = two_periods
    amata = personas.catalogue.amata
    names = ['=HYPERLINK("http://example.invalid","x")', "+1+1", "-2+3", "@SUM(A1:A2)"]
    for i, name in enumerate(names):
        Enterprise.objects.create(name=name, tax_code=demo_tax_code(700 + i), park=amata)
    login(client, personas.park_manager, lang="en")
    r = client.get(reverse("dashboards:park-export", args=[amata.pk]), {"campaign": c2025.pk})
    wb = load_workbook(io.BytesIO(r.content))
    tenants = wb["Tenants"]
    cells = {c.value: c for row in tenants.iter_rows(min_row=2) for c in row[:1]}
    for name in names:
        assert cells[name].data_type == "s", name
        assert cells[name].quotePrefix
    with zipfile.ZipFile(io.BytesIO(r.content)) as z:
        xml = "".join(z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/"))
    assert "<f>" not in xml and "<f " not in xml  # no formula anywhere


def test_workbook_keeps_numbers_as_numbers_and_cleans_sheet_titles():
    wb = load_workbook(
        io.BytesIO(
            workbook_bytes(
                [
                    Sheet("Parks: [all]/1", ["a", "b"], [[1, 2.5], [None, "=1+1"]]),
                    Sheet("Parks: [all]/1", ["c"], [["x"]]),
                ]
            )
        )
    )
    assert wb.sheetnames == ["Parks   all  1", "Parks   all  1 (2)"]
    ws = wb.worksheets[0]
    assert ws["A2"].value == 1 and ws["B2"].value == 2.5 and ws["A3"].value is None
    assert ws["B3"].value == "=1+1" and ws["B3"].data_type == "s"


def test_every_page_links_its_export(client, personas, two_periods):  # noqa: F811
    login(client, personas.ministry, lang="en")
    for page, export in [
        (reverse("dashboards:national"), reverse("dashboards:national-export")),
        (
            reverse("dashboards:park", args=[personas.catalogue.amata.pk]),
            reverse("dashboards:park-export", args=[personas.catalogue.amata.pk]),
        ),
        (
            reverse("dashboards:enterprise", args=[personas.ent_a.pk]),
            reverse("dashboards:enterprise-export", args=[personas.ent_a.pk]),
        ),
    ]:
        html = client.get(page).content.decode()
        assert re.search(rf'href="{re.escape(export)}[^"]*"', html), page
