"""Survey API under ``/api/v1/``: campaigns, responses with their answers, the workflow steps.

Every queryset goes through ``surveys.selectors`` (scoped by ``enterprises.policy``): an object
outside the caller's scope answers 404, whether or not it exists.

- ``GET /campaigns/``, ``GET /campaigns/{id}/``
- ``GET /responses/?campaign=&park=&enterprise=&status=``
- ``GET /responses/{id}/``: answers (data element code, value, unit, raw) and ``version``
- ``GET /responses/{id}/`` also gives ``reports``: the official forms its campaign collects
  (Circular 05/2025 A.4, A.5, B.4, B.5), every field in the form's order with its value,
  origin and the registers' suggestion, and the production table.
- ``PATCH /responses/{id}/`` ``{"version": n, "answers": [{"data_element": code, "value": v,
  "unit": u, "origin": "typed"|"registers"}], "report": [{"field": "A.4:III.1.2.3", "value":
  v, "unit": u, "origin": …}], "registry": {"representative_name": …}, "production":
  [{"product": …, "unit": …, …}]}``: only what is listed changes; ``value`` null or ""
  clears one; ``production`` replaces the whole table; calculations are computed by the
  server. A stale ``version`` answers 409 with the current version and answers (no silent
  overwrite).
- ``POST /responses/{id}/submit|return|approve|reopen`` (``return`` / ``reopen`` take
  ``reason``, optional ``comments`` [{data_element, text}] and ``due_on``, the date by which
  the correction is due, required once the response's due date has passed); a step from the
  wrong status answers 409, a missing reason 400, a step the caller may not take 403.
- ``POST /responses/{id}/extend/`` ``{"until": "yyyy-mm-dd", "reason": "…"}``: a later due
  date (the board of the province, the ministry).
- ``POST /responses/approve/`` ``{"ids": [..]}``: bulk approval, all or nothing.
- ``GET /responses/?code=EZ_A4_17`` finds a response by either of its report codes
  (``surveys.codes``); every response carries ``code`` (its monitoring report's) and
  ``codes`` (both), its ``period`` (state, due date) and its timeliness (``days_late``).
- ``GET /campaigns/{id}/reporting/``: the reporting rate of the campaign in the caller's
  scope (on time, late, not submitted), per province and per park.

Outside its reporting period (``surveys.periods``) a change or submission answers 409 with
code ``period_not_open`` or ``period_closed`` and the message naming the date.

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

from common.filters import IntegerFilter, StrictFilterSet
from ecopark.schema import ERROR
from enterprises.policy import can_respond
from indicators.models import DataElement

from .codes import filter_by_code, response_codes
from .forms import ResponseForm, element_label
from .models import Answer, Campaign, Evidence, Extension, Response
from .periods import period_refusal, response_period
from .selectors import (
    attach_return_notes,
    campaigns_visible,
    reporting_rates,
    responses_visible,
)
from .services import (
    BulkApproveError,
    StaleVersionError,
    check_version,
    response_approve,
    response_bulk_approve,
    response_elements,
    response_extend,
    response_reopen,
    response_return,
    response_save_report,
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


class ReportingRateSerializer(serializers.Serializer):
    """Reports expected and how they came in (``surveys.periods``): counts, and shares in
    percent of ``expected`` rounded to 0.1 (null when nothing is expected)."""

    expected = serializers.IntegerField()
    on_time = serializers.IntegerField()
    late = serializers.IntegerField()
    not_submitted = serializers.IntegerField()
    on_time_share = serializers.FloatField(allow_null=True)
    late_share = serializers.FloatField(allow_null=True)
    not_submitted_share = serializers.FloatField(allow_null=True)
    submitted_share = serializers.FloatField(allow_null=True)


class ProvinceReportingSerializer(ReportingRateSerializer):
    """One province: its code, name and number of parks, with its rate."""

    province = serializers.CharField()
    name = serializers.CharField()
    parks = serializers.IntegerField()


class ParkReportingSerializer(ReportingRateSerializer):
    """One park (its own report and its tenants'), with its rate."""

    park = serializers.IntegerField()
    name = serializers.CharField()


class CampaignReportingSerializer(serializers.Serializer):
    """A campaign's reporting rate in the caller's scope: ``total``, ``provinces`` and
    ``parks`` (lowest rate first)."""

    campaign = serializers.IntegerField()
    closes_on = serializers.DateField()
    total = ReportingRateSerializer()
    provinces = ProvinceReportingSerializer(many=True)
    parks = ParkReportingSerializer(many=True)


class ResponseAnswerSerializer(serializers.ModelSerializer):
    """One answer: data element code, value (in ``unit``, the element's canonical unit), the
    text as entered (``raw``) and the unit it was entered in (``unit_entered``)."""

    data_element = serializers.CharField(source="data_element.code", read_only=True)
    value = AnswerValueField(source="*", read_only=True)
    unit = serializers.CharField(source="data_element.unit", read_only=True)

    class Meta:
        model = Answer
        fields = ["data_element", "value", "unit", "raw", "unit_entered", "updated_at"]


class ResponsePeriodSerializer(serializers.Serializer):
    """Where a response stands in its reporting period today (``surveys.periods``):
    ``state`` ``not_open`` | ``open`` | ``closed``, its label, the campaign's dates, the
    response's ``due_on`` (the close date or a later date of its own) and ``extended``."""

    state = serializers.CharField()
    label = serializers.CharField()
    opens_on = serializers.DateField()
    closes_on = serializers.DateField()
    due_on = serializers.DateField()
    extended = serializers.BooleanField()


class ResponseListSerializer(serializers.ModelSerializer):
    """A response without its answers; ``enterprise`` null for a park's own response.

    ``code``: the report code of its monitoring report (``EZ_A4_<id>`` for a park,
    ``EZ_B4_<id>`` for an enterprise); ``codes``: both its forms' codes (``surveys.codes``).
    ``first_submitted_at`` / ``days_late``: its timeliness (0 on time; null never
    submitted); ``period``: :class:`ResponsePeriodSerializer`.
    """

    code = serializers.SerializerMethodField()
    codes = serializers.SerializerMethodField()
    period = serializers.SerializerMethodField()

    class Meta:
        model = Response
        fields = [
            "id",
            "code",
            "codes",
            "campaign",
            "park",
            "enterprise",
            "status",
            "version",
            "submitted_at",
            "first_submitted_at",
            "days_late",
            "period",
            "updated_at",
        ]

    @extend_schema_field(OpenApiTypes.STR)
    def get_code(self, obj):
        return response_codes(obj)[0]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_codes(self, obj):
        return response_codes(obj)

    @extend_schema_field(ResponsePeriodSerializer)
    def get_period(self, obj):
        period = response_period(obj)
        return ResponsePeriodSerializer(
            {
                "state": period.state,
                "label": period.label,
                "opens_on": period.opens_on,
                "closes_on": period.closes_on,
                "due_on": period.due_on,
                "extended": period.extended,
            }
        ).data


class ExtensionSerializer(serializers.ModelSerializer):
    """An extension: until which day, why, who granted it (username) and when."""

    granted_by = serializers.CharField(source="granted_by.username", read_only=True)

    class Meta:
        model = Extension
        fields = ["until", "reason", "granted_by", "granted_at"]


class ExtendSerializer(serializers.Serializer):
    """An extension request: the new due date and the reason."""

    until = serializers.DateField(input_formats=["%Y-%m-%d", "%d/%m/%Y"])
    reason = serializers.CharField(allow_blank=True)


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
    due_on = serializers.DateField(allow_null=True)


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


class SuggestionSerializer(serializers.Serializer):
    """What the registers offer for a field: ``value``, its ``unit`` (a fuel's), ``basis``."""

    value = serializers.JSONField()
    unit = serializers.CharField()
    basis = serializers.CharField()


class ReportFieldSerializer(serializers.Serializer):
    """One field of an official report form (``indicators/data/forms``): ``field`` its name
    (``"A.4:III.1.2.3"``), ``no`` and ``code`` as the form numbers it, ``label``, ``kind``,
    ``unit`` as the form writes it, ``period``, ``required``, ``source`` (entered, element,
    registry, register, calculation, evidence), ``value`` (numbers as exact decimal strings
    such as ``"1234.5"`` in the stored unit; yes/no as booleans; dates ``yyyy-mm-dd``;
    several codes as a list; personal data the caller may not see: null with ``hidden``),
    ``text`` (as the form writes it), ``origin`` (typed, registers, calculated, registry),
    ``suggestion`` (the registers' figure, while the response is editable), ``shown``."""

    field = serializers.CharField()
    no = serializers.CharField()
    code = serializers.CharField()
    label = serializers.CharField()
    kind = serializers.CharField()
    unit = serializers.CharField()
    period = serializers.CharField(allow_null=True)
    required = serializers.BooleanField()
    source = serializers.CharField()
    value = serializers.JSONField(allow_null=True)
    text = serializers.CharField()
    origin = serializers.CharField()
    hidden = serializers.BooleanField()
    shown = serializers.BooleanField()
    suggestion = SuggestionSerializer(allow_null=True)


class ProductionRowSerializer(serializers.Serializer):
    """One row of form B.4 Part II: product, unit (tấn/năm, m/năm, m²/năm, m³/giờ), design
    capacity and current output in that unit, energy per unit of product with its carrier
    (electricity, oil, gas), revenue in million VND; numbers as exact decimal strings."""

    product = serializers.CharField()
    unit = serializers.CharField(allow_blank=True, required=False)
    design_capacity = serializers.JSONField(allow_null=True, required=False)
    actual_output = serializers.JSONField(allow_null=True, required=False)
    energy_per_unit = serializers.JSONField(allow_null=True, required=False)
    energy_carrier = serializers.CharField(allow_blank=True, required=False)
    revenue_million_vnd = serializers.JSONField(allow_null=True, required=False)


class ReportFormSerializer(serializers.Serializer):
    """One official form of the response with its fields in order and, for B.4, its
    production rows."""

    form = serializers.CharField()
    title = serializers.CharField()
    fields = ReportFieldSerializer(many=True)
    production = ProductionRowSerializer(many=True)


def _json_value(value):
    import datetime

    from enterprises.selectors import HIDDEN

    if value is HIDDEN:
        return None
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, tuple):
        return list(value)
    return value


