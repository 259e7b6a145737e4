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

Values (:data:`VALUE_RULES`): numbers as JSON numbers or plain decimal strings (``1234.5``,
``"-0.5"``: digits, at most one point, no grouping); yes/no as JSON ``true``/``false``; dates
as ISO 8601 (``2025-03-15``); text and choices as strings. Anything else is refused (400)
with a message naming the data element.
"""

from __future__ import annotations

import datetime
import json
import re
from decimal import Decimal

import django_filters
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response as ApiResponse

from enterprises.policy import can_respond
from indicators.models import DataElement

from .forms import ResponseForm, element_label
from .models import Answer, Campaign, Evidence, Response
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
    province_code = serializers.CharField(source="province.code", read_only=True, default=None)
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


class EvidenceSerializer(serializers.Serializer):
    """An evidence file: ``data_element`` code, file ``name``, ``type`` (pdf, jpeg, png,
    xlsx), ``size`` in bytes, ``sha256``, who uploaded it (username) and when (ISO 8601), and
    ``download``: its address (answers only to those who may read the response)."""

    id = serializers.IntegerField()
    data_element = serializers.CharField(source="data_element.code")
    name = serializers.CharField(source="original_name")
    type = serializers.CharField(source="kind")
    size = serializers.IntegerField()
    sha256 = serializers.CharField()
    uploaded_by = serializers.SerializerMethodField()
    uploaded_at = serializers.DateTimeField()
    download = serializers.SerializerMethodField()

    def get_uploaded_by(self, obj) -> str:
        return obj.uploaded_by.get_username() if obj.uploaded_by_id else ""

    def get_download(self, obj) -> str:
        path = reverse("surveys:evidence_download", args=[obj.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class ResponseDetailSerializer(ResponseListSerializer):
    """A response with its answers, its evidence files, the latest return's reason and
    comments, and its steps."""

    answers = serializers.SerializerMethodField()
    evidence = serializers.SerializerMethodField()
    return_reason = serializers.SerializerMethodField()
    comments = serializers.SerializerMethodField()
    transitions = ResponseTransitionSerializer(many=True, read_only=True)

    class Meta(ResponseListSerializer.Meta):
        fields = ResponseListSerializer.Meta.fields + [
            "answers",
            "evidence",
            "return_reason",
            "comments",
            "transitions",
        ]

    @extend_schema_field(EvidenceSerializer(many=True))
    def get_evidence(self, obj):
        files = (
            Evidence.objects.filter(response=obj)
            .select_related("data_element", "uploaded_by")
            .order_by("data_element__order", "uploaded_at", "pk")
        )
        return EvidenceSerializer(files, many=True, context=self.context).data

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


#: how the API reads a value, shown in the API docs
VALUE_RULES = (
    "The value in the element's unit (or in ``unit``): numbers as a JSON number or a plain "
    'decimal string ("1234.5", "-0.5": digits and at most one point, no grouping); yes/no as '
    "JSON true or false; dates as ISO 8601 (2025-03-15); text and choices as strings. Null "
    'or "" clears the answer. Any other value is refused (400), naming the data element.'
)

_PLAIN_DECIMAL = re.compile(r"^-?\d+(\.\d+)?$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def api_value_text(element: DataElement, value) -> str:
    """``value`` as sent in JSON, checked against :data:`VALUE_RULES` for ``element`` and
    written as the response form reads it in English ("" clears). Raises ``ValueError`` with
    the message naming the element."""
    if value is None or value == "":
        return ""
    vt = element.value_type
    label = f"«{element_label(element)}» ({element.code})"
    if vt == DataElement.ValueType.YES_NO:
        if isinstance(value, bool):
            return "yes" if value else "no"
        raise ValueError(
            _("%(field)s: a yes/no answer is JSON true or false, not %(value)s.")
            % {"field": label, "value": json.dumps(value, ensure_ascii=False)}
        )
    if vt in DataElement.NUMERIC_TYPES:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return format(Decimal(str(value)), "f")
        if isinstance(value, str) and _PLAIN_DECIMAL.match(value.strip()):
            return value.strip()
        raise ValueError(
            _(
                "%(field)s: a number is a JSON number or a plain decimal string such as "
                '"1234.5", not %(value)s.'
            )
            % {"field": label, "value": json.dumps(value, ensure_ascii=False)}
        )
    if vt == DataElement.ValueType.DATE:
        if isinstance(value, str) and _ISO_DATE.match(value.strip()):
            try:
                return datetime.date.fromisoformat(value.strip()).strftime("%d/%m/%Y")
            except ValueError:
                pass
        raise ValueError(
            _("%(field)s: a date is written ISO 8601, e.g. 2025-03-15, not %(value)s.")
            % {"field": label, "value": json.dumps(value, ensure_ascii=False)}
        )
    if isinstance(value, str):
        return value.strip()
    raise ValueError(
        _("%(field)s: the answer is a string, not %(value)s.")
        % {"field": label, "value": json.dumps(value, ensure_ascii=False)}
    )


class AnswerChangeSerializer(serializers.Serializer):
    """One answer to change: ``value`` null or "" clears it; ``unit`` where the element
    allows several (defaults to the canonical unit)."""

    data_element = serializers.CharField()
    value = AnswerValueField(allow_null=True, required=False, help_text=VALUE_RULES)
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
    """409 body of a stale PATCH: the current version and answers, and the conflicting fields."""

    detail = serializers.CharField()
    code = serializers.CharField()
    current_version = serializers.IntegerField()
    conflicts = AnswerConflictSerializer(many=True)
    answers = ResponseAnswerSerializer(many=True)


class WorkflowErrorSerializer(serializers.Serializer):
    """An error: ``detail`` (all messages), ``code`` and, by field, ``errors``."""

    detail = serializers.CharField()
    code = serializers.CharField(allow_null=True)
    errors = serializers.DictField(child=serializers.ListField(), required=False)


class BulkApproveErrorSerializer(WorkflowErrorSerializer):
    """A refused bulk approval: each failing id with its reason."""

    failures = serializers.ListField(child=serializers.DictField())


# --- helpers ------------------------------------------------------------------------------


class _EnglishNumbersForm(ResponseForm):
    """The response form reading numbers the English way (``1234.5``): API clients send
    machine-formatted values whatever the language of their messages."""

    def _language(self) -> str:
        return "en"


def _error(exc: ValidationError) -> ApiResponse:
    """A Django ValidationError as 409 (wrong status, locked) or 400 (anything else)."""
    code = getattr(exc, "code", None)
    body = {"detail": " ".join(exc.messages), "code": code}
    if hasattr(exc, "error_dict"):
        body["errors"] = exc.message_dict
        body["code"] = "invalid"
    http = status.HTTP_409_CONFLICT if code in ("wrong_status", "locked") else 400
    return ApiResponse(body, status=http)


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


class ResponseFilter(django_filters.FilterSet):
    """Filter responses by campaign id, park id, enterprise id and status."""

    campaign = django_filters.NumberFilter(field_name="campaign_id")
    park = django_filters.NumberFilter(field_name="park_id")
    enterprise = django_filters.NumberFilter(field_name="enterprise_id")
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
        return ApiResponse(
            ResponseDetailSerializer(fresh, context={"request": self.request}).data, status=http
        )

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
        payload.is_valid(raise_exception=True)
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
        refused = {}
        for item in sent:
            code = item["data_element"]
            try:
                data[code] = api_value_text(by_code[code], item.get("value"))
            except ValueError as exc:
                refused[code] = [str(exc)]
            data[f"{code}__unit"] = item.get("unit") or ""
        if refused:
            return ApiResponse(
                {
                    "detail": " ".join(m for msgs in refused.values() for m in msgs),
                    "code": "invalid",
                    "errors": refused,
                },
                status=400,
            )
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
        body.is_valid(raise_exception=True)
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
        """Approve several submitted responses, all or nothing; 400 lists each failure."""
        body = BulkApproveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
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
