"""Reads of the criteria catalogue shaped for the scoring engine and the screens."""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from dataclasses import dataclass
from decimal import Decimal

import pandas as pd
from django.db.models import Count, Prefetch, QuerySet
from django.utils.translation import gettext

from enterprises.policy import Action, can

from .engine import CRITERIA_COLUMNS, lookback_elements, prepare_criteria
from .formula import Formula, check_formulas
from .models import Category, Criterion, DataElement, Framework, FrameworkVersion, Indicator


@dataclass(frozen=True)
class ScoringInputs:
    """A framework version in the engine's shapes (see :func:`indicators.engine.score_campaign`).

    ``criteria`` is already in the engine's prepared form
    (:func:`indicators.engine.prepare_criteria`); ``criterion_ids``/``category_ids`` map codes
    back to primary keys for writing results; ``longest_lookback`` is the number of periods the
    engine needs (1 without look-backs); ``lookback_codes`` the data elements look-back
    criteria read in earlier periods (:func:`indicators.engine.lookback_elements`);
    ``content`` a canonical JSON text of everything above that decides a score (criteria,
    formulas, element codes, ids), which snapshot fingerprints hash.

    Shared between callers (see :func:`version_scoring_inputs`): treat it as read-only.
    """

    criteria: pd.DataFrame
    formulas: dict[str, dict[str, Formula]]
    element_codes: dict[str, list[str]]
    criterion_ids: dict[str, int]
    category_ids: dict[str, int]
    longest_lookback: int
    lookback_codes: frozenset[str] = frozenset()
    content: str = ""


#: version_scoring_inputs' memo: catalogue rows → ScoringInputs (a few versions at a time)
_SCORING_MEMO: OrderedDict[tuple, ScoringInputs] = OrderedDict()
_SCORING_MEMO_SIZE = 8
_SCORING_MEMO_LOCK = threading.Lock()


def version_scoring_inputs(version: FrameworkVersion | int) -> ScoringInputs:
    """Load a version's criteria, indicators and data elements (3 queries) and check formulas.

    ``version``: a :class:`FrameworkVersion` or its primary key.

    The rows read are the memo's key: when the same rows were turned into inputs before (in
    this process), those inputs are returned without checking the formulas again or building
    frames, so a one-park recompute pays three small queries for the catalogue. Any edit of a
    criterion, indicator or data element changes the rows and so misses the memo; nothing
    needs invalidating. The result is shared: read-only.

    Raises ``indicators.formula.FormulaError`` if a stored formula no longer checks (loading
    refuses such formulas, so this means the database was edited by hand).
    """
    version_id = getattr(version, "pk", version)
    elements = tuple(
        DataElement.objects.filter(version_id=version_id)
        .order_by("order", "code")
        .values_list("code", "applies_to", "value_type")
    )
    indicators = tuple(
        Indicator.objects.filter(version_id=version_id)
        .order_by("code")
        .values_list("code", "applies_to", "formula")
    )
    rows = tuple(
        Criterion.objects.filter(version_id=version_id)
        .order_by("order", "code")
        .values_list(
            "pk",
            "code",
            "category_id",
            "category__code",
            "applies_to",
            "level",
            "rule",
            "operator",
            "threshold",
            "lookback_years",
            "weight",
            "indicator__code",
        )
    )
    key = (version_id, elements, indicators, rows)
    with _SCORING_MEMO_LOCK:
        found = _SCORING_MEMO.get(key)
        if found is not None:
            _SCORING_MEMO.move_to_end(key)
            return found
    inputs = _build_scoring_inputs(version_id, elements, indicators, rows)
    with _SCORING_MEMO_LOCK:
        _SCORING_MEMO[key] = inputs
        while len(_SCORING_MEMO) > _SCORING_MEMO_SIZE:
            _SCORING_MEMO.popitem(last=False)
    return inputs


