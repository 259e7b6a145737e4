"""Writes of the survey workflow (HackSoft style: keyword-only, atomic).

Workflow (Decree 35/2022/ND-CP Art. 43 annual reporting: the park reports to the provincial
management board; each eco-enterprise reports to the infrastructure developer and the board)::

    draft ──submit──▶ submitted ──approve──▶ approved (answers locked)
      ▲                  │                       │
      │               return (reason and/or      reopen (board only,
      │               comments per answer)       reason required)
      │                  ▼                       │
      └── respondent ── returned ◀───────────────┘
          edits, then submits again

Who reviews (return / approve), see :func:`surveys.selectors.can_review`:

- an ENTERPRISE response: the park manager of its park, and the board of its province (Art. 43
  names both the developer and the board as recipients of an eco-enterprise's report);
- a PARK response: the board of its province only.

Only the board reopens an approved response (either kind). Ministry staff read everything but
take no workflow step: reports go to the provincial board under Art. 43.

Every step is a :class:`~surveys.models.Transition` (who, when, from, to, why) and bumps
``Response.version``. Every step changes which answers are scored (``SCORED_STATUSES``) or
their standing, so each sends :data:`surveys.signals.scored_answers_changed` inside the
transaction; the read side marks the park's results stale atomically and recomputes after
commit. A step from the wrong status raises ``ValidationError`` with code ``wrong_status``.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from enterprises.models import Enterprise, Park, Province
from enterprises.policy import Action, can, can_respond, restrict
from indicators.models import AppliesTo, DataElement, FrameworkVersion
from indicators.official_forms import official_forms

from .forms import AnswerValue, element_label
from .models import (
    Answer,
    AnswerComment,
    Campaign,
    Extension,
    Origin,
    ProductionLine,
    ReportValue,
    Response,
    Transition,
    parse_reminder_days,
)
from .periods import (
    PeriodState,
    check_period_open,
    days_late,
    format_date,
    response_period,
)
from .selectors import (
    can_open_campaigns,
    can_reopen,
    can_review,
    format_answer,
    format_stored,
    responses_visible,
)
from .signals import scored_answers_changed


@dataclass(frozen=True)
class Conflict:
    """One field on which a stale save differs from what is stored now.

    ``yours`` is what the person sent, ``saved`` the value now stored (display strings, ""
    when blank).
    """

    element: DataElement | None
    yours: str
    saved: str
    #: for a report form field (``element`` None): its ident ``"<form>:<key>"``, its label in
    #: the active language and the HTML id of its row (``indicators.official_forms.Item``)
    item: str = ""
    label: str = ""
    anchor: str = ""

    @property
    def code(self) -> str:
        """The data element's code, or the report field's ident (``"B.4:P3.7"``)."""
        return self.element.code if self.element is not None else self.item


class StaleVersionError(ValidationError):
    """The response was saved by someone else since this person loaded it.

    ``current_version`` is the version now stored; ``conflicts`` lists each field whose sent
    value differs from the value now stored (:class:`Conflict`).
    """

    def __init__(self, current_version: int, conflicts: list[Conflict] | None = None):
        self.current_version = current_version
        self.conflicts = conflicts or []
        super().__init__(
            _(
                "Someone else saved this response while you were editing it (it is now at "
                "version %(version)s). Your changes were not saved."
            )
            % {"version": current_version},
            code="stale_version",
        )


class IncompleteReport(ValidationError):
    """A submission refused because required fields of the official reports are blank:
    ``missing`` lists them (``surveys.reports.Missing``: form, label, anchor) in the forms'
    order; the messages name each one."""

    def __init__(self, missing):
        self.missing = list(missing)
        super().__init__(
            [_("«%(label)s» is required before submitting.") % {"label": m.label} for m in missing],
            code="required",
        )


@dataclass(frozen=True)
class BulkFailure:
    """Why one response of a bulk approval could not be approved."""

    response_id: int
    reason: str


class BulkApproveError(ValidationError):
    """A bulk approval was refused as a whole; ``failures`` says which responses and why."""

    def __init__(self, failures: list[BulkFailure]):
        self.failures = failures
        super().__init__(
            [
                _("Response %(id)s: %(reason)s") % {"id": f.response_id, "reason": f.reason}
                for f in failures
            ],
            code="bulk_refused",
        )


def response_elements(response: Response) -> list[DataElement]:
    """Data elements the respondent of ``response`` answers, in framework order."""
    applies = [AppliesTo.ENTERPRISE] if response.enterprise_id else [AppliesTo.PARK]
    return list(
        DataElement.objects.filter(
            version_id=response.campaign.framework_version_id, applies_to__in=applies
        ).order_by("order", "code")
    )


# --- campaigns ----------------------------------------------------------------------------


def _check_can_open(user, *, scope: str, province: Province | None, parks: list[Park]) -> None:
    """Ministry: any scope. Board: its own province, or chosen parks all in it. Else refused
    (``PermissionDenied`` with the reason); the rules are the permission policy's
    ``manage`` grants of campaigns and parks."""
    if user is None:
        return  # a system call (data load, tests)
    if can(user, Action.MANAGE, Campaign):
        return
    if not can_open_campaigns(user):
        raise PermissionDenied(_("Only ministry staff and provincial boards open campaigns."))
    if scope == Campaign.Scope.ALL or (
        scope == Campaign.Scope.PROVINCE
        and not can(user, Action.MANAGE, Campaign(scope=scope, province=province))
    ):
        raise PermissionDenied(_("A provincial board opens campaigns for its own province only."))
    if scope == Campaign.Scope.PARKS and not all(can(user, Action.MANAGE, p) for p in parks):
        raise PermissionDenied(_("Every chosen park must be in your province."))


@transaction.atomic
def campaign_open(
    *,
    name: str,
    period: int,
    framework_version: FrameworkVersion,
    opens_on: datetime.date,
    closes_on: datetime.date,
    parks: list[Park] | None = None,
    province: Province | None = None,
    reminder_days: str = "30,7",
    report_forms: Sequence[str] = (),
    user=None,
) -> Campaign:
    """Open a campaign and create one response per park in scope and one per enterprise of
    those parks (Decree 35/2022 Art. 43 annual reports).

    Scope: ``province`` given → every park of that province; ``parks`` given → those parks;
    neither → every park. ``reminder_days`` is e.g. ``"30,7"`` (days before ``closes_on``).
    ``user`` None is a system call; otherwise ministry staff may open any scope and a
    provincial board only its own province (or parks all in it): ``PermissionDenied`` else.
    Raises ``ValidationError`` (by field) when the version is not published, the dates are
    reversed, the period is not a year 2000–2100, both or an empty scope are given, or the
    reminder days cannot be read, or ``report_forms`` names a form unknown or not of the
    version's framework (``indicators.official_forms``: A.4, A.5, B.4, B.5 for VN-2022).
    Returns the campaign.
    """
    errors: dict[str, str] = {}
    if framework_version.status != FrameworkVersion.Status.PUBLISHED:
        errors["framework_version"] = _("A campaign must use a published framework version.")
    if closes_on < opens_on:
        errors["closes_on"] = _("The close date is before the open date.")
    if not 2000 <= int(period) <= 2100:
        errors["period"] = _("The period is a year between 2000 and 2100.")
    if not (name or "").strip():
        errors["name"] = _("Give the campaign a name.")
    if parks is not None and province is not None:
        errors["parks"] = _("Choose either a province or parks, not both.")
    elif parks is not None and not parks:
        errors["parks"] = _("Choose at least one park.")
    try:
        parse_reminder_days(reminder_days)
    except ValidationError as exc:
        errors["reminder_days"] = exc.messages[0]
    forms_error = _report_forms_error(report_forms, framework_version)
    if forms_error:
        errors["report_forms"] = forms_error
    if errors:
        raise ValidationError(errors)
    if province is not None:
        scope = Campaign.Scope.PROVINCE
    elif parks is not None:
        scope = Campaign.Scope.PARKS
    else:
        scope = Campaign.Scope.ALL
    _check_can_open(user, scope=scope, province=province, parks=list(parks or []))
    campaign = Campaign.objects.create(
        name=name.strip(),
        period=period,
        framework_version=framework_version,
        scope=scope,
        province=province,
        opens_on=opens_on,
        closes_on=closes_on,
        reminder_days=reminder_days,
        report_forms=[f.code for f in official_forms() if f.code in set(report_forms)],
        created_by=user,
    )
    if scope == Campaign.Scope.PROVINCE:
        park_qs = Park.objects.filter(province=province)
    elif scope == Campaign.Scope.PARKS:
        park_qs = Park.objects.filter(pk__in=[p.pk for p in parks])
        campaign.parks.set(parks)
    else:
        park_qs = Park.objects.all()
    park_ids = list(park_qs.values_list("pk", flat=True))
    Response.objects.bulk_create([Response(campaign=campaign, park_id=pid) for pid in park_ids])
    Response.objects.bulk_create(
        [
            Response(campaign=campaign, park_id=park_id, enterprise_id=ent_id)
            for ent_id, park_id in Enterprise.objects.filter(
                park_id__in=park_ids, is_active=True
            ).values_list("pk", "park_id")
        ]
    )
    return campaign


def _report_forms_error(codes: Sequence[str], version: FrameworkVersion) -> str:
    """Why ``codes`` cannot be the campaign's report forms, or ''."""
    known = {f.code: f for f in official_forms()}
    unknown = [c for c in codes if c not in known]
    if unknown:
        return _("Unknown report forms: %(codes)s.") % {"codes": ", ".join(unknown)}
    framework = version.framework.code
    other = [c for c in codes if known[c].framework != framework]
    if other:
        return _("%(codes)s belong to another framework than %(framework)s.") % {
            "codes": ", ".join(other),
            "framework": framework,
        }
    have = set(DataElement.objects.filter(version=version).values_list("code", flat=True))
    lacking = sorted({e for c in codes for e in known[c].element_codes()} - have)
    if lacking:
        return _("%(version)s lacks the data elements %(codes)s the forms ask.") % {
            "version": version,
            "codes": ", ".join(lacking),
        }
    return ""


