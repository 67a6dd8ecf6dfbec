from django.contrib import admin
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .models import Commitment, FocusArea, Pledge, PledgeDialogue, PledgeParty, Signatory


class PledgePartyInline(admin.TabularInline):
    model = PledgeParty
    extra = 0
    autocomplete_fields = ["organisation"]


class SignatoryInline(admin.TabularInline):
    model = Signatory
    extra = 0
    autocomplete_fields = ["organisation"]


class PledgeDialogueInline(admin.TabularInline):
    model = PledgeDialogue
    extra = 0
    autocomplete_fields = ["dialogue"]


class FocusAreaInline(admin.TabularInline):
    model = FocusArea
    extra = 0
    fields = ["order", "key", "title", "theme", "kind", "working_group"]
    show_change_link = True


@admin.register(Pledge)
class PledgeAdmin(SimpleHistoryAdmin):
    list_display = ["title", "municipality_names", "status", "period_start", "period_end", "signed_on"]
    list_filter = ["status", "municipalities__county", "police_areas__region", "followup_cadence"]
    search_fields = ["title", "external_id", "municipalities__name", "municipalities__code"]
    date_hierarchy = "period_start"
    autocomplete_fields = ["municipalities", "police_areas"]
    inlines = [PledgePartyInline, SignatoryInline, PledgeDialogueInline, FocusAreaInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("municipalities")

    @admin.display(description=_("municipalities"))
    def municipality_names(self, obj):
        return ", ".join(m.name for m in obj.municipalities.all())


class CommitmentInline(admin.StackedInline):
    model = Commitment
    extra = 0
    autocomplete_fields = ["responsible", "places"]
    show_change_link = True


@admin.register(FocusArea)
class FocusAreaAdmin(SimpleHistoryAdmin):
    list_display = ["title", "pledge", "order", "theme", "kind"]
    list_filter = ["theme", "kind"]
    search_fields = ["title", "description", "pledge__title"]
    autocomplete_fields = ["pledge", "findings"]
    list_select_related = ["pledge"]
    inlines = [CommitmentInline]


@admin.register(Commitment)
class CommitmentAdmin(SimpleHistoryAdmin):
    list_display = ["title", "focus_area", "target", "wording", "valid_from", "valid_to"]
    list_filter = ["target_kind", "unit", "focus_area__theme"]
    search_fields = ["title", "description", "wording", "focus_area__pledge__title"]
    autocomplete_fields = ["focus_area", "responsible", "places"]
    list_select_related = ["focus_area"]

    @admin.display(description=_("target"))
    def target(self, obj):
        return obj.target_display()


@admin.register(Signatory)
class SignatoryAdmin(admin.ModelAdmin):
    list_display = ["name", "title", "organisation", "pledge", "signed_on"]
    search_fields = ["name", "title", "pledge__title"]
    autocomplete_fields = ["pledge", "organisation"]
    list_select_related = ["organisation", "pledge"]