def reports_data(response: Response, user) -> list[dict]:
    """The response's official forms as :class:`ReportFormSerializer` data."""
    from common.formats import active_language

    from .reports import report_values

    language = active_language()
    out = []
    for fv in report_values(response, user):
        fields = []
        for f in fv.fields:
            item = f.item
            if not item.is_data or item.source.kind.value == "table":
                continue
            suggestion = None
            if f.suggestion is not None and f.suggestion.value not in (None, ""):
                suggestion = {
                    "value": _json_value(f.suggestion.value),
                    "unit": f.suggestion.unit,
                    "basis": f.suggestion.basis,
                }
            fields.append(
                {
                    "field": item.ident,
                    "no": item.no,
                    "code": item.code,
                    "label": item.label(language),
                    "kind": item.kind.value,
                    "unit": f.unit,
                    "period": item.period,
                    "required": item.required,
                    "source": item.source.kind.value,
                    "value": _json_value(f.value),
                    "text": f.text,
                    "origin": f.origin,
                    "hidden": f.hidden,
                    "shown": f.shown,
                    "suggestion": suggestion,
                }
            )
        production = [
            {
                "product": r.product,
                "unit": r.unit,
                "design_capacity": _json_value(r.design_capacity),
                "actual_output": _json_value(r.actual_output),
                "energy_per_unit": _json_value(r.energy_per_unit),
                "energy_carrier": r.energy_carrier,
                "revenue_million_vnd": _json_value(r.revenue_million_vnd),
            }
            for r in fv.rows
        ]
        out.append(
            {
                "form": fv.form.code,
                "title": fv.form.title(language),
                "fields": fields,
                "production": production,
            }
        )
    return out


