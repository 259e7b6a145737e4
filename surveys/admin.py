"""Admin of surveys: campaigns, responses with their answers, steps and reviewers' comments,
and the answers' history (django-simple-history)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    Answer,
    AnswerComment,
    Campaign,
    ProductionLine,
    ReportValue,
    Response,
    Transition,
)


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "period",
        "framework_version",
        "scope",
        "province",
        "opens_on",
        "closes_on",
        "reminder_days",
        "report_forms",
    ]
    list_filter = ["period", "scope"]


#: an answer's fields, shown read-only (answers change only through the survey's services)
ANSWER_FIELDS = [
    "data_element",
    "value_number",
    "value_bool",
    "value_text",
    "raw",
    "unit_entered",
    "updated_by",
]


class AnswerInline(admin.TabularInline):
    model = Answer
    extra = 0
    readonly_fields = [*ANSWER_FIELDS, "updated_at"]
    can_delete = False


class TransitionInline(admin.TabularInline):
    model = Transition
    extra = 0
    readonly_fields = ["from_status", "to_status", "by", "at", "reason"]
    can_delete = False


class AnswerCommentInline(admin.TabularInline):
    model = AnswerComment
    extra = 0
    readonly_fields = ["data_element", "transition", "text", "by", "at"]
    can_delete = False


@admin.register(Response)
class ResponseAdmin(admin.ModelAdmin):
    list_display = ["campaign", "park", "enterprise", "status", "version", "submitted_at"]
    list_filter = ["status", "campaign"]
    inlines = [AnswerInline, TransitionInline, AnswerCommentInline]
    readonly_fields = ["version"]


@admin.register(Answer)
class AnswerAdmin(SimpleHistoryAdmin):
    """Answers with their history of changes (who, when, old and new value)."""

    list_display = ["response", "data_element", "raw", "updated_by", "updated_at"]
    list_select_related = ["response__campaign", "data_element", "updated_by"]
    search_fields = ["data_element__code", "raw"]
    readonly_fields = ["response", *ANSWER_FIELDS]
    history_list_display = ["raw", "value_number", "value_bool", "value_text"]


@admin.register(ReportValue)
class ReportValueAdmin(SimpleHistoryAdmin):
    """Fields of the official report forms with their origin and history (read only: they
    are changed on the response page, through the API or an Excel import)."""

    list_display = ["response", "item", "raw", "origin", "updated_by", "updated_at"]
    list_filter = ["origin"]
    search_fields = ["item", "raw"]
    readonly_fields = [
        "response",
        "item",
        "value_number",
        "value_bool",
        "value_text",
        "raw",
        "unit_entered",
        "origin",
        "updated_by",
    ]


@admin.register(ProductionLine)
class ProductionLineAdmin(SimpleHistoryAdmin):
    """Rows of the production table (form B.4 Part II) with their history."""

    list_display = ["response", "position", "product", "unit", "actual_output"]
    readonly_fields = ["response", "updated_by"]
