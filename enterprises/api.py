"""API under ``/api/v1/`` for the registry and its people, scoped by the permission policy:
parks and enterprises (read; written by those who keep them), invitations (create, list,
resend, revoke) and users (list, deactivate). An object outside the caller's reading scope
answers 404; inside it without the right, 403.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from common.serializers import StrictJSONTypesMixin
from ecopark.schema import ERROR

from . import services
from . import services_people as people
from .models import (
    ROLE_SCOPE_FIELD,
    Enterprise,
    Invitation,
    Park,
    Province,
    Role,
    Sector,
    UserScope,
)
from .policy import Action, can, restrict, visible_enterprises, visible_parks


def _run(call, *args, **kwargs):
    """Run a service: Django's PermissionDenied → 403, ValidationError → 400 by field."""
    try:
        return call(*args, **kwargs)
    except DjangoPermissionDenied as exc:
        raise exceptions.PermissionDenied(str(exc) or None) from None
    except DjangoValidationError as exc:
        if hasattr(exc, "error_dict"):
            raise exceptions.ValidationError(exc.message_dict) from None
        raise exceptions.ValidationError(exc.messages) from None


class ParkSerializer(StrictJSONTypesMixin, serializers.ModelSerializer):
    """A park: names, kind, status, province now (code, name) and before the 2025 merger,
    area (ha), infrastructure developer, year established, WGS84 coordinates and source.
    Written with ``province_code``."""

    province_code = serializers.SlugRelatedField(
        source="province", slug_field="code", queryset=Province.objects.all()
    )
    province_name = serializers.CharField(source="province.name_vi", read_only=True)

    class Meta:
        model = Park
        # the registry's fields, the province by its code (and its name, read only)
        fields = [
            "id",
            *("province_code" if f == "province" else f for f in services.PARK_FIELDS),
            "province_name",
        ]
        # the service checks uniqueness and the model's constraints (400 by field)
        validators = []
        extra_kwargs = {"name_vi": {"validators": []}}


class EnterpriseSerializer(StrictJSONTypesMixin, serializers.ModelSerializer):
    """An enterprise: name, tax code (canonical; a branch with its head office ``parent``),
    park, VSIC sector code and edition, employees, contact, active. Written with
    ``sector_code`` and ``sector_edition``; changing ``park`` moves it (a board, the
    ministry)."""

    sector_code = serializers.CharField(
        source="sector.code", default=None, allow_null=True, required=False
    )
    sector_edition = serializers.ChoiceField(
        source="sector.edition",
        choices=Sector.Edition.choices,
        default=Sector.Edition.VSIC2018,
        required=False,
    )
    park = serializers.PrimaryKeyRelatedField(queryset=Park.objects.all())
    parent = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)

    class Meta:
        model = Enterprise
        fields = [
            "id",
            "name",
            "tax_code",
            "parent",
            "park",
            "sector_code",
            "sector_edition",
            "employees",
            "contact_name",
            "contact_email",
            "contact_phone",
            "is_active",
            "is_demo",
        ]
        read_only_fields = ["is_demo", "is_active"]
        extra_kwargs = {"tax_code": {"validators": []}}


class ParkViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Parks in the caller's scope (others answer 404); the ministry adds and edits any, a
    board those of its province (403 otherwise)."""

    serializer_class = ParkSerializer
    filterset_fields = ["kind", "province__code", "eip_pilot", "status"]

    def get_queryset(self):
        return visible_parks(self.request.user).select_related("province").order_by("pk")

    def perform_create(self, serializer):
        serializer.instance = _run(
            services.park_save, user=self.request.user, data=dict(serializer.validated_data)
        )

    def perform_update(self, serializer):
        serializer.instance = _run(
            services.park_save,
            user=self.request.user,
            park=serializer.instance,
            data=dict(serializer.validated_data),
        )


def _enterprise_data(validated: dict) -> dict:
    data = {k: v for k, v in validated.items() if k in services.ENTERPRISE_FIELDS}
    sector = validated.get("sector")
    if sector is not None or "sector" in validated:
        code = (sector or {}).get("code")
        edition = (sector or {}).get("edition") or Sector.Edition.VSIC2018
        if code:
            found = Sector.objects.filter(edition=edition, code=code).first()
            if found is None:
                raise exceptions.ValidationError(
                    {
                        "sector_code": _("%(code)s is not a code of %(edition)s.")
                        % {"code": code, "edition": edition}
                    }
                )
            data["sector"] = found
        else:
            data["sector"] = None
    return data


class EnterpriseViewSet(
    mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet
):
    """Enterprises in the caller's scope (an enterprise sees only itself; others answer
    404). The park manager adds and edits its tenants (a board and the ministry too, and they
    may move one to another park); ``POST .../deactivate/`` and ``.../reactivate/``."""

    serializer_class = EnterpriseSerializer
    filterset_fields = ["park", "is_active"]

    def get_queryset(self):
        return visible_enterprises(self.request.user).select_related("sector").order_by("pk")

    def perform_create(self, serializer):
        park = serializer.validated_data["park"]
        if not can(self.request.user, Action.VIEW, park):
            raise exceptions.ValidationError({"park": _("Unknown park.")})
        serializer.instance = _run(
            services.enterprise_save,
            user=self.request.user,
            park=park,
            data=_enterprise_data(serializer.validated_data),
        )

    def perform_update(self, serializer):
        if not can(self.request.user, Action.MANAGE, serializer.instance):
            raise exceptions.PermissionDenied
        park = serializer.validated_data.get("park", serializer.instance.park)
        serializer.instance = _run(
            services.enterprise_save,
            user=self.request.user,
            enterprise=serializer.instance,
            park=park,
            data=_enterprise_data(serializer.validated_data),
        )

    def _set_active(self, active: bool):
        enterprise = self.get_object()
        _run(
            services.enterprise_set_active,
            user=self.request.user,
            enterprise=enterprise,
            active=active,
        )
        return Response(self.get_serializer(enterprise).data)

    @extend_schema(request=None, responses=EnterpriseSerializer)
    @action(detail=True, methods=["post"])
    def deactivate(self, request, pk=None):
        """Deactivate the tenant (it leaves new campaigns; its history stays)."""
        return self._set_active(False)

    @extend_schema(request=None, responses=EnterpriseSerializer)
    @action(detail=True, methods=["post"])
    def reactivate(self, request, pk=None):
        """Reactivate the tenant."""
        return self._set_active(True)


class InvitationSerializer(StrictJSONTypesMixin, serializers.ModelSerializer):
    """An invitation: e-mail, role and what it covers (``province`` code, ``park`` id or
    ``enterprise`` id as the role needs), language, state (sent, accepted, expired, revoked),
    who invited, when it was sent and until when its link is valid."""

    province = serializers.SlugRelatedField(
        slug_field="code", queryset=Province.objects.all(), required=False, allow_null=True
    )
    park = serializers.PrimaryKeyRelatedField(
        queryset=Park.objects.all(), required=False, allow_null=True
    )
    enterprise = serializers.PrimaryKeyRelatedField(
        queryset=Enterprise.objects.all(), required=False, allow_null=True
    )
    state = serializers.SerializerMethodField()
    invited_by = serializers.CharField(source="invited_by.username", read_only=True)

    class Meta:
        model = Invitation
        fields = [
            "id",
            "email",
            "role",
            "province",
            "park",
            "enterprise",
            "language",
            "state",
            "invited_by",
            "created_at",
            "sent_at",
            "times_sent",
            "expires_at",
            "accepted_at",
            "revoked_at",
        ]
        read_only_fields = [
            "created_at",
            "sent_at",
            "times_sent",
            "expires_at",
            "accepted_at",
            "revoked_at",
        ]

    def get_state(self, obj) -> str:
        return obj.state


class InvitationViewSet(
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Invitations of the caller's scope (others answer 404): create one (the e-mail is sent;
    403 when the caller may not invite to that role and scope), ``POST .../resend/`` (a new
    link valid 7 days), ``POST .../revoke/``."""

    serializer_class = InvitationSerializer
    filterset_fields = ["role", "email"]

    def get_queryset(self):
        return (
            restrict(Invitation.objects.all(), self.request.user, Action.VIEW)
            .select_related("province", "invited_by")
            .order_by("-created_at")
        )

    def perform_create(self, serializer):
        data = serializer.validated_data
        role = data["role"]
        field = ROLE_SCOPE_FIELD[Role(role)]
        target = data.get(field) if field else None
        if field and target is None:
            raise exceptions.ValidationError({field: _("This field is required.")})
        if target is not None and not can(self.request.user, Action.VIEW, target):
            raise exceptions.ValidationError({field: _("Unknown %(field)s.") % {"field": field}})
        serializer.instance, _token = _run(
            people.invitation_create,
            user=self.request.user,
            email=data["email"],
            role=role,
            target=target,
            language=data.get("language", "vi"),
        )

    def _managed(self) -> Invitation:
        invitation = self.get_object()
        if not can(self.request.user, Action.INVITE, invitation):
            raise exceptions.PermissionDenied
        return invitation

    @extend_schema(
        request=None,
        responses={
            200: InvitationSerializer,
            400: OpenApiResponse(ERROR, description="Accepted or revoked: not sent again."),
        },
    )
    @action(detail=True, methods=["post"])
    def resend(self, request, pk=None):
        """Send again with a new link valid 7 days (the old link stops working)."""
        invitation = self._managed()
        _run(people.invitation_resend, user=request.user, invitation=invitation)
        invitation.refresh_from_db()
        return Response(self.get_serializer(invitation).data)

    @extend_schema(
        request=None,
        responses={
            200: InvitationSerializer,
            400: OpenApiResponse(ERROR, description="Already accepted or revoked."),
        },
    )
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        """Withdraw the invitation; its link stops working."""
        invitation = self._managed()
        invitation = _run(people.invitation_revoke, user=request.user, invitation=invitation)
        return Response(self.get_serializer(invitation).data)


