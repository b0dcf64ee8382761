import math
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.views import (
    LoginView,
    PasswordResetCompleteView,
    PasswordResetConfirmView,
    PasswordResetDoneView,
    PasswordResetView,
)
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse_lazy

from ..access import areas_of
from .forms import NewPasswordForm, PasswordResetRequestForm, SignInForm


class SignInView(LoginView):
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def get_redirect_url(self, *args: Any, **kwargs: Any) -> str:
        """A ``next`` naming the sign-in page itself (its own header link) means: go to my area."""
        url = super().get_redirect_url(*args, **kwargs)
        return "" if url.split("?")[0] == self.request.path else url


@login_required
def start(request: HttpRequest) -> HttpResponse:
    """After signing in without a ``next`` page: the first role area the user has, else home."""
    areas = areas_of(request.user)
    return redirect(f"{areas[0]}:home" if areas else "public:home")


# --- Forgotten password: Django's reset by e-mail (GOV.UK templates in templates/registration/) --
# The templates are named apart from django.contrib.admin's and auth's own, which come first.


def _timeout_hours() -> int:
    return math.ceil(settings.PASSWORD_RESET_TIMEOUT / 3600)


class PasswordResetRequestView(PasswordResetView):
    """The same page follows whether or not the address has an account."""

    form_class = PasswordResetRequestForm
    template_name = "registration/password_reset_request.html"
    email_template_name = "registration/password_reset_mail.txt"
    subject_template_name = "registration/password_reset_mail_subject.txt"
    success_url = reverse_lazy("password_reset_done")

    def form_valid(self, form: PasswordResetForm) -> HttpResponse:
        self.extra_email_context = {"timeout_hours": _timeout_hours()}
        return super().form_valid(form)


class PasswordResetSentView(PasswordResetDoneView):
    template_name = "registration/password_reset_sent.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "timeout_hours": _timeout_hours()}


class NewPasswordView(PasswordResetConfirmView):
    form_class = NewPasswordForm
    template_name = "registration/password_reset_new_password.html"
    success_url = reverse_lazy("password_reset_complete")


class PasswordResetFinishedView(PasswordResetCompleteView):
    template_name = "registration/password_reset_finished.html"
