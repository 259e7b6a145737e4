"""Writes to the criteria catalogue: loading shipped frameworks (docs/architecture.md).

A framework file is YAML (see ``indicators/data/frameworks/``). Loading checks the whole file
first — every formula parsed and type-checked, every reference resolved — and then saves all or
nothing. Loading the same file again changes nothing (idempotent); a published version that
already exists is never modified.

Versioning: a published or retired version is frozen — every edit service here
refuses it with :class:`FrozenVersionError`; :func:`version_new_draft` copies a version into a
new draft, the draft is edited (:func:`criterion_update`, :func:`indicator_update`, …, or the
admin, which calls the same checks) and :func:`version_publish` checks it again, publishes it
and retires the previously published version. Campaigns pin a version and score snapshots
record it, so publishing never moves an earlier result.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import yaml
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from .documents import plain_value, version_document
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

log = logging.getLogger(__name__)


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
    Versions that already exist (same framework code and number) are left untouched, but for
    Vietnamese wording they lack (:func:`_fill_vietnamese`).
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
        existing = FrameworkVersion.objects.filter(framework=framework, number=v["number"]).first()
        if existing is not None:
            _fill_vietnamese(existing, v)
            result.unchanged.append(label)
            continue
        version = FrameworkVersion.objects.create(
            framework=framework,
            number=v["number"],
            title_vi=v["title_vi"],
            title_en=v["title_en"],
            instruments=v.get("instruments", []),
            instruments_vi=v.get("instruments_vi") or [],
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
                    requirement_vi_official=bool(c.get("requirement_vi_official", False)),
                    requirement_en=c.get("requirement_en") or "",
                    kind=c.get("kind") or "",
                    indicator=inds.get(c.get("indicator")),
                    rule=c["rule"],
                    operator=c.get("operator") or "",
                    threshold=None if c.get("threshold") is None else Decimal(str(c["threshold"])),
                    threshold_note=c.get("threshold_note") or "",
                    threshold_note_vi=c.get("threshold_note_vi") or "",
                    lookback_years=c.get("lookback_years"),
                    unit=c.get("unit") or "",
                    unit_vi=c.get("unit_vi") or "",
                    weight=Decimal(str(c.get("weight", 1))),
                    instrument=c["instrument"],
                    instrument_vi=c.get("instrument_vi") or "",
                    article=c["article"],
                    article_vi=c.get("article_vi") or "",
                    verification_status=c["verification_status"],
                    notes=c.get("notes") or "",
                    notes_vi=c.get("notes_vi") or "",
                    sources=c.get("sources") or [],
                    order=i,
                )
                for i, c in enumerate(v["criteria"])
            ]
        )
        result.created.append(label)
    return result


#: Vietnamese renderings of a criterion that a load fills in where a stored version has
#: none: wording only, never a rule, threshold or source (see :func:`_fill_vietnamese`)
VIETNAMESE_TEXT_FIELDS = (
    "title_vi",
    "requirement_vi",
    "instrument_vi",
    "article_vi",
    "unit_vi",
    "threshold_note_vi",
    "notes_vi",
)


def _fill_vietnamese(version: FrameworkVersion, data: dict) -> None:
    """Give an already loaded version the Vietnamese wording its file now carries, where the
    stored field is blank: legal instruments, and per criterion :data:`VIETNAMESE_TEXT_FIELDS`
    (with ``requirement_vi_official``). A published version stays frozen in every rule,
    threshold and source; a blank translation is not a rule, and a filled one is never
    overwritten (staff may have edited it)."""
    if not version.instruments_vi and data.get("instruments_vi"):
        version.instruments_vi = list(data["instruments_vi"])
        version.save(update_fields=["instruments_vi"])
    by_code = {c["code"]: c for c in data.get("criteria", [])}
    changed = []
    for criterion in Criterion.objects.filter(version=version, code__in=list(by_code)):
        row, touched = by_code[criterion.code], False
        for name in VIETNAMESE_TEXT_FIELDS:
            if not getattr(criterion, name) and row.get(name):
                setattr(criterion, name, row[name])
                touched = True
                if name == "requirement_vi":
                    criterion.requirement_vi_official = bool(
                        row.get("requirement_vi_official", False)
                    )
        if touched:
            changed.append(criterion)
    if changed:
        Criterion.objects.bulk_update(changed, [*VIETNAMESE_TEXT_FIELDS, "requirement_vi_official"])


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


# --------------------------------------------------------------------------------------
# Versioning: frozen versions, drafts, checks, publishing
# --------------------------------------------------------------------------------------


class FrozenVersionError(ValidationError):
    """An edit of a published or retired framework version, which is read-only.

    ``version`` is the frozen :class:`~indicators.models.FrameworkVersion`. The message tells
    the person to create a new (draft) version instead.
    """

    def __init__(self, version: FrameworkVersion):
        self.version = version
        super().__init__(
            _("Version %(version)s is %(status)s; create a new version to change it.")
            % {"version": str(version), "status": version.get_status_display()},
            code="frozen",
        )


def _locked_draft(version_id: int) -> FrameworkVersion:
    """The version row, locked for this transaction; :class:`FrozenVersionError` unless draft."""
    version = (
        FrameworkVersion.objects.select_for_update().select_related("framework").get(pk=version_id)
    )
    if version.is_frozen:
        raise FrozenVersionError(version)
    return version


def _formula_exceptions(v: dict) -> list[FormulaError]:
    """The first formula error of the park formulas and of the enterprise formulas of one
    version document (park and new-park indicators may roll up enterprise elements)."""
    elements = v.get("data_elements", [])
    park_types = _element_types(elements, {"park", "park_new"})
    ent_types = _element_types(elements, {"enterprise"})
    found = []
    for is_park, own, tenant in ((True, park_types, ent_types), (False, ent_types, None)):
        formulas = {
            i["code"]: i["formula"]
            for i in v.get("indicators", [])
            if (i["applies_to"] != "enterprise") == is_park
        }
        try:
            check_formulas(formulas, element_types=own, tenant_element_types=tenant)
        except FormulaError as exc:
            found.append(exc)
    return found


def _describe_formula_error(exc: FormulaError, where: str, users: dict[str, list[str]]) -> str:
    criteria = users.get(exc.code or "", [])
    values = {
        "where": where,
        "criteria": ", ".join(criteria),
        "indicator": exc.code,
        "message": exc.message,
        "token": exc.token,
    }
    if criteria:
        text = _("%(where)s: criterion %(criteria)s (indicator %(indicator)s): %(message)s")
    else:
        text = _("%(where)s: indicator %(indicator)s: %(message)s")
    if exc.token and exc.token not in exc.message:
        text += " " + _("(token '%(token)s')")
    return text % values


def version_check(*, version: FrameworkVersion, document: dict | None = None) -> list[str]:
    """Check a stored version as a framework file is checked on loading; return the errors
    (empty when it may be published).

    Runs :func:`framework_check` on :func:`indicators.documents.version_document` (or on
    ``document``, a pending edit of it) and rewrites each formula error to name the criteria
    that read the indicator and the offending token, e.g. ``"VN-2022 v2: criterion
    VN35-EIP-E4 (indicator VN35-EIP-E4): unknown enterprise code 'recp_aplied'"``. A version
    without criteria is an error too.
    """
    doc = document if document is not None else version_document(version)
    v = doc["versions"][0]
    where = f"{doc['code']} v{v['number']}"
    errors = framework_check(doc)
    users: dict[str, list[str]] = {}
    for c in v.get("criteria", []):
        if c.get("indicator"):
            users.setdefault(c["indicator"], []).append(c["code"])
    for exc in _formula_exceptions(v):
        plain = f"{where}: {exc}"
        named = _describe_formula_error(exc, where, users)
        if plain in errors:
            errors[errors.index(plain)] = named
        elif named not in errors:
            errors.append(named)
    if not v.get("criteria"):
        errors.append(_("%(where)s has no criteria.") % {"where": where})
    return errors


_DOC_LISTS = {
    Category: "categories",
    DataElement: "data_elements",
    Indicator: "indicators",
    Criterion: "criteria",
}


def _document_row(obj) -> dict:
    row = {
        f.name: plain_value(getattr(obj, f.attname))
        for f in type(obj)._meta.concrete_fields
        if not f.is_relation
    }
    row["pk"] = row.pop("id", None)
    if isinstance(obj, Criterion):
        row["category"] = obj.category.code if obj.category_id else None
        row["indicator"] = obj.indicator.code if obj.indicator_id else None
    return row


def version_edit_errors(*, obj) -> list[str]:
    """The check errors that saving ``obj`` (an unsaved change to, or a new, category, data
    element, indicator or criterion of a draft) would ADD to its version; empty when the edit
    is acceptable. Errors already present are not counted, so a draft can be repaired one
    edit at a time. Used by the edit services and the admin forms."""
    import copy

    version = obj.version
    before = version_document(version)
    after = copy.deepcopy(before)
    rows = after["versions"][0][_DOC_LISTS[type(obj)]]
    new_row = _document_row(obj)
    old_row = next((r for r in rows if obj.pk is not None and r.get("pk") == obj.pk), None)
    if old_row is None:
        rows.append(new_row)
    else:
        rows[rows.index(old_row)] = new_row
        # Criteria refer to categories and indicators by primary key: a renamed code follows.
        key = {Category: "category", Indicator: "indicator"}.get(type(obj))
        if key and old_row["code"] != new_row["code"]:
            for c in after["versions"][0]["criteria"]:
                if c.get(key) == old_row["code"]:
                    c[key] = new_row["code"]
    known = set(version_check(version=version, document=before))
    return [e for e in version_check(version=version, document=after) if e not in known]


#: Fields the edit services may change; codes of data elements and indicators may change
#: only while no formula reads them (the check refuses the edit otherwise).
EDITABLE_FIELDS: dict[type, frozenset[str]] = {
    Category: frozenset({"code", "name_vi", "name_en", "order"}),
    DataElement: frozenset(
        {
            "code",
            "applies_to",
            "value_type",
            "unit",
            "label_vi",
            "label_en",
            "help_vi",
            "help_en",
            "min_value",
            "max_value",
            "choices",
            "required",
            "order",
        }
    ),
    Indicator: frozenset({"code", "applies_to", "formula", "value_type", "unit"}),
    Criterion: frozenset(
        {
            "category",
            "code",
            "applies_to",
            "level",
            *Criterion.WORDING_FIELDS,
            "kind",
            "indicator",
            *Criterion.RULE_FIELDS,
            *Criterion.SOURCE_FIELDS,
            "sources",
            "order",
        }
    ),
}


def _draft_edit(obj, fields: dict):
    """Apply ``fields`` to a row of a draft version: refuse frozen versions, unknown fields,
    values the model refuses (``full_clean``: choices, constraints) and edits that add a
    check error (:func:`version_edit_errors`); save, or raise and save nothing."""
    model = type(obj)
    unknown = sorted(set(fields) - EDITABLE_FIELDS[model])
    if unknown:
        raise ValidationError(
            {name: _("This field cannot be changed in a draft version.") for name in unknown},
            code="not_editable",
        )
    version = _locked_draft(obj.version_id)
    current = model.objects.get(pk=obj.pk)
    current.version = version
    for name, value in fields.items():
        if name in ("category", "indicator") and isinstance(value, str):
            related = Category if name == "category" else Indicator
            value = related.objects.filter(version=version, code=value).first()
            if value is None:
                raise ValidationError(
                    {
                        name: _("No %(what)s with this code in %(version)s.")
                        % {"what": related._meta.verbose_name, "version": version}
                    },
                    code="unknown_code",
                )
        setattr(current, name, value)
    for name in ("category", "indicator"):
        related = getattr(current, name, None) if model is Criterion else None
        if related is not None and related.version_id != version.pk:
            raise ValidationError(
                {name: _("It must belong to %(version)s.") % {"version": version}},
                code="other_version",
            )
    current.full_clean()
    errors = version_edit_errors(obj=current)
    if errors:
        raise ValidationError(errors, code="check")
    current.save()
    return current


@transaction.atomic
def criterion_update(*, criterion: Criterion, **fields) -> Criterion:
    """Change fields of a criterion of a draft version; return the saved criterion.

    ``fields``: any of :data:`EDITABLE_FIELDS` ``[Criterion]`` (``category`` and ``indicator``
    as objects or codes of the same version; ``threshold`` a Decimal in the criterion's unit,
    or None where the source gives none — never invent one). Raises
    :class:`FrozenVersionError` for a published or retired version, and ``ValidationError``
    naming the field for anything the model or the framework check refuses; nothing is saved
    then.
    """
    return _draft_edit(criterion, fields)


@transaction.atomic
def indicator_update(*, indicator: Indicator, **fields) -> Indicator:
    """Change an indicator of a draft version (``formula``, ``unit``, ``value_type``, …).

    The formula is checked with the version's other formulas (see ``indicators.formula``):
    an unknown code, a type mismatch or a cycle is refused with a ``ValidationError`` naming
    the criterion, the indicator and the token. Raises :class:`FrozenVersionError` for a
    frozen version.
    """
    return _draft_edit(indicator, fields)


@transaction.atomic
def data_element_update(*, data_element: DataElement, **fields) -> DataElement:
    """Change a data element of a draft version (labels, help, unit, min/max, …). A change
    that breaks a formula (a renamed code, a changed type) is refused naming the criterion and
    token. Raises :class:`FrozenVersionError` for a frozen version."""
    return _draft_edit(data_element, fields)


@transaction.atomic
def category_update(*, category: Category, **fields) -> Category:
    """Change a category of a draft version (code, names, order). Raises
    :class:`FrozenVersionError` for a frozen version, ``ValidationError`` for a duplicate code."""
    return _draft_edit(category, fields)


VERSION_EDITABLE_FIELDS = frozenset(
    {"title_vi", "title_en", "instruments", "instruments_vi", "effective_from", "effective_to"}
)


@transaction.atomic
def version_update(*, version: FrameworkVersion, **fields) -> FrameworkVersion:
    """Change the titles, legal instruments (list of text) or effective dates of a draft.
    The status changes only through :func:`version_publish`. Raises
    :class:`FrozenVersionError` for a frozen version, ``ValidationError`` naming the field
    otherwise (e.g. effective to before effective from)."""
    unknown = sorted(set(fields) - VERSION_EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(
            {name: _("This field cannot be changed in a draft version.") for name in unknown},
            code="not_editable",
        )
    locked = _locked_draft(version.pk)
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.full_clean()
    locked.save()
    return locked


def _clone(obj, **overrides):
    """An unsaved copy of ``obj`` with every concrete field except the primary key and the
    foreign keys named in ``overrides`` (given as objects)."""
    import copy

    model = type(obj)
    values = {
        f.attname: copy.deepcopy(getattr(obj, f.attname))
        for f in model._meta.concrete_fields
        if not f.primary_key and f.name not in overrides
    }
    return model(**values, **overrides)


@transaction.atomic
def version_new_draft(*, version: FrameworkVersion, user=None) -> FrameworkVersion:
    """Copy ``version`` (any status) into a new draft of the same framework, numbered one
    more than the highest existing number; return the draft.

    Copied: titles, legal instruments, every category, data element, indicator (with its
    formula) and criterion with every field (threshold, operator, rule, level, weight, legal
    source, verification status, notes, sources, order …), re-linked to the copies. Effective
    dates are left blank: the draft is not in force until published (never invent a date).
    Raises ``ValidationError`` (code ``draft_exists``) when the framework already has a
    draft: edit or publish that one first, so two drafts never compete.
    """
    framework = Framework.objects.select_for_update().get(pk=version.framework_id)
    source = FrameworkVersion.objects.get(pk=version.pk)
    existing = (
        FrameworkVersion.objects.filter(framework=framework, status=FrameworkVersion.Status.DRAFT)
        .order_by("number")
        .first()
    )
    if existing is not None:
        raise ValidationError(
            _("%(version)s is already a draft: edit and publish it before creating another.")
            % {"version": existing},
            code="draft_exists",
        )
    number = FrameworkVersion.objects.filter(framework=framework).aggregate(m=Max("number"))["m"]
    draft = FrameworkVersion.objects.create(
        framework=framework,
        number=(number or 0) + 1,
        title_vi=source.title_vi,
        title_en=source.title_en,
        instruments=list(source.instruments or []),
        instruments_vi=list(source.instruments_vi or []),
        effective_from=None,
        effective_to=None,
        status=FrameworkVersion.Status.DRAFT,
    )
    Category.objects.bulk_create(
        [_clone(c, version=draft) for c in Category.objects.filter(version=source)]
    )
    DataElement.objects.bulk_create(
        [_clone(e, version=draft) for e in DataElement.objects.filter(version=source)]
    )
    Indicator.objects.bulk_create(
        [_clone(i, version=draft) for i in Indicator.objects.filter(version=source)]
    )
    categories = {c.code: c for c in Category.objects.filter(version=draft)}
    indicators = {i.code: i for i in Indicator.objects.filter(version=draft)}
    Criterion.objects.bulk_create(
        [
            _clone(
                c,
                version=draft,
                category=categories[c.category.code],
                indicator=indicators[c.indicator.code] if c.indicator_id else None,
            )
            for c in Criterion.objects.filter(version=source).select_related(
                "category", "indicator"
            )
        ]
    )
    log.info("new draft %s copied from %s by %s", draft, source, user or "-")
    return draft


@transaction.atomic
def version_publish(
    *, version: FrameworkVersion, effective_from: datetime.date | None = None, user=None
) -> FrameworkVersion:
    """Publish a draft after checking it again; retire the framework's published version.

    Every formula is re-checked with :func:`version_check`; any error refuses the whole
    publication with a ``ValidationError`` listing each error (naming the criterion and the
    token). ``effective_from``, when given, becomes the draft's effective date. The retired
    version's ``effective_to`` (when blank) is always recorded: the day before the new
    version's effective date (given, or already on the draft), else the day of publication —
    a fact, not an invented legal date; the new version's own date stays blank when unknown.
    Raises
    ``ValidationError`` when the version is not a draft or a later version is already
    published. Returns the published version.
    """
    locked = (
        FrameworkVersion.objects.select_for_update().select_related("framework").get(pk=version.pk)
    )
    if locked.status != FrameworkVersion.Status.DRAFT:
        raise ValidationError(
            _("%(version)s is %(status)s; only a draft can be published.")
            % {"version": locked, "status": locked.get_status_display()},
            code="not_draft",
        )
    errors = version_check(version=locked)
    if errors:
        raise ValidationError(errors, code="invalid")
    previous = list(
        FrameworkVersion.objects.select_for_update()
        .filter(framework_id=locked.framework_id, status=FrameworkVersion.Status.PUBLISHED)
        .exclude(pk=locked.pk)
    )
    starts = effective_from or locked.effective_from
    for p in previous:
        if p.number > locked.number:
            raise ValidationError(
                _("%(later)s is already published; %(version)s is older.")
                % {"later": p, "version": locked},
                code="older",
            )
        if p.effective_to is None:
            # the day before the new version takes effect; without a known date, the day
            # it stops being the version in force here: today
            p.effective_to = starts - datetime.timedelta(days=1) if starts else timezone.localdate()
            if p.effective_from is not None and p.effective_to < p.effective_from:
                raise ValidationError(
                    {
                        "effective_from": _(
                            "%(version)s took effect on %(date)s; the new version must take "
                            "effect later."
                        )
                        % {"version": p, "date": p.effective_from.isoformat()}
                    },
                    code="effective_from",
                )
        p.status = FrameworkVersion.Status.RETIRED
        p.save(update_fields=["status", "effective_to"])
    if effective_from is not None:
        locked.effective_from = effective_from
    locked.status = FrameworkVersion.Status.PUBLISHED
    locked.full_clean()
    locked.save(update_fields=["status", "effective_from"])
    log.info("published %s (retired %s) by %s", locked, previous, user or "-")
    return locked


@transaction.atomic
def version_discard_draft(*, version: FrameworkVersion, user=None) -> None:
    """Delete a draft version with its criteria, indicators, data elements and categories.

    Raises :class:`FrozenVersionError` for a published or retired version (those are kept
    forever: campaigns and score snapshots refer to them), and ``ValidationError`` if anything
    else refers to the draft (nothing should: campaigns pin published versions only).
    """
    locked = _locked_draft(version.pk)
    label = str(locked)
    try:
        Criterion.objects.filter(version=locked).delete()
        Indicator.objects.filter(version=locked).delete()
        DataElement.objects.filter(version=locked).delete()
        Category.objects.filter(version=locked).delete()
        locked.delete()
    except ProtectedError as exc:
        raise ValidationError(
            _("%(version)s is still used (%(count)s rows refer to it) and cannot be discarded.")
            % {"version": label, "count": len(exc.protected_objects)},
            code="protected",
        ) from None
    log.info("discarded draft %s by %s", label, user or "-")