class MembershipSerializer(serializers.ModelSerializer):
    """A membership: role, what it covers, active, since."""

    province = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = UserScope
        fields = ["id", "role", "province", "park", "enterprise", "is_active", "created_at"]


class UserSerializer(serializers.ModelSerializer):
    """A person of the caller's scope: user name, names, e-mail, active, last login, and the
    memberships the caller sees."""

    memberships = MembershipSerializer(source="visible_memberships", many=True, read_only=True)

    class Meta:
        model = get_user_model()
        fields = [
            "id",
            "username",
            "first_name",
            "last_name",
            "email",
            "is_active",
            "last_login",
            "memberships",
        ]


class UserDeactivatedSerializer(UserSerializer):
    """The person after ``POST .../deactivate/`` (as :class:`UserSerializer`), with how many
    memberships ended, whether the account was deactivated and when."""

    memberships_ended = serializers.IntegerField(read_only=True)
    account_deactivated = serializers.BooleanField(read_only=True)
    at = serializers.DateTimeField(read_only=True)

    class Meta(UserSerializer.Meta):
        fields = [*UserSerializer.Meta.fields, "memberships_ended", "account_deactivated", "at"]


class UserViewSet(viewsets.ReadOnlyModelViewSet):
    """People with a membership in the caller's scope (others answer 404);
    ``POST .../deactivate/`` ends the memberships the caller manages (403 if none) and
    deactivates the account when none is left."""

    serializer_class = UserSerializer

    def get_queryset(self):
        from .selectors import people_visible

        return people_visible(self.request.user)

    @extend_schema(
        request=None,
        responses={
            200: UserDeactivatedSerializer,
            400: OpenApiResponse(ERROR, description="The caller's own account."),
        },
    )
    @action(detail=True, methods=["post"])
    def deactivate(self, request, pk=None):
        """End the memberships the caller manages; the account is deactivated when none is
        left (its answers and history stay attributed)."""
        person = self.get_object()
        outcome = _run(people.user_deactivate, user=request.user, person=person)
        person = self.get_queryset().get(pk=person.pk)
        person.memberships_ended = outcome.memberships_ended
        person.account_deactivated = outcome.account_deactivated
        person.at = timezone.now()
        return Response(UserDeactivatedSerializer(person).data)


class TokenScheme(KnoxTokenScheme):
    """The OpenAPI description of :class:`enterprises.authentication.TokenAuthentication`
    (knox's bearer token, as drf-spectacular describes knox's own class)."""

    target_class = "enterprises.authentication.TokenAuthentication"


class AxesBasicScheme(OpenApiAuthenticationExtension):
    """The OpenAPI description of :class:`enterprises.authentication.AxesBasicAuthentication`
    (HTTP basic)."""

    target_class = "enterprises.authentication.AxesBasicAuthentication"
    name = "basicAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "basic"}
