"""Writes of the registers (HackSoft style: keyword-only ``noun_verb`` functions, each
``@transaction.atomic``, all or nothing): RECP measures, symbiosis exchanges and their
participants, ISO certificates, streams, roadmap actions.

Who may write is asked of the permission policy (:mod:`enterprises.policy`): an enterprise
and its park manager keep the enterprise's measures, certificates and streams; an exchange
is kept by the park manager or a tenant taking part; a park-level roadmap action by the park
manager, an enterprise's by it or its park manager. Every entry carries a ``version``: an
update naming another version is refused (``ValidationError`` with code ``stale_version``).
A change that can move a criterion is announced (:data:`registers.signals.
register_entries_changed`, inside the transaction); the read side marks the parks' results
stale and recomputes them after commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from enterprises.models import Enterprise, Park
from enterprises.policy import Action, can, nameable_parks, own_enterprise_ids, works_in_park
from indicators import units
from indicators.emissions import co2e_of_electricity
from indicators.models import Criterion

from .models import (
    ISOCertificate,
    RECPMeasure,
    RoadmapAction,
    Stream,
    SymbiosisExchange,
    SymbiosisParticipant,
    SymbiosisSaving,
)
from .selectors import participant_choices
from .signals import register_entries_changed

#: dimensions a physical saving or a flow may be measured in (canonical units kWh, m³, t)
FLOW_DIMENSIONS = ("energy", "volume", "mass")


def parks_announce(park_ids) -> None:
    """Tell the read side, inside the transaction, that register-derived values of these
    parks may have changed (:data:`registers.signals.register_entries_changed`)."""
    park_ids = sorted({p for p in park_ids if p})
    if park_ids:
        register_entries_changed.send(sender=RECPMeasure, park_ids=park_ids)


def _may_keep(user, entry) -> None:
    """Raise ``PermissionDenied`` unless ``user`` may change ``entry`` (saved, or a probe
    such as ``RECPMeasure(enterprise=e)``) under the permission policy."""
    if not can(user, Action.CHANGE, entry):
        raise PermissionDenied(_("Only the enterprise or its park manager may change this."))


def _may_change(user, entry) -> None:
    """Raise ``PermissionDenied`` (no message) unless ``user`` may change ``entry``."""
    if not can(user, Action.CHANGE, entry):
        raise PermissionDenied


def _deleted(user, entry, *, announce: bool = False) -> None:
    """Delete ``entry`` of an enterprise or a park's roadmap if ``user`` may keep it
    (:func:`_may_keep`); with ``announce``, tell the read side about its enterprise's park."""
    _may_keep(user, entry)
    park_id = entry.enterprise.park_id if announce else None
    entry.delete()
    parks_announce([park_id])


def _check_version(current: int, expected: int | None) -> None:
    if expected is not None and int(expected) != current:
        raise ValidationError(
            _(
                "Someone else changed this record while you were editing it (it is now at "
                "version %(version)s). Your changes were not saved; reload to see theirs."
            )
            % {"version": current},
            code="stale_version",
        )


def _locked(entry, expected_version: int | None, *, check=None, **parents):
    """``entry`` read again and locked for the transaction (``select_for_update``), its version
    raised by one for the save to come (no save). Before the version is compared with
    ``expected_version`` (:func:`_check_version`: ``ValidationError`` ``stale_version``), the
    locked entry must still belong to each of ``parents`` (``enterprise=e``: its
    ``enterprise_id`` is ``e.pk``; else ``PermissionDenied``) and pass ``check(locked)``
    (which raises ``PermissionDenied``)."""
    locked = type(entry).objects.select_for_update().get(pk=entry.pk)
    if any(getattr(locked, f"{name}_id") != parent.pk for name, parent in parents.items()):
        raise PermissionDenied
    if check is not None:
        check(locked)
    _check_version(locked.version, expected_version)
    locked.version += 1
    return locked


def _saved(entry, user, park_ids=()):
    """Save ``entry`` as last changed by ``user``, announce ``park_ids``
    (:func:`parks_announce`) and return it."""
    entry.updated_by = user
    entry.save()
    parks_announce(park_ids)
    return entry