def campaign_parks_openable(user):
    """Parks the user may put in a campaign: all (ministry), its province's (board)."""
    return restrict(Park.objects.all(), user, Action.MANAGE)


# --- answers --------------------------------------------------------------------------------


def check_respondent(
    response: Response, user, *, refused: str | None = None, locked: str | None = None
) -> None:
    """The respondent's checks of every channel: who (``PermissionDenied`` with ``refused``),
    the status (code ``locked``, the message ``locked`` with ``%(status)s``) and the reporting
    period (``surveys.periods``: codes ``period_not_open`` / ``period_closed``, the message
    naming the date). ``surveys/evidence.py`` passes its own messages; None: the response's."""
    if not can_respond(user, park_id=response.park_id, enterprise_id=response.enterprise_id):
        raise PermissionDenied(refused or _("Only the respondent may change this response."))
    if not response.is_editable:
        raise ValidationError(
            (locked or _("This response is %(status)s and can no longer be changed."))
            % {"status": response.get_status_display()},
            code="locked",
        )
    check_period_open(response)


def _same(answer: Answer | None, value: AnswerValue) -> bool:
    """True when the stored ``answer`` already holds ``value`` (blank == no answer)."""
    if answer is None:
        return value.is_blank
    return (answer.value_number, answer.value_bool, answer.value_text) == (
        value.number,
        value.flag,
        value.text,
    )


