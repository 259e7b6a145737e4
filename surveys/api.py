"""Survey API under ``/api/v1/``: campaigns, responses with their answers, the workflow steps.

Every queryset goes through ``surveys.selectors`` (scoped by ``enterprises.policy``): an object
outside the caller's scope answers 404, whether or not it exists.

- ``GET /campaigns/``, ``GET /campaigns/{id}/``
- ``GET /responses/?campaign=&park=&enterprise=&status=``
- ``GET /responses/{id}/``: answers (data element code, value, unit, raw) and ``version``
- ``PATCH /responses/{id}/`` ``{"version": n, "answers": [{"data_element": code, "value": v,
  "unit": u}]}``: only the answers listed change; ``value`` null or "" clears one. A stale
  ``version`` answers 409 with the current version and answers (no silent overwrite).
- ``POST /responses/{id}/submit|return|approve|reopen`` (``return`` / ``reopen`` take
  ``reason`` and optional ``comments`` [{data_element, text}]); a step from the wrong status
  answers 409, a missing reason 400, a step the caller may not take 403.
- ``POST /responses/approve/`` ``{"ids": [..]}``: bulk approval, all or nothing.

Values: numbers as JSON numbers, or strings written the English way (``1234.5``); yes/no as
``true``/``false`` (or ``"yes"``/``"no"``); dates as ``yyyy-mm-dd`` or ``dd/mm/yyyy``.
"""

from __future__ import annotations

from decimal import Decimal

import django_filters
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response as ApiResponse

from common.filters import IntegerFilter, StrictFilterSet
from enterprises.policy import can_respond

from .forms import ResponseForm
from .models import Answer, Campaign, Response
from .selectors import attach_return_notes, campaigns_visible, responses_visible
from .services import (
    BulkApproveError,
    StaleVersionError,
    response_approve,
    response_bulk_approve,
    response_elements,
    response_reopen,
    response_return,
    response_save_answers,
    response_submit,
)

# --- serializers ----------------------------------------------------------------------------


class SurveyCampaignSerializer(serializers.ModelSerializer):
    """A campaign: period (year), framework version, scope (``all``, ``province`` with its
    code, ``parks`` with their ids), open and close dates, reminder days before closing."""

    framework_version_label = serializers.CharField(
        source="framework_version.__str__", read_only=True
    )
    province_code = serializers.CharField(
        source="province.code", read_only=True, default=None, allow_null=True
    )
    reminder_days = serializers.ListField(
        source="reminder_days_list", child=serializers.IntegerField(), read_only=True
    )

    class Meta:
        model = Campaign
        fields = [
            "id",
            "name",
            "period",
            "framework_version",
            "framework_version_label",
            "scope",
            "province_code",
            "parks",
            "opens_on",
            "closes_on",
            "reminder_days",
        ]


@extend_schema_field(
    {"oneOf": [{"type": "number"}, {"type": "boolean"}, {"type": "string"}], "nullable": True}
)
class AnswerValueField(serializers.Field):
    """An answer's value: number (canonical unit), boolean (yes/no) or text."""

    def to_representation(self, answer: Answer):
        if answer.value_bool is not None:
            return answer.value_bool
        if answer.value_number is not None:
            n = answer.value_number
            return int(n) if n == n.to_integral_value() else float(n)
        return answer.value_text

    def to_internal_value(self, data):
        return data


class ResponseAnswerSerializer(serializers.ModelSerializer):
    """One answer: data element code, value (in ``unit``, the element's canonical unit), the
    text as entered (``raw``) and the unit it was entered in (``unit_entered``)."""

    data_element = serializers.CharField(source="data_element.code", read_only=True)
    value = AnswerValueField(source="*", read_only=True)
    unit = serializers.CharField(source="data_element.unit", read_only=True)

    class Meta:
        model = Answer
        fields = ["data_element", "value", "unit", "raw", "unit_entered", "updated_at"]


class ResponseListSerializer(serializers.ModelSerializer):
    """A response without its answers; ``enterprise`` null for a park's own response."""

    class Meta:
        model = Response
        fields = [
            "id",
            "campaign",
            "park",
            "enterprise",
            "status",
            "version",
            "submitted_at",
            "updated_at",
        ]


class AnswerCommentSerializer(serializers.Serializer):
    """A reviewer's comment on one answer."""

    data_element = serializers.CharField()
    text = serializers.CharField()


class ResponseTransitionSerializer(serializers.Serializer):
    """A workflow step: from, to, who (username), when, why."""

    from_status = serializers.CharField()
    to_status = serializers.CharField()
    by = serializers.CharField(source="by.username")
    at = serializers.DateTimeField()
    reason = serializers.CharField()


