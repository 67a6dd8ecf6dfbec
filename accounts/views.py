"""The login with its second step, and turning two-factor login on and off (/konto/…).

The rules are in ``accounts.two_factor``; these views only show forms and pass on what they got.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp import login as otp_login

from . import two_factor
from .forms import LoginForm, PasswordConfirmForm, TwoFactorSetupForm, TwoFactorVerifyForm


def _safe_next(request) -> str:
    """The ``next`` address if it is on this site, else the staff area (as Django's login view decides)."""
    url = request.POST.get("next", request.GET.get("next", ""))
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return resolve_url(settings.LOGIN_REDIRECT_URL)


class LoginView(auth_views.LoginView):
    """Username and password, as before; a user with two-factor login goes on to the second step, with
    ``next`` (already checked to be on this site) carried along."""

    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_success_url(self):
        url = super().get_success_url()
        user = self.request.user
        if user.is_authenticated and not two_factor.is_verified(self.request) and two_factor.has_two_factor(user):
            return two_factor.with_next("two_factor_verify", url)
        return url


@never_cache
@sensitive_post_parameters("code")
@login_required
@require_http_methods(["GET", "POST"])
def two_factor_verify(request):
    next_url = _safe_next(request)
    if two_factor.is_verified(request) or not two_factor.has_two_factor(request.user):
        return redirect(next_url)
    backup = request.GET.get("reservkod") == "1" or request.POST.get("backup") == "1"
    form = TwoFactorVerifyForm(request.POST or None, backup=backup)
    if request.method == "POST" and form.is_valid():
        try:
            device = two_factor.two_factor_verify(user=request.user, code=form.cleaned_data["code"], request=request)
        except ValidationError as error:
            form.add_error("code", error)
        else:
            otp_login(request, device)
            return redirect(next_url)
    return render(request, "accounts/two_factor_verify.html", {"form": form, "next": next_url, "backup": backup})


@never_cache
@sensitive_post_parameters("code")
@login_required
@require_http_methods(["GET", "POST"])
def two_factor_setup(request):
    """Turn two-factor login on; once it is on, the same address shows its state and the ways to change it."""
    user = request.user
    next_url = _safe_next(request)
    if two_factor.has_two_factor(user):
        return render(
            request,
            "accounts/two_factor_status.html",
            {
                "codes_left": two_factor.backup_codes_left(user),
                "requiring": two_factor.municipalities_requiring_two_factor(user),
            },
        )
    key = two_factor.setup_key(request)
    form = TwoFactorSetupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device, codes = two_factor.two_factor_enable(
                user=user, key=key, code=form.cleaned_data["code"], request=request
            )
        except ValidationError as error:
            form.add_error("code", error.message_dict.get("code", error.messages))
        else:
            request.session.pop(two_factor.SETUP_SESSION_KEY, None)
            otp_login(request, device)  # the code just given verifies this session
            messages.success(request, _("Two-factor login is on."))
            # Rendered, not redirected: the codes exist in clear only in this response.
            return render(request, "accounts/two_factor_backup_codes.html", {"codes": codes, "next": next_url})
    label = _("QR code for adding Medborgarlöften to your authenticator app")
    return render(
        request,
        "accounts/two_factor_setup.html",
        {
            "form": form,
            "next": next_url,
            "qr_code": two_factor.qr_code_svg(two_factor.config_url(user, key), label),
            "secret": two_factor.secret_for_display(key),
        },
    )


@never_cache
@login_required
@require_POST
def two_factor_backup_codes(request):
    """New backup codes in place of the old ones (the middleware has made sure this session gave a code)."""
    if not two_factor.has_two_factor(request.user):
        return redirect("two_factor_setup")
    codes = two_factor.backup_codes_regenerate(user=request.user)
    messages.success(request, _("New backup codes were made. The old ones no longer work."))
    return render(
        request, "accounts/two_factor_backup_codes.html", {"codes": codes, "next": resolve_url("two_factor_setup")}
    )


@never_cache
@sensitive_post_parameters("password")
@login_required
@require_http_methods(["GET", "POST"])
def two_factor_disable(request):
    user = request.user
    if not two_factor.has_two_factor(user):
        return redirect("two_factor_setup")
    requiring = list(two_factor.municipalities_requiring_two_factor(user))
    form = PasswordConfirmForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            two_factor.two_factor_disable(user=user, request=request)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            request.session.pop(DEVICE_ID_SESSION_KEY, None)
            messages.success(request, _("Two-factor login is off."))
            return redirect("two_factor_setup")
    return render(request, "accounts/two_factor_disable.html", {"form": form, "requiring": requiring})