def _conflicts(
    values: Mapping[DataElement, AnswerValue], existing: Mapping[int, Answer]
) -> list[Conflict]:
    conflicts = []
    for element, value in values.items():
        answer = existing.get(element.pk)
        if _same(answer, value):
            continue
        yours, saved = _both_values(value, answer)
        conflicts.append(Conflict(element=element, yours=yours, saved=saved))
    return conflicts


def _report_conflicts(response: Response, values: Mapping[str, AnswerValue]) -> list[Conflict]:
    """The report form fields (``{"<form>:<key>": AnswerValue}``) whose sent value differs
    from the value stored now in ``response``, as :class:`Conflict` with the field's label
    and row anchor (``surveys.reports.find_form_item``)."""
    from .reports import find_form_item

    existing = {v.item: v for v in ReportValue.objects.filter(response=response)}
    language = get_language() or "vi"
    conflicts = []
    for ident, value in values.items():
        stored = existing.get(ident)
        if _same(stored, value):
            continue
        yours, saved = _both_values(value, stored)
        item = find_form_item(response, ident)
        conflicts.append(
            Conflict(
                element=None,
                yours=yours,
                saved=saved,
                item=ident,
                label=f"{item.no} {item.label(language)}".strip() if item else ident,
                anchor=item.anchor if item else "",
            )
        )
    return conflicts


def _both_values(value: AnswerValue, answer) -> tuple[str, str]:
    """``(what was sent, what is stored)`` as display strings ("" when blank); ``answer`` is
    an :class:`Answer` or a ``ReportValue`` (the same value fields) or None."""
    yours = format_answer(
        number=value.number, flag=value.flag, text=value.text, raw=value.raw, unit=value.unit
    )
    return yours, format_stored(answer) if answer is not None else ""


#: the stored value's fields a save compares and writes (Answer and ReportValue)
_VALUE_FIELDS = ("value_number", "value_bool", "value_text", "raw", "unit_entered", "origin")