class ResponseDetailSerializer(ResponseListSerializer):
    """A response with its answers, the latest return's reason and comments, and its steps."""

    answers = serializers.SerializerMethodField()
    return_reason = serializers.SerializerMethodField()
    comments = serializers.SerializerMethodField()
    transitions = ResponseTransitionSerializer(many=True, read_only=True)

    class Meta(ResponseListSerializer.Meta):
        fields = ResponseListSerializer.Meta.fields + [
            "answers",
            "return_reason",
            "comments",
            "transitions",
        ]

    @extend_schema_field(ResponseAnswerSerializer(many=True))
    def get_answers(self, obj):
        answers = (
            Answer.objects.filter(response=obj)
            .select_related("data_element")
            .order_by("data_element__order", "data_element__code")
        )
        return ResponseAnswerSerializer(answers, many=True).data

    @extend_schema_field(OpenApiTypes.STR)
    def get_return_reason(self, obj):
        if not hasattr(obj, "return_step"):
            attach_return_notes([obj])
        return obj.return_step.reason if obj.return_step else ""

    @extend_schema_field(AnswerCommentSerializer(many=True))
    def get_comments(self, obj):
        if not hasattr(obj, "return_comments"):
            attach_return_notes([obj])
        return [{"data_element": c.data_element.code, "text": c.text} for c in obj.return_comments]


class AnswerChangeSerializer(serializers.Serializer):
    """One answer to change: ``value`` null or "" clears it; ``unit`` where the element
    allows several (defaults to the canonical unit)."""

    data_element = serializers.CharField()
    value = AnswerValueField(allow_null=True, required=False)
    unit = serializers.CharField(required=False, allow_blank=True)


class ResponsePatchSerializer(serializers.Serializer):
    """``version``: the version the caller read; ``answers``: the answers to change."""

    version = serializers.IntegerField(min_value=1)
    answers = AnswerChangeSerializer(many=True)


class ReviewStepSerializer(serializers.Serializer):
    """A reviewer's step: general ``reason`` and comments on answers."""

    reason = serializers.CharField(required=False, allow_blank=True, default="")
    comments = AnswerCommentSerializer(many=True, required=False, default=list)


class BulkApproveSerializer(serializers.Serializer):
    """Ids of the responses to approve, all or nothing."""

    ids = serializers.ListField(child=serializers.IntegerField(), allow_empty=False)


class AnswerConflictSerializer(serializers.Serializer):
    """A field on which the stale request differs from what is stored now."""

    data_element = serializers.CharField()
    yours = serializers.CharField()
    saved = serializers.CharField()


class StaleVersionSerializer(serializers.Serializer):
    """409 body of a PATCH: ``code`` ``stale_version`` (someone saved since the version sent:
    with the current version and answers, and the conflicting fields) or ``locked`` (the
    response is submitted or approved: ``detail`` and ``code`` only)."""

    detail = serializers.CharField()
    code = serializers.ChoiceField(choices=["stale_version", "locked"])
    current_version = serializers.IntegerField(required=False)
    conflicts = AnswerConflictSerializer(many=True, required=False)
    answers = ResponseAnswerSerializer(many=True, required=False)


class WorkflowErrorSerializer(serializers.Serializer):
    """An error: ``detail`` (all messages), ``code`` and, by field, ``errors``."""

    detail = serializers.CharField()
    code = serializers.CharField(allow_null=True)
    errors = serializers.DictField(
        child=serializers.JSONField(),
        required=False,
        help_text="By field: its messages (a list, or by item for a list field).",
    )


class BulkApproveErrorSerializer(WorkflowErrorSerializer):
    """A refused bulk approval: each failing id with its reason."""

    failures = serializers.ListField(child=serializers.DictField(), required=False)


# --- helpers ------------------------------------------------------------------------------


class _EnglishNumbersForm(ResponseForm):
    """The response form reading numbers the English way (``1234.5``): API clients send
    machine-formatted values whatever the language of their messages."""

    def _language(self) -> str:
        return "en"


def _as_form_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float | Decimal):
        return format(Decimal(str(value)), "f")
    return str(value).strip()


def _error(exc: ValidationError) -> ApiResponse:
    """A Django ValidationError as 409 (wrong status, locked) or 400 (anything else)."""
    code = getattr(exc, "code", None)
    body = {"detail": " ".join(exc.messages), "code": code}
    if hasattr(exc, "error_dict"):
        body["errors"] = exc.message_dict
        body["code"] = "invalid"
    http = status.HTTP_409_CONFLICT if code in ("wrong_status", "locked") else 400
    return ApiResponse(body, status=http)