class ResponseDetailSerializer(ResponseListSerializer):
    """A response with its answers, its official report forms (when its campaign collects
    them), its evidence files, the latest return's reason and comments, and its steps."""

    answers = serializers.SerializerMethodField()
    evidence = serializers.SerializerMethodField()
    reports = serializers.SerializerMethodField()
    return_reason = serializers.SerializerMethodField()
    comments = serializers.SerializerMethodField()
    transitions = ResponseTransitionSerializer(many=True, read_only=True)
    extensions = ExtensionSerializer(many=True, read_only=True)

    class Meta(ResponseListSerializer.Meta):
        fields = ResponseListSerializer.Meta.fields + [
            "answers",
            "evidence",
            "reports",
            "return_reason",
            "comments",
            "transitions",
            "extensions",
        ]

    @extend_schema_field(EvidenceSerializer(many=True))
    def get_evidence(self, obj):
        files = (
            Evidence.objects.filter(response=obj)
            .select_related("data_element", "uploaded_by")
            .order_by("data_element__order", "uploaded_at", "pk")
        )
        return EvidenceSerializer(files, many=True, context=self.context).data

    @extend_schema_field(ReportFormSerializer(many=True))
    def get_reports(self, obj):
        request = self.context.get("request")
        return reports_data(obj, getattr(request, "user", None))

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
    origin = serializers.ChoiceField(
        choices=["typed", "registers"], required=False, default="typed"
    )