def _write_values(changes, user) -> int:
    """Write ``changes``, ``(stored or None, make, value, origin)`` each: a blank value
    deletes the stored row, an unchanged one is left alone, any other is written (``make()``
    builds the row when there is none); every change kept in the row's history with
    ``user`` as its author (django-simple-history). Returns how many rows changed."""
    changed = 0
    for stored, make, value, origin in changes:
        if value.is_blank:
            if stored is not None:
                stored._history_user = user
                stored.delete()
                changed += 1
            continue
        new = (value.number, value.flag, value.text, value.raw[:200], value.unit, origin)
        if stored is not None and tuple(getattr(stored, f) for f in _VALUE_FIELDS) == new:
            continue
        stored = stored or make()
        for name, v in zip(_VALUE_FIELDS, new, strict=True):
            setattr(stored, name, v)
        stored.updated_by = user
        stored._history_user = user
        stored.save()
        changed += 1
    return changed


def _store_answers(
    locked: Response, values: Mapping[DataElement, AnswerValue], user, origins: Mapping[str, str]
) -> int:
    """Write ``values`` (element → cleaned value; blank deletes) on the locked response.
    ``origins`` maps element codes to :class:`~surveys.models.Origin` values (default typed).
    Returns how many answers changed."""
    existing = {a.data_element_id: a for a in Answer.objects.filter(response=locked)}
    return _write_values(
        (
            (
                existing.get(element.pk),
                lambda element=element: Answer(response=locked, data_element=element),
                value,
                origins.get(element.code, Origin.TYPED),
            )
            for element, value in values.items()
        ),
        user,
    )


def _lock_for_edit(response: Response, user, expected_version: int, values) -> Response:
    locked = (
        Response.objects.select_for_update(of=("self",))  # the response's row, not its campaign
        .select_related("campaign")
        .get(pk=response.pk)
    )
    check_respondent(locked, user)
    check_version(locked, expected_version, values)
    return locked


def check_version(response: Response, expected_version: int, values) -> None:
    """Raise :class:`StaleVersionError` (the stored version and the ``values``,
    ``{DataElement: AnswerValue}``, that differ from the saved answers) unless
    ``response.version`` is ``expected_version``, the version the person loaded."""
    if response.version != expected_version:
        existing = {a.data_element_id: a for a in Answer.objects.filter(response=response)}
        raise StaleVersionError(response.version, _conflicts(values, existing))


def _bump(locked: Response) -> Response:
    Response.objects.filter(pk=locked.pk).update(
        version=F("version") + 1, updated_at=timezone.now()
    )
    locked.refresh_from_db()
    return locked


@transaction.atomic
def response_save_answers(
    *, response: Response, values: dict[DataElement, AnswerValue], user, expected_version: int
) -> Response:
    """Store the answers of a draft (or returned) response; all or nothing.

    ``values`` maps each element to change to its cleaned value; elements left out are not
    touched; a blank value deletes the answer. ``expected_version`` is the version the person
    loaded: if the stored one differs, nothing is saved and :class:`StaleVersionError` is raised
    with the conflicting fields (no silent overwrite). Raises ``PermissionDenied`` for anyone
    but the respondent and ``ValidationError`` (code ``locked``) when the response is submitted
    or approved, and codes ``period_not_open`` / ``period_closed`` outside the reporting
    period (``surveys.periods``). Every change is kept in the answer's history with ``user``
    as its author. Returns the response at its new version; a save that changes nothing
    (every value equal to the stored one, as an autosave of an untouched form sends) leaves
    the version as it was, so a colleague's next save is not refused over fields they did not
    touch.
    """
    locked = _lock_for_edit(response, user, expected_version, values)
    if not _store_answers(locked, values, user, {}):
        return locked  # nothing changed: the version stays
    return _bump(locked)


@dataclass(frozen=True)
class ProductionRowInput:
    """One row of the production table as cleaned (``surveys.forms_report``)."""

    product: str
    unit: str = ""
    design_capacity: Decimal | None = None
    actual_output: Decimal | None = None
    energy_per_unit: Decimal | None = None
    energy_carrier: str = "electricity"
    revenue_million_vnd: Decimal | None = None


def _store_report_values(
    locked: Response, values: Mapping[str, AnswerValue], origins: Mapping[str, str], user
) -> int:
    existing = {v.item: v for v in ReportValue.objects.filter(response=locked)}
    return _write_values(
        (
            (
                existing.get(ident),
                lambda ident=ident: ReportValue(response=locked, item=ident),
                value,
                origins.get(ident, Origin.TYPED),
            )
            for ident, value in values.items()
        ),
        user,
    )


