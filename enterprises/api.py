"""Read API for parks and enterprises under ``/api/v1/``, scoped by the permission policy."""

from __future__ import annotations

from rest_framework import serializers, viewsets

from .models import Enterprise, Park
from .policy import visible_enterprises, visible_parks


class ParkSerializer(serializers.ModelSerializer):
    """A park: names, kind, province now (code, name) and before the 2025 merger, area (ha),
    operator, year established, WGS84 coordinates (OpenStreetMap) and source."""

    province_code = serializers.CharField(source="province.code", read_only=True)
    province_name = serializers.CharField(source="province.name_vi", read_only=True)

    class Meta:
        model = Park
        fields = [
            "id",
            "name_vi",
            "name_en",
            "kind",
            "province_code",
            "province_name",
            "province_before_2025",
            "area_ha",
            "operator",
            "established_year",
            "latitude",
            "longitude",
            "eip_pilot",
            "source",
        ]


class EnterpriseSerializer(serializers.ModelSerializer):
    """An enterprise: name, tax code (canonical), park, VSIC sector code and edition, employees."""

    sector_code = serializers.CharField(source="sector.code", read_only=True, default=None)
    sector_edition = serializers.CharField(source="sector.edition", read_only=True, default=None)

    class Meta:
        model = Enterprise
        fields = [
            "id",
            "name",
            "tax_code",
            "park",
            "sector_code",
            "sector_edition",
            "employees",
            "is_demo",
        ]


class ParkViewSet(viewsets.ReadOnlyModelViewSet):
    """Parks in the caller's scope; others answer 404."""

    serializer_class = ParkSerializer
    filterset_fields = ["kind", "province__code", "eip_pilot"]

    def get_queryset(self):
        return visible_parks(self.request.user).select_related("province").order_by("pk")


class EnterpriseViewSet(viewsets.ReadOnlyModelViewSet):
    """Enterprises in the caller's scope (an enterprise sees only itself); others answer 404."""

    serializer_class = EnterpriseSerializer
    filterset_fields = ["park"]

    def get_queryset(self):
        return visible_enterprises(self.request.user).select_related("sector").order_by("pk")