def _year(value, errors: dict):
    """``value`` as a year of 1990–2100 (the models' check constraints); otherwise the error
    is put in ``errors["year"]`` and ``value`` returned as it came."""
    try:
        year = int(value)
        if not 1990 <= year <= 2100:
            raise ValueError
    except (TypeError, ValueError):
        errors["year"] = _("Give the year as four digits, 1990–2100.")
        return value
    return year


def _decimal(value, *, field_name: str) -> Decimal:
    """``value`` (a Decimal, number or text) as a finite Decimal; ``ValidationError`` keyed
    by ``field_name`` otherwise."""
    if not isinstance(value, Decimal):
        try:
            value = Decimal(str(value))
        except ArithmeticError:
            raise ValidationError({field_name: _("Not a number.")}) from None
    if not value.is_finite():
        raise ValidationError({field_name: _("Not a number.")})
    return value


#: Largest stored quantity or amount (canonical unit): see surveys.forms.ANSWER_LIMIT.
QUANTITY_LIMIT = Decimal(10) ** 15


def _quantity(
    value, unit: str, *, field_name: str, dimensions=FLOW_DIMENSIONS, allow_count=False
) -> tuple[Decimal | None, str]:
    """Convert a typed quantity to its canonical unit; ``(None, '')`` when blank."""
    if value is None or value == "":
        return None, ""
    value = _decimal(value, field_name=field_name)
    if value < 0:
        raise ValidationError({field_name: _("The quantity cannot be negative.")})
    too_large = ValidationError({field_name: _("The quantity is too large to be plausible.")})
    if value >= QUANTITY_LIMIT:
        raise too_large
    unit = (unit or "").strip()
    if unit == "" and allow_count:
        return value, ""
    try:
        dimension = units.dimension_of(unit)
        if dimension not in dimensions:
            raise units.UnitError(
                "wrong_dimension",
                _("“%(unit)s” is not a unit of energy, volume or mass.") % {"unit": unit},
            )
        canonical, symbol = units.to_canonical(value, unit)
        if canonical >= QUANTITY_LIMIT:  # e.g. GWh typed, kWh stored
            raise too_large
    except units.UnitError as exc:
        raise ValidationError({field_name: exc.message}) from None
    return canonical, symbol


def _money(value, *, field_name: str) -> Decimal | None:
    if value is None or value == "":
        return None
    value = _decimal(value, field_name=field_name)
    if value < 0:
        raise ValidationError({field_name: _("An amount of money cannot be negative.")})
    if value >= QUANTITY_LIMIT:
        raise ValidationError({field_name: _("The amount is too large to be plausible.")})
    return value.quantize(Decimal(1))


MEASURE_FIELDS = (
    "area",
    "title",
    "description",
    "status",
    "year",
    "investment_vnd",
    "saving_value",
    "saving_unit",
    "energy_carrier",
    "fuel",
    "saving_money_vnd",
    "is_demo",
)


