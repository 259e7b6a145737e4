"""CRUD API of the registers under ``/api/v1/``: RECP measures, symbiosis exchanges and their
yearly savings, streams, ISO certificates and roadmap actions, scoped by the permission policy.

Reads list what :mod:`registers.selectors` let the caller see; anything else answers
404. Writes go through the services (same rules as the pages): a caller who may read but not
change a record (board, ministry) gets 403. An update must send the ``version`` it read: a
stale one answers 409 Conflict and nothing is saved. Quantities are written as typed with
their unit (e.g. ``"saving_value": "12.5", "saving_unit": "MWh"``) and read back in the
canonical unit (kWh, m³, t), with what was typed alongside.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.response import Response as ApiResponse

from common.serializers import StrictJSONTypesMixin
from enterprises.models import Enterprise, Park
from enterprises.policy import visible_enterprises, visible_parks
from indicators.models import Criterion

from . import selectors, services
from .models import (
    ISOCertificate,
    RECPMeasure,
    RoadmapAction,
    Stream,
    SymbiosisExchange,
    SymbiosisParticipant,
    SymbiosisSaving,
)


class Conflict(exceptions.APIException):
    """409: the record changed since the caller read it."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "stale_version"


def _call(fn):
    """Run a service; map Django's PermissionDenied → 403, stale version → 409, other
    ValidationError → 400 keyed by field."""
    try:
        return fn()
    except DjangoPermissionDenied as exc:
        raise exceptions.PermissionDenied(str(exc) or None) from None
    except DjangoValidationError as exc:
        if getattr(exc, "code", None) == "stale_version":
            raise Conflict(exc.messages[0]) from None
        if hasattr(exc, "error_dict"):
            raise exceptions.ValidationError(exc.message_dict) from None
        raise exceptions.ValidationError(exc.messages) from None


class ScopedPK(serializers.PrimaryKeyRelatedField):
    """A primary key limited to what the caller may see (others: "does not exist")."""

    def __init__(self, scoped, **kwargs):
        self.scoped = scoped
        super().__init__(**kwargs)

    def get_queryset(self):
        return self.scoped(self.context["request"].user)


class FactorSerializer(serializers.Serializer):
    """The emission factor a CO2e was computed with."""

    set = serializers.CharField(source="factor_set.code")
    set_version = serializers.IntegerField(source="factor_set.version")
    year = serializers.IntegerField()
    t_co2_per_mwh = serializers.DecimalField(source="value", max_digits=8, decimal_places=4)
    document = serializers.CharField()


class MeasureSerializer(StrictJSONTypesMixin, serializers.ModelSerializer):
    """A RECP measure. Write ``saving_value`` + ``saving_unit`` as typed (energy, volume or
    mass unit); read back canonical values. ``ghg_reduction_tco2e``, ``emission_factor``,
    ``ghg_note`` and ``payback_years`` are computed."""

    enterprise = ScopedPK(visible_enterprises)
    saving_value = serializers.DecimalField(
        max_digits=24, decimal_places=6, required=False, allow_null=True
    )
    saving_unit = serializers.CharField(required=False, allow_blank=True)
    emission_factor = FactorSerializer(read_only=True, allow_null=True)
    payback_years = serializers.FloatField(read_only=True, allow_null=True)
    version = serializers.IntegerField(required=False)

    class Meta:
        model = RECPMeasure
        fields = [
            "id",
            "enterprise",
            "area",
            "title",
            "description",
            "status",
            "year",
            "investment_vnd",
            "saving_value",
            "saving_unit",
            "saving_value_entered",
            "saving_unit_entered",
            "energy_carrier",
            "fuel",
            "saving_money_vnd",
            "ghg_reduction_tco2e",
            "emission_factor",
            "ghg_note",
            "payback_years",
            "is_demo",
            "version",
        ]
        read_only_fields = [
            "saving_value_entered",
            "saving_unit_entered",
            "ghg_reduction_tco2e",
            "ghg_note",
        ]


class StreamSerializer(StrictJSONTypesMixin, serializers.ModelSerializer):
    """An output stream offered or an input needed; quantity written with its unit."""

    enterprise = ScopedPK(visible_enterprises)
    quantity_per_year = serializers.DecimalField(
        max_digits=24, decimal_places=6, required=False, allow_null=True
    )
    unit = serializers.CharField(required=False, allow_blank=True)
    version = serializers.IntegerField(required=False)

    class Meta:
        model = Stream
        fields = [
            "id",
            "enterprise",
            "direction",
            "category",
            "description",
            "quantity_per_year",
            "unit",
            "quantity_entered",
            "offered",
            "active",
            "is_demo",
            "version",
        ]
        read_only_fields = ["quantity_entered"]