def _build_scoring_inputs(version_id, elements, indicators, rows) -> ScoringInputs:
    types = {"park": {}, "enterprise": {}}
    for code, applies_to, value_type in elements:
        kind = "enterprise" if applies_to == "enterprise" else "park"
        if value_type == "yes_no":
            types[kind][code] = "boolean"
        elif value_type in DataElement.NUMERIC_TYPES:
            types[kind][code] = "number"
    formulas = {
        "enterprise": check_formulas(
            {code: f for code, applies_to, f in indicators if applies_to == "enterprise"},
            element_types=types["enterprise"],
        ),
        "park": check_formulas(
            {code: f for code, applies_to, f in indicators if applies_to != "enterprise"},
            element_types=types["park"],
            tenant_element_types=types["enterprise"],
        ),
    }
    criteria = pd.DataFrame(
        [
            {
                "code": code,
                "category": category,
                "applies_to": applies_to,
                "level": level,
                "rule": rule,
                "operator": operator,
                "threshold": None if threshold is None else float(threshold),
                "lookback_years": lookback_years,
                "weight": float(weight),
                "indicator": indicator,
            }
            for (
                _pk,
                code,
                _category_id,
                category,
                applies_to,
                level,
                rule,
                operator,
                threshold,
                lookback_years,
                weight,
                indicator,
            ) in rows
        ],
        columns=CRITERIA_COLUMNS,
    )
    element_codes = {k: sorted(v) for k, v in types.items()}
    criterion_ids = {r[1]: r[0] for r in rows}
    category_ids = {r[3]: r[2] for r in rows}
    content = {
        "criteria": json.loads(
            criteria.sort_values("code").to_json(orient="values", double_precision=15)
        ),
        "formulas": {
            kind: sorted((code, f.source) for code, f in formulas.get(kind, {}).items())
            for kind in ("park", "enterprise")
        },
        "elements": {k: sorted(v) for k, v in element_codes.items()},
        "criterion_ids": sorted(criterion_ids.items()),
        "category_ids": sorted(category_ids.items()),
    }
    return ScoringInputs(
        criteria=prepare_criteria(criteria),
        formulas=formulas,
        element_codes=element_codes,
        criterion_ids=criterion_ids,
        category_ids=category_ids,
        longest_lookback=max((r[9] for r in rows if r[9]), default=1),
        lookback_codes=frozenset(lookback_elements(criteria, formulas)),
        content=json.dumps(content, sort_keys=True),
    )


# --------------------------------------------------------------------------------------
# The catalogue as screens and the API read it
# --------------------------------------------------------------------------------------


def user_can_maintain_catalogue(user) -> bool:
    """True for ministry staff: an active user with the ministry role (superusers act as
    ministry) or with ``is_staff``. Only they see draft versions, create drafts and publish."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return can(user, Action.MANAGE, FrameworkVersion)


def versions_visible(user) -> QuerySet[FrameworkVersion]:
    """Framework versions the user may read: published and retired ones for every
    authenticated user (the catalogue is public reference data), drafts only for ministry
    staff (:func:`user_can_maintain_catalogue`). Anonymous users see nothing."""
    if not getattr(user, "is_authenticated", False):
        return FrameworkVersion.objects.none()
    qs = FrameworkVersion.objects.select_related("framework")
    if not user_can_maintain_catalogue(user):
        qs = qs.exclude(status=FrameworkVersion.Status.DRAFT)
    return qs


def frameworks_visible(user) -> QuerySet[Framework]:
    """Frameworks with a version the user may read, ordered by code, each with
    ``visible_versions`` prefetched (number order) and annotated ``criteria_count`` on them."""
    versions = versions_visible(user).annotate(criteria_count=Count("criteria")).order_by("number")
    return (
        Framework.objects.filter(versions__in=versions.values("pk"))
        .distinct()
        .order_by("code")
        .prefetch_related(Prefetch("versions", queryset=versions, to_attr="visible_versions"))
    )


def current_version(versions) -> FrameworkVersion | None:
    """The published version among ``versions`` (an iterable), or None. A framework has at
    most one published version: publishing retires the previous one."""
    published = [v for v in versions if v.status == FrameworkVersion.Status.PUBLISHED]
    return max(published, key=lambda v: v.number, default=None)


def version_criteria(version: FrameworkVersion) -> QuerySet[Criterion]:
    """A version's criteria in catalogue order with their category and indicator (1 query)."""
    return (
        Criterion.objects.filter(version=version)
        .select_related("category", "indicator")
        .order_by("category__order", "order", "code")
    )


