"""Writes of the survey workflow (HackSoft style: keyword-only, atomic).

Workflow (Decree 35/2022/ND-CP Art. 43 annual reporting): draft → submitted → returned or
approved. Every transition is recorded with who, when and why. Changes to scored answers are
announced with :data:`surveys.signals.scored_answers_changed` inside the transaction, so the
read side marks results stale atomically and recomputes after commit.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from enterprises.models import Enterprise, Park
from enterprises.policy import can_respond
from indicators.models import AppliesTo, DataElement, FrameworkVersion

from .forms import AnswerValue, element_label
from .models import Answer, Campaign, Response, Transition
from .signals import scored_answers_changed


class StaleVersionError(ValidationError):
    """The response was saved by someone else since this person loaded it.

    ``current_version`` is the version now stored.
    """

    def __init__(self, current_version: int):
        self.current_version = current_version
        super().__init__(
            _(
                "Someone else saved this response while you were editing it (it is now at "
                "version %(version)s). Your changes were not saved; reload to see theirs."
            )
            % {"version": current_version},
            code="stale_version",
        )


def response_elements(response: Response) -> list[DataElement]:
    """Data elements the respondent of ``response`` answers, in framework order."""
    applies = [AppliesTo.ENTERPRISE] if response.enterprise_id else [AppliesTo.PARK]
    return list(
        DataElement.objects.filter(
            version_id=response.campaign.framework_version_id, applies_to__in=applies
        ).order_by("order", "code")
    )


@transaction.atomic
def campaign_open(
    *,
    name: str,
    period: int,
    framework_version: FrameworkVersion,
    opens_on: datetime.date,
    closes_on: datetime.date,
    parks: list[Park] | None = None,
    user=None,
) -> Campaign:
    """Open a campaign and create one response per park in scope and per enterprise of those
    parks. ``parks`` None means every park. Raises ``ValidationError`` when the version is a
    draft (campaigns pin a published version) or the dates are reversed.
    """
    if framework_version.status != FrameworkVersion.Status.PUBLISHED:
        raise ValidationError(
            {"framework_version": _("A campaign must use a published framework version.")}
        )
    if closes_on < opens_on:
        raise ValidationError({"closes_on": _("The close date is before the open date.")})
    campaign = Campaign.objects.create(
        name=name,
        period=period,
        framework_version=framework_version,
        scope=Campaign.Scope.ALL if parks is None else Campaign.Scope.PARKS,
        opens_on=opens_on,
        closes_on=closes_on,
        created_by=user,
    )
    park_qs = (
        Park.objects.all() if parks is None else Park.objects.filter(pk__in=[p.pk for p in parks])
    )
    if parks is not None:
        campaign.parks.set(parks)
    park_ids = list(park_qs.values_list("pk", flat=True))
    Response.objects.bulk_create([Response(campaign=campaign, park_id=pid) for pid in park_ids])
    Response.objects.bulk_create(
        [
            Response(campaign=campaign, park_id=park_id, enterprise_id=ent_id)
            for ent_id, park_id in Enterprise.objects.filter(park_id__in=park_ids).values_list(
                "pk", "park_id"
            )
        ]
    )
    return campaign


def _check_respondent(response: Response, user) -> None:
    if not can_respond(user, park_id=response.park_id, enterprise_id=response.enterprise_id):
        raise PermissionDenied(_("Only the respondent may change this response."))
    if not response.is_editable:
        raise ValidationError(
            _("This response is %(status)s and can no longer be changed.")
            % {"status": response.get_status_display()},
            code="locked",
        )


@transaction.atomic
def response_save_answers(
    *, response: Response, values: dict[DataElement, AnswerValue], user, expected_version: int
) -> Response:
    """Store the answers of a draft (or returned) response; all or nothing.

    ``expected_version`` is the version the person loaded: if the stored one differs, nothing
    is saved and :class:`StaleVersionError` is raised (no silent overwrite). Blank values
    delete the answer. Raises ``PermissionDenied`` for anyone but the respondent and
    ``ValidationError`` when the response is locked. Returns the response at its new version.
    """
    locked = Response.objects.select_for_update().get(pk=response.pk)
    _check_respondent(locked, user)
    if locked.version != expected_version:
        raise StaleVersionError(locked.version)
    existing = {a.data_element_id: a for a in Answer.objects.filter(response=locked)}
    to_create, to_update, to_delete = [], [], []
    for element, value in values.items():
        answer = existing.get(element.pk)
        if value.is_blank:
            if answer:
                to_delete.append(answer.pk)
            continue
        if answer is None:
            answer = Answer(response=locked, data_element=element)
            to_create.append(answer)
        elif (
            answer.value_number,
            answer.value_bool,
            answer.value_text,
            answer.raw,
            answer.unit_entered,
        ) == (
            value.number,
            value.flag,
            value.text,
            value.raw,
            value.unit,
        ):
            continue
        else:
            to_update.append(answer)
        answer.value_number = value.number
        answer.value_bool = value.flag
        answer.value_text = value.text
        answer.raw = value.raw[:200]
        answer.unit_entered = value.unit
        answer.updated_by = user
    Answer.objects.filter(pk__in=to_delete).delete()
    for answer in to_create + to_update:
        answer.save()
    Response.objects.filter(pk=locked.pk).update(
        version=F("version") + 1, updated_at=timezone.now()
    )
    locked.refresh_from_db()
    return locked


def _transition(response: Response, to_status: str, user, reason: str = "") -> None:
    Transition.objects.create(
        response=response, from_status=response.status, to_status=to_status, by=user, reason=reason
    )
    response.status = to_status


@transaction.atomic
def response_submit(*, response: Response, user) -> Response:
    """Submit a draft or returned response for review; its answers then count in the scores.

    Raises ``ValidationError`` listing each required element left blank (by label), or when
    the response is locked; ``PermissionDenied`` for anyone but the respondent. After commit
    the park's results are recomputed.
    """
    locked = Response.objects.select_for_update().select_related("campaign").get(pk=response.pk)
    _check_respondent(locked, user)
    answered = set(Answer.objects.filter(response=locked).values_list("data_element_id", flat=True))
    missing = [e for e in response_elements(locked) if e.required and e.pk not in answered]
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
    locked.version += 1
    locked.save(update_fields=["status", "submitted_at", "submitted_by", "version", "updated_at"])
    scored_answers_changed.send(
        sender=Response, campaign_id=locked.campaign_id, park_ids=[locked.park_id], reason="submit"
    )
    return locked
