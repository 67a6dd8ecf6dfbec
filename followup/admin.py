from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import ActivityLog, Evaluation, Indicator, IndicatorValue, MissedPeriod, Reminder


@admin.register(ActivityLog)
class ActivityLogAdmin(SimpleHistoryAdmin):
    list_display = ["performed_on", "commitment", "quantity", "hours_spent", "logged_by", "imported"]
    list_filter = ["imported", "commitment__focus_area__pledge"]
    search_fields = ["note", "commitment__title", "commitment__focus_area__pledge__title"]
    date_hierarchy = "performed_on"
    autocomplete_fields = ["commitment", "logged_by"]
    list_select_related = ["commitment", "logged_by"]


class IndicatorValueInline(admin.TabularInline):
    model = IndicatorValue
    extra = 0


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ["name", "pledge", "unit", "baseline_value", "target_value", "source"]
    list_filter = ["source", "unit", "direction"]
    search_fields = ["name", "pledge__title"]
    autocomplete_fields = ["pledge", "municipality", "police_area"]
    list_select_related = ["pledge"]
    inlines = [IndicatorValueInline]


@admin.register(Evaluation)
class EvaluationAdmin(admin.ModelAdmin):
    list_display = ["pledge", "year", "status", "built_at", "checksum"]
    list_filter = ["status", "year"]
    search_fields = ["pledge__title"]
    autocomplete_fields = ["pledge"]
    list_select_related = ["pledge"]
    readonly_fields = ["checksum", "built_at", "error"]


@admin.register(MissedPeriod)
class MissedPeriodAdmin(SimpleHistoryAdmin):
    list_display = ["commitment", "period_start", "period_end", "reason", "recorded_by", "recorded_at"]
    list_filter = ["reason"]
    search_fields = ["commitment__title", "reason_text", "corrective_action"]
    autocomplete_fields = ["commitment", "recorded_by"]
    list_select_related = ["commitment", "recorded_by"]


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ["commitment", "period_start", "user", "sent_at"]
    search_fields = ["commitment__title", "user__username", "user__email"]
    list_select_related = ["commitment", "user"]
    readonly_fields = ["commitment", "period_start", "user", "sent_at"]

    def has_add_permission(self, request):
        return False  # a record of e-mails sent, not something to make up