class ReportChangeSerializer(serializers.Serializer):
    """One report form field to change: ``field`` (``"A.4:III.1.2.3"``), ``value`` (null or
    "" clears it; a list for several choices or enterprises' tax codes), ``unit`` it is given
    in (e.g. ``VND`` for a field kept in million VND; a fuel's own unit), ``origin``
    ``registers`` to record the registers' figure as such (checked against it)."""

    field = serializers.CharField()
    value = serializers.JSONField(allow_null=True, required=False)
    unit = serializers.CharField(required=False, allow_blank=True)
    origin = serializers.ChoiceField(
        choices=["typed", "registers"], required=False, default="typed"
    )


class ResponsePatchSerializer(serializers.Serializer):
    """``version``: the version the caller read; ``answers``: the answers to change;
    ``report``: report form fields to change; ``registry``: Part I fields the registry lacks
    (field name → value); ``production``: the whole production table (B.4 Part II)."""

    version = serializers.IntegerField(min_value=1)
    answers = AnswerChangeSerializer(many=True, required=False, default=list)
    report = ReportChangeSerializer(many=True, required=False, default=list)
    registry = serializers.DictField(required=False, default=dict)
    production = ProductionRowSerializer(many=True, required=False, allow_null=True, default=None)


class ReviewStepSerializer(serializers.Serializer):
    """A reviewer's step: general ``reason`` and comments on answers."""

    reason = serializers.CharField(required=False, allow_blank=True, default="")
    comments = AnswerCommentSerializer(many=True, required=False, default=list)
    due_on = serializers.DateField(
        required=False, allow_null=True, default=None, input_formats=["%Y-%m-%d", "%d/%m/%Y"]
    )


class BulkApproveSerializer(serializers.Serializer):
    """Ids of the responses to approve, all or nothing."""

    ids = serializers.ListField(child=serializers.IntegerField(), allow_empty=False)


class AnswerConflictSerializer(serializers.Serializer):
    """A field on which the stale request differs from what is stored now: ``data_element``
    is the data element's code or, for a report form field, its ``"<form>:<key>"``."""

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


#: error codes answered 409: the response's state (status or reporting period) refuses it
CONFLICT_CODES = ("wrong_status", "locked", "period_not_open", "period_closed")

