"""Two-factor login: a time-based code from an authenticator app (TOTP), with one-time backup codes.

django-otp keeps the devices (``TOTPDevice``, ``StaticDevice`` for the backup codes), throttles wrong codes
per device and marks a session as verified (``request.user.is_verified()``, from its ``OTPMiddleware``).
This module holds the rules on top of that, in one place:

- turning two-factor login on (with a code that proves the app has the secret), off (not while a
  municipality of the user requires it) and making new backup codes;
- checking a code at the second step of the login, with an audit row for every wrong one;
- ``TwoFactorMiddleware``: a logged-in user who has two-factor login but has not given a code in this
  session reaches neither the staff area, the admin nor their account settings; a user whom a municipality
  requires to use it and who has not turned it on is sent to the set-up page from the staff area (and from
  the admin, for admin users).
"""

import base64
from urllib.parse import urlencode

import segno
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.functional import cached_property
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django_otp import verify_token
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from municipalities.models import Municipality

from .audit import audit_record
from .models import AuditEvent

Action = AuditEvent.Action

BACKUP_CODE_COUNT = 10
# The secret of a set-up in progress lives in the session until a code confirms it: no device row is
# written for a page that is only looked at.
SETUP_SESSION_KEY = "two_factor_setup_key"
APP_DEVICE_NAME = "Autentiseringsapp"
BACKUP_DEVICE_NAME = "Reservkoder"
TOTP_DIGITS = 6


# ---------------------------------------------------------------------------------------------- reads


def _requiring_q(user):
    """Municipalities the user has a role in, directly or through a police area covering them."""
    return Q(memberships__user=user) | Q(police_areas__memberships__user=user)


def municipalities_requiring_two_factor(user):
    """The municipalities that require two-factor login of this user, by name (one query when evaluated)."""
    if not user.is_authenticated:
        return Municipality.objects.none()
    return Municipality.objects.filter(_requiring_q(user), require_two_factor=True).distinct().order_by("name")


def two_factor_state(user) -> tuple[bool, bool]:
    """(has two-factor login on, is required to have it), in one query: the middleware asks on every
    staff-area request of a session that is not verified."""
    state = (
        get_user_model()
        .objects.filter(pk=user.pk)
        .annotate(
            has_app=Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)),
            has_codes=Exists(StaticToken.objects.filter(device__user=OuterRef("pk"), device__confirmed=True)),
            required=Exists(Municipality.objects.filter(_requiring_q(OuterRef("pk")), require_two_factor=True)),
        )
        .values_list("has_app", "has_codes", "required")
        .first()
    )
    if state is None:
        return False, False
    has_app, has_codes, required = state
    return has_app or has_codes, required


def has_two_factor(user) -> bool:
    return user.is_authenticated and two_factor_state(user)[0]


def is_verified(request) -> bool:
    """Whether this session gave a code (django-otp's middleware sets ``is_verified`` on the user; a user
    just logged in by ``django.contrib.auth.login`` has not)."""
    check = getattr(request.user, "is_verified", None)
    return bool(check and check())


def backup_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


# ------------------------------------------------------------------------------------ set-up helpers


def setup_key(request) -> str:
    """The hex secret of the set-up in progress in this session (made on the first visit)."""
    key = request.session.get(SETUP_SESSION_KEY)
    if not key:
        key = random_hex(20)
        request.session[SETUP_SESSION_KEY] = key
    return key


def secret_for_display(key: str) -> str:
    """The secret as an authenticator app asks for it when typed: base32, in groups of four."""
    text = base64.b32encode(bytes.fromhex(key)).decode("ascii").rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def config_url(user, key: str) -> str:
    """The otpauth:// address the QR code holds (issuer from OTP_TOTP_ISSUER)."""
    return TOTPDevice(user=user, key=key, digits=TOTP_DIGITS).config_url


def qr_code_svg(url: str, label: str) -> str:
    """The QR code as an inline <svg> element (drawn here: no image request, nothing the CSP must allow)."""
    svg = segno.make(url, error="m").svg_inline(
        scale=5, border=4, dark="#000", light="#fff", title=label, svgclass="two-factor-qr", lineclass=None
    )
    # An image with a name for assistive technology; the secret is also on the page as text.
    return mark_safe(svg.replace("<svg ", f'<svg role="img" aria-label="{escape(label)}" ', 1))


def format_backup_code(code: str) -> str:
    return f"{code[:4]}-{code[4:]}"


