from django.contrib import admin

from .models import Category, Criterion, DataElement, Framework, FrameworkVersion, Indicator


class FrozenVersionMixin:
    """Published and retired versions are read-only in the admin."""

    def _version_of(self, obj):
        return obj if isinstance(obj, FrameworkVersion) else getattr(obj, "version", None)

    def has_change_permission(self, request, obj=None):
        version = self._version_of(obj) if obj else None
        if version is not None and version.is_frozen:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        version = self._version_of(obj) if obj else None
        if version is not None and version.is_frozen:
            return False
        return super().has_delete_permission(request, obj)


@admin.register(Framework)
class FrameworkAdmin(admin.ModelAdmin):
    list_display = ["code", "title_vi", "title_en"]


@admin.register(FrameworkVersion)
class FrameworkVersionAdmin(FrozenVersionMixin, admin.ModelAdmin):
    list_display = ["framework", "number", "status", "effective_from", "effective_to"]
    list_filter = ["status", "framework"]


@admin.register(Category)
class CategoryAdmin(FrozenVersionMixin, admin.ModelAdmin):
    list_display = ["version", "code", "name_vi", "name_en"]
    list_filter = ["version"]


@admin.register(DataElement)
class DataElementAdmin(FrozenVersionMixin, admin.ModelAdmin):
    list_display = ["version", "code", "applies_to", "value_type", "unit", "required"]
    list_filter = ["version", "applies_to", "value_type"]
    search_fields = ["code", "label_vi", "label_en"]


@admin.register(Indicator)
class IndicatorAdmin(FrozenVersionMixin, admin.ModelAdmin):
    list_display = ["version", "code", "applies_to", "value_type", "formula"]
    list_filter = ["version", "applies_to"]


@admin.register(Criterion)
class CriterionAdmin(FrozenVersionMixin, admin.ModelAdmin):
    list_display = [
        "version",
        "code",
        "applies_to",
        "level",
        "rule",
        "operator",
        "threshold",
        "verification_status",
    ]
    list_filter = ["version", "applies_to", "level", "verification_status"]
    search_fields = ["code", "title_vi", "title_en"]