@dataclass
class CategoryCriteria:
    """One category of a version with its criteria, in order."""

    category: Category
    criteria: list[Criterion]


@dataclass
class VersionCatalogue:
    """Everything the version page shows: ``categories`` (each with its criteria),
    ``data_elements`` (each with ``min_text``/``max_text``, its bounds as text) and
    ``indicators`` in framework order, and the number of criteria."""

    version: FrameworkVersion
    categories: list[CategoryCriteria]
    data_elements: list[DataElement]
    indicators: list[Indicator]
    criteria_count: int


def version_catalogue(version: FrameworkVersion) -> VersionCatalogue:
    """Load a version's categories, criteria, data elements and indicators (4 queries)."""
    criteria = list(version_criteria(version))
    by_category: dict[int, list[Criterion]] = {}
    for c in criteria:
        by_category.setdefault(c.category_id, []).append(c)
    categories = [
        CategoryCriteria(category=cat, criteria=by_category.get(cat.pk, []))
        for cat in Category.objects.filter(version=version).order_by("order", "code")
    ]
    elements = list(DataElement.objects.filter(version=version).order_by("order", "code"))
    for e in elements:  # bounds without trailing zeros, e.g. "100" rather than "100.000000"
        e.min_text = "" if e.min_value is None else f"{e.min_value.normalize():f}"
        e.max_text = "" if e.max_value is None else f"{e.max_value.normalize():f}"
    return VersionCatalogue(
        version=version,
        categories=categories,
        data_elements=elements,
        indicators=list(Indicator.objects.filter(version=version).order_by("code")),
        criteria_count=len(criteria),
    )


# --------------------------------------------------------------------------------------
# Differences between two versions
# --------------------------------------------------------------------------------------

#: Criterion fields compared by :func:`version_diff`, in display order. ``category`` is
#: compared by code, ``indicator`` by code and ``indicator_formula`` by its formula text.
DIFF_CRITERION_FIELDS = [
    *Criterion.WORDING_FIELDS,
    "category",
    "applies_to",
    "level",
    "kind",
    "rule",
    "operator",
    "threshold",
    "threshold_note",
    "lookback_years",
    "unit",
    "weight",
    "indicator",
    "indicator_formula",
    *Criterion.SOURCE_FIELDS,
    "unit_vi",
    "threshold_note_vi",
    "sources",
]

#: Data element fields compared by :func:`version_diff`.
DIFF_ELEMENT_FIELDS = [
    "label_vi",
    "label_en",
    "help_vi",
    "help_en",
    "applies_to",
    "value_type",
    "unit",
    "min_value",
    "max_value",
    "choices",
    "required",
]


@dataclass
class FieldChange:
    """One field that differs: ``field`` (model field name, or ``indicator_formula``),
    ``label`` (translated verbose name), ``old`` and ``new`` values (Decimals for numbers,
    None for "not set")."""

    field: str
    label: str
    old: object
    new: object
    old_text: str = ""
    new_text: str = ""


def _display(model, field: str, value) -> str:
    """A value as the diff page shows it: '' for not set, numbers without trailing zeros,
    choices by their translated label, lists joined with '; '."""
    if value is None or value == "" or value == []:
        return ""
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    if isinstance(value, list | tuple):
        return "; ".join(str(v) for v in value)
    if field not in ("indicator", "indicator_formula", "category"):
        choices = dict(model._meta.get_field(field).flatchoices)
        if value in choices:
            return str(choices[value])
    return str(value)


