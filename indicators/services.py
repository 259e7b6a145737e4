"""Writes to the criteria catalogue: loading shipped frameworks (DESIGN.md §6, HackSoft style).

A framework file is YAML (see ``indicators/data/frameworks/``). Loading checks the whole file
first — every formula parsed and type-checked, every reference resolved — and then saves all or
nothing. Loading the same file again changes nothing (idempotent); a published version that
already exists is never modified.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import yaml
from django.db import transaction

from .formula import FormulaError, check_formulas
from .models import (
    Category,
    Criterion,
    DataElement,
    Framework,
    FrameworkVersion,
    Indicator,
)

FRAMEWORKS_DIR = Path(__file__).resolve().parent / "data" / "frameworks"


class FrameworkFileError(ValueError):
    """A framework file that cannot be loaded; ``errors`` lists every problem found."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__("; ".join(errors))


@dataclass
class LoadResult:
    """What a load did: ``created`` versions (``CODE vN``) and ``unchanged`` ones."""

    created: list[str]
    unchanged: list[str]


def _element_types(elements: list[dict], applies_to: set[str]) -> dict[str, str]:
    types = {}
    for e in elements:
        if e["applies_to"] in applies_to:
            vt = e["value_type"]
            types[e["code"]] = (
                "boolean"
                if vt == "yes_no"
                else "number"
                if vt in DataElement.NUMERIC_TYPES
                else "text"
            )
    return types


def framework_check(data: dict) -> list[str]:
    """Check one parsed framework document; return a list of error messages (empty when valid).

    Checks: required keys; unique codes; each criterion's category, indicator and rule shape;
    each indicator formula parsed and type-checked against the data elements (park formulas
    may aggregate enterprise elements). Messages name the version, the code and the token.
    """
    errors: list[str] = []
    for key in ("code", "title_vi", "title_en", "versions"):
        if key not in data:
            errors.append(f"missing key '{key}'")
    if errors:
        return errors
    for v in data["versions"]:
        where = f"{data['code']} v{v.get('number')}"
        elements = v.get("data_elements", [])
        cats = {c["code"] for c in v.get("categories", [])}
        codes = [e["code"] for e in elements]
        if len(codes) != len(set(codes)):
            errors.append(f"{where}: duplicate data element codes")
        for e in elements:
            if e["value_type"] not in DataElement.ValueType.values:
                errors.append(
                    f"{where}: data element {e['code']}: unknown value type '{e['value_type']}'"
                )
        park_types = _element_types(elements, {"park", "park_new"})
        ent_types = _element_types(elements, {"enterprise"})
        inds = {i["code"]: i for i in v.get("indicators", [])}
        for applies, own, tenant in (
            ("park", park_types, ent_types),
            ("enterprise", ent_types, None),
        ):
            formulas = {c: i["formula"] for c, i in inds.items() if i["applies_to"] == applies}
            try:
                checked = check_formulas(formulas, element_types=own, tenant_element_types=tenant)
            except FormulaError as exc:
                errors.append(f"{where}: {exc}")
                continue
            for c, f in checked.items():
                if f.result_type != inds[c]["value_type"]:
                    errors.append(
                        f"{where}: indicator {c}: formula gives {f.result_type}, declared {inds[c]['value_type']}"
                    )
        crit_codes = [c["code"] for c in v.get("criteria", [])]
        if len(crit_codes) != len(set(crit_codes)):
            errors.append(f"{where}: duplicate criterion codes")
        for c in v.get("criteria", []):
            code = c["code"]
            if c["category"] not in cats:
                errors.append(f"{where}: criterion {code}: unknown category '{c['category']}'")
            if c.get("indicator") and c["indicator"] not in inds:
                errors.append(f"{where}: criterion {code}: unknown indicator '{c['indicator']}'")
            rule = c["rule"]
            if rule not in Criterion.Rule.values:
                errors.append(f"{where}: criterion {code}: unknown rule '{rule}'")
            elif rule != "none" and not c.get("indicator"):
                errors.append(f"{where}: criterion {code}: rule '{rule}' needs an indicator")
            elif (
                rule in ("compare", "count") and c.get("operator") not in Criterion.Operator.values
            ):
                errors.append(
                    f"{where}: criterion {code}: operator '{c.get('operator')}' is not one of >=, >, <=, <, ="
                )
            elif rule == "lookback" and not c.get("lookback_years"):
                errors.append(f"{where}: criterion {code}: a look-back needs lookback_years")
            if rule in ("yes_no", "lookback") and c.get("indicator") in inds:
                if inds[c["indicator"]]["value_type"] != "boolean":
                    errors.append(
                        f"{where}: criterion {code}: a yes/no rule needs a yes/no indicator"
                    )
            if not c.get("instrument") or not c.get("article"):
                errors.append(
                    f"{where}: criterion {code}: legal source (instrument, article) missing"
                )
    return errors


