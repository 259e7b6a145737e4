from django.contrib import admin

from .models import Answer, Campaign, Response, Transition


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["name", "period", "framework_version", "scope", "opens_on", "closes_on"]


class AnswerInline(admin.TabularInline):
    model = Answer
    extra = 0
    readonly_fields = [
        "data_element",
        "value_number",
        "value_bool",
        "value_text",
        "raw",
        "unit_entered",
        "updated_by",
        "updated_at",
    ]
    can_delete = False


class TransitionInline(admin.TabularInline):
    model = Transition
    extra = 0
    readonly_fields = ["from_status", "to_status", "by", "at", "reason"]
    can_delete = False


@admin.register(Response)
class ResponseAdmin(admin.ModelAdmin):
    list_display = ["campaign", "park", "enterprise", "status", "version", "submitted_at"]
    list_filter = ["status", "campaign"]
    inlines = [AnswerInline, TransitionInline]
    readonly_fields = ["version"]