def _store_production(locked: Response, rows: Sequence[ProductionRowInput], user) -> int:
    existing = list(ProductionLine.objects.filter(response=locked).order_by("position"))
    fields = [f for f in ProductionRowInput.__dataclass_fields__]
    changed = 0
    for position, row in enumerate(rows, start=1):
        current = existing[position - 1] if position <= len(existing) else None
        if current is not None and all(getattr(current, f) == getattr(row, f) for f in fields):
            continue
        line = current or ProductionLine(response=locked, position=position)
        for f in fields:
            setattr(line, f, getattr(row, f))
        line.updated_by = user
        line._history_user = user
        line.save()
        changed += 1
    for line in existing[len(rows) :]:
        line._history_user = user
        line.delete()
        changed += 1
    return changed


def report_recalculate(*, response: Response, user) -> int:
    """Compute every calculation of the response's forms again from what is stored and store
    the results (origin calculated): the server's value is the one kept, whatever the
    browser showed. An overridable calculation (B.4 P3.10, P4.14) keeps a value the person
    typed; otherwise it holds the computed sum. Called inside the saving transaction. Returns
    how many stored results changed."""
    from .reports import form_numbers, report_context

    changed = 0
    ctx = report_context(response, user)
    for form in ctx.forms:
        numbers = form_numbers(form, ctx)
        for item in form.items():
            calc = item.source.calculation
            if calc is None:
                continue
            stored = ctx.values.get(item.ident)
            if calc.overridable:
                if stored is not None and stored.origin == Origin.TYPED:
                    continue
                result = calc.compute(numbers)
            else:
                result = numbers[item.key]
            if result is None:
                if stored is not None:
                    stored._history_user = user
                    stored.delete()
                    changed += 1
                continue
            value = result.normalize() + 0
            if (
                stored is not None
                and stored.value_number == value
                and stored.origin == Origin.CALCULATED
            ):
                continue
            stored = stored or ReportValue(response=response, item=item.ident)
            stored.value_number = value
            stored.value_bool, stored.value_text, stored.unit_entered = None, "", ""
            stored.raw = f"{value:f}"
            stored.origin = Origin.CALCULATED
            stored.updated_by = user
            stored._history_user = user
            stored.save()
            changed += 1
    return changed


def _store_report_parts(locked: Response, user, report, origins, registry, production) -> int:
    """The report fields, Part I (what the registry lacks), the production table, then every
    calculation again: the part a page save and an import share. Returns how many of the
    response's own rows changed (Part I is the registry's, not the response's)."""
    from enterprises.services import project_update

    changed = _store_report_values(locked, report, origins, user)
    if registry:
        project_update(
            user=user,
            park=locked.park,
            enterprise=locked.enterprise,
            values=dict(registry),
            only_blank=True,
        )
    if production is not None:
        changed += _store_production(locked, production, user)
    return changed + report_recalculate(response=locked, user=user)


def response_report_import(
    *,
    response: Response,
    user,
    report: Mapping[str, AnswerValue],
    registry: Mapping[str, object],
    production: Sequence[ProductionRowInput] | None,
) -> int:
    """Write the report part of an Excel import into ``response``, which the caller
    (``surveys.interchange.import_save``) holds locked inside its transaction and has checked
    (editable, same version, the user may import). Registry fields fill what the registry
    lacks (``project_update`` with ``only_blank``: the user must be allowed to change the
    project); calculations are computed again. Values are recorded as typed. Returns how many
    of the response's report rows changed (fields, production rows, calculations)."""
    return _store_report_parts(response, user, report, {}, registry, production)


@transaction.atomic
def response_save_report(
    *,
    response: Response,
    user,
    expected_version: int,
    answers: Mapping[DataElement, AnswerValue] | None = None,
    report: Mapping[str, AnswerValue] | None = None,
    origins: Mapping[str, str] | None = None,
    registry: Mapping[str, object] | None = None,
    production: Sequence[ProductionRowInput] | None = None,
) -> Response:
    """Store a draft (or returned) response with its official reports; all or nothing.

    ``answers``: data elements (as :func:`response_save_answers`); ``report``: report form
    fields by ``"<form>:<key>"`` (blank deletes); ``origins``: element codes or form field
    names → :class:`~surveys.models.Origin` (a value claimed as the registers' that is not the
    registers' figure is recorded as typed); ``registry``: Part I fields the registry lacks
    (``enterprises.services.project_update`` with ``only_blank``; its ``ValidationError`` keyed
    by field); ``production``: the production table's rows in order (None: untouched). Then
    every calculation is computed again on the server (:func:`report_recalculate`).
    Raises :class:`StaleVersionError`, ``PermissionDenied``, ``ValidationError`` as
    :func:`response_save_answers`. Returns the response at its new version.
    """

    from .reports import find_form_item, suggestion_matches

    answers = dict(answers or {})
    report = dict(report or {})
    origins = dict(origins or {})
    try:
        locked = _lock_for_edit(response, user, expected_version, answers)
    except StaleVersionError as exc:
        # the report's own fields conflict too: list them beside the data elements'
        exc.conflicts.extend(_report_conflicts(response, report))
        raise
    claimed = [k for k, v in origins.items() if v == Origin.REGISTERS]
    if claimed:
        from registers.selectors import report_rollups

        rollups = report_rollups(
            period=locked.campaign.period,
            park_id=locked.park_id,
            enterprise_id=locked.enterprise_id,
        )
        by_code = {e.code: v for e, v in answers.items()}
        for key in claimed:
            item = find_form_item(locked, key)
            value = report.get(key) or by_code.get(key)
            rollup = rollups.get(item.source.rollup) if item is not None else None
            if value is None or not suggestion_matches(item, value, rollup):
                origins[key] = Origin.TYPED
    for key, origin in list(origins.items()):
        if origin == Origin.CALCULATED:  # only the server calculates
            origins[key] = Origin.TYPED
    changed = _store_answers(locked, answers, user, origins)
    changed += _store_report_parts(locked, user, report, origins, registry, production)
    if not changed:
        return locked  # nothing changed: the version stays
    return _bump(locked)