def _normalise(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


# ---------------------------------------------------------------------------------------------- writes


def _matching_step(key: str, code: str):
    """The TOTP object that accepted ``code`` (its drift and time step are kept), or None."""
    totp = TOTP(bytes.fromhex(key), digits=TOTP_DIGITS)
    if totp.verify(int(code), tolerance=1):
        return totp
    return None


@transaction.atomic
def two_factor_enable(*, user, key: str, code: str, request=None) -> tuple[TOTPDevice, list[str]]:
    """Turn two-factor login on with the secret shown to the user, once ``code`` proves their app has it.
    Returns the new device and the backup codes, formatted for showing once."""
    get_user_model().objects.select_for_update().get(pk=user.pk)  # a form sent twice makes one device
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        raise ValidationError({"code": _("Two-factor login is already on for your account.")})
    totp = _matching_step(key, code)
    if totp is None:
        raise ValidationError(
            {
                "code": _(
                    "The code is wrong. Check that the time on your phone is right and enter the code the app "
                    "shows now."
                )
            }
        )
    TOTPDevice.objects.filter(user=user).delete()  # unconfirmed leftovers (e.g. made in the admin)
    device = TOTPDevice.objects.create(
        user=user,
        name=APP_DEVICE_NAME,
        key=key,
        digits=TOTP_DIGITS,
        confirmed=True,
        drift=totp.drift,
        last_t=totp.t(),  # the code just used cannot log in again
    )
    codes = backup_codes_regenerate(user=user)
    audit_record(Action.TWO_FACTOR_ON, user=user, obj=device, request=request)
    return device, codes


@transaction.atomic
def backup_codes_regenerate(*, user) -> list[str]:
    """Replace the user's backup codes with ten new ones; the old ones stop working. Returns them for
    showing once."""
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name=BACKUP_DEVICE_NAME, defaults={"confirmed": True}
    )
    StaticDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _n in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return [format_backup_code(code) for code in codes]


@transaction.atomic
def two_factor_disable(*, user, request=None):
    """Turn two-factor login off: refused while a municipality of the user requires it."""
    required = list(municipalities_requiring_two_factor(user).values_list("name", flat=True))
    if required:
        raise ValidationError(
            _("%(municipalities)s requires two-factor login of its staff, so it cannot be turned off.")
            % {"municipalities": ", ".join(required)}
        )
    deleted, _by_model = TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    if deleted:
        audit_record(Action.TWO_FACTOR_OFF, user=user, request=request)


def two_factor_verify(*, user, code: str, request=None):
    """The device that accepts ``code`` (six digits: the app; otherwise a backup code, used up by this).

    A wrong code, or one sent while the device is still throttled after wrong ones (django-otp doubles the
    wait after each: 1, 2, 4, 8… seconds), raises a ValidationError and writes an audit row."""
    code = _normalise(code)
    if code.isdigit() and len(code) == TOTP_DIGITS:
        devices = list(TOTPDevice.objects.filter(user=user, confirmed=True))
        kind = "app"
    else:
        devices = list(StaticDevice.objects.filter(user=user, confirmed=True))
        kind = "backup code"
    locked_until = None
    for device in devices:
        allowed, info = device.verify_is_allowed()
        if not allowed:
            locked_until = max(filter(None, [locked_until, (info or {}).get("locked_until")]), default=None)
            continue
        verified = verify_token(user, device.persistent_id, code)
        if verified is not None:
            return verified
    if locked_until is not None:
        audit_record(Action.TWO_FACTOR_FAILED, user=user, detail=f"{kind}: throttled", request=request)
        raise ValidationError(
            _("Too many wrong codes. Wait until %(time)s and try again.")
            % {"time": time_format(timezone.localtime(locked_until), "H:i:s")},
            code="throttled",
        )
    audit_record(Action.TWO_FACTOR_FAILED, user=user, detail=kind, request=request)
    raise ValidationError(
        _("The code is wrong. Enter the six digits your app shows now, or one of your backup codes."),
        code="wrong",
    )


# ------------------------------------------------------------------------------------------ middleware


def with_next(url_name, next_url):
    return f"{reverse(url_name)}?{urlencode({'next': next_url})}"


class TwoFactorMiddleware:
    """The one place that enforces two-factor login (after django-otp's OTPMiddleware and the messages).

    Only the staff area, the admin and the account settings are guarded; public pages cost nothing, and a
    guarded page costs one query for a session that is not verified (none for one that is).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self._redirect(request) or self.get_response(request)

    @cached_property
    def prefixes(self):
        # Resolved on the first request, when the URLconf is loaded.
        return {
            "staff": reverse("staff:dashboard"),
            "admin": reverse("admin:index"),
            "account": (reverse("two_factor_setup"), reverse("password_change")),
        }

    def _redirect(self, request):
        path = request.path
        staff = path.startswith(self.prefixes["staff"])
        admin = path.startswith(self.prefixes["admin"])
        account = path.startswith(self.prefixes["account"])
        if not (staff or admin or account):
            return None
        user = request.user
        if not user.is_authenticated or is_verified(request):
            return None
        has_device, required = two_factor_state(user)
        if has_device:
            return redirect(with_next("two_factor_verify", request.get_full_path()))
        if required and (staff or (admin and user.is_staff)):
            names = ", ".join(municipalities_requiring_two_factor(user).values_list("name", flat=True))
            messages.warning(
                request,
                _(
                    "%(municipalities)s requires two-factor login of its staff. Turn it on here to continue "
                    "to the staff area."
                )
                % {"municipalities": names},
            )
            return redirect(with_next("two_factor_setup", request.get_full_path()))
        return None