class CertificateSerializer(StrictJSONTypesMixin, serializers.ModelSerializer):
    """An ISO management-system certificate with its expiry date."""

    enterprise = ScopedPK(visible_enterprises)
    version = serializers.IntegerField(required=False)

    class Meta:
        model = ISOCertificate
        fields = [
            "id",
            "enterprise",
            "standard",
            "other_standard",
            "number",
            "issuer",
            "issued_on",
            "expires_on",
            "is_demo",
            "version",
        ]


class ParticipantSerializer(serializers.ModelSerializer):
    """A participant: ``kind`` enterprise (``enterprise`` id), developer (``park`` id) or
    outside (``name``); ``role`` provides/receives/shares."""

    enterprise = serializers.PrimaryKeyRelatedField(
        queryset=Enterprise.objects.all(), required=False, allow_null=True
    )
    park = serializers.PrimaryKeyRelatedField(
        queryset=Park.objects.all(), required=False, allow_null=True
    )
    display = serializers.CharField(source="__str__", read_only=True)

    class Meta:
        model = SymbiosisParticipant
        fields = ["kind", "role", "enterprise", "park", "name", "display"]


class ExchangeSerializer(StrictJSONTypesMixin, serializers.ModelSerializer):
    """A symbiosis exchange with its participants (at least two); ``warnings`` (read only; in
    the answer to a create, an update or a read of one exchange, null in lists) names each
    enterprise participant of the operating exchange without a valid ISO certificate and the
    criterion it makes fail (VN35-EIP-E3, Decree 35/2022 Art. 37(2)(b))."""

    park = ScopedPK(visible_parks)
    participants = ParticipantSerializer(many=True, required=False)
    warnings = serializers.SerializerMethodField()

    def get_warnings(self, obj) -> list[str] | None:
        if self.context.get("view") is None or self.context["view"].action == "list":
            return None
        return selectors.exchange_warnings(obj)

    quantity_per_year = serializers.DecimalField(
        max_digits=24, decimal_places=6, required=False, allow_null=True
    )
    unit = serializers.CharField(required=False, allow_blank=True)
    version = serializers.IntegerField(required=False)

    class Meta:
        model = SymbiosisExchange
        fields = [
            "id",
            "park",
            "kind",
            "title",
            "flow",
            "quantity_per_year",
            "unit",
            "quantity_entered",
            "status",
            "started_on",
            "ended_on",
            "participants",
            "is_demo",
            "version",
            "warnings",
        ]
        read_only_fields = ["quantity_entered"]


class SavingSerializer(StrictJSONTypesMixin, serializers.ModelSerializer):
    """A yearly saving of an exchange for one carrier. Write ``quantity`` + ``unit`` as typed
    (a unit of the carrier's dimension); read back canonical values. ``tco2e`` is computed
    for grid electricity (``emission_factor``), typed otherwise."""

    exchange = ScopedPK(selectors.exchanges_visible)
    enterprise = serializers.PrimaryKeyRelatedField(
        queryset=Enterprise.objects.all(), required=False, allow_null=True
    )
    quantity = serializers.DecimalField(
        max_digits=24, decimal_places=6, required=False, allow_null=True
    )
    unit = serializers.CharField(required=False, allow_blank=True)
    tco2e = serializers.DecimalField(
        max_digits=16, decimal_places=4, required=False, allow_null=True
    )
    emission_factor = FactorSerializer(read_only=True, allow_null=True)
    version = serializers.IntegerField(required=False)

    class Meta:
        model = SymbiosisSaving
        fields = [
            "id",
            "exchange",
            "year",
            "carrier",
            "enterprise",
            "fuel",
            "quantity",
            "unit",
            "quantity_entered",
            "money_vnd",
            "tco2e",
            "emission_factor",
            "ghg_note",
            "is_demo",
            "version",
        ]
        read_only_fields = ["quantity_entered", "ghg_note"]


