from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """The project's own user model, so that fields can be added later without a painful swap.

    What a user may do comes from their memberships (``municipalities.Membership``).
    """

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.get_full_name() or self.username


class FormSubmission(models.Model):
    """A create form that was sent: its one-time key (a hidden field) makes a double click or a form sent
    again create nothing more. Claimed in the same transaction as the object it creates."""

    key = models.UUIDField(_("key"), unique=True)
    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+", verbose_name=_("user"))
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        verbose_name = _("form submission")
        verbose_name_plural = _("form submissions")

    def __str__(self):
        return str(self.key)


class AuditEvent(models.Model):
    """Who did what, when and from where: logins, role changes, the workflow's steps, amendments and downloads
    of documents that are not public. Written by accounts.audit; read-only in the admin, for superusers."""

    class Action(models.TextChoices):
        LOGIN = "login", _("Logged in")
        LOGIN_FAILED = "login_failed", _("Failed login")
        LOGOUT = "logout", _("Logged out")
        ROLE_GRANTED = "role_granted", _("Role granted")
        ROLE_REVOKED = "role_revoked", _("Role revoked")
        STATUS_CHANGED = "status_changed", _("Status changed")
        AMENDED = "amended", _("Amended")
        DOWNLOADED = "downloaded", _("Downloaded a document")
        TWO_FACTOR_ON = "two_factor_on", _("Two-factor login turned on")
        TWO_FACTOR_OFF = "two_factor_off", _("Two-factor login turned off")
        TWO_FACTOR_FAILED = "two_factor_failed", _("Wrong two-factor code")
        DATA_EXPORTED = "data_exported", _("Personal data exported")
        DATA_ERASED = "data_erased", _("Personal data erased")

    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    user = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("user")
    )
    username = models.CharField(
        _("username"), max_length=150, blank=True, help_text=_("As given, also for failed logins.")
    )
    ip_address = models.GenericIPAddressField(_("from address"), null=True, blank=True)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    detail = models.TextField(_("detail"), blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.get_action_display()} {self.username}"