@dataclass
class RowChange:
    """A criterion (or data element) present in both versions with the fields that differ."""

    code: str
    old: object
    new: object
    fields: list[FieldChange]

    @property
    def field_names(self) -> list[str]:
        """The names of the fields that differ, in display order."""
        return [f.field for f in self.fields]


@dataclass
class VersionDiff:
    """What changed from ``old`` to ``new`` (two versions of one framework, in either order).

    ``added``/``removed``: criteria whose code is only in ``new``/``old``; ``changed``:
    :class:`RowChange` per code in both whose compared fields differ (``DIFF_CRITERION_FIELDS``).
    The same for data elements in ``elements_added``/``elements_removed``/``elements_changed``.
    All lists are sorted by code.
    """

    old: FrameworkVersion
    new: FrameworkVersion
    added: list[Criterion]
    removed: list[Criterion]
    changed: list[RowChange]
    elements_added: list[DataElement]
    elements_removed: list[DataElement]
    elements_changed: list[RowChange]

    @property
    def is_empty(self) -> bool:
        """True when the two versions have the same criteria and data elements."""
        return not (
            self.added
            or self.removed
            or self.changed
            or self.elements_added
            or self.elements_removed
            or self.elements_changed
        )


def _criterion_value(c: Criterion, field: str):
    if field == "category":
        return c.category.code
    if field == "indicator":
        return c.indicator.code if c.indicator else None
    if field == "indicator_formula":
        return c.indicator.formula if c.indicator else None
    value = getattr(c, field)
    return None if value == "" and field == "operator" else value


def _label(model, field: str) -> str:
    if field == "indicator_formula":
        return gettext("indicator formula")
    return str(model._meta.get_field(field).verbose_name)


def _compare(old_rows: dict, new_rows: dict, model, fields, value) -> tuple[list, list, list]:
    added = [new_rows[c] for c in sorted(new_rows.keys() - old_rows.keys())]
    removed = [old_rows[c] for c in sorted(old_rows.keys() - new_rows.keys())]
    changed = []
    for code in sorted(old_rows.keys() & new_rows.keys()):
        a, b = old_rows[code], new_rows[code]
        diffs = [
            FieldChange(
                field=f,
                label=_label(model, f),
                old=value(a, f),
                new=value(b, f),
                old_text=_display(model, f, value(a, f)),
                new_text=_display(model, f, value(b, f)),
            )
            for f in fields
            if value(a, f) != value(b, f)
        ]
        if diffs:
            changed.append(RowChange(code=code, old=a, new=b, fields=diffs))
    return added, removed, changed


def version_diff(*, old: FrameworkVersion, new: FrameworkVersion) -> VersionDiff:
    """List added, removed and changed criteria (by code) and data elements from ``old`` to
    ``new`` (4 queries). Numbers compare by value (``1.000000`` equals ``1``); ordering within
    a category is not a change. Raises ``ValueError`` when the versions belong to different
    frameworks."""
    if old.framework_id != new.framework_id:
        raise ValueError("versions of different frameworks cannot be compared")
    crit = {v.pk: {c.code: c for c in version_criteria(v)} for v in (old, new)}
    elements = {
        v.pk: {e.code: e for e in DataElement.objects.filter(version=v)} for v in (old, new)
    }
    added, removed, changed = _compare(
        crit[old.pk], crit[new.pk], Criterion, DIFF_CRITERION_FIELDS, _criterion_value
    )
    e_added, e_removed, e_changed = _compare(
        elements[old.pk], elements[new.pk], DataElement, DIFF_ELEMENT_FIELDS, getattr
    )
    return VersionDiff(
        old=old,
        new=new,
        added=added,
        removed=removed,
        changed=changed,
        elements_added=e_added,
        elements_removed=e_removed,
        elements_changed=e_changed,
    )
