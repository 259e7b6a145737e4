"""Admin of the criteria catalogue: ministry staff edit DRAFT versions here.

Who: ministry staff (:func:`indicators.selectors.user_can_maintain_catalogue`: ``is_staff``
or the ministry role; the admin itself admits ``is_staff`` users only). Published and retired
versions are read-only for everyone, superusers included: a GET shows them, a POST answers
403 and bulk deletion is refused. Every change of a draft row is checked like a framework
file (formulas, references, rule shape) and refused when it would add an error
(:func:`indicators.services.version_edit_errors`). Actions on versions: "create a new draft
version" (:func:`~indicators.services.version_new_draft`) and "publish"
(:func:`~indicators.services.version_publish`).
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import Category, Criterion, DataElement, Framework, FrameworkVersion, Indicator
from .selectors import user_can_maintain_catalogue
from .services import (
    FrozenVersionError,
    version_discard_draft,
    version_edit_errors,
    version_new_draft,
    version_publish,
)

FROZEN = [FrameworkVersion.Status.PUBLISHED, FrameworkVersion.Status.RETIRED]


class MaintainerMixin:
    """Ministry staff may view, add, change and delete; nobody else sees the catalogue here."""

    def has_module_permission(self, request):
        return user_can_maintain_catalogue(request.user)

    def has_view_permission(self, request, obj=None):
        return user_can_maintain_catalogue(request.user)

    def has_add_permission(self, request):
        return user_can_maintain_catalogue(request.user)

    def has_change_permission(self, request, obj=None):
        return user_can_maintain_catalogue(request.user)

    def has_delete_permission(self, request, obj=None):
        return user_can_maintain_catalogue(request.user)


class FrozenVersionMixin(MaintainerMixin):
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

    def _version_filter(self) -> str:
        return "status__in" if self.model is FrameworkVersion else "version__status__in"

    def delete_queryset(self, request, queryset):
        """Bulk deletion ("delete selected") is refused when a row belongs to a frozen version."""
        if queryset.filter(**{self._version_filter(): FROZEN}).exists():
            raise PermissionDenied(gettext("Published and retired versions cannot be changed."))
        super().delete_queryset(request, queryset)

    def save_model(self, request, obj, form, change):
        """Save under a lock on the version row, re-checking it is still a draft."""
        with transaction.atomic():
            if isinstance(obj, FrameworkVersion):
                version_id = obj.pk if change else None
            else:
                version_id = obj.version_id
            if version_id is not None:
                locked = FrameworkVersion.objects.select_for_update().get(pk=version_id)
                if locked.is_frozen:
                    raise PermissionDenied(str(FrozenVersionError(locked).messages[0]))
            super().save_model(request, obj, form, change)


class DraftRowForm(forms.ModelForm):
    """A row of a draft version: refused for a frozen version, and when saving it would add a
    check error to the version (named criterion, indicator and token)."""

    def _post_clean(self):
        super()._post_clean()
        if self.errors:
            return
        version = getattr(self.instance, "version", None)
        if version is None:
            return
        if version.is_frozen:
            self.add_error(None, FrozenVersionError(version))
            return
        if isinstance(self.instance, Criterion):
            for name in ("category", "indicator"):
                related = getattr(self.instance, name)
                if related is not None and related.version_id != version.pk:
                    self.add_error(
                        name,
                        ValidationError(
                            gettext("It must belong to %(version)s.") % {"version": version}
                        ),
                    )
            if self.errors:
                return
        errors = version_edit_errors(obj=self.instance)
        if errors:
            self.add_error(None, errors)


class DraftRowAdmin(FrozenVersionMixin, admin.ModelAdmin):
    """Rows of a version: the version is chosen among drafts when adding, fixed afterwards;
    categories and indicators are offered from draft versions only."""

    form = DraftRowForm

    def get_readonly_fields(self, request, obj=None):
        return ["version"] if obj else []

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "version":
            kwargs["queryset"] = FrameworkVersion.objects.filter(
                status=FrameworkVersion.Status.DRAFT
            ).select_related("framework")
        elif db_field.name in ("category", "indicator"):
            kwargs["queryset"] = db_field.related_model.objects.filter(
                version__status=FrameworkVersion.Status.DRAFT
            ).select_related("version__framework")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Framework)
class FrameworkAdmin(MaintainerMixin, admin.ModelAdmin):
    """Frameworks (code, titles); never deleted: their versions are kept."""

    list_display = ["code", "title_vi", "title_en"]

    def has_delete_permission(self, request, obj=None):
        return False  # versions are kept: campaigns and snapshots refer to them


@admin.register(FrameworkVersion)
class FrameworkVersionAdmin(FrozenVersionMixin, admin.ModelAdmin):
    """Versions: drafts' titles, instruments and dates are editable; the status changes only
    through the actions (new draft, publish, discard draft)."""

    list_display = ["framework", "number", "status", "effective_from", "effective_to"]
    list_filter = ["status", "framework"]
    readonly_fields = ["status"]
    actions = ["make_new_draft", "publish", "discard_draft"]

    def has_add_permission(self, request):
        return False  # a draft is a copy ("new draft" action); a new framework is imported

    def has_delete_permission(self, request, obj=None):
        return False  # drafts are discarded with the action below; others are kept

    def get_readonly_fields(self, request, obj=None):
        return ["status", "framework", "number"] if obj else ["status"]

    def has_maintain_permission(self, request):
        return user_can_maintain_catalogue(request.user)

    @admin.action(
        description=_("Create a new draft version from the selected version"),
        permissions=["maintain"],
    )
    def make_new_draft(self, request, queryset):
        """Copy each selected version into a new draft (see ``version_new_draft``)."""
        for version in queryset.select_related("framework"):
            try:
                draft = version_new_draft(version=version, user=request.user)
            except ValidationError as exc:
                for m in exc.messages:
                    self.message_user(request, m, messages.ERROR)
            else:
                self.message_user(
                    request,
                    gettext("%(draft)s was created as a copy of %(version)s.")
                    % {"draft": draft, "version": version},
                    messages.SUCCESS,
                )

    @admin.action(description=_("Publish the selected draft versions"), permissions=["maintain"])
    def publish(self, request, queryset):
        """Check and publish each selected draft; the version it replaces is retired."""
        for version in queryset.select_related("framework").order_by("number"):
            try:
                version_publish(version=version, user=request.user)
            except ValidationError as exc:
                self.message_user(
                    request,
                    gettext("%(version)s was not published:") % {"version": version},
                    messages.ERROR,
                )
                for m in exc.messages:
                    self.message_user(request, m, messages.ERROR)
            else:
                self.message_user(
                    request, gettext("%(version)s is published.") % {"version": version}
                )

    @admin.action(description=_("Discard the selected draft versions"), permissions=["maintain"])
    def discard_draft(self, request, queryset):
        """Delete each selected draft with its rows; published and retired ones are refused."""
        for version in queryset.select_related("framework"):
            label = str(version)
            try:
                version_discard_draft(version=version, user=request.user)
            except ValidationError as exc:
                for m in exc.messages:
                    self.message_user(request, m, messages.ERROR)
            else:
                self.message_user(
                    request, gettext("%(version)s was discarded.") % {"version": label}
                )


@admin.register(Category)
class CategoryAdmin(DraftRowAdmin):
    """Categories of draft versions (read-only once published)."""

    list_display = ["version", "code", "name_vi", "name_en"]
    list_filter = ["version"]


@admin.register(DataElement)
class DataElementAdmin(DraftRowAdmin):
    """Data elements of draft versions; a change that breaks a formula is refused."""

    list_display = ["version", "code", "applies_to", "value_type", "unit", "required"]
    list_filter = ["version", "applies_to", "value_type"]
    search_fields = ["code", "label_vi", "label_en"]


@admin.register(Indicator)
class IndicatorAdmin(DraftRowAdmin):
    """Indicators of draft versions; formulas are checked with the whole version."""

    list_display = ["version", "code", "applies_to", "value_type", "formula"]
    list_filter = ["version", "applies_to"]
    search_fields = ["code", "formula"]


@admin.register(Criterion)
class CriterionAdmin(DraftRowAdmin):
    """Criteria of draft versions; never invent a threshold: leave it blank where the
    legal source gives none."""

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
