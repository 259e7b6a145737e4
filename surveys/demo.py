"""Demo data for ``make run``: users for every role, made-up enterprises in Amata, and
campaigns 2023–2025 with answers. Every demo enterprise is labelled as demo data: no
per-enterprise indicator data is public (shared/reference/README.md).

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

from .models import Answer, Campaign, Response, Transition
from .signals import scored_answers_changed

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
        user.save()
    UserScope.objects.update_or_create(user=user, defaults={"role": role, **scope})
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


def _advance(response: Response, to_status: str, by) -> None:
    if response.status == to_status:
        return
    Transition.objects.create(
        response=response, from_status=response.status, to_status=to_status, by=by
    )
    response.status = to_status
    response.submitted_at = response.submitted_at or timezone.now()
    response.submitted_by = response.submitted_by or by
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
                "closes_on": datetime.date(period + 1, 3, 31),
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
        _set_answers(response, values, elements)
        _advance(response, Response.Status.SUBMITTED, manager)
        _advance(response, Response.Status.APPROVED, board)

    for ent, (_name, _division, _employees, answers) in zip(
        enterprises, DEMO_ENTERPRISES, strict=True
    ):
        if answers is None:
            continue
        response = Response.objects.get(campaign=campaigns[2025], enterprise=ent)
        _set_answers(response, answers, elements)
        user = get_user_model().objects.filter(scope__enterprise=ent).first() or manager
        _advance(response, Response.Status.SUBMITTED, user)

    for campaign in campaigns.values():
        scored_answers_changed.send(
            sender=Response, campaign_id=campaign.pk, park_ids=[amata.pk], reason="demo"
        )
    return logins
