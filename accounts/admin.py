from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from municipalities.admin import MembershipInline

from .models import AuditEvent, User


@admin.register(User)
class ProjectUserAdmin(UserAdmin):
    inlines = [MembershipInline]
    list_display = ["username", "first_name", "last_name", "email", "is_staff", "is_active", "last_login"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the trail cannot be edited through the application."""

    list_display = ["created_at", "action", "username", "ip_address", "object_type", "object_id", "detail"]
    list_filter = ["action", "created_at"]
    search_fields = ["username", "ip_address", "object_id", "detail"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser
