"""Log in (with a second step for two-factor login), log out, change and reset the password, turn two-factor
login on and off (mounted at /konto/). Django's views where they do, our templates."""

from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from . import views

urlpatterns = [
    path("logga-in/", views.LoginView.as_view(), name="login"),
    path("verifiera/", views.two_factor_verify, name="two_factor_verify"),
    path("tvastegsverifiering/", views.two_factor_setup, name="two_factor_setup"),
    path("tvastegsverifiering/reservkoder/", views.two_factor_backup_codes, name="two_factor_backup_codes"),
    path("tvastegsverifiering/stang-av/", views.two_factor_disable, name="two_factor_disable"),
    path("logga-ut/", auth_views.LogoutView.as_view(), name="logout"),
    path("losenord/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("losenord/klart/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("aterstall/", auth_views.PasswordResetView.as_view(), name="password_reset"),
    path("aterstall/skickat/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "aterstall/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(success_url=reverse_lazy("password_reset_complete")),
        name="password_reset_confirm",
    ),
    path("aterstall/klart/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
]
