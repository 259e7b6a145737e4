from django.contrib import admin

from .models import RecomputeState, ScoreSnapshot


@admin.register(ScoreSnapshot)
class ScoreSnapshotAdmin(admin.ModelAdmin):
    list_display = [
        "campaign",
        "park",
        "enterprise",
        "index",
        "criteria_met",
        "criteria_applicable",
        "eligible",
        "computed_at",
    ]
    list_filter = ["campaign", "eligible"]


@admin.register(RecomputeState)
class RecomputeStateAdmin(admin.ModelAdmin):
    list_display = ["campaign", "park", "stale", "requested_at", "computed_at"]
    list_filter = ["stale"]
