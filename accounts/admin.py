from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from municipalities.admin import MembershipInline

from .models import User


@admin.register(User)
class ProjectUserAdmin(UserAdmin):
    inlines = [MembershipInline]
    list_display = ["username", "first_name", "last_name", "email", "is_staff", "is_active", "last_login"]
