"""Demo reports for ``make run``: Amata's 2025 forms A.4 and A.5 and two demo enterprises'
B.4 and B.5 (Circular 05/2025/TT-BKHĐT), filled with plausible values made up for the demo and
labelled as such (``Response.is_demo``, ``InvestmentProject.is_demo``, registers' ``is_demo``).

Figures the registers give are taken from them (the demo registers of
:func:`demo.demo.demo_registers_load` plus the yearly savings and measures added here); the
rest is typed below. Amata's report and enterprise-b's stay drafts for the demo users to
review and submit; enterprise-a's is submitted. Idempotent: a response that already holds
report values, or is no longer a draft, is never touched.
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import translation

from enterprises.models import Enterprise, InvestmentProject, Park
from enterprises.services import project_update
from indicators.official_forms import Kind, SourceKind, official_forms
from registers.models import RECPMeasure, SymbiosisExchange, SymbiosisSaving
from registers.services import measure_apply, saving_apply
from surveys.models import Campaign, Origin, ReportValue, Response
from surveys.reports import clean_item, report_context, report_values, suggestion_input
from surveys.services import ProductionRowInput, response_save_report, response_submit

from .demo import AMATA, DEMO_ENTERPRISES, demo_tax_code

FORMS = ["A.4", "A.5", "B.4", "B.5"]

AMATA_PROJECT = {
    "project_name": "Dự án đầu tư xây dựng và kinh doanh kết cấu hạ tầng KCN Amata (demo)",
    "project_location": "Phường Long Bình, Thành phố Biên Hòa, tỉnh Đồng Nai (demo)",
    "project_certificate_number": "DEMO-472043000123",
    "project_certificate_issuer": "Ban Quản lý các KCN Đồng Nai (demo)",
    "project_certificate_first_date": "15/06/1994",
    "project_certificate_latest_date": "20/03/2023",
    "investor_enterprise_code": demo_tax_code(801),
    "investor_registration_issuer": "Sở Kế hoạch và Đầu tư tỉnh Đồng Nai (demo)",
    "investor_first_registered_on": "15/06/1994",
    "investor_latest_amended_on": "10/01/2024",
    "investor_tax_code": demo_tax_code(801),
    "investor_office_address": "KCN Amata, Biên Hòa, Đồng Nai (demo)",
    "investor_head_office": "KCN Amata, Biên Hòa, Đồng Nai (demo)",
    "investor_phone": "0251 0000 001",
    "investor_fax": "0251 0000 002",
    "investor_email": "demo-developer@example.vn",
    "investor_website": "https://example.vn/amata-demo",
    "investor_enterprise_type": "Công ty cổ phần (demo)",
    "representative_name": "Nguyễn Văn Demo",
    "representative_gender": "male",
    "representative_title": "Tổng Giám đốc (demo)",
    "representative_birth_date": "12/08/1970",
    "representative_nationality": "Việt Nam",
    "representative_identity_number": "DEMO-075070000001",
    "representative_identity_issued_on": "05/05/2021",
    "representative_identity_issued_by": "Cục Cảnh sát QLHC về TTXH (demo)",
    "representative_mobile": "0900 000 001",
    "representative_email": "demo-representative@example.vn",
}

AMATA_A4 = {
    "I.2.5.1": "539,73",
    "I.2.5.2": "62,5",
    "I.2.5.4": "54,3",
    "I.2.5.6": "19,8",
    "I.2.5.8": "11,2",
    "I.2.6.1": "Khu nhà ở cho người lao động 1.200 chỗ gần KCN (demo).",
    "I.2.6.2": "Trạm y tế, nhà trẻ, siêu thị mini và tuyến xe buýt đưa đón (demo).",
    "II.1": (
        "Năm báo cáo, nhà đầu tư hạ tầng và các doanh nghiệp trong KCN chấp hành quy định "
        "về đầu tư, doanh nghiệp, xây dựng, đất đai, bảo vệ môi trường và lao động; không có "
        "vi phạm bị xử phạt (demo)."
    ),
    "III.1.2.1": "ISO 50001 tại 2 doanh nghiệp; kiểm toán năng lượng định kỳ (demo)",
    "III.1.2.4": "4,2",
    "III.1.2.7": "Giảm phụ tải đỉnh của trạm biến áp KCN (demo).",
    "III.2.1.9": "Mở rộng tái sử dụng nước thải và trao đổi phế liệu nhựa, kim loại (demo).",
    "III.2.1.10": "Hợp đồng song phương giữa doanh nghiệp, có xác nhận của công ty hạ tầng (demo).",
    "III.2.1.15": "Không có (demo).",
    "III.2.1.16": "Công ty hạ tầng cung cấp nước tái sử dụng và làm đầu mối kết nối (demo).",
    "III.3.3": "2,1",
    "III.3.6": "Không có lợi ích khác được ghi nhận (demo).",
    "III.3.26": "Xe đưa đón công nhân dùng chung (demo)",
    "III.3.28": "Giảm lượng chất thải nhựa chôn lấp (demo).",
}
AMATA_A5 = {
    "wastewater_total_m3": "1.250.000",
    "wastewater_reused_m3": "187.500",
    "ghg_programme": "yes",
    "io_monitoring_mechanism": "yes",
    "annual_sustainability_report_published": "yes",
    "risk_monitoring_system": "yes",
    "climate_risk_plan": "no",
    "eip_support_unit": "yes",
    "new_eip_dossier_items": "no",
    "worker_social_infrastructure": "yes",
    "social_staff_dedicated": "yes",
    "community_dialogue_budget": "yes",
    "economic_cooperation_plan": "yes",
    "eip_model_promoted": "yes",
    "local_hiring_strategy": "yes",
    "sme_support": "no",
    "local_suppliers_priority": "yes",
    "service_revenue_sufficient": "yes",
}

#: per demo enterprise (index in DEMO_ENTERPRISES): its project, B.4 typed values, products
ENTERPRISE_REPORTS = {
    0: {
        "project": {
            "project_name": "Nhà máy dệt nhuộm Xanh (demo)",
            "project_location": "Đường số 3, KCN Amata, Biên Hòa, Đồng Nai (demo)",
            "project_certificate_number": "DEMO-IRC-0001",
            "project_certificate_issuer": "Ban Quản lý các KCN Đồng Nai (demo)",
            "project_certificate_first_date": "02/03/2012",
            "investor_kind": "organisation",
            "investor_name": "Green Textile Holdings Pte. Ltd. (demo)",
            "investor_enterprise_code": "DEMO-201012345K",
            "investor_first_registered_on": "10/10/2010",
            "investor_registration_issuer": "Cơ quan đăng ký doanh nghiệp Singapore (demo)",
            "investor_office_address": "Singapore (demo)",
            "investor_phone": "+65 0000 0001",
            "investor_email": "demo-investor-1@example.com",
            "investor_website": "https://example.com/green-textile-demo",
            "representative_nationality": "Singapore",
            "representative_name": "Tan Demo",
            "representative_birth_date": "03/04/1975",
            "representative_identity_number": "DEMO-P0000001",
            "representative_current_address": "Thành phố Hồ Chí Minh (demo)",
            "organisation_issuer": "Sở Kế hoạch và Đầu tư tỉnh Đồng Nai (demo)",
            "organisation_first_date": "15/04/2012",
        },
        "typed": {
            "III.P3.1": "Thu hồi nhiệt nước thải nhuộm, biến tần, ISO 50001 (demo)",
            "III.P3.5": "Giảm nhiệt độ nhà xưởng (demo).",
            "III.P3.7": "0",
            "III.P3.9": "Không có (demo).",
            "IV.P4.5": "Công ty hạ tầng cấp nước tái sử dụng và kết nối đối tác (demo).",
            "IV.P4.9": "Không có (demo).",
            "IV.P4.13": "Không có (demo).",
            "IV.P4.10": ("0", "kWh"),
        },
        "elements": {
            "recp_share_reported_pct": "40",
            "gender_equality_pct": "90",
            "anti_harassment_pct": "100",
        },
        "products": [
            (
                "Vải dệt thoi nhuộm (demo)",
                "m²/năm",
                "12000000",
                "9500000",
                "0,42",
                "electricity",
                "410000",
            ),
            ("Sợi màu (demo)", "tấn/năm", "3000", "2650", "850", "electricity", "95000"),
        ],
        "submit": True,
    },
    1: {
        "project": {
            "project_name": "Nhà máy cơ khí chính xác Biên Hòa Sạch (demo)",
            "project_location": "Đường số 7, KCN Amata, Biên Hòa, Đồng Nai (demo)",
            "project_certificate_number": "DEMO-IRC-0002",
            "project_certificate_issuer": "Ban Quản lý các KCN Đồng Nai (demo)",
            "project_certificate_first_date": "20/09/2015",
            "project_certificate_latest_date": "11/11/2022",
            "investor_kind": "organisation",
            "investor_name": "Công ty CP Đầu tư Cơ khí Sạch (demo)",
            "investor_enterprise_code": demo_tax_code(802),
            "investor_first_registered_on": "01/07/2014",
            "investor_registration_issuer": "Sở Kế hoạch và Đầu tư tỉnh Đồng Nai (demo)",
            "investor_office_address": "Biên Hòa, Đồng Nai (demo)",
            "investor_tax_code": demo_tax_code(802),
            "investor_phone": "0251 0000 101",
            "investor_email": "demo-investor-2@example.vn",
            "investor_website": "https://example.vn/co-khi-sach-demo",
            "representative_nationality": "Việt Nam",
            "representative_name": "Trần Thị Demo",
            "representative_birth_date": "21/09/1980",
            "representative_identity_number": "DEMO-075180000002",
            "representative_current_address": "Biên Hòa, Đồng Nai (demo)",
            "organisation_issuer": "Sở Kế hoạch và Đầu tư tỉnh Đồng Nai (demo)",
            "organisation_first_date": "20/09/2015",
        },
        "typed": {
            "III.P3.1": "Biến tần máy nén khí, chiếu sáng LED (demo)",
            "III.P3.5": "Giảm tiếng ồn máy nén (demo).",
            "III.P3.7": "0",
            "III.P3.9": "Không có (demo).",
            "IV.P4.5": "Không có (demo).",
            "IV.P4.9": "Không có (demo).",
            "IV.P4.13": "Không có (demo).",
            "IV.P4.10": ("0", "kWh"),
        },
        "elements": {
            "recp_share_reported_pct": "25",
            "grievance_rules_pct": "100",
            "public_disclosure_pct": "60",
            "gender_equality_pct": "80",
            "anti_harassment_pct": "100",
        },
        "products": [
            (
                "Chi tiết cơ khí chính xác (demo)",
                "tấn/năm",
                "1800",
                "1420",
                "1250",
                "electricity",
                "156000",
            ),
        ],
        "submit": False,
    },
}

#: yearly savings of the demo exchanges in 2025 (exchange title, carrier, quantity, unit,
#: money VND, enterprise index or None, fuel or service)
DEMO_SAVINGS = [
    ("Nước thải đã xử lý dùng làm nước làm mát (demo)", "water", "36000", "m³", 180_000_000, 0, ""),
    (
        "Nước thải đã xử lý dùng làm nước làm mát (demo)",
        "wastewater",
        "30000",
        "m³",
        90_000_000,
        None,
        "",
    ),
    (
        "Phế liệu bao bì nhựa sang tái chế (demo)",
        "materials_supplied",
        "45",
        "t",
        67_500_000,
        0,
        "",
    ),
    (
        "Phế liệu bao bì nhựa sang tái chế (demo)",
        "materials_received",
        "45",
        "t",
        135_000_000,
        3,
        "",
    ),
    ("Phế liệu bao bì nhựa sang tái chế (demo)", "waste_recycled", "45", "t", 20_000_000, 0, ""),
]
#: RECP measures in the reports' new areas (enterprise index, area, title, year, saving, unit,
#: money VND, fuel)
DEMO_MEASURES = [
    (
        0,
        "wastewater",
        "Giảm nước thải công đoạn nhuộm (demo)",
        2025,
        "18000",
        "m³",
        150_000_000,
        "",
    ),
    (1, "waste_reuse", "Tái sử dụng pallet gỗ (demo)", 2024, "12", "t", 36_000_000, ""),
    (
        1,
        "energy",
        "Đổi lò dầu sang lò hơi sinh khối (demo)",
        2025,
        "24000",
        "L",
        480_000_000,
        "dầu FO",
    ),
]


def _default(item, fv) -> object:
    """What the demo answers where nothing is typed: the registers' figure when they give
    one, otherwise 0, "Không" or the first choice."""
    if fv.suggestion is not None and fv.suggestion.value not in (None, ""):
        return suggestion_input(item, fv.suggestion)
    if item.kind.is_number:
        return "0" if item.kind is not Kind.QUANTITY else None
    if item.kind is Kind.TEXTAREA:
        return "Không có (demo)."
    if item.kind is Kind.TEXT:
        return "Không (demo)"
    if item.kind is Kind.YES_NO:
        return "no"
    if item.kind is Kind.CHOICE and item.choices:
        return item.choices[0].value
    return None


def _fill(response: Response, user, typed: dict, elements: dict, production=None) -> Response:
    """Fill every field of ``response``'s forms (typed, else the registers' figure, else a
    default) and save it as ``user``, in Vietnamese."""
    from surveys.services import response_elements

    with translation.override("vi"):
        ctx = report_context(response, user)
        forms = report_values(response, user, context=ctx)
        answers, report, origins = {}, {}, {}
        by_code = {e.code: e for e in response_elements(response)}
        for fv in forms:
            for f in fv.fields:
                item = f.item
                if not item.is_data or item.read_only or item.kind in (Kind.PROJECT, Kind.FILE):
                    continue
                if item.source.kind in (SourceKind.REGISTRY, SourceKind.TABLE):
                    continue
                code = item.source.element
                raw = elements.get(code) if code else typed.get(item.key)
                origin = Origin.TYPED
                if raw is None:
                    raw = _default(item, f)
                    if f.suggestion is not None and raw is not None:
                        origin = Origin.REGISTERS
                if raw is None:
                    continue
                unit = f.suggestion.unit if item.kind is Kind.QUANTITY and f.suggestion else ""
                if isinstance(raw, tuple):  # a quantity typed with its unit
                    raw, unit = raw
                value = clean_item(item, raw, language="vi", unit=unit, tenants=ctx.tenants)
                if code:
                    answers[by_code[code]] = value
                    origins[code] = origin
                else:
                    report[item.ident] = value
                    origins[item.ident] = origin
        rows = None
        if production:
            rows = [
                ProductionRowInput(
                    product=p,
                    unit=u,
                    design_capacity=Decimal(d),
                    actual_output=Decimal(a),
                    energy_per_unit=Decimal(e.replace(",", ".")),
                    energy_carrier=c,
                    revenue_million_vnd=Decimal(r),
                )
                for p, u, d, a, e, c, r in production
            ]
        return response_save_report(
            response=response,
            user=user,
            expected_version=response.version,
            answers=answers,
            report=report,
            origins=origins,
            production=rows,
        )


def _project(user, park: Park, enterprise: Enterprise | None, values: dict) -> None:
    existing = InvestmentProject.objects.filter(park=park, enterprise=enterprise).first()
    if existing is not None and existing.is_demo:
        return
    if existing is not None and existing.updated_by_id is not None:
        return  # kept by a user: never overwritten
    project = project_update(user=user, park=park, enterprise=enterprise, values=values)
    InvestmentProject.objects.filter(pk=project.pk).update(is_demo=True)


def _registers(amata: Park, ents: list[Enterprise], manager) -> None:
    for title, carrier, qty, unit, money, ent, fuel in DEMO_SAVINGS:
        exchange = SymbiosisExchange.objects.filter(park=amata, title=title).first()
        if exchange is None:
            continue
        enterprise = ents[ent] if ent is not None else None
        if SymbiosisSaving.objects.filter(
            exchange=exchange, year=2025, carrier=carrier, enterprise=enterprise, fuel=fuel
        ).exists():
            continue
        saving = SymbiosisSaving(exchange=exchange, is_demo=True, updated_by=manager)
        saving_apply(
            saving=saving,
            data={
                "year": 2025,
                "carrier": carrier,
                "quantity": Decimal(qty),
                "unit": unit,
                "money_vnd": money,
                "enterprise": enterprise,
                "fuel": fuel,
                "is_demo": True,
            },
        )
        saving.save()
    for i, area, title, year, qty, unit, money, fuel in DEMO_MEASURES:
        if RECPMeasure.objects.filter(enterprise=ents[i], title=title).exists():
            continue
        measure = RECPMeasure(enterprise=ents[i], is_demo=True, updated_by=manager)
        measure_apply(
            measure=measure,
            data={
                "area": area,
                "title": title,
                "status": "implemented",
                "year": year,
                "saving_value": Decimal(qty),
                "saving_unit": unit,
                "saving_money_vnd": money,
                "fuel": fuel,
                "energy_carrier": "",
                "is_demo": True,
            },
        )
        measure.save()


@transaction.atomic
def demo_reports_load() -> None:
    """Amata's 2025 A.4/A.5 (a complete draft) and two demo enterprises' B.4/B.5 (one
    submitted, one a complete draft), after their registry projects, the yearly savings of the
    demo exchanges and a few more measures. Needs :func:`demo.demo.demo_load` and
    :func:`demo.demo.demo_registers_load` first."""
    User = get_user_model()
    amata = Park.objects.get(name_vi=AMATA)
    ents = [Enterprise.objects.get(name=name) for name, *_rest in DEMO_ENTERPRISES]
    manager = User.objects.get(username="amata-manager")
    campaign = Campaign.objects.get(name="Báo cáo KCN sinh thái 2025")
    if not campaign.report_forms:
        campaign.report_forms = [f.code for f in official_forms()]
        campaign.save(update_fields=["report_forms"])
    _registers(amata, ents, manager)
    _project(manager, amata, None, AMATA_PROJECT)
    park_response = Response.objects.get(campaign=campaign, park=amata, enterprise__isnull=True)
    if (
        park_response.is_editable
        and not ReportValue.objects.filter(response=park_response).exists()
    ):
        typed = {**AMATA_A4}
        _fill(park_response, manager, typed, AMATA_A5)
        Response.objects.filter(pk=park_response.pk).update(is_demo=True)
    for index, spec in ENTERPRISE_REPORTS.items():
        ent = ents[index]
        user = User.objects.filter(scopes__enterprise=ent).first() or manager
        _project(user, amata, ent, spec["project"])
        response = Response.objects.get(campaign=campaign, enterprise=ent)
        if not response.is_editable or ReportValue.objects.filter(response=response).exists():
            continue
        saved = _fill(response, user, spec["typed"], spec["elements"], production=spec["products"])
        Response.objects.filter(pk=response.pk).update(is_demo=True)
        if spec["submit"]:
            response_submit(response=saved, user=user)
