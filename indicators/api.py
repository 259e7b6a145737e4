"""Read API of the criteria catalogue under ``/api/v1/frameworks/``.

The catalogue is public reference data: every authenticated user reads published and retired
versions (anonymous requests get 401/403 from the global ``IsAuthenticated``); drafts are
visible to ministry staff only (:func:`indicators.selectors.versions_visible`), anyone else
gets 404 for them.

Numbers: ``threshold`` and ``weight`` are exact decimal STRINGS with six (threshold) or
three (weight) decimal places, e.g. ``"20.000000"`` for Decree 35/2022 Art. 37(2)'s "at least
20% of enterprises"; ``threshold`` is ``null`` where the legal source gives no number (ecopark
never invents one) — the criterion then evaluates to "no threshold set".
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from .models import Criterion, FrameworkVersion
from .selectors import current_version, frameworks_visible, version_criteria


class BlankAsNullCharField(serializers.CharField):
    """Text that is ``null`` in JSON when stored blank (e.g. no operator for a yes/no rule)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("allow_null", True)
        kwargs.setdefault("read_only", True)
        super().__init__(**kwargs)

    def to_representation(self, value):
        return None if value in (None, "") else str(value)


class FrameworkVersionSummarySerializer(serializers.ModelSerializer):
    """A version: number, status (``draft``/``published``/``retired``), titles, legal
    instruments (list of text), effective dates (ISO dates or null: not given by the source)
    and the number of criteria."""

    criteria_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = FrameworkVersion
        fields = [
            "number",
            "status",
            "title_vi",
            "title_en",
            "instruments",
            "instruments_vi",
            "effective_from",
            "effective_to",
            "criteria_count",
        ]


class FrameworkSerializer(serializers.Serializer):
    """A framework: code (e.g. ``VN-2022``), titles, the number of its published version
    (``null`` when none is in force) and its versions in number order."""

    code = serializers.CharField(read_only=True)
    title_vi = serializers.CharField(read_only=True)
    title_en = serializers.CharField(read_only=True)
    current_version = serializers.SerializerMethodField()
    versions = FrameworkVersionSummarySerializer(
        source="visible_versions", many=True, read_only=True
    )

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_current_version(self, obj) -> int | None:
        version = current_version(obj.visible_versions)
        return version.number if version else None


class CategoryRefSerializer(serializers.Serializer):
    """The criterion's category: code and names."""

    code = serializers.CharField(read_only=True)
    name_vi = serializers.CharField(read_only=True)
    name_en = serializers.CharField(read_only=True)


class LegalSourceSerializer(serializers.Serializer):
    """Where the criterion comes from: legal instrument (e.g. ``Decree 35/2022/ND-CP``) and
    article and clause (e.g. ``Art. 37(2)(b)``), and the same in Vietnamese (e.g.
    ``Nghị định 35/2022/NĐ-CP``, ``Điều 37 khoản 2 điểm b``; empty when not given)."""

    instrument = serializers.CharField(read_only=True)
    article = serializers.CharField(read_only=True)
    instrument_vi = serializers.CharField(read_only=True)
    article_vi = serializers.CharField(read_only=True)


class IndicatorRefSerializer(serializers.Serializer):
    """The indicator the rule reads: code, formula (see ``indicators.formula``), result type
    (``number``/``boolean``) and unit."""

    code = serializers.CharField(read_only=True)
    formula = serializers.CharField(read_only=True)
    value_type = serializers.CharField(read_only=True)
    unit = serializers.CharField(read_only=True)


class CriterionSerializer(serializers.ModelSerializer):
    """A criterion with its rule, threshold, legal source and verification status.

    ``rule``: ``yes_no``, ``compare``, ``count``, ``lookback`` or ``none``; ``operator``:
    ``>=``, ``>``, ``<=``, ``<``, ``=`` or null; ``threshold``: exact decimal string or null
    (no threshold in the source); ``lookback_years``: years the condition must have held, or
    null; ``verification_status``: ``verified``, ``partial``, ``secondary`` or ``unverified``
    (the last two are not confirmed as law); ``indicator``: null for rule ``none``.
    """

    operator = BlankAsNullCharField()
    threshold = serializers.DecimalField(
        max_digits=20,
        decimal_places=6,
        allow_null=True,
        read_only=True,
        help_text='Exact decimal string (six places), e.g. "20.000000"; null where the '
        "legal source gives no threshold.",
    )
    category = CategoryRefSerializer(read_only=True)
    legal_source = LegalSourceSerializer(source="*", read_only=True)
    indicator = IndicatorRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Criterion
        fields = [
            "code",
            *Criterion.WORDING_FIELDS,
            "category",
            "applies_to",
            "level",
            *Criterion.RULE_FIELDS,
            "legal_source",
            "verification_status",
            "indicator",
            "notes",
            "notes_vi",
            "sources",
        ]
        read_only_fields = fields


class VersionCriteriaSerializer(serializers.Serializer):
    """The criteria of one version: which framework and version they come from (with its
    status), how many, and the rows in catalogue order (category, then the source's order)."""

    framework = serializers.CharField()
    version = serializers.IntegerField()
    status = serializers.CharField()
    count = serializers.IntegerField()
    results = CriterionSerializer(many=True)


class FrameworkViewSet(viewsets.ReadOnlyModelViewSet):
    """Criteria frameworks with their versions; ``/{code}/criteria/`` lists a version's
    criteria. Every authenticated user; drafts for ministry staff only."""

    serializer_class = FrameworkSerializer
    lookup_field = "code"
    lookup_value_regex = "[^/]+"
    pagination_class = None  # a handful of frameworks

    def get_queryset(self):
        return frameworks_visible(self.request.user)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "version",
                OpenApiTypes.INT,
                required=False,
                description="Version number; default: the version now published. 400 when "
                "not a whole number, 404 when the framework has no such version.",
            )
        ],
        responses=VersionCriteriaSerializer,
    )
    @action(detail=True, methods=["get"], url_path="criteria")
    def criteria(self, request, code=None):
        """The criteria of one version of the framework (default: the published one)."""
        framework = self.get_object()
        raw = request.query_params.get("version")
        if raw is None:
            version = current_version(framework.visible_versions)
            if version is None:
                raise NotFound(_("This framework has no published version."))
        else:
            try:
                number = int(raw)
            except ValueError:
                raise ValidationError(
                    {"version": [_("“%(value)s” is not a whole number.") % {"value": raw}]}
                ) from None
            version = next((v for v in framework.visible_versions if v.number == number), None)
            if version is None:
                raise NotFound(
                    _("%(code)s has no version %(number)s.")
                    % {"code": framework.code, "number": number}
                )
        rows = list(version_criteria(version))
        data = {
            "framework": framework.code,
            "version": version.number,
            "status": version.status,
            "count": len(rows),
            "results": rows,
        }
        return Response(VersionCriteriaSerializer(data).data)
