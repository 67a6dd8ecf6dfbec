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