def measure_apply(*, measure: RECPMeasure, data: dict) -> RECPMeasure:
    """Set ``measure``'s fields from ``data`` (keys of :data:`MEASURE_FIELDS`; ``saving_value``
    with ``saving_unit`` as typed, e.g. 12 "MWh") and compute the canonical saving and the
    CO2e; no save. Raises ``ValidationError`` keyed by field. Pure apart from reading the
    emission factor."""
    errors = {}
    area = data.get("area", measure.area)
    if area not in RECPMeasure.Area.values:
        errors["area"] = _(
            "Choose an area: energy, water, wastewater, materials, chemicals, waste reduced "
            "through reuse or through recycling, or other waste."
        )
    status = data.get("status", measure.status) or RECPMeasure.Status.IDENTIFIED
    if status not in RECPMeasure.Status.values:
        errors["status"] = _("Choose a status: identified, implemented or verified.")
    title = (data.get("title", measure.title) or "").strip()
    if not title:
        errors["title"] = _("Describe the measure in a few words.")
    year = _year(data.get("year", measure.year), errors)
    carrier = data.get("energy_carrier", measure.energy_carrier) or ""
    if carrier not in RECPMeasure.Carrier.values:
        errors["energy_carrier"] = _("Choose grid electricity or fuel/heat.")
    typed = "saving_value" in data or "saving_unit" in data
    raw_value = data.get("saving_value", measure.saving_value)
    raw_unit = data.get("saving_unit", measure.saving_unit)
    value, unit = None, ""
    try:
        value, unit = _quantity(raw_value, raw_unit, field_name="saving_value")
    except ValidationError as exc:
        errors.update(exc.message_dict)
    for name in ("investment_vnd", "saving_money_vnd"):
        try:
            data_value = data.get(name, getattr(measure, name))
            setattr(measure, name, _money(data_value, field_name=name))
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if unit == "kWh" and not carrier:
        errors["energy_carrier"] = _(
            "Say whether the energy saved is grid electricity or fuel/heat: only grid "
            "electricity has an official emission factor."
        )
    if errors:
        raise ValidationError(errors)
    measure.area = area
    measure.status = status
    measure.title = title[:200]
    measure.description = (data.get("description", measure.description) or "").strip()
    measure.year = year
    measure.energy_carrier = carrier if unit == "kWh" else ""
    fuel = (data.get("fuel", measure.fuel) or "").strip()[:100]
    measure.fuel = "" if area != "energy" or measure.energy_carrier == "electricity" else fuel
    measure.saving_value = value
    measure.saving_unit = unit
    if typed:
        measure.saving_value_entered = "" if raw_value in (None, "") else str(raw_value)[:60]
        measure.saving_unit_entered = (raw_unit or "")[:10] if value is not None else ""
    measure.is_demo = bool(data.get("is_demo", measure.is_demo))
    measure.ghg_reduction_tco2e, measure.emission_factor, measure.ghg_note = None, None, ""
    if unit == "kWh" and carrier == RECPMeasure.Carrier.ELECTRICITY:
        result = co2e_of_electricity(value, year)
        measure.ghg_reduction_tco2e = result.tco2e
        measure.emission_factor = result.factor
        measure.ghg_note = result.note[:200]
    elif unit == "kWh":
        measure.ghg_note = _("no emission factor for fuel or heat in ecopark")
    return measure


@transaction.atomic
def measure_save(
    *,
    user,
    enterprise: Enterprise,
    data: dict,
    measure: RECPMeasure | None = None,
    expected_version: int | None = None,
) -> RECPMeasure:
    """Create (``measure`` None) or update a RECP measure of ``enterprise``; all or nothing.

    Raises ``PermissionDenied`` unless the user is the enterprise or its park manager;
    ``ValidationError`` keyed by field (units via ``indicators.units``), or with code
    ``stale_version`` when ``expected_version`` is not the stored one. Marks the park's
    results stale (recomputed after commit).
    """
    _may_keep(user, RECPMeasure(enterprise=enterprise))
    if measure is not None:
        measure = _locked(measure, expected_version, enterprise=enterprise)
    else:
        measure = RECPMeasure(enterprise=enterprise)
    measure_apply(measure=measure, data=data)
    return _saved(measure, user, [enterprise.park_id])


@transaction.atomic
def measure_delete(*, user, measure: RECPMeasure) -> None:
    """Delete a measure (same permission as :func:`measure_save`)."""
    _deleted(user, measure, announce=True)


@dataclass
class ParticipantSpec:
    """A participant to set on an exchange: ``kind`` enterprise/developer/outside, ``role``
    provides/receives/shares, and ``enterprise`` / ``park`` / ``name`` as the kind needs."""

    kind: str
    role: str = "shares"
    enterprise: Enterprise | None = None
    park: Park | None = None
    name: str = ""


EXCHANGE_FIELDS = (
    "kind",
    "title",
    "flow",
    "quantity_per_year",
    "unit",
    "status",
    "started_on",
    "ended_on",
    "is_demo",
)


@transaction.atomic
def exchange_save(
    *,
    user,
    park: Park,
    data: dict,
    participants: list[ParticipantSpec],
    exchange: SymbiosisExchange | None = None,
    expected_version: int | None = None,
) -> SymbiosisExchange:
    """Create or update a symbiosis exchange of ``park`` with its participants; all or nothing.

    ``data``: keys of :data:`EXCHANGE_FIELDS` (``quantity_per_year`` with ``unit`` as typed;
    energy, volume or mass, or no unit for a count). At least two participants; enterprise
    participants must be tenants of the park or in the user's scope, a developer participant
    the developer of the park or of a park in the user's scope
    (:func:`enterprises.policy.nameable_parks`). The user must be the
    park manager of ``park`` or a tenant that takes part (and stays a participant).
    Raises ``PermissionDenied`` / ``ValidationError`` (keyed by field; ``participants``;
    ``stale_version``). Marks the parks concerned stale.
    """
    if not can(user, Action.MANAGE, SymbiosisExchange(park=park)):
        raise PermissionDenied(_("Only the park manager or a taking-part tenant may do this."))
    if exchange is not None:
        exchange = _locked(exchange, expected_version, check=lambda x: _may_change(user, x))
        old_parks = set(
            exchange.participants.filter(enterprise__isnull=False).values_list(
                "enterprise__park_id", flat=True
            )
        )
        existing_ids = set(
            exchange.participants.filter(enterprise__isnull=False).values_list(
                "enterprise_id", flat=True
            )
        )
        existing_parks = set(
            exchange.participants.filter(park__isnull=False).values_list("park_id", flat=True)
        )
    else:
        exchange = SymbiosisExchange(park=park)
        old_parks, existing_ids, existing_parks = set(), set(), set()
    # a tenant, who may not change every exchange of the park as its manager may, must stay
    # among the participants
    manages = can(user, Action.CHANGE, SymbiosisExchange(park=park))
    own_enterprises = set() if manages else set(own_enterprise_ids(user))
    errors: dict[str, list[str] | str] = {}
    kind = data.get("kind", exchange.kind)
    if kind not in SymbiosisExchange.Kind.values:
        errors["kind"] = _("Choose one of the kinds of Circular 05/2025 Art. 2(1).")
    status = data.get("status", exchange.status) or SymbiosisExchange.Status.PROPOSED
    if status not in SymbiosisExchange.Status.values:
        errors["status"] = _("Choose proposed, under study, operating or ended.")
    title = (data.get("title", exchange.title) or "").strip()
    if not title:
        errors["title"] = _("Name the exchange.")
    started = data.get("started_on", exchange.started_on)
    ended = data.get("ended_on", exchange.ended_on)
    if status in ("operating", "ended") and not started:
        errors["started_on"] = _("An operating or ended exchange needs its start date.")
    if status == "ended" and not ended:
        errors["ended_on"] = _("An ended exchange needs its end date.")
    if started and ended and ended < started:
        errors["ended_on"] = _("The end date is before the start date.")
    typed = "quantity_per_year" in data or "unit" in data
    raw_q = data.get("quantity_per_year", exchange.quantity_per_year)
    raw_unit = data.get("unit", exchange.unit)
    qty, unit = None, ""
    try:
        qty, unit = _quantity(
            raw_q,
            raw_unit,
            field_name="quantity_per_year",
            dimensions=(*FLOW_DIMENSIONS,),
            allow_count=True,
        )
    except ValidationError as exc:
        errors.update(exc.message_dict)
    allowed = set(participant_choices(user, park).values_list("pk", flat=True)) | existing_ids
    developers = set(nameable_parks(user, park).values_list("pk", flat=True)) | existing_parks
    seen: set[int] = set()
    problems = []
    for p in participants:
        if p.kind == "enterprise":
            if p.enterprise is None or p.enterprise.pk not in allowed:
                problems.append(_("An enterprise participant is not one you may name."))
            elif p.enterprise.pk in seen:
                problems.append(_("%(name)s is named twice.") % {"name": p.enterprise.name})
            else:
                seen.add(p.enterprise.pk)
        elif p.kind == "developer":
            if p.park is None:
                problems.append(_("Say which park's developer takes part."))
            elif p.park.pk not in developers:
                problems.append(_("You may not name the infrastructure developer of this park."))
        elif p.kind == "outside":
            if not p.name.strip():
                problems.append(_("Give the name of the outside party."))
        else:
            problems.append(_("Unknown kind of participant."))
        if p.role not in SymbiosisParticipant.Part.values:
            problems.append(_("Unknown role of a participant."))
    if len(participants) < 2:
        problems.append(_("An exchange needs at least two participants."))
    if own_enterprises and not own_enterprises & set(seen):
        problems.append(_("Your enterprise must remain a participant."))
    if problems:
        errors["participants"] = problems
    if errors:
        raise ValidationError(errors)
    exchange.kind = kind
    exchange.status = status
    exchange.title = title[:200]
    exchange.flow = (data.get("flow", exchange.flow) or "").strip()[:300]
    exchange.quantity_per_year = qty
    exchange.unit = unit
    if typed:
        exchange.quantity_entered = "" if qty is None else f"{raw_q} {raw_unit or ''}".strip()[:80]
    exchange.started_on = started or None
    exchange.ended_on = ended or None
    exchange.is_demo = bool(data.get("is_demo", exchange.is_demo))
    exchange.updated_by = user
    exchange.save()
    exchange.participants.all().delete()
    SymbiosisParticipant.objects.bulk_create(
        [
            SymbiosisParticipant(
                exchange=exchange,
                kind=p.kind,
                role=p.role,
                enterprise=p.enterprise if p.kind == "enterprise" else None,
                park=p.park if p.kind == "developer" else None,
                name=p.name.strip()[:200] if p.kind == "outside" else "",
            )
            for p in participants
        ]
    )
    new_parks = {p.enterprise.park_id for p in participants if p.enterprise is not None}
    parks_announce({park.pk} | old_parks | new_parks)
    return exchange


@transaction.atomic
def exchange_delete(*, user, exchange: SymbiosisExchange) -> None:
    """Delete an exchange (the park manager, or a participating tenant)."""
    _may_change(user, exchange)
    parks = {exchange.park_id} | set(
        exchange.participants.filter(enterprise__isnull=False).values_list(
            "enterprise__park_id", flat=True
        )
    )
    exchange.delete()
    parks_announce(parks)


@transaction.atomic
def exchange_propose_from_candidate(*, user, output: Stream, need: Stream) -> SymbiosisExchange:
    """Turn a matching candidate into a *proposed* exchange of the manager's park: the output's
    enterprise provides, the need's enterprise receives; kind from the category group; the
    quantity is the smaller of the two when their units agree. Only the park manager of one
    of the two parks; refuses a pair that already has an exchange not ended (``ValidationError``).
    """
    park = next(
        (
            p
            for p in (output.enterprise.park, need.enterprise.park)
            if can(user, Action.PROPOSE, SymbiosisExchange(park=p))
        ),
        None,
    )
    if park is None:
        raise PermissionDenied(_("Only the park manager may propose an exchange."))
    if output.direction != "output" or need.direction != "input":
        raise ValidationError(_("Pair an output stream with an input need."))
    if (
        SymbiosisExchange.objects.exclude(status="ended")
        .filter(source_output=output, source_input=need)
        .exists()
    ):
        raise ValidationError(_("This pair is already an exchange."), code="duplicate")
    group = Stream.GROUPS[output.category]
    kind = group if group in SymbiosisExchange.Kind.values else "material"
    qty = None
    if output.quantity_per_year is not None and need.quantity_per_year is not None:
        if output.unit == need.unit:
            qty = min(output.quantity_per_year, need.quantity_per_year)
    elif output.quantity_per_year is not None:
        qty = output.quantity_per_year
    exchange = SymbiosisExchange.objects.create(
        park=park,
        kind=kind,
        title=f"{output.get_category_display()}: {output.enterprise.name} → {need.enterprise.name}"[
            :200
        ],
        flow=(output.description or output.get_category_display())[:300],
        quantity_per_year=qty,
        unit=output.unit if qty is not None else "",
        quantity_entered=f"{qty.normalize():f} {output.unit}" if qty is not None else "",
        status=SymbiosisExchange.Status.PROPOSED,
        source_output=output,
        source_input=need,
        updated_by=user,
    )
    SymbiosisParticipant.objects.bulk_create(
        [
            SymbiosisParticipant(
                exchange=exchange, kind="enterprise", role="provides", enterprise=output.enterprise
            ),
            SymbiosisParticipant(
                exchange=exchange, kind="enterprise", role="receives", enterprise=need.enterprise
            ),
        ]
    )
    return exchange


