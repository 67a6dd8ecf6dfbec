from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from .models import Membership, Municipality, Organisation, PoliceArea, PoliceRegion


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["municipality", "police_area"]


@admin.register(PoliceRegion)
class PoliceRegionAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "area_count"]
    search_fields = ["name"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(area_count=Count("police_areas"))

    @admin.display(description=_("local police areas"), ordering="area_count")
    def area_count(self, obj):
        return obj.area_count


@admin.register(PoliceArea)
class PoliceAreaAdmin(admin.ModelAdmin):
    list_display = ["name", "region", "municipality_names"]
    list_filter = ["region"]
    search_fields = ["name", "municipalities__name", "municipalities__code"]
    autocomplete_fields = ["municipalities"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("region").prefetch_related("municipalities")

    @admin.display(description=_("municipalities"))
    def municipality_names(self, obj):
        return ", ".join(m.name for m in obj.municipalities.all())


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "county", "require_two_factor", "pledge_count"]
    # Whether the municipality's staff must use two-factor login is set here, by the system administrator:
    # no role in municipalities/permissions.py manages a municipality's settings.
    list_filter = ["county", "require_two_factor", "police_areas__region"]
    search_fields = ["name", "code"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(pledge_count=Count("pledges", distinct=True))

    @admin.display(description=_("pledges"), ordering="pledge_count")
    def pledge_count(self, obj):
        return obj.pledge_count


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "municipality"]
    list_filter = ["kind"]
    search_fields = ["name", "municipality__name"]
    autocomplete_fields = ["municipality"]
    list_select_related = ["municipality"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "municipality", "police_area", "created_at"]
    list_filter = ["role", "municipality__county"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "municipality__name", "police_area__name"]
    autocomplete_fields = ["user", "municipality", "police_area"]
    list_select_related = ["user", "municipality", "police_area"]