# --- workflow steps -------------------------------------------------------------------------


def _lock(response: Response) -> Response:
    return (
        Response.objects.select_for_update(of=("self",))
        .select_related("campaign", "park")
        .get(pk=response.pk)
    )


def _transition(
    response: Response, to_status: str, user, reason: str = "", due_on=None
) -> Transition:
    step = Transition.objects.create(
        response=response,
        from_status=response.status,
        to_status=to_status,
        by=user,
        reason=reason,
        due_on=due_on,
    )
    response.status = to_status
    response.version += 1
    return step


def _announce(response: Response, reason: str) -> None:
    scored_answers_changed.send(
        sender=Response,
        campaign_id=response.campaign_id,
        park_ids=[response.park_id],
        reason=reason,
    )


def _wrong_status(message: str, response: Response) -> ValidationError:
    return ValidationError(message % {"status": response.get_status_display()}, code="wrong_status")


def _check_reviewer(response: Response, user) -> None:
    if not can_review(user, response):
        raise PermissionDenied(
            _(
                "Only the park manager (for its tenants' responses) or the provincial "
                "management board reviews this response."
            )
        )


def _clean_comments(response: Response, comments: Mapping[str, str] | None) -> dict:
    """``{code: text}`` → ``{DataElement: text}``; blank texts dropped; unknown codes refused."""
    if not comments:
        return {}
    elements = {e.code: e for e in response_elements(response)}
    cleaned, unknown = {}, []
    for code, text in comments.items():
        text = (text or "").strip()
        if not text:
            continue
        if code not in elements:
            unknown.append(code)
            continue
        cleaned[elements[code]] = text
    if unknown:
        raise ValidationError(
            {
                "comments": _("Not a question of this response: %(codes)s.")
                % {"codes": ", ".join(sorted(unknown))}
            }
        )
    return cleaned


def _clean_due_on(response: Response, due_on: datetime.date | None) -> dict[str, str]:
    """Errors (by field) of the due date a reviewer sets when returning or reopening
    ``response``: required once the response's own period is over (else the correction
    could never be made), never in the past."""
    today = timezone.localdate()
    period = response_period(response, today)
    if due_on is None:
        if period.state == PeriodState.CLOSED:
            return {
                "due_on": _(
                    "The response was due on %(date)s: set the date by which the correction is due."
                )
                % {"date": format_date(period.due_on)}
            }
        return {}
    if due_on < today:
        return {
            "due_on": _("The due date %(date)s is in the past.") % {"date": format_date(due_on)}
        }
    return {}


def _set_due_on(response: Response, due_on: datetime.date | None) -> None:
    if due_on is not None:
        response.due_on = due_on


