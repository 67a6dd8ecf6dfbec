"""Log in, log out, change and reset the password (mounted at /konto/). Django's views, our templates."""

from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from .forms import LoginForm

urlpatterns = [
    path(
        "logga-in/",
        auth_views.LoginView.as_view(authentication_form=LoginForm, redirect_authenticated_user=True),
        name="login",
    ),
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
