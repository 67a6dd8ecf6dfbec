from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core import validators
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    """Django's login form with the project's wording."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _(
            "The username or password is wrong. Note that both are case-sensitive. "
            "After repeated failures the account is locked for a while."
        ),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Django sets the username's max_length after making the field, so nothing checks it: a longer name went on
        # to django-axes, whose record of the failed login holds 255 characters (a 500 instead of a message).
        username = self.fields["username"]
        username.validators.append(validators.MaxLengthValidator(username.max_length))


def _code_widget(**attrs):
    """A text box for a one-time code: the phone offers digits and may fill in a code it received."""
    return forms.TextInput(
        attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autocapitalize": "none", **attrs}
    )


class TwoFactorSetupForm(forms.Form):
    """The six digits the authenticator app shows, proving it holds the new secret."""

    code = forms.CharField(
        label=_("Code from the app"),
        max_length=20,
        help_text=_("The six digits the app shows for Medborgarlöften. A new code comes every 30 seconds."),
        widget=_code_widget(),
        error_messages={"required": _("Enter the six digits the app shows.")},
    )

    def clean_code(self):
        code = "".join(self.cleaned_data["code"].split())
        if not (code.isdigit() and len(code) == 6):
            raise forms.ValidationError(_("Enter the six digits the app shows, without letters."))
        return code


class TwoFactorVerifyForm(forms.Form):
    """The second step of the login: a code from the app, or a backup code (``backup=True`` shows the box
    for the latter: letters allowed, no numeric keyboard)."""

    code = forms.CharField(
        label=_("Code"),
        max_length=20,
        help_text=_("The six digits your authenticator app shows now."),
        widget=_code_widget(),
        error_messages={"required": _("Enter the code from your authenticator app, or a backup code.")},
    )

    def __init__(self, *args, backup=False, **kwargs):
        super().__init__(*args, **kwargs)
        if backup:
            field = self.fields["code"]
            field.label = _("Backup code")
            field.help_text = _(
                "One of the backup codes you saved when you turned on two-factor login, e.g. abcd-efgh."
            )
            field.widget = forms.TextInput(
                attrs={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"}
            )


class PasswordConfirmForm(forms.Form):
    """The user's password again, before a change that weakens the account's protection."""

    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": _("Enter your password.")},
    )

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("The password is wrong."))
        return password