@transaction.atomic
def response_submit(*, response: Response, user) -> Response:
    """Submit a draft or returned response for review; its answers then count in the scores.

    A response with official report forms is checked first (``surveys.reports.report_missing``):
    :class:`IncompleteReport` lists every required field left blank, with its anchor, and
    nothing changes (the draft keeps everything). Raises ``ValidationError`` listing each
    required element left blank (by label), when the response is locked, or outside its
    reporting period (``surveys.periods``); ``PermissionDenied`` for anyone but the
    respondent. The first submission records its time and how many days after the campaign's
    close date it came (``days_late``, 0 when on time); a resubmission keeps that record.
    After commit the park's results are recomputed.
    """
    from .reports import report_missing, response_forms

    locked = _lock(response)
    check_respondent(locked, user)
    forms = response_forms(locked)
    if forms:
        incomplete = report_missing(locked, user)
        if incomplete:
            raise IncompleteReport(incomplete)
    in_forms = {code for f in forms for code in f.element_codes()}
    answered = set(Answer.objects.filter(response=locked).values_list("data_element_id", flat=True))
    missing = [
        e
        for e in response_elements(locked)
        if e.required and e.pk not in answered and e.code not in in_forms
    ]
    if missing:
        raise ValidationError(
            [
                _("«%(label)s» is required before submitting.") % {"label": element_label(e)}
                for e in missing
            ],
            code="required",
        )
    _transition(locked, Response.Status.SUBMITTED, user)
    locked.submitted_at = timezone.now()
    locked.submitted_by = user
    fields = ["status", "submitted_at", "submitted_by", "version", "updated_at"]
    if locked.first_submitted_at is None:
        locked.first_submitted_at = locked.submitted_at
        locked.days_late = days_late(
            closes_on=locked.campaign.closes_on, submitted_at=locked.submitted_at
        )
        fields += ["first_submitted_at", "days_late"]
    locked.save(update_fields=fields)
    _announce(locked, "submit")
    return locked


@transaction.atomic
def response_return(
    *,
    response: Response,
    user,
    reason: str = "",
    comments: Mapping[str, str] | None = None,
    due_on: datetime.date | None = None,
) -> Response:
    """Send a submitted response back to its respondent for correction.

    ``reason`` is the general reason; ``comments`` maps data element codes to a comment on
    that answer (stored as :class:`~surveys.models.AnswerComment`). At least one of the two is
    required. ``due_on`` is the date by which the correction is due: it becomes the
    response's own due date (``surveys.periods``) and is required once the response's period
    is over; optional before (the campaign's close date applies). The respondent may then
    edit and submit again. Raises ``PermissionDenied`` for a non-reviewer,
    ``ValidationError`` (code ``wrong_status``) unless submitted, or by field naming the
    missing reason, the missing or past due date, or unknown element codes.
    """
    locked = _lock(response)
    _check_reviewer(locked, user)
    if locked.status != Response.Status.SUBMITTED:
        raise _wrong_status(
            _("Only a submitted response can be returned; this one is %(status)s."), locked
        )
    reason = (reason or "").strip()
    cleaned = _clean_comments(locked, comments)
    errors = _clean_due_on(locked, due_on)
    if not reason and not cleaned:
        errors["reason"] = _("Say why the response is returned, or comment on an answer.")
    if errors:
        raise ValidationError(errors)
    _send_back(locked, user, reason, cleaned, due_on, event="return")
    return locked


def _send_back(locked: Response, user, reason: str, cleaned, due_on, *, event: str) -> None:
    """Return ``locked`` to its respondent (status returned) with ``reason``, the comments
    ``cleaned`` on answers (data element → text) and its own due date ``due_on``; saved and
    announced as ``event`` (``return``, ``reopen``)."""
    step = _transition(locked, Response.Status.RETURNED, user, reason, due_on)
    AnswerComment.objects.bulk_create(
        [
            AnswerComment(response=locked, data_element=e, transition=step, text=t, by=user)
            for e, t in cleaned.items()
        ]
    )
    _set_due_on(locked, due_on)
    locked.save(update_fields=["status", "version", "due_on", "updated_at"])
    _announce(locked, event)


def _approve_locked(locked: Response, user) -> None:
    _transition(locked, Response.Status.APPROVED, user)
    locked.save(update_fields=["status", "version", "updated_at"])
    _announce(locked, "approve")


@transaction.atomic
def response_approve(*, response: Response, user) -> Response:
    """Approve a submitted response; its answers are then locked (no save is accepted).

    Raises ``PermissionDenied`` for a non-reviewer and ``ValidationError`` (code
    ``wrong_status``) unless the response is submitted.
    """
    locked = _lock(response)
    _check_reviewer(locked, user)
    if locked.status != Response.Status.SUBMITTED:
        raise _wrong_status(
            _("Only a submitted response can be approved; this one is %(status)s."), locked
        )
    _approve_locked(locked, user)
    return locked


