from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Enterprise, InvestmentProject, Park, Province, Sector, UserScope


@admin.register(Province)
class ProvinceAdmin(admin.ModelAdmin):
    list_display = ["code", "name_vi", "absorbed"]
    search_fields = ["name_vi", "code"]


@admin.register(Park)
class ParkAdmin(admin.ModelAdmin):
    list_display = ["name_vi", "name_en", "kind", "province", "area_ha", "eip_pilot"]
    list_filter = ["kind", "eip_pilot", "province"]
    search_fields = ["name_vi", "name_en", "operator"]


@admin.register(Enterprise)
class EnterpriseAdmin(admin.ModelAdmin):
    list_display = ["name", "tax_code", "park", "sector", "employees", "is_demo"]
    list_filter = ["is_demo", "park__province"]
    search_fields = ["name", "tax_code"]
    autocomplete_fields = ["park"]


@admin.register(Sector)
class SectorAdmin(admin.ModelAdmin):
    list_display = ["edition", "code", "name_vi", "name_en"]
    list_filter = ["edition", "level"]
    search_fields = ["code", "name_vi", "name_en"]


@admin.register(UserScope)
class UserScopeAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "province", "park", "enterprise"]
    list_filter = ["role"]
    autocomplete_fields = ["park", "enterprise"]


@admin.register(InvestmentProject)
class InvestmentProjectAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "park", "enterprise", "investor_name", "is_demo"]
    list_filter = ["is_demo", "park__province"]
    search_fields = ["project_name", "investor_name", "park__name_vi", "enterprise__name"]
    autocomplete_fields = ["park", "enterprise"]