CERTIFICATE_FIELDS = ("standard", "other_standard", "number", "issuer", "issued_on", "expires_on")


@transaction.atomic
def certificate_save(
    *,
    user,
    enterprise: Enterprise,
    data: dict,
    certificate: ISOCertificate | None = None,
    expected_version: int | None = None,
) -> ISOCertificate:
    """Create or update an ISO certificate of ``enterprise`` (keys
    :data:`CERTIFICATE_FIELDS`, dates as ``datetime.date``). Same permission as measures.
    Raises ``PermissionDenied`` / ``ValidationError`` keyed by field / ``stale_version``."""
    _may_keep(user, ISOCertificate(enterprise=enterprise))
    if certificate is not None:
        certificate = _locked(certificate, expected_version)
    else:
        certificate = ISOCertificate(enterprise=enterprise)
    errors = {}
    standard = data.get("standard", certificate.standard)
    if standard not in ISOCertificate.Standard.values:
        errors["standard"] = _("Choose the standard.")
    other = (data.get("other_standard", certificate.other_standard) or "").strip()
    if standard == "other" and not other:
        errors["other_standard"] = _("Name the other standard, e.g. ISO 22000.")
    issued = data.get("issued_on", certificate.issued_on)
    expires = data.get("expires_on", certificate.expires_on)
    if not expires:
        errors["expires_on"] = _("Give the expiry date.")
    elif issued and expires < issued:
        errors["expires_on"] = _("The expiry date is before the issue date.")
    if errors:
        raise ValidationError(errors)
    certificate.standard = standard
    certificate.other_standard = other if standard == "other" else ""
    certificate.number = (data.get("number", certificate.number) or "").strip()[:100]
    certificate.issuer = (data.get("issuer", certificate.issuer) or "").strip()[:200]
    certificate.issued_on = issued or None
    certificate.expires_on = expires
    certificate.is_demo = bool(data.get("is_demo", certificate.is_demo))
    return _saved(certificate, user, [enterprise.park_id])


@transaction.atomic
def certificate_delete(*, user, certificate: ISOCertificate) -> None:
    """Delete a certificate (the enterprise or its park manager)."""
    _deleted(user, certificate, announce=True)


STREAM_FIELDS = (
    "direction",
    "category",
    "description",
    "quantity_per_year",
    "unit",
    "active",
    "offered",
)


@transaction.atomic
def stream_save(
    *,
    user,
    enterprise: Enterprise,
    data: dict,
    stream: Stream | None = None,
    expected_version: int | None = None,
) -> Stream:
    """Create or update a stream of ``enterprise`` (keys :data:`STREAM_FIELDS`; quantity with
    its unit as typed, energy/volume/mass). Same permission as measures. Raises
    ``PermissionDenied`` / ``ValidationError`` keyed by field / ``stale_version``."""
    _may_keep(user, Stream(enterprise=enterprise))
    if stream is not None:
        stream = _locked(stream, expected_version)
    else:
        stream = Stream(enterprise=enterprise)
    errors = {}
    direction = data.get("direction", stream.direction)
    if direction not in Stream.Direction.values:
        errors["direction"] = _("Choose output (offered) or input (needed).")
    category = data.get("category", stream.category)
    if category not in Stream.Category.values:
        errors["category"] = _("Choose a category.")
    qty, unit = None, ""
    typed = "quantity_per_year" in data or "unit" in data
    raw_q = data.get("quantity_per_year", stream.quantity_per_year)
    raw_unit = data.get("unit", stream.unit)
    try:
        qty, unit = _quantity(raw_q, raw_unit, field_name="quantity_per_year")
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    stream.direction = direction
    stream.category = category
    stream.description = (data.get("description", stream.description) or "").strip()[:300]
    stream.quantity_per_year = qty
    stream.unit = unit
    if typed:
        stream.quantity_entered = "" if qty is None else f"{raw_q} {raw_unit}".strip()[:80]
    stream.active = bool(data.get("active", stream.active if stream.pk else True))
    stream.offered = bool(data.get("offered", stream.offered))
    stream.is_demo = bool(data.get("is_demo", stream.is_demo))
    return _saved(stream, user)