def _date(value) -> datetime.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(str(value))


@transaction.atomic
def framework_load(*, data: dict) -> LoadResult:
    """Load a parsed framework document; all or nothing.

    Raises :class:`FrameworkFileError` listing every problem when the document does not check.
    Versions that already exist (same framework code and number) are left untouched.
    """
    errors = framework_check(data)
    if errors:
        raise FrameworkFileError(errors)
    framework, _ = Framework.objects.get_or_create(
        code=data["code"], defaults={"title_vi": data["title_vi"], "title_en": data["title_en"]}
    )
    result = LoadResult(created=[], unchanged=[])
    for v in data["versions"]:
        label = f"{framework.code} v{v['number']}"
        if FrameworkVersion.objects.filter(framework=framework, number=v["number"]).exists():
            result.unchanged.append(label)
            continue
        version = FrameworkVersion.objects.create(
            framework=framework,
            number=v["number"],
            title_vi=v["title_vi"],
            title_en=v["title_en"],
            instruments=v.get("instruments", []),
            effective_from=_date(v.get("effective_from")),
            effective_to=_date(v.get("effective_to")),
            status=v.get("status", FrameworkVersion.Status.DRAFT),
        )
        cats = {
            c["code"]: Category.objects.create(
                version=version, code=c["code"], name_vi=c["name_vi"], name_en=c["name_en"], order=i
            )
            for i, c in enumerate(v["categories"])
        }
        DataElement.objects.bulk_create(
            [
                DataElement(
                    version=version,
                    code=e["code"],
                    applies_to=e["applies_to"],
                    value_type=e["value_type"],
                    unit=e.get("unit") or "",
                    label_vi=e["label_vi"],
                    label_en=e["label_en"],
                    help_vi=e.get("help_vi") or "",
                    help_en=e.get("help_en") or "",
                    min_value=e.get("min_value"),
                    max_value=e.get("max_value"),
                    choices=e.get("choices") or [],
                    required=bool(e.get("required", False)),
                    order=i,
                )
                for i, e in enumerate(v["data_elements"])
            ]
        )
        inds = {
            i["code"]: Indicator.objects.create(
                version=version,
                code=i["code"],
                applies_to=i["applies_to"],
                formula=i["formula"],
                value_type=i["value_type"],
                unit=i.get("unit") or "",
            )
            for i in v.get("indicators", [])
        }
        Criterion.objects.bulk_create(
            [
                Criterion(
                    version=version,
                    category=cats[c["category"]],
                    code=c["code"],
                    applies_to=c["applies_to"],
                    level=c["level"],
                    title_vi=c.get("title_vi") or "",
                    title_en=c["title_en"],
                    requirement_vi=c.get("requirement_vi") or "",
                    requirement_en=c.get("requirement_en") or "",
                    kind=c.get("kind") or "",
                    indicator=inds.get(c.get("indicator")),
                    rule=c["rule"],
                    operator=c.get("operator") or "",
                    threshold=None if c.get("threshold") is None else Decimal(str(c["threshold"])),
                    threshold_note=c.get("threshold_note") or "",
                    lookback_years=c.get("lookback_years"),
                    unit=c.get("unit") or "",
                    weight=Decimal(str(c.get("weight", 1))),
                    instrument=c["instrument"],
                    article=c["article"],
                    verification_status=c["verification_status"],
                    notes=c.get("notes") or "",
                    sources=c.get("sources") or [],
                    order=i,
                )
                for i, c in enumerate(v["criteria"])
            ]
        )
        result.created.append(label)
    return result


def framework_load_file(*, path: Path) -> LoadResult:
    """Read a YAML framework file and load it (see :func:`framework_load`)."""
    with open(path, encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    return framework_load(data=data)


def frameworks_load_shipped() -> LoadResult:
    """Load every framework file shipped in ``indicators/data/frameworks/``."""
    total = LoadResult(created=[], unchanged=[])
    for path in sorted(FRAMEWORKS_DIR.glob("*.yaml")):
        r = framework_load_file(path=path)
        total.created += r.created
        total.unchanged += r.unchanged
    return total