def _messages(errors) -> list[str]:
    """Every message of DRF's (possibly nested) error structure, in order."""
    if isinstance(errors, dict):
        return [m for value in errors.values() for m in _messages(value)]
    if isinstance(errors, list):
        return [m for value in errors for m in _messages(value)]
    return [str(errors)]


def _invalid(serializer, **extra) -> ApiResponse:
    """400 for a refused request body, in the workflow's error shape: ``detail`` (every
    message), ``code`` ``invalid`` and ``errors`` by field."""
    return ApiResponse(
        {
            "detail": " ".join(_messages(serializer.errors)),
            "code": "invalid",
            "errors": serializer.errors,
            **extra,
        },
        status=400,
    )


def _current_answers(response: Response):
    answers = (
        Answer.objects.filter(response=response)
        .select_related("data_element")
        .order_by("data_element__order", "data_element__code")
    )
    return ResponseAnswerSerializer(answers, many=True).data


# --- viewsets -----------------------------------------------------------------------------


class CampaignViewSet(viewsets.ReadOnlyModelViewSet):
    """Campaigns in the caller's scope (ministry: all; others: those with a response in their
    scope); others answer 404."""

    serializer_class = SurveyCampaignSerializer
    filterset_fields = ["period", "scope"]

    def get_queryset(self):
        return campaigns_visible(self.request.user).prefetch_related("parks")


class ResponseFilter(StrictFilterSet):
    """Filter responses by campaign id, park id, enterprise id and status (a bad value
    answers 400 naming the parameter, ``common.filters``)."""

    campaign = IntegerFilter(field_name="campaign_id")
    park = IntegerFilter(field_name="park_id")
    enterprise = IntegerFilter(field_name="enterprise_id")
    status = django_filters.ChoiceFilter(choices=Response.Status.choices)

    class Meta:
        model = Response
        fields = ["campaign", "park", "enterprise", "status"]


class ResponseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Responses in the caller's scope (enterprise: its own; park manager: its park's and its
    tenants'; board: its province's; ministry: all); others answer 404."""

    filterset_class = ResponseFilter

    def get_queryset(self):
        qs = responses_visible(self.request.user).order_by("pk")
        if self.action != "list":
            qs = qs.prefetch_related("transitions__by")
        return qs

    def get_serializer_class(self):
        return ResponseListSerializer if self.action == "list" else ResponseDetailSerializer

    def _detail(self, response: Response, http=status.HTTP_200_OK) -> ApiResponse:
        fresh = self.get_queryset().get(pk=response.pk)
        return ApiResponse(ResponseDetailSerializer(fresh).data, status=http)

    @extend_schema(
        request=ResponsePatchSerializer,
        responses={
            200: ResponseDetailSerializer,
            400: WorkflowErrorSerializer,
            403: OpenApiResponse(description="not the respondent"),
            404: OpenApiResponse(description="not in your scope"),
            409: OpenApiResponse(
                StaleVersionSerializer, description="stale version, or the response is locked"
            ),
        },
    )
    def partial_update(self, request, pk=None):
        """Change some answers of a draft or returned response (respondent only).

        Sends ``version`` (the one read); a stale one answers 409 with the current version,
        the current answers and the conflicting fields; nothing is saved.
        """
        response = self.get_object()
        if not can_respond(
            request.user, park_id=response.park_id, enterprise_id=response.enterprise_id
        ):
            raise PermissionDenied(_("Only the respondent may change this response."))
        if not response.is_editable:
            return ApiResponse(
                {
                    "detail": _("This response is %(status)s and can no longer be changed.")
                    % {"status": response.get_status_display()},
                    "code": "locked",
                },
                status=status.HTTP_409_CONFLICT,
            )
        payload = ResponsePatchSerializer(data=request.data)
        if not payload.is_valid():
            return _invalid(payload)
        elements = response_elements(response)
        by_code = {e.code: e for e in elements}
        sent = payload.validated_data["answers"]
        unknown = sorted({a["data_element"] for a in sent} - set(by_code))
        if unknown:
            return ApiResponse(
                {
                    "detail": _("Not a question of this response: %(codes)s.")
                    % {"codes": ", ".join(unknown)},
                    "code": "unknown_element",
                    "errors": {code: [_("unknown data element")] for code in unknown},
                },
                status=400,
            )
        # the whole response as stored, then what was sent, so cross-field rules see both
        data = {"version": payload.validated_data["version"]}
        for answer in Answer.objects.filter(response=response).select_related("data_element"):
            code = answer.data_element.code
            if answer.value_bool is not None:
                data[code] = "yes" if answer.value_bool else "no"
            elif answer.value_number is not None:
                data[code] = f"{answer.value_number.normalize():f}"
            else:
                data[code] = answer.value_text
        for item in sent:
            data[item["data_element"]] = _as_form_text(item.get("value"))
            data[f"{item['data_element']}__unit"] = item.get("unit") or ""
        form = _EnglishNumbersForm(data, elements=elements)
        if not form.is_valid():
            errors = {k: v for k, v in form.errors.items()}
            return ApiResponse(
                {
                    "detail": " ".join(m for msgs in errors.values() for m in msgs),
                    "code": "invalid",
                    "errors": errors,
                },
                status=400,
            )
        changed_codes = {item["data_element"] for item in sent}
        values = {e: v for e, v in form.cleaned_values().items() if e.code in changed_codes}
        try:
            saved = response_save_answers(
                response=response,
                values=values,
                user=request.user,
                expected_version=payload.validated_data["version"],
            )
        except StaleVersionError as exc:
            return ApiResponse(
                {
                    "detail": exc.messages[0],
                    "code": "stale_version",
                    "current_version": exc.current_version,
                    "conflicts": [
                        {"data_element": c.element.code, "yours": c.yours, "saved": c.saved}
                        for c in exc.conflicts
                    ],
                    "answers": _current_answers(response),
                },
                status=status.HTTP_409_CONFLICT,
            )
        except ValidationError as exc:
            return _error(exc)
        return self._detail(saved)

    @extend_schema(
        request=None,
        responses={
            200: ResponseDetailSerializer,
            400: WorkflowErrorSerializer,
            409: WorkflowErrorSerializer,
        },
    )
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Submit for review (respondent); 400 lists required answers left blank."""
        response = self.get_object()
        try:
            response_submit(response=response, user=request.user)
        except ValidationError as exc:
            return _error(exc)
        return self._detail(response)

    @extend_schema(
        request=ReviewStepSerializer,
        responses={
            200: ResponseDetailSerializer,
            400: WorkflowErrorSerializer,
            409: WorkflowErrorSerializer,
        },
    )
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request, pk=None):
        """Return a submitted response (reviewer) with a reason and/or comments on answers."""
        return self._review_step(request, response_return)

    @extend_schema(
        request=None,
        responses={200: ResponseDetailSerializer, 409: WorkflowErrorSerializer},
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """Approve a submitted response (reviewer); its answers are then locked."""
        response = self.get_object()
        try:
            response_approve(response=response, user=request.user)
        except ValidationError as exc:
            return _error(exc)
        return self._detail(response)

    @extend_schema(
        request=ReviewStepSerializer,
        responses={
            200: ResponseDetailSerializer,
            400: WorkflowErrorSerializer,
            409: WorkflowErrorSerializer,
        },
    )
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        """Reopen an approved response (provincial board); ``reason`` is required."""
        return self._review_step(request, response_reopen)

    def _review_step(self, request, service):
        response = self.get_object()
        body = ReviewStepSerializer(data=request.data)
        if not body.is_valid():
            return _invalid(body)
        comments = {c["data_element"]: c["text"] for c in body.validated_data["comments"]}
        try:
            service(
                response=response,
                user=request.user,
                reason=body.validated_data["reason"],
                comments=comments,
            )
        except ValidationError as exc:
            return _error(exc)
        return self._detail(response)

    @extend_schema(
        operation_id="responses_bulk_approve",
        request=BulkApproveSerializer,
        responses={200: ResponseListSerializer(many=True), 400: BulkApproveErrorSerializer},
    )
    @action(detail=False, methods=["post"], url_path="approve", url_name="bulk-approve")
    def bulk_approve(self, request):
        """Approve several submitted responses, all or nothing; 400 (with ``code``) lists each
        failure, or names the refused field (``code`` ``invalid``, ``failures`` empty)."""
        body = BulkApproveSerializer(data=request.data)
        if not body.is_valid():
            return _invalid(body, failures=[])
        try:
            approved = response_bulk_approve(
                response_ids=body.validated_data["ids"], user=request.user
            )
        except BulkApproveError as exc:
            return ApiResponse(
                {
                    "detail": " ".join(exc.messages),
                    "code": "bulk_refused",
                    "failures": [{"id": f.response_id, "reason": f.reason} for f in exc.failures],
                },
                status=400,
            )
        except ValidationError as exc:
            return _error(exc)
        return ApiResponse(ResponseListSerializer(approved, many=True).data)
