from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from municipalities.admin import MembershipInline

from . import personal_data
from .models import AuditEvent, User

# Actions on personal data: for superusers only (hidden from others, and a 403 if sent anyway).
PERSONAL_DATA_ACTIONS = ("export_personal_data", "pseudonymise")


@admin.register(User)
class ProjectUserAdmin(UserAdmin):
    inlines = [MembershipInline]
    list_display = ["username", "first_name", "last_name", "email", "is_staff", "is_active", "last_login"]
    actions = list(PERSONAL_DATA_ACTIONS)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not request.user.is_superuser:
            for name in PERSONAL_DATA_ACTIONS:
                actions.pop(name, None)
        return actions

    def response_action(self, request, queryset):
        if request.POST.get("action") in PERSONAL_DATA_ACTIONS and not request.user.is_superuser:
            raise PermissionDenied
        return super().response_action(request, queryset)

    @admin.action(description=gettext_lazy("Export personal data"))
    def export_personal_data(self, request, queryset):
        """Download everything stored about the chosen users as JSON (one user: the same document as
        `manage.py personal_data export --user`; several: a list of them)."""
        if not request.user.is_superuser:
            raise PermissionDenied
        users = list(queryset.order_by("pk"))
        exports = [personal_data.export_user(user, by=request.user, source="admin") for user in users]
        if len(exports) == 1:
            data, filename = exports[0], f"personuppgifter-{users[0].get_username()}.json"
        else:
            data, filename = exports, "personuppgifter.json"
        response = HttpResponse(personal_data.dumps(data), content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        response["Cache-Control"] = "no-store"
        return response

    @admin.action(description=gettext_lazy("Pseudonymise"))
    def pseudonymise(self, request, queryset):
        """Erase (pseudonymise) the chosen users after a confirmation page, as Django's own delete action."""
        if not request.user.is_superuser:
            raise PermissionDenied
        users = list(queryset.order_by("pk"))
        if any(user.pk == request.user.pk for user in users):
            self.message_user(request, _("You cannot erase your own account."), messages.ERROR)
            return None
        if request.POST.get("post") != "yes":
            context = {
                **self.admin_site.each_context(request),
                "title": _("Pseudonymise users"),
                "opts": self.model._meta,
                "users": users,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                "media": self.media,
            }
            return TemplateResponse(request, "admin/accounts/user/pseudonymise_confirmation.html", context)
        with transaction.atomic():
            results = [personal_data.erase_user(user, by=request.user, source="admin") for user in users]
        self.message_user(
            request,
            ngettext(
                "%(count)d user pseudonymised: %(names)s.", "%(count)d users pseudonymised: %(names)s.", len(results)
            )
            % {"count": len(results), "names": ", ".join(result.pseudonym for result in results)},
            messages.SUCCESS,
        )
        return None


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