#: the documented answers of a workflow step (submit, return, approve, reopen): the response's
#: detail, 400 for what the caller sent, 409 for a state that refuses it (:data:`CONFLICT_CODES`)
_WORKFLOW_STEP_RESPONSES = {
    200: ResponseDetailSerializer,
    400: WorkflowErrorSerializer,
    409: WorkflowErrorSerializer,
}


def _workflow_step(body=None, **route):
    """The decorators of a workflow step of :class:`ResponseViewSet`: a POST on one response
    (``route``: :func:`rest_framework.decorators.action`'s ``url_path``/``url_name``) taking
    ``body`` (a serializer, or None) and answering :data:`_WORKFLOW_STEP_RESPONSES`."""

    def decorate(view):
        routed = action(detail=True, methods=["post"], **route)(view)
        return extend_schema(request=body, responses=_WORKFLOW_STEP_RESPONSES)(routed)

    return decorate


def _error(exc: ValidationError) -> ApiResponse:
    """A Django ValidationError as 409 (wrong status, locked) or 400 (anything else)."""
    code = getattr(exc, "code", None)
    body = {"detail": " ".join(exc.messages), "code": code}
    if hasattr(exc, "error_dict"):
        body["errors"] = exc.message_dict
        body["code"] = "invalid"
    http = status.HTTP_409_CONFLICT if code in CONFLICT_CODES else 400
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


def _as_form_text(value) -> str:
    """A JSON value of a report field or production cell as the form reads text (numbers
    written plainly, the English way; yes/no for booleans)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float | Decimal):
        return format(Decimal(str(value)), "f")
    return str(value).strip()


def _clean_report(response: Response, data: dict) -> tuple[dict, dict, dict]:
    """The ``report`` and ``production`` of a PATCH cleaned as the form cleans them (numbers
    the English way): ``({"values", "production"}, origins, errors by field)``."""
    from .forms_report import clean_production_row
    from .reports import ItemError, clean_item, report_context, response_forms

    values, origins, errors = {}, {}, {}
    production = None
    forms = response_forms(response)
    if not forms and (data["report"] or data["registry"] or data["production"] is not None):
        errors["report"] = [_("This response's campaign collects no report forms.")]
        return {"values": values, "production": production}, origins, errors
    items = {i.ident: i for f in forms for i in f.items()}
    tenants = report_context(response, None).tenants if data["report"] else {}
    for change in data["report"]:
        ident = change["field"]
        item = items.get(ident)
        if item is None or item.source.kind.value not in ("entered", "register", "calculation"):
            errors[ident] = [_("Not a field of this response's forms that takes a value.")]
            continue
        if item.read_only:
            errors[ident] = [_("Calculated by ecopark; it cannot be given.")]
            continue
        raw = change.get("value")
        raw = raw if isinstance(raw, list) else _as_form_text(raw)
        try:
            values[ident] = clean_item(
                item, raw, language="en", unit=change.get("unit") or "", tenants=tenants
            )
        except ItemError as exc:
            errors[ident] = [exc.message]
            continue
        if change.get("origin") == "registers":
            origins[ident] = "registers"
    if data["production"] is not None:
        production = []
        for i, row in enumerate(data["production"]):
            typed = {k: _as_form_text(v) for k, v in row.items()}
            cleaned, problems = clean_production_row(typed, language="en")
            for column, message in problems:
                errors.setdefault(f"production[{i}].{column}", []).append(message)
            production.append(cleaned)
    return {"values": values, "production": production}, origins, errors


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

    @extend_schema(responses={200: CampaignReportingSerializer})
    @action(detail=True, methods=["get"])
    def reporting(self, request, pk=None):
        """The campaign's reporting rate over the responses in the caller's scope: on time,
        late, not submitted (counts, and shares in percent rounded to 0.1), in total, per
        province and per park, each list with the lowest rate first (as the dashboards)."""
        campaign = self.get_object()
        rates = reporting_rates(campaign=campaign, responses=responses_visible(request.user))
        return ApiResponse(
            {
                "campaign": campaign.pk,
                "closes_on": campaign.closes_on,
                "total": rates.total.as_dict(),
                "provinces": [
                    {
                        "province": p.province_code,
                        "name": p.province_name,
                        "parks": p.parks,
                        **p.rate.as_dict(),
                    }
                    for p in rates.provinces
                ],
                "parks": [
                    {"park": p.park_id, "name": p.park_name_vi, **p.rate.as_dict()}
                    for p in rates.parks
                ],
            }
        )


class ResponseFilter(StrictFilterSet):
    """Filter responses by campaign id, park id, enterprise id and status (a bad value
    answers 400 naming the parameter, ``common.filters``)."""

    campaign = IntegerFilter(field_name="campaign_id")
    park = IntegerFilter(field_name="park_id")
    enterprise = IntegerFilter(field_name="enterprise_id")
    status = django_filters.ChoiceFilter(choices=Response.Status.choices)
    code = django_filters.CharFilter(
        method="filter_code", label="report code (EZ_A4_17, EZ_A5_17, EZ_B4_18, EZ_B5_18)"
    )

    class Meta:
        model = Response
        fields = ["campaign", "park", "enterprise", "status", "code"]

    def filter_code(self, queryset, name, value):
        """The response named by ``value``, either of its report codes (``surveys.codes``)."""
        return filter_by_code(queryset, value)


class ResponseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Responses in the caller's scope (enterprise: its own; park manager: its park's and its
    tenants'; board: its province's; ministry: all); others answer 404."""

    filterset_class = ResponseFilter

    def get_queryset(self):
        qs = responses_visible(self.request.user).order_by("pk")
        if self.action != "list":
            qs = qs.prefetch_related("transitions__by", "extensions__granted_by")
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
            403: OpenApiResponse(ERROR, description="not the respondent"),
            404: OpenApiResponse(ERROR, description="not in your scope"),
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
        refusal = period_refusal(response)
        if refusal is not None:
            return _error(refusal)
        payload = ResponsePatchSerializer(data=request.data)
        if not payload.is_valid():
            return _invalid(payload)
        invalid, values, report, origins = self._clean_patch(response, payload.validated_data)
        try:  # stale first: the caller must reload before its values are worth refusing
            check_version(response, payload.validated_data["version"], values)
        except StaleVersionError as exc:
            return self._stale(response, exc)
        if invalid is not None:
            return ApiResponse(invalid, status=400)
        try:
            saved = response_save_report(
                response=response,
                user=request.user,
                expected_version=payload.validated_data["version"],
                answers=values,
                report=report["values"],
                origins=origins,
                registry=payload.validated_data["registry"],
                production=report["production"],
            )
        except StaleVersionError as exc:
            return self._stale(response, exc)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):  # a registry field refused
                exc = ValidationError({f"registry.{k}": v for k, v in exc.message_dict.items()})
            return _error(exc)
        return self._detail(saved)

    @staticmethod
    def _stale(response: Response, exc: StaleVersionError) -> ApiResponse:
        """409 ``stale_version``: the current version and answers, and the sent answers that
        differ from the saved ones."""
        return ApiResponse(
            {
                "detail": exc.messages[0],
                "code": "stale_version",
                "current_version": exc.current_version,
                "conflicts": [
                    {"data_element": c.code, "yours": c.yours, "saved": c.saved}
                    for c in exc.conflicts
                ],
                "answers": _current_answers(response),
            },
            status=status.HTTP_409_CONFLICT,
        )

    @staticmethod
    def _clean_patch(response: Response, data: dict):
        """The PATCH body ``data`` (validated by :class:`ResponsePatchSerializer`) cleaned as
        the form cleans it: ``(400 body or None, {DataElement: AnswerValue} of the answers
        sent that are valid, cleaned report, origins)``."""

        def refusal(errors: dict, code: str = "invalid", detail: str | None = None) -> dict:
            return {
                "detail": detail or " ".join(str(m) for msgs in errors.values() for m in msgs),
                "code": code,
                "errors": errors,
            }

        elements = response_elements(response)
        by_code = {e.code: e for e in elements}
        sent = data["answers"]
        unknown = sorted({a["data_element"] for a in sent} - set(by_code))
        if unknown:
            body = refusal(
                {code: [_("unknown data element")] for code in unknown},
                code="unknown_element",
                detail=_("Not a question of this response: %(codes)s.")
                % {"codes": ", ".join(unknown)},
            )
            return body, {}, {}, {}
        # the whole response as stored, then what was sent, so cross-field rules see both
        typed = {"version": data["version"]}
        for answer in Answer.objects.filter(response=response).select_related("data_element"):
            code = answer.data_element.code
            if answer.value_bool is not None:
                typed[code] = "yes" if answer.value_bool else "no"
            elif answer.value_number is not None:
                typed[code] = f"{answer.value_number.normalize():f}"
            else:
                typed[code] = answer.value_text
        refused = {}
        for item in sent:
            code = item["data_element"]
            try:
                typed[code] = api_value_text(by_code[code], item.get("value"))
            except ValueError as exc:
                refused[code] = [str(exc)]
            typed[f"{code}__unit"] = item.get("unit") or ""
        if refused:
            return refusal(refused), {}, {}, {}
        form = _EnglishNumbersForm(typed, elements=elements)
        if not form.is_valid():
            return refusal(dict(form.errors.items())), {}, {}, {}
        changed_codes = {item["data_element"] for item in sent}
        values = {e: v for e, v in form.cleaned_values().items() if e.code in changed_codes}
        report, origins, report_errors = _clean_report(response, data)
        origins.update(
            {a["data_element"]: a["origin"] for a in sent if a.get("origin") == "registers"}
        )
        return (refusal(report_errors) if report_errors else None), values, report, origins

    @_workflow_step()
    def submit(self, request, pk=None):
        """Submit for review (respondent); 400 lists required answers left blank."""
        return self._plain_step(response_submit)

    @_workflow_step(ReviewStepSerializer, url_path="return", url_name="return")
    def return_(self, request, pk=None):
        """Return a submitted response (reviewer) with a reason and/or comments on answers."""
        return self._review_step(request, response_return)

    @_workflow_step()
    def approve(self, request, pk=None):
        """Approve a submitted response (reviewer); its answers are then locked."""
        return self._plain_step(response_approve)

    @_workflow_step(ReviewStepSerializer)
    def reopen(self, request, pk=None):
        """Reopen an approved response (provincial board); ``reason`` is required."""
        return self._review_step(request, response_reopen)

    def _plain_step(self, service):
        """Run a workflow ``service(response=, user=)`` that takes no body; 200 with the
        response's detail, or 400/409 from :func:`_error` on its ``ValidationError``."""
        response = self.get_object()
        try:
            service(response=response, user=self.request.user)
        except ValidationError as exc:
            return _error(exc)
        return self._detail(response)

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
                due_on=body.validated_data["due_on"],
            )
        except ValidationError as exc:
            return _error(exc)
        return self._detail(response)

    @extend_schema(
        request=ExtendSerializer,
        responses={
            200: ResponseDetailSerializer,
            400: WorkflowErrorSerializer,
            403: OpenApiResponse(
                ERROR, description="neither the province's board nor the ministry"
            ),
            409: WorkflowErrorSerializer,
        },
    )
    @action(detail=True, methods=["post"])
    def extend(self, request, pk=None):
        """Grant a later due date (``until``) with a ``reason``: the board of the response's
        province or the ministry; 409 once the response is submitted."""
        response = self.get_object()
        body = ExtendSerializer(data=request.data)
        if not body.is_valid():
            return _invalid(body)
        try:
            response_extend(
                response=response,
                user=request.user,
                until=body.validated_data["until"],
                reason=body.validated_data["reason"],
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
