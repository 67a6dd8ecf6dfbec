"""The audit trail: one place that writes AuditEvent rows, and the signals that call it."""

import ipaddress

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from simple_history.models import HistoricalRecords

from municipalities.models import Membership

from .models import AuditEvent

Action = AuditEvent.Action


def _current_request():
    """The request being served (simple-history's middleware keeps it), for the client's address."""
    return getattr(HistoricalRecords.context, "request", None)


def client_address(request):
    """The client's IP address, or None if it is not a valid one; django-axes uses it too.

    Without proxies (TRUSTED_PROXY_COUNT = 0) it is REMOTE_ADDR, and X-Forwarded-For is ignored: any client
    can send it. Behind N trusted proxies, each appending the address it received from to X-Forwarded-For,
    the client is the N-th entry from the right; entries further left came from the client and may be made
    up. A header with fewer entries than there are proxies did not come through them all: REMOTE_ADDR then.
    """
    address = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [entry.strip() for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [entry for entry in forwarded if entry]
        if len(forwarded) >= proxies:
            address = forwarded[-proxies]
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def _address(request):
    return client_address(request) if request is not None else None


def audit_record(action, *, user=None, username="", obj=None, detail="", request=None):
    request = request or _current_request()
    if user is None and request is not None and getattr(request, "user", None) and request.user.is_authenticated:
        user = request.user
    return AuditEvent.objects.create(
        action=action,
        user=user if user is not None and user.pk else None,
        username=username or (user.get_username() if user is not None else ""),
        ip_address=_address(request),
        object_type=obj._meta.label if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        detail=detail,
    )


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    audit_record(Action.LOGIN, user=user, request=request)


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    audit_record(Action.LOGIN_FAILED, username=credentials.get("username", "")[:150], request=request)


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        audit_record(Action.LOGOUT, user=user, request=request)


@receiver(post_save, sender=Membership)
def _role_granted(sender, instance, created, **kwargs):
    if created:
        audit_record(Action.ROLE_GRANTED, obj=instance, detail=_membership_text(instance))


@receiver(post_delete, sender=Membership)
def _role_revoked(sender, instance, **kwargs):
    audit_record(Action.ROLE_REVOKED, obj=instance, detail=_membership_text(instance))


def _membership_text(membership):
    scope = membership.municipality or membership.police_area
    return f"{membership.user.get_username()}: {membership.get_role_display()} – {scope}"
