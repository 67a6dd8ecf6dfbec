from django.contrib import admin

from .models import Dialogue, Finding, Place


class FindingInline(admin.TabularInline):
    model = Finding
    extra = 0
    fields = ["order", "key", "kind", "text", "theme", "place", "raised_by_count", "rank"]
    autocomplete_fields = ["place"]


@admin.register(Dialogue)
class DialogueAdmin(admin.ModelAdmin):
    list_display = ["title", "municipality", "kind", "held_on", "date_precision", "participants_total"]
    list_filter = ["kind", "municipality__county", "date_precision"]
    search_fields = ["title", "summary", "municipality__name", "external_id"]
    date_hierarchy = "held_on"
    autocomplete_fields = ["municipality", "place"]
    list_select_related = ["municipality"]
    inlines = [FindingInline]


@admin.register(Finding)
class FindingAdmin(admin.ModelAdmin):
    list_display = ["text", "kind", "theme", "dialogue", "rank", "raised_by_count"]
    list_filter = ["kind", "theme"]
    search_fields = ["text", "dialogue__title"]
    autocomplete_fields = ["dialogue", "place"]
    list_select_related = ["dialogue"]


@admin.register(Place)
class PlaceAdmin(admin.ModelAdmin):
    list_display = ["name", "municipality", "latitude", "longitude"]
    list_filter = ["municipality__county"]
    search_fields = ["name", "municipality__name"]
    autocomplete_fields = ["municipality"]
    list_select_related = ["municipality"]