@transaction.atomic
def response_reopen(
    *,
    response: Response,
    user,
    reason: str,
    comments: Mapping[str, str] | None = None,
    due_on: datetime.date | None = None,
) -> Response:
    """Reopen an approved response: it goes back to the respondent as returned.

    Only the board of the response's province may (``PermissionDenied`` otherwise); the
    ``reason`` is mandatory (``ValidationError`` on ``reason``); ``comments`` and ``due_on``
    as in :func:`response_return`. ``ValidationError`` (code ``wrong_status``) unless
    approved.
    """
    locked = _lock(response)
    if not can_reopen(user, locked):
        raise PermissionDenied(_("Only the provincial management board reopens a response."))
    if locked.status != Response.Status.APPROVED:
        raise _wrong_status(
            _("Only an approved response can be reopened; this one is %(status)s."), locked
        )
    reason = (reason or "").strip()
    errors = _clean_due_on(locked, due_on)
    if not reason:
        errors["reason"] = _("A reason is required to reopen a response.")
    if errors:
        raise ValidationError(errors)
    cleaned = _clean_comments(locked, comments)
    _send_back(locked, user, reason, cleaned, due_on, event="reopen")
    return locked


@transaction.atomic
def response_extend(*, response: Response, user, until: datetime.date, reason: str) -> Extension:
    """Grant ``response`` a later due date: its respondent may change and submit it until
    ``until`` (included), and the reminders follow the new date (``surveys.periods``,
    ``surveys.reminders``).

    Who: the provincial management board of the response's province or the ministry (the
    permission policy's ``extend`` action; ``PermissionDenied`` otherwise). The response must
    still be with its respondent (draft or returned: ``ValidationError`` code
    ``wrong_status``); ``until`` must be after the campaign's close date and not in the past,
    and ``reason`` is required (``ValidationError`` by field ``until`` / ``reason``). The grant
    (who, when, until, why) is kept as an :class:`~surveys.models.Extension`; a later grant
    replaces the date. Returns the extension.
    """
    locked = _lock(response)
    if not can(user, Action.EXTEND, locked):
        raise PermissionDenied(
            _(
                "Only the provincial management board of the response's province or the "
                "ministry grants an extension."
            )
        )
    if not locked.is_editable:
        raise _wrong_status(
            _("This response is %(status)s: only a response not yet submitted is extended."),
            locked,
        )
    errors: dict[str, str] = {}
    today = timezone.localdate()
    closes_on = locked.campaign.closes_on
    if until is None:
        errors["until"] = _("Give the new due date.")
    elif until <= closes_on:
        errors["until"] = _(
            "The new due date must be after the campaign's close date, %(date)s."
        ) % {"date": format_date(closes_on)}
    elif until < today:
        errors["until"] = _("The due date %(date)s is in the past.") % {"date": format_date(until)}
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = _("Say why the extension is granted.")
    if errors:
        raise ValidationError(errors)
    extension = Extension.objects.create(
        response=locked, until=until, reason=reason, granted_by=user
    )
    locked.due_on = until
    locked.save(update_fields=["due_on", "updated_at"])
    return extension


@transaction.atomic
def response_bulk_approve(*, response_ids: Sequence[int], user) -> list[Response]:
    """Approve several submitted responses at once: all or nothing.

    Each id is checked: in the user's scope (else "not found", whether or not it exists),
    reviewable by the user, and submitted. If any fails, nothing is approved and
    :class:`BulkApproveError` lists every failure with its reason. Returns the approved
    responses in the order given. One ``scored_answers_changed`` per campaign (all its parks).
    """
    ids = list(dict.fromkeys(int(i) for i in response_ids))
    if not ids:
        raise ValidationError(_("Choose at least one response to approve."), code="empty")
    visible = set(responses_visible(user).filter(pk__in=ids).values_list("pk", flat=True))
    locked = {
        r.pk: r
        for r in Response.objects.select_for_update(of=("self",))
        .select_related("campaign", "park", "enterprise")
        .filter(pk__in=visible)
    }
    failures = []
    for pk in ids:
        r = locked.get(pk)
        if r is None:
            failures.append(BulkFailure(pk, _("not found")))
        elif not can_review(user, r):
            failures.append(BulkFailure(pk, _("you do not review this response")))
        elif r.status != Response.Status.SUBMITTED:
            failures.append(
                BulkFailure(
                    pk,
                    _("it is %(status)s, only submitted responses are approved")
                    % {"status": r.get_status_display()},
                )
            )
    if failures:
        raise BulkApproveError(failures)
    parks_by_campaign: dict[int, set[int]] = defaultdict(set)
    for pk in ids:
        r = locked[pk]
        _transition(r, Response.Status.APPROVED, user)
        r.save(update_fields=["status", "version", "updated_at"])
        parks_by_campaign[r.campaign_id].add(r.park_id)
    for campaign_id, park_ids in parks_by_campaign.items():
        scored_answers_changed.send(
            sender=Response,
            campaign_id=campaign_id,
            park_ids=sorted(park_ids),
            reason="approve",
        )
    return [locked[pk] for pk in ids]