@transaction.atomic
def stream_delete(*, user, stream: Stream) -> None:
    """Delete a stream (the enterprise or its park manager)."""
    _deleted(user, stream)


ACTION_FIELDS = ("title", "owner_name", "target_date", "expected_effect", "status")


@transaction.atomic
def action_save(
    *,
    user,
    park: Park,
    criterion: Criterion,
    data: dict,
    enterprise: Enterprise | None = None,
    owner=None,
    action: RoadmapAction | None = None,
    expected_version: int | None = None,
) -> RoadmapAction:
    """Create or update a roadmap action on ``criterion`` for ``park`` (``enterprise`` None)
    or one of its enterprises. ``owner``: a user in scope of that park (or None, then
    ``owner_name``). The criterion must apply to that kind of subject. Raises
    ``PermissionDenied`` / ``ValidationError`` keyed by field / ``stale_version``."""
    if enterprise is not None and enterprise.park_id != park.pk:
        raise ValidationError({"enterprise": _("The enterprise is not a tenant of this park.")})
    _may_keep(user, RoadmapAction(park=park, enterprise=enterprise))
    if action is not None:
        action = _locked(action, expected_version, check=lambda a: _may_keep(user, a))
    else:
        action = RoadmapAction(park=park, enterprise=enterprise)
    errors = {}
    wanted = ["enterprise"] if enterprise is not None else ["park", "park_new"]
    if criterion.applies_to not in wanted:
        errors["criterion"] = _("This criterion does not apply to this subject.")
    title = (data.get("title", action.title) or "").strip()
    if not title:
        errors["title"] = _("Describe the action.")
    target = data.get("target_date", action.target_date)
    if not target:
        errors["target_date"] = _("Give the target date.")
    status = data.get("status", action.status) or RoadmapAction.Status.PLANNED
    if status not in RoadmapAction.Status.values:
        errors["status"] = _("Choose a status.")
    if owner is not None:
        if not works_in_park(owner, park):
            errors["owner"] = _("The owner must be a user of this park or of its tenants.")
    if errors:
        raise ValidationError(errors)
    if action.target_date != target:
        action.overdue_notified_for = None
    action.criterion = criterion
    action.enterprise = enterprise
    action.title = title[:200]
    action.owner = owner
    action.owner_name = (data.get("owner_name", action.owner_name) or "").strip()[:200]
    action.target_date = target
    action.expected_effect = (data.get("expected_effect", action.expected_effect) or "").strip()
    action.status = status
    action.is_demo = bool(data.get("is_demo", action.is_demo))
    return _saved(action, user)


@transaction.atomic
def action_delete(*, user, action: RoadmapAction) -> None:
    """Delete a roadmap action (same permission as :func:`action_save`)."""
    _deleted(user, action)


# --- yearly savings of symbiosis exchanges --------------------------------------------------

SAVING_FIELDS = (
    "year",
    "carrier",
    "fuel",
    "quantity",
    "unit",
    "money_vnd",
    "tco2e",
    "is_demo",
)


def saving_apply(*, saving: SymbiosisSaving, data: dict) -> SymbiosisSaving:
    """Set ``saving``'s fields from ``data`` (keys of :data:`SAVING_FIELDS` and
    ``enterprise``; ``quantity`` with ``unit`` as typed, in a unit of the carrier's dimension,
    :data:`SymbiosisSaving.DIMENSIONS`) and compute the CO2e of grid electricity from the
    official factor of the year; no save. Raises ``ValidationError`` keyed by field."""
    errors: dict = {}
    carrier = data.get("carrier", saving.carrier)
    if carrier not in SymbiosisSaving.Carrier.values:
        errors["carrier"] = _("Choose what was saved.")
    year = _year(data.get("year", saving.year), errors)
    enterprise = data.get("enterprise", saving.enterprise if saving.enterprise_id else None)
    if enterprise is not None and saving.exchange_id is not None:
        taking_part = set(
            saving.exchange.participants.filter(enterprise__isnull=False).values_list(
                "enterprise_id", flat=True
            )
        )
        if enterprise.pk not in taking_part:
            errors["enterprise"] = _("The enterprise does not take part in this exchange.")
    dimensions = SymbiosisSaving.DIMENSIONS.get(carrier, ())
    typed = "quantity" in data or "unit" in data
    raw_q = data.get("quantity", saving.quantity)
    raw_unit = data.get("unit", saving.unit)
    qty, unit = None, ""
    if raw_q not in (None, "") and not dimensions and carrier in SymbiosisSaving.Carrier.values:
        errors["quantity"] = _("A shared service is recorded by its money saving only.")
    elif dimensions:
        try:
            qty, unit = _quantity(raw_q, raw_unit, field_name="quantity", dimensions=dimensions)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    try:
        saving.money_vnd = _money(data.get("money_vnd", saving.money_vnd), field_name="money_vnd")
    except ValidationError as exc:
        errors.update(exc.message_dict)
    tco2e = data.get("tco2e", saving.tco2e)
    if tco2e not in (None, ""):
        try:
            tco2e = Decimal(str(tco2e))
            if not tco2e.is_finite() or tco2e < 0 or tco2e >= QUANTITY_LIMIT:
                raise ArithmeticError
        except ArithmeticError:
            errors["tco2e"] = _("Give the reduction in tonnes of CO2e, 0 or more.")
    else:
        tco2e = None
    if errors:
        raise ValidationError(errors)
    saving.carrier = carrier
    saving.year = year
    saving.enterprise = enterprise
    saving.fuel = (data.get("fuel", saving.fuel) or "").strip()[:100]
    saving.quantity = qty
    saving.unit = unit
    if typed:
        saving.quantity_entered = "" if qty is None else f"{raw_q} {raw_unit or ''}".strip()[:80]
    saving.is_demo = bool(data.get("is_demo", saving.is_demo))
    saving.tco2e, saving.emission_factor, saving.ghg_note = tco2e, None, ""
    if carrier == SymbiosisSaving.Carrier.ELECTRICITY and qty is not None:
        result = co2e_of_electricity(qty, year)
        saving.tco2e = result.tco2e
        saving.emission_factor = result.factor
        saving.ghg_note = result.note[:200]
    return saving


@transaction.atomic
def saving_save(
    *,
    user,
    exchange: SymbiosisExchange,
    data: dict,
    saving: SymbiosisSaving | None = None,
    expected_version: int | None = None,
) -> SymbiosisSaving:
    """Record (``saving`` None) or update a yearly saving of ``exchange``; all or nothing.

    ``data``: keys of :data:`SAVING_FIELDS` and ``enterprise`` (a participating enterprise,
    or None for the exchange as a whole). Whoever may change the exchange may record its
    savings (its park manager, a participating tenant). Raises ``PermissionDenied``,
    ``ValidationError`` keyed by field, or with code ``stale_version``, or naming the
    ``carrier`` when the same exchange, year, carrier, enterprise and fuel are recorded twice.
    """
    if not can(user, Action.CHANGE, exchange):
        raise PermissionDenied(_("Only the park manager or a taking-part tenant may do this."))
    if saving is not None:
        saving = _locked(saving, expected_version, exchange=exchange)
    else:
        saving = SymbiosisSaving(exchange=exchange)
    saving_apply(saving=saving, data=data)
    twin = SymbiosisSaving.objects.filter(
        exchange=exchange,
        year=saving.year,
        carrier=saving.carrier,
        enterprise=saving.enterprise,
        fuel=saving.fuel,
    ).exclude(pk=saving.pk)
    if twin.exists():
        raise ValidationError(
            {
                "carrier": _(
                    "This saving is already recorded for that year; change the recorded one."
                )
            }
        )
    return _saved(saving, user)


@transaction.atomic
def saving_delete(*, user, saving: SymbiosisSaving) -> None:
    """Delete a yearly saving (same permission as :func:`saving_save`)."""
    _may_change(user, saving.exchange)
    saving.delete()
