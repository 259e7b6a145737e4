"""Demo data for ``make run``: users for every role, made-up enterprises in Amata, and
campaigns 2023–2025 with answers. Every demo enterprise is labelled as demo data: no
per-enterprise indicator data is public (shared/reference/README.md). The reporting calendar
shows each state (docs/periods.md): Amata's 2023 report came in on time and its 2024 report
8 days late; the 2025 campaign is open, and the tenant that has not reported was granted an
extension by the Đồng Nai board.

Idempotent: running it again finds what exists and adds nothing twice.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from stdnum.vn import mst

from enterprises.models import Enterprise, Park, Province, Role, Sector, UserScope
from indicators.models import DataElement, FrameworkVersion
from surveys.models import Answer, Campaign, Extension, Response, Transition
from surveys.periods import days_late
from surveys.signals import scored_answers_changed

DEMO_PASSWORD = "ecopark-demo"
AMATA = "Khu công nghiệp Amata"


@dataclass(frozen=True)
class DemoLogin:
    """One printed demo login."""

    username: str
    role: str
    scope: str


def demo_tax_code(serial: int) -> str:
    """A well-formed, made-up tax code in the 36… range: 9-digit body ``3690000NNN`` plus the
    check digit of ``stdnum.vn.mst``; bodies whose check would be 10 are skipped."""
    n = serial
    while True:
        body = f"3690{n:05d}"
        check = mst.calc_check_digit(body)
        if len(check) == 1:
            return body + check
        n += 1000


DEMO_ENTERPRISES = [
    # name, VSIC 2018 division, employees, answers (2025) or None for "not reported"
    (
        "Công ty TNHH Dệt Nhuộm Xanh (demo)",
        "13",
        850,
        {
            "compliant": True,
            "symbioses_participating": 1,
            "iso_management_system": True,
            "cleaner_production_applied": True,
            "resource_efficiency_applied": True,
            "recp_savings_demonstrated": True,
            "located_in_certified_eip": False,
            "grievance_rules_pct": 100,
            "public_disclosure_pct": 80,
        },
    ),
    (
        "Công ty CP Cơ khí Biên Hòa Sạch (demo)",
        "25",
        420,
        {
            "compliant": True,
            "symbioses_participating": 1,
            "iso_management_system": True,
            "cleaner_production_applied": True,
            "resource_efficiency_applied": False,
            "recp_savings_demonstrated": False,
            "located_in_certified_eip": False,
        },
    ),
    (
        "Công ty TNHH Thực phẩm Đồng Xanh (demo)",
        "10",
        260,
        {
            "compliant": True,
            "symbioses_participating": 0,
            "iso_management_system": False,
            "cleaner_production_applied": False,
            "resource_efficiency_applied": False,
            "recp_savings_demonstrated": False,
            "located_in_certified_eip": False,
        },
    ),
    (
        "Công ty TNHH Nhựa Tuần Hoàn (demo)",
        "22",
        130,
        {
            "compliant": True,
            "symbioses_participating": 2,
            "iso_management_system": True,
            "cleaner_production_applied": True,
            "resource_efficiency_applied": True,
            "recp_savings_demonstrated": True,
            "located_in_certified_eip": False,
        },
    ),
    ("Công ty TNHH Điện tử Sông Mây (demo)", "26", 1200, None),
]

#: Amata's approved park answers of earlier years (made up, demo data)
PARK_HISTORY = {
    2023: {
        "developer_compliant": True,
        "tenants_compliant": True,
        "symbioses_operating": 0,
        "basic_services_provided": True,
        "io_monitoring_mechanism": False,
    },
    2024: {
        "developer_compliant": True,
        "tenants_compliant": True,
        "symbioses_operating": 1,
        "basic_services_provided": True,
        "io_monitoring_mechanism": True,
        "symbiosis_participants_iso": True,
    },
}


def _user(username: str, role: str, **scope) -> DemoLogin:
    User = get_user_model()
    user, created = User.objects.get_or_create(username=username)
    if created:
        user.set_password(DEMO_PASSWORD)
        # an address for the password reset e-mail (printed on the console by default)
        user.email = f"{username}@ecopark.example"
        user.save()
    UserScope.objects.update_or_create(
        user=user,
        role=role,
        province=scope.get("province"),
        park=scope.get("park"),
        enterprise=scope.get("enterprise"),
    )
    target = scope.get("province") or scope.get("park") or scope.get("enterprise") or "—"
    return DemoLogin(username=username, role=role, scope=str(target))


def _set_answers(response: Response, values: dict, elements: dict[str, DataElement]) -> None:
    for code, value in values.items():
        element = elements[code]
        defaults = {"value_bool": None, "value_number": None, "raw": ""}
        if isinstance(value, bool):
            defaults["value_bool"] = value
            defaults["raw"] = "yes" if value else "no"
        else:
            defaults["value_number"] = Decimal(value)
            defaults["raw"] = str(value)
        Answer.objects.update_or_create(response=response, data_element=element, defaults=defaults)


#: when Amata's earlier park reports were submitted (demo): 2023 on time, 2024 eight days
#: after its campaign closed on 31/03/2025, so the dashboards show a late report
PARK_SUBMITTED_ON = {2023: datetime.date(2024, 3, 25), 2024: datetime.date(2025, 4, 8)}


def _advance(response: Response, to_status: str, by, on: datetime.date | None = None) -> None:
    """Move ``response`` to ``to_status`` by ``by``; a submission records its time (``on`` at
    09:00 local, default now) and its timeliness as ``surveys.services.response_submit``
    does."""
    if response.status == to_status:
        return
    at = timezone.now()
    if on is not None:
        at = timezone.make_aware(datetime.datetime.combine(on, datetime.time(9, 0)))
    step = Transition.objects.create(
        response=response, from_status=response.status, to_status=to_status, by=by
    )
    Transition.objects.filter(pk=step.pk).update(at=at)
    response.status = to_status
    response.submitted_at = response.submitted_at or at
    response.submitted_by = response.submitted_by or by
    if response.first_submitted_at is None:
        response.first_submitted_at = response.submitted_at
        response.days_late = days_late(
            closes_on=response.campaign.closes_on, submitted_at=response.submitted_at
        )
    response.save()


@transaction.atomic
def demo_load() -> list[DemoLogin]:
    """Create the demo users, enterprises, campaigns and answers; return the logins to print.

    Needs the reference data and the VN-2022 framework loaded first (raises
    ``Park.DoesNotExist`` / ``FrameworkVersion.DoesNotExist`` otherwise).
    """
    amata = Park.objects.get(name_vi=AMATA)
    dong_nai = Province.objects.get(name_vi="Đồng Nai")
    version = FrameworkVersion.objects.get(framework__code="VN-2022", number=1)
    elements = {e.code: e for e in DataElement.objects.filter(version=version)}

    enterprises = []
    for i, (name, division, employees, _answers) in enumerate(DEMO_ENTERPRISES, start=1):
        ent, _ = Enterprise.objects.get_or_create(
            name=name,
            defaults={
                "tax_code": demo_tax_code(i),
                "park": amata,
                "sector": Sector.objects.filter(edition="VSIC2018", code=division).first(),
                "employees": employees,
                "is_demo": True,
            },
        )
        enterprises.append(ent)

    logins = [
        _user("ministry", Role.MINISTRY),
        _user("board-dongnai", Role.BOARD, province=dong_nai),
        _user("amata-manager", Role.PARK_MANAGER, park=amata),
        _user("enterprise-a", Role.ENTERPRISE, enterprise=enterprises[0]),
        _user("enterprise-b", Role.ENTERPRISE, enterprise=enterprises[1]),
    ]
    manager = get_user_model().objects.get(username="amata-manager")
    board = get_user_model().objects.get(username="board-dongnai")

    campaigns = {}
    for period in (2023, 2024, 2025):
        campaign, created = Campaign.objects.get_or_create(
            name=f"Báo cáo KCN sinh thái {period}",
            defaults={
                "period": period,
                "framework_version": version,
                "scope": Campaign.Scope.PARKS if period < 2025 else Campaign.Scope.ALL,
                "opens_on": datetime.date(period + 1, 1, 1),
                # the open demo campaign stays open for 90 days from the first `make run`
                "closes_on": max(
                    datetime.date(period + 1, 3, 31),
                    timezone.localdate() + datetime.timedelta(days=90),
                )
                if period == 2025
                else datetime.date(period + 1, 3, 31),
            },
        )
        campaigns[period] = campaign
        parks = [amata] if period < 2025 else list(Park.objects.all())
        if created and period < 2025:
            campaign.parks.set(parks)
        existing = set(
            Response.objects.filter(campaign=campaign, enterprise__isnull=True).values_list(
                "park_id", flat=True
            )
        )
        Response.objects.bulk_create(
            [Response(campaign=campaign, park=p) for p in parks if p.pk not in existing]
        )
        if period == 2025:
            have = set(
                Response.objects.filter(campaign=campaign, enterprise__isnull=False).values_list(
                    "enterprise_id", flat=True
                )
            )
            Response.objects.bulk_create(
                [
                    Response(campaign=campaign, park_id=e.park_id, enterprise=e)
                    for e in Enterprise.objects.exclude(pk__in=have)
                ]
            )

    for period, values in PARK_HISTORY.items():
        response = Response.objects.get(
            campaign=campaigns[period], park=amata, enterprise__isnull=True
        )
        if response.status != Response.Status.DRAFT:
            continue  # loaded by an earlier run: never moved back
        _set_answers(response, values, elements)
        submitted_on = PARK_SUBMITTED_ON[period]
        _advance(response, Response.Status.SUBMITTED, manager, submitted_on)
        _advance(
            response, Response.Status.APPROVED, board, submitted_on + datetime.timedelta(days=5)
        )

    for ent, (_name, _division, _employees, answers) in zip(
        enterprises, DEMO_ENTERPRISES, strict=True
    ):
        if answers is None:
            continue
        response = Response.objects.get(campaign=campaigns[2025], enterprise=ent)
        if response.status != Response.Status.DRAFT or response.answers.exists():
            continue  # loaded by an earlier run, or changed since: never overwritten
        _set_answers(response, answers, elements)
        if ent in (enterprises[0], enterprises[1]):
            # their 2025 reports (forms B.4, B.5) are filled by demo.reports, which submits
            # enterprise-a's; enterprise-b's stays a draft, for the demo user to submit
            continue
        user = get_user_model().objects.filter(scopes__enterprise=ent).first() or manager
        _advance(response, Response.Status.SUBMITTED, user)

    # the not-reported enterprise asked the board for 30 more days (demo): an extension
    late_one = Response.objects.get(campaign=campaigns[2025], enterprise=enterprises[-1])
    if not Extension.objects.filter(response=late_one).exists():
        Extension.objects.create(
            response=late_one,
            until=campaigns[2025].closes_on + datetime.timedelta(days=30),
            reason="Doanh nghiệp đề nghị gia hạn do thay đổi cán bộ phụ trách báo cáo (demo).",
            granted_by=board,
        )
        late_one.due_on = campaigns[2025].closes_on + datetime.timedelta(days=30)
        late_one.save(update_fields=["due_on"])

    for campaign in campaigns.values():
        scored_answers_changed.send(
            sender=Response, campaign_id=campaign.pk, park_ids=[amata.pk], reason="demo"
        )
    return logins


# --- Demo registers: RECP measures, exchanges, certificates, streams, roadmap ------
# Made up for the demo and labelled as such (``is_demo``); amounts are plausible, not real.

DEMO_MEASURES = [
    # enterprise index, area, title, status, year, investment VND, saving, unit, carrier, VND/year
    (
        0,
        "energy",
        "Thu hồi nhiệt nước thải nhuộm (demo)",
        "verified",
        2023,
        1_200_000_000,
        "4200",
        "GJ",
        "fuel_heat",
        950_000_000,
    ),
    (
        0,
        "water",
        "Tái sử dụng nước làm mát (demo)",
        "verified",
        2024,
        600_000_000,
        "36000",
        "m³",
        "",
        420_000_000,
    ),
    (
        1,
        "energy",
        "Biến tần cho máy nén khí (demo)",
        "implemented",
        2022,
        900_000_000,
        "310",
        "MWh",
        "electricity",
        560_000_000,
    ),
    (2, "energy", "Kiểm toán năng lượng (demo)", "identified", 2025, None, None, "", "", None),
    (
        3,
        "materials",
        "Tái chế phế liệu nhựa nội bộ (demo)",
        "verified",
        2023,
        2_500_000_000,
        "120",
        "t",
        "",
        1_800_000_000,
    ),
    (
        3,
        "energy",
        "Chiếu sáng LED nhà xưởng (demo)",
        "implemented",
        2024,
        300_000_000,
        "95",
        "MWh",
        "electricity",
        170_000_000,
    ),
]


def demo_registers_load() -> None:
    """Demo measures, exchanges, certificates, streams and roadmap actions for Amata's demo
    enterprises (all labelled demo). Idempotent (found by title or kind). Needs
    :func:`demo_load` first. CO2e is computed from the shipped grid factors (2024 has no
    official factor: that measure shows so)."""
    from indicators.models import Criterion
    from registers.models import (
        ISOCertificate,
        RECPMeasure,
        RoadmapAction,
        Stream,
        SymbiosisExchange,
        SymbiosisParticipant,
    )
    from registers.services import measure_apply, parks_announce

    amata = Park.objects.get(name_vi=AMATA)
    ents = [Enterprise.objects.get(name=name) for name, *_rest in DEMO_ENTERPRISES]
    User = get_user_model()
    manager = User.objects.get(username="amata-manager")
    version = FrameworkVersion.objects.get(framework__code="VN-2022", number=1)
    today = timezone.localdate()

    with transaction.atomic():
        for i, area, title, status, year, invest, saving, unit, carrier, money in DEMO_MEASURES:
            measure = RECPMeasure.objects.filter(enterprise=ents[i], title=title).first()
            if measure is None:
                measure = RECPMeasure(enterprise=ents[i], is_demo=True)
                measure_apply(
                    measure=measure,
                    data={
                        "area": area,
                        "title": title,
                        "status": status,
                        "year": year,
                        "investment_vnd": invest,
                        "saving_value": Decimal(saving) if saving else None,
                        "saving_unit": unit,
                        "energy_carrier": carrier,
                        "saving_money_vnd": money,
                        "is_demo": True,
                    },
                )
                measure.updated_by = manager
                measure.save()

        exchanges = [
            (
                "water",
                "Nước thải đã xử lý dùng làm nước làm mát (demo)",
                "treated wastewater → cooling water",
                Decimal("36000"),
                "m³",
                "operating",
                datetime.date(2023, 3, 1),
                [("developer", "provides", None), ("enterprise", "receives", ents[0])],
            ),
            (
                "material",
                "Phế liệu bao bì nhựa sang tái chế (demo)",
                "PE packaging scrap",
                Decimal("45"),
                "t",
                "operating",
                datetime.date(2024, 1, 15),
                [("enterprise", "provides", ents[0]), ("enterprise", "receives", ents[3])],
            ),
            (
                "energy",
                "Hơi nóng dư cho sấy thực phẩm (demo)",
                "surplus steam",
                Decimal("900000"),
                "kWh",
                "under_study",
                None,
                [("enterprise", "provides", ents[1]), ("enterprise", "receives", ents[2])],
            ),
        ]
        for kind, title, flow, qty, unit, status, started, parties in exchanges:
            if SymbiosisExchange.objects.filter(park=amata, title=title).exists():
                continue
            ex = SymbiosisExchange.objects.create(
                park=amata,
                kind=kind,
                title=title,
                flow=flow,
                quantity_per_year=qty,
                unit=unit,
                quantity_entered=f"{qty} {unit}",
                status=status,
                started_on=started,
                is_demo=True,
                updated_by=manager,
            )
            SymbiosisParticipant.objects.bulk_create(
                [
                    SymbiosisParticipant(
                        exchange=ex,
                        kind=k,
                        role=role,
                        enterprise=e,
                        park=amata if k == "developer" else None,
                    )
                    for k, role, e in parties
                ]
            )

        certificates = [
            (ents[0], "iso14001", "VN-EMS-0231 (demo)", datetime.date(2027, 6, 30)),
            (ents[3], "iso14001", "VN-EMS-0877 (demo)", datetime.date(2028, 3, 31)),
            # expires within 60 days of loading: shows the expiry notice
            (ents[1], "iso50001", "VN-EnMS-0412 (demo)", today + datetime.timedelta(days=45)),
        ]
        for ent, standard, number, expires in certificates:
            ISOCertificate.objects.get_or_create(
                enterprise=ent,
                standard=standard,
                number=number,
                defaults={
                    "issuer": "Demo certification body",
                    "expires_on": expires,
                    "is_demo": True,
                },
            )

        streams = [
            (ents[0], "output", "textile", "vải vụn (demo)", Decimal("30"), "t"),
            (ents[1], "output", "metal", "phoi thép (demo)", Decimal("80"), "t"),
            (ents[1], "output", "heat", "hơi nóng dư (demo)", Decimal("1200000"), "kWh"),
            (ents[2], "input", "heat", "nhiệt sấy (demo)", Decimal("900000"), "kWh"),
            (ents[2], "output", "organic", "bã thực phẩm (demo)", Decimal("400"), "t"),
            (ents[3], "input", "plastic", "nhựa phế liệu sạch (demo)", Decimal("200"), "t"),
            (ents[4], "output", "plastic", "bao bì xốp (demo)", Decimal("25"), "t"),
        ]
        for ent, direction, category, description, qty, unit in streams:
            Stream.objects.get_or_create(
                enterprise=ent,
                direction=direction,
                category=category,
                defaults={
                    "description": description,
                    "quantity_per_year": qty,
                    "unit": unit,
                    "quantity_entered": f"{qty} {unit}",
                    "offered": True,  # the demo firms offer their streams for matching
                    "is_demo": True,
                },
            )

        actions = [
            (
                None,
                "VN-C05-ENV3",
                "Mở rộng tái sử dụng nước thải (demo)",
                datetime.date(today.year + 1, 6, 30),
                "in_progress",
            ),
            (
                None,
                "VN35-EIP-E3",
                "Hỗ trợ doanh nghiệp cộng sinh đạt ISO 14001 (demo)",
                today - datetime.timedelta(days=30),
                "planned",
            ),
            (
                ents[2],
                "VN35-ENT-4",
                "Thực hiện giải pháp RECP đầu tiên (demo)",
                datetime.date(today.year + 1, 3, 31),
                "planned",
            ),
        ]
        for ent, code, title, target, status in actions:
            if RoadmapAction.objects.filter(park=amata, title=title).exists():
                continue
            RoadmapAction.objects.create(
                park=amata,
                enterprise=ent,
                criterion=Criterion.objects.get(version=version, code=code),
                title=title,
                owner=manager,
                target_date=target,
                expected_effect="demo",
                status=status,
                is_demo=True,
            )
        parks_announce([amata.pk])
