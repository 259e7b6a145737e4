"""Writes to the registry: loading reference data; parks kept by the ministry and the boards,
tenants kept by their park managers (add, edit, deactivate, move), every edit kept in the
models' history with who made it (``docs/people.md``). Tenant imports from XLSX are in
``enterprises/imports.py``.

Reference files live in ``enterprises/data/`` (the project's copies of the researched
reference, with their sources): ``provinces-2025.csv`` (34 units, Resolution 202/2025/QH15),
``vsic-2018.csv`` (VSIC 2018, Decision 27/2018/QĐ-TTg), ``parks.csv`` (97 parks with sources).
Loading is idempotent: rows are matched by their natural key and updated in place.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .models import Enterprise, Park, Province, Sector, normalise_tax_code
from .policy import Action, can

DATA_DIR = Path(__file__).resolve().parent / "data"


@dataclass
class ReferenceCounts:
    """Rows in the database after a load: provinces, sectors, parks."""

    provinces: int
    sectors: int
    parks: int


def _read(name: str) -> list[dict[str, str]]:
    with open(DATA_DIR / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def park_kind_from_name(name_vi: str) -> str:
    """Kind of park from its Vietnamese name: ``Khu chế xuất`` → export-processing zone,
    ``Khu công nghệ cao`` → hi-tech park, otherwise industrial park."""
    lowered = name_vi.lower()
    if lowered.startswith("khu chế xuất"):
        return Park.Kind.EXPORT_PROCESSING_ZONE
    if lowered.startswith("khu công nghệ cao"):
        return Park.Kind.HI_TECH_PARK
    return Park.Kind.INDUSTRIAL_PARK


_PILOT = re.compile(r"\bEIP pilot\b")


def _decimal(text: str) -> Decimal | None:
    text = (text or "").strip()
    return Decimal(text) if text else None


@transaction.atomic
def reference_load() -> ReferenceCounts:
    """Load provinces, VSIC 2018 sectors and the 97 reference parks; idempotent.

    A park is an eco-industrial park pilot when its source note says so (GEIPP 2020–24 or the
    MPI–UNIDO project 2014–19). Raises ``KeyError`` when a park names a province that is not
    among the 34 units.
    """
    for row in _read("provinces-2025.csv"):
        Province.objects.update_or_create(
            code=row["code_if_known"].strip(),
            defaults={
                "name_vi": row["province_vi"].strip(),
                "absorbed": row["absorbed_vi"].strip(),
                "source": row["source"].strip(),
            },
        )
    for row in _read("vsic-2018.csv"):
        Sector.objects.update_or_create(
            edition=Sector.Edition.VSIC2018,
            code=row["code"].strip(),
            defaults={
                "level": int(row["level"]),
                "name_vi": row["name_vi"].strip(),
                "name_en": row["name_en"].strip(),
            },
        )
    provinces = {p.name_vi: p for p in Province.objects.all()}
    parks = {p.name_vi: p for p in Park.objects.all()}
    for row in _read("parks.csv"):
        year = row["established_year"].strip()
        _update_or_create_quietly(
            parks.get(row["name_vi"].strip()),
            name_vi=row["name_vi"].strip(),
            defaults={
                "name_en": row["name_en"].strip(),
                "kind": park_kind_from_name(row["name_vi"]),
                "province": provinces[row["province_after_2025_vi"].strip()],
                "province_before_2025": row["province_vi"].strip(),
                "area_ha": _decimal(row["area_ha"]),
                "operator": row["operator"].strip(),
                "established_year": int(year) if year else None,
                "latitude": _decimal(row["lat"]),
                "longitude": _decimal(row["lon"]),
                "eip_pilot": bool(_PILOT.search(row["source"])),
                "source": row["source"].strip(),
            },
        )
    return ReferenceCounts(
        provinces=Province.objects.count(),
        sectors=Sector.objects.count(),
        parks=Park.objects.count(),
    )


def _update_or_create_quietly(park: Park | None, *, name_vi: str, defaults: dict) -> None:
    """Create the park, or update it only when a value differs (so a second load writes no
    history row)."""
    if park is None:
        Park.objects.create(name_vi=name_vi, **defaults)
        return
    changed = [
        k
        for k, v in defaults.items()
        if getattr(park, k if k != "province" else "province_id")
        != (v.pk if k == "province" else v)
    ]
    if changed:
        for k in changed:
            setattr(park, k, defaults[k])
        park.save()


def enterprise_create(
    *,
    name: str,
    tax_code: str,
    park: Park,
    sector: Sector | None = None,
    employees: int | None = None,
    is_demo: bool = False,
) -> Enterprise:
    """Create an enterprise after validating its tax code (canonical form stored).

    Raises ``ValidationError`` on ``tax_code`` when the check digit is wrong or the code is
    already registered.
    """
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    try:
        code = normalise_tax_code(tax_code)
    except ValidationError as exc:
        raise ValidationError({"tax_code": exc.messages}) from exc
    if Enterprise.objects.filter(tax_code=code).exists():
        raise ValidationError(
            {"tax_code": _("Tax code %(code)s is already registered.") % {"code": code}}
        )
    enterprise = Enterprise(
        name=name, tax_code=code, park=park, sector=sector, employees=employees, is_demo=is_demo
    )
    enterprise.full_clean()
    enterprise.save()
    return enterprise


# ------------------------------------------------------------------- the registry's owners

#: Fields of a park its stewards edit (``docs/people.md``); the park's developer and its
#: investment project can be added beside them.
PARK_FIELDS = [
    "name_vi",
    "name_en",
    "kind",
    "status",
    "province",
    "province_before_2025",
    "area_ha",
    "operator",
    "established_year",
    "latitude",
    "longitude",
    "eip_pilot",
    "source",
]

#: Fields of a tenant its park manager edits (the park is changed by a move).
ENTERPRISE_FIELDS = [
    "name",
    "tax_code",
    "sector",
    "employees",
    "contact_name",
    "contact_email",
    "contact_phone",
]


@transaction.atomic
def park_save(*, user, park: Park | None = None, data: dict) -> Park:
    """Add a park (``park`` None) or edit one; ``data`` maps :data:`PARK_FIELDS` to values
    (``province`` a Province). The ministry edits any park, a board those of its province
    (and may not move one to another province). Raises ``PermissionDenied`` and
    ``ValidationError`` naming the field (unique name, area > 0, coordinates inside Viet Nam:
    the model's constraints)."""
    park = park or Park()
    if park.pk is not None and not can(user, Action.CHANGE, park):
        raise PermissionDenied(_("You may not edit this park."))
    for name in PARK_FIELDS:
        if name in data:
            setattr(park, name, data[name])
    if not can(user, Action.CHANGE, Park(province_id=park.province_id)):
        raise PermissionDenied(_("You may not keep parks of this province."))
    park.full_clean()
    park._history_user = user
    park.save()
    return park


def _parent_of(code: str, *, known: dict[str, Enterprise] | None = None) -> Enterprise | None:
    """The head office of a branch code (``NNNNNNNNNN-NNN``), None for a head office's code.
    Raises ``ValidationError`` when the head office is not registered."""
    if "-" not in code:
        return None
    head = code[:10]
    parent = (known or {}).get(head) or Enterprise.objects.filter(tax_code=head).first()
    if parent is None:
        raise ValidationError(
            _(
                "%(code)s is a branch of %(head)s, which is not registered: add the head "
                "office first (or above it in the same file)."
            )
            % {"code": code, "head": head}
        )
    return parent


@transaction.atomic
def enterprise_save(
    *, user, enterprise: Enterprise | None = None, park: Park | None = None, data: dict
) -> Enterprise:
    """Add a tenant to ``park`` (``enterprise`` None) or edit one; ``data`` maps
    :data:`ENTERPRISE_FIELDS` to values (``sector`` a Sector or None). The tax code is
    checked and normalised (python-stdnum, spaces removed); a branch is linked to its head
    office. Giving another ``park`` for an existing enterprise moves it: the user must keep
    the tenants of both parks (a board, the ministry); the history keeps the old park and past
    responses keep theirs. Raises ``PermissionDenied`` and ``ValidationError`` naming the
    field."""
    enterprise = enterprise or Enterprise()
    if enterprise.pk is not None and not can(user, Action.MANAGE, enterprise):
        raise PermissionDenied(_("You may not edit this enterprise."))
    target_park = park or enterprise.park
    if not can(user, Action.MANAGE, Enterprise(park=target_park)):
        raise PermissionDenied(_("You may not keep the tenants of this park."))
    errors: dict[str, list[str]] = {}
    for name in ENTERPRISE_FIELDS:
        if name in data:
            setattr(enterprise, name, data[name])
    enterprise.name = (enterprise.name or "").strip()
    enterprise.park = target_park
    try:
        enterprise.tax_code = normalise_tax_code(enterprise.tax_code or "")
    except ValidationError as exc:
        errors["tax_code"] = exc.messages
    else:
        same = Enterprise.objects.filter(tax_code=enterprise.tax_code).exclude(pk=enterprise.pk)
        if same.exists():
            errors["tax_code"] = [
                _("Tax code %(code)s is already registered.") % {"code": enterprise.tax_code}
            ]
        else:
            try:
                enterprise.parent = _parent_of(enterprise.tax_code)
            except ValidationError as exc:
                errors["tax_code"] = exc.messages
    if errors:
        raise ValidationError(errors)
    enterprise.full_clean()
    enterprise._history_user = user
    enterprise.save()
    return enterprise


@transaction.atomic
def enterprise_set_active(*, user, enterprise: Enterprise, active: bool) -> Enterprise:
    """Deactivate a tenant (it leaves new campaigns; its history, answers and scores stay) or
    reactivate it. Raises ``PermissionDenied`` unless the user keeps the park's tenants."""
    if not can(user, Action.MANAGE, enterprise):
        raise PermissionDenied(_("You may not edit this enterprise."))
    if enterprise.is_active != active:
        enterprise.is_active = active
        enterprise._history_user = user
        enterprise.save()
    return enterprise


# --- the registry's investment projects (Part I of forms A.4 and B.4) ----------------------


def _registry_value(name: str, value, language: str):
    """``value`` (text, a date, or None) cleaned for field ``name`` of InvestmentProject;
    raises ``ValidationError`` with the reason."""
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email
    from django.utils.translation import gettext as _

    from common.parsing import ParseError, parse_date

    from .models import InvestmentProject

    model_field = InvestmentProject._meta.get_field(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None if model_field.null else ""
    if model_field.get_internal_type() == "DateField":
        try:
            return parse_date(value)
        except ParseError:
            raise ValidationError(
                _("“%(value)s” is not a date; write it as dd/mm/yyyy.") % {"value": value}
            ) from None
    text = str(value).strip()
    if model_field.choices:
        labels = {str(label).casefold(): key for key, label in model_field.choices}
        key = text if text in dict(model_field.choices) else labels.get(text.casefold())
        if key is None:
            raise ValidationError(
                _("“%(value)s” is not one of: %(choices)s.")
                % {
                    "value": text,
                    "choices": ", ".join(str(label) for _k, label in model_field.choices),
                }
            )
        return key
    if len(text) > model_field.max_length:
        raise ValidationError(
            _("At most %(n)s characters (%(given)s given).")
            % {"n": model_field.max_length, "given": len(text)}
        )
    if name.endswith("_email"):
        validate_email(text)
    if name == "investor_tax_code":
        text = normalise_tax_code(text)
    return text


@transaction.atomic
def project_update(
    *,
    user,
    park: Park,
    enterprise: Enterprise | None = None,
    values: dict,
    only_blank: bool = False,
    language: str = "vi",
):
    """Set fields of the investment project of ``park`` (or of ``enterprise``), creating it
    when the registry holds none yet; all or nothing. Returns the project.

    ``values`` maps registry field names (``InvestmentProject.registry_fields()``) to text,
    dates or None (blank). ``only_blank``: the report's Part I only fills what the registry
    lacks, so a value given for a field the registry already holds is refused unless equal to
    it ("change it on the registry page"). Every change is kept in the project's history with
    ``user`` as its author. Raises ``PermissionDenied`` unless the user may change the project
    (the enterprise or its park manager; the park manager for the park's), ``ValidationError``
    keyed by field (unknown field, bad date, e-mail, tax code, choice, length, dates out of
    order).
    """
    from django.core.exceptions import PermissionDenied, ValidationError
    from django.utils.translation import gettext as _

    from .models import InvestmentProject
    from .policy import Action, can
    from .selectors import project_defaults

    probe = InvestmentProject(park=park, enterprise=enterprise)
    if not can(user, Action.CHANGE, probe):
        raise PermissionDenied(_("Only the entity's own users or its park manager may do this."))
    # ordered by pk only: no outer join, which FOR UPDATE refuses on PostgreSQL
    project = (
        InvestmentProject.objects.select_for_update()
        .filter(park=park, enterprise=enterprise)
        .order_by("pk")
        .first()
    )
    if project is None:
        project = InvestmentProject(
            park=park, enterprise=enterprise, **project_defaults(park=park, enterprise=enterprise)
        )
    known = set(InvestmentProject.registry_fields())
    errors: dict[str, list[str]] = {}
    changed = False
    for name, raw in values.items():
        if name not in known:
            errors[name] = [_("Not a field of the registry.")]
            continue
        try:
            value = _registry_value(name, raw, language)
        except ValidationError as exc:
            errors[name] = exc.messages
            continue
        current = getattr(project, name)
        if value == current:
            continue
        if only_blank and current not in ("", None):
            errors[name] = [
                _("The registry already holds a value; change it on the registry page.")
            ]
            continue
        setattr(project, name, value)
        changed = True
    for first, last in (
        ("project_certificate_first_date", "project_certificate_latest_date"),
        ("investor_first_registered_on", "investor_latest_amended_on"),
        ("organisation_first_date", "organisation_latest_date"),
    ):
        a, b = getattr(project, first), getattr(project, last)
        if a and b and b < a and last not in errors:
            errors[last] = [_("The latest date is before the first date.")]
    if errors:
        raise ValidationError(errors)
    if changed or project.pk is None:
        project.updated_by = user
        project._history_user = user
        project.save()
    return project