class ActionSerializer(StrictJSONTypesMixin, serializers.ModelSerializer):
    """A roadmap action on a criterion of a park (``enterprise`` null) or an enterprise."""

    park = ScopedPK(visible_parks)
    enterprise = ScopedPK(visible_enterprises, required=False, allow_null=True)
    criterion = serializers.PrimaryKeyRelatedField(queryset=Criterion.objects.all())
    criterion_code = serializers.CharField(source="criterion.code", read_only=True)
    overdue = serializers.SerializerMethodField()
    version = serializers.IntegerField(required=False)

    class Meta:
        model = RoadmapAction
        fields = [
            "id",
            "park",
            "enterprise",
            "criterion",
            "criterion_code",
            "title",
            "owner",
            "owner_name",
            "target_date",
            "expected_effect",
            "status",
            "overdue",
            "is_demo",
            "version",
        ]

    def get_overdue(self, obj) -> bool:
        return obj.is_overdue()


class _RegisterViewSet(viewsets.ModelViewSet):
    """Shared create/update/delete through the services; reads through the scoped selector.

    ``entry`` is the services' keyword for the entry (``measure``, ``stream``, ...) and
    ``delete_service`` the service that deletes it; subclasses write ``save_object``.
    """

    selector = None
    entry = ""
    delete_service = None
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]
    #: a stale ``version`` answers 409 (documented by ``ecopark.schema``)
    conflict_methods = ("PUT", "PATCH")

    def get_queryset(self):
        return type(self).selector(self.request.user).order_by("pk")

    def _validated(self, instance=None, partial=False):
        ser = self.get_serializer(instance, data=self.request.data, partial=partial)
        ser.is_valid(raise_exception=True)
        data = dict(ser.validated_data)
        if instance is not None and "version" not in data:
            raise exceptions.ValidationError(
                {"version": [_("Send the version you read; it guards against overwriting.")]}
            )
        return data

    def create(self, request, *args, **kwargs):
        data = self._validated()
        obj = _call(lambda: self.save_object(None, data, expected_version=None))
        return ApiResponse(self.get_serializer(obj).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        instance = self.get_object()
        data = self._validated(instance, partial=partial)
        version = data.pop("version")
        obj = _call(lambda: self.save_object(instance, data, expected_version=version))
        obj.refresh_from_db()
        return ApiResponse(self.get_serializer(obj).data)

    def destroy(self, request, *args, **kwargs):
        instance = self.get_object()
        _call(lambda: self.delete_object(instance))
        return ApiResponse(status=status.HTTP_204_NO_CONTENT)

    def save_object(self, instance, data, *, expected_version):  # pragma: no cover
        raise NotImplementedError

    def delete_object(self, instance):
        type(self).delete_service(user=self.request.user, **{self.entry: instance})


def _fields(data: dict, names) -> dict:
    return {k: data[k] for k in names if k in data}


def _unmoved(data: dict, instance, name: str, moved: str):
    """The parent ``name`` (``enterprise``, ``park``, ``exchange``) popped from ``data``, or
    the instance's when not sent; a parent other than the instance's is refused (400 with
    ``moved`` on that field): an entry never moves."""
    parent = data.pop(name, None) or getattr(instance, name)
    if instance is not None and parent.pk != getattr(instance, f"{name}_id"):
        raise exceptions.ValidationError({name: [moved]})
    return parent


class _EnterpriseRegisterViewSet(_RegisterViewSet):
    """A register of one enterprise's entries: saved by ``save_service`` (keywords ``user``,
    ``enterprise``, ``<entry>``, ``data`` limited to ``fields``, ``expected_version``); the
    entry never moves to another enterprise (``moved`` says so)."""

    save_service = None
    fields: tuple[str, ...] = ()
    moved = ""

    def save_object(self, instance, data, *, expected_version):
        enterprise = _unmoved(data, instance, "enterprise", self.moved)
        return type(self).save_service(
            user=self.request.user,
            enterprise=enterprise,
            data=_fields(data, self.fields),
            expected_version=expected_version,
            **{self.entry: instance},
        )


class MeasureViewSet(_EnterpriseRegisterViewSet):
    """RECP measures in the caller's scope (enterprise: its own)."""

    serializer_class = MeasureSerializer
    selector = staticmethod(selectors.measures_visible)
    filterset_fields = ["enterprise", "area", "status", "year"]
    entry = "measure"
    save_service = staticmethod(services.measure_save)
    delete_service = staticmethod(services.measure_delete)
    fields = services.MEASURE_FIELDS
    moved = gettext_lazy("A measure cannot move.")


class StreamViewSet(_EnterpriseRegisterViewSet):
    """Streams (outputs offered, inputs needed) in the caller's scope."""

    serializer_class = StreamSerializer
    selector = staticmethod(selectors.streams_visible)
    filterset_fields = ["enterprise", "direction", "category", "active"]
    entry = "stream"
    save_service = staticmethod(services.stream_save)
    delete_service = staticmethod(services.stream_delete)
    fields = services.STREAM_FIELDS + ("is_demo",)
    moved = gettext_lazy("A stream cannot move.")


class CertificateViewSet(_EnterpriseRegisterViewSet):
    """ISO certificates in the caller's scope."""

    serializer_class = CertificateSerializer
    selector = staticmethod(selectors.certificates_visible)
    filterset_fields = ["enterprise", "standard"]
    entry = "certificate"
    save_service = staticmethod(services.certificate_save)
    delete_service = staticmethod(services.certificate_delete)
    fields = services.CERTIFICATE_FIELDS + ("is_demo",)
    moved = gettext_lazy("A certificate cannot move.")


class ExchangeViewSet(_RegisterViewSet):
    """Symbiosis exchanges of the caller's parks and those its enterprise takes part in."""

    serializer_class = ExchangeSerializer
    selector = staticmethod(selectors.exchanges_visible)
    filterset_fields = ["park", "kind", "status"]
    entry = "exchange"
    delete_service = staticmethod(services.exchange_delete)

    def save_object(self, instance, data, *, expected_version):
        park = _unmoved(data, instance, "park", _("An exchange cannot move."))
        if "participants" in data:
            specs = [services.ParticipantSpec(**p) for p in data.pop("participants")]
        else:
            specs = [
                services.ParticipantSpec(
                    kind=p.kind, role=p.role, enterprise=p.enterprise, park=p.park, name=p.name
                )
                for p in (instance.participants.all() if instance else [])
            ]
        return services.exchange_save(
            user=self.request.user,
            park=park,
            exchange=instance,
            data=_fields(data, services.EXCHANGE_FIELDS),
            participants=specs,
            expected_version=expected_version,
        )


class SavingViewSet(_RegisterViewSet):
    """Yearly savings of the exchanges the caller may see."""

    serializer_class = SavingSerializer
    selector = staticmethod(selectors.savings_visible)
    filterset_fields = ["exchange", "year", "carrier", "enterprise"]
    entry = "saving"
    delete_service = staticmethod(services.saving_delete)

    def save_object(self, instance, data, *, expected_version):
        exchange = _unmoved(data, instance, "exchange", _("A saving cannot move."))
        fields = _fields(data, services.SAVING_FIELDS)
        if "enterprise" in data:
            fields["enterprise"] = data["enterprise"]
        return services.saving_save(
            user=self.request.user,
            exchange=exchange,
            saving=instance,
            data=fields,
            expected_version=expected_version,
        )


class ActionViewSet(_RegisterViewSet):
    """Roadmap actions in the caller's scope; ``overdue`` is computed for today."""

    serializer_class = ActionSerializer
    selector = staticmethod(selectors.actions_visible)
    filterset_fields = ["park", "enterprise", "status"]
    entry = "action"
    delete_service = staticmethod(services.action_delete)

    def save_object(self, instance, data, *, expected_version):
        park = data.pop("park", None) or instance.park
        enterprise = data.pop("enterprise", instance.enterprise if instance else None)
        criterion = data.pop("criterion", None) or instance.criterion
        owner = data.pop("owner", instance.owner if instance else None)
        return services.action_save(
            user=self.request.user,
            park=park,
            enterprise=enterprise,
            criterion=criterion,
            owner=owner,
            action=instance,
            data=_fields(data, services.ACTION_FIELDS + ("is_demo",)),
            expected_version=expected_version,
        )


def register_routes(router) -> None:
    """Add the register endpoints to the ``/api/v1/`` router."""
    router.register("recp-measures", MeasureViewSet, basename="recp-measure")
    router.register("symbiosis-exchanges", ExchangeViewSet, basename="symbiosis-exchange")
    router.register("symbiosis-savings", SavingViewSet, basename="symbiosis-saving")
    router.register("streams", StreamViewSet, basename="stream")
    router.register("iso-certificates", CertificateViewSet, basename="iso-certificate")
    router.register("roadmap-actions", ActionViewSet, basename="roadmap-action")
