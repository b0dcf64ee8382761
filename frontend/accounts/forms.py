import logging
from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.template import loader
from django.utils.translation import gettext_lazy as _
from rest_framework.authtoken.models import Token

from common.notifications import notify_after_commit
from orgs.lockout import SignInLocked, authenticate_or_lock

from ..forms import PASSWORD_HINT, GovukFormMixin

logger = logging.getLogger(__name__)

# At most this many reset e-mails per account per hour, whoever asks from wherever: the page
# throttle counts per caller, so without this an address could be flooded from many callers.
RESET_MAILS_PER_HOUR = 5


class SignInForm(GovukFormMixin, AuthenticationForm):
    def clean(self) -> dict[str, Any]:
        """Django's sign-in check, counted by ``orgs.lockout``: a locked account (or address) is
        told so and for how long, even with the right password."""
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is not None and password:
            try:
                self.user_cache = authenticate_or_lock(self.request, username=username, password=password)
            except SignInLocked as locked:
                raise ValidationError(locked.message, code=locked.code) from None
            if self.user_cache is None:
                raise self.get_invalid_login_error()
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


class PasswordResetRequestForm(GovukFormMixin, PasswordResetForm):
    """Django's reset request: a link goes to every active account with this address, and the
    page that follows is the same whether or not one exists. The e-mail is queued for the worker
    once the request's writes commit (``notify_after_commit``), so neither a slow mail server nor
    its failure shows on the page."""

    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        help_text=_("The e-mail address of your account. We will send you a link to choose a new password."),
        error_messages={
            "required": _("Enter your e-mail address"),
            "invalid": _("Enter an e-mail address in the correct format, like name@example.com"),
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        key = f"password-reset-mails:{context['user'].pk}"
        cache.add(key, 0, timeout=3600)
        try:
            sent = cache.incr(key)
        except ValueError:  # expired between add and incr
            sent = 1
        if sent > RESET_MAILS_PER_HOUR:  # the page answers the same; nothing is sent
            logger.warning("password reset e-mail to user %s not sent: hourly limit", context["user"].pk)
            return
        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        try:  # queued once the request's writes commit (at once outside a transaction)
            notify_after_commit(emails=[to_email], subject=subject, body=body)
        except Exception:  # a broker or (run eagerly) mail server down: never tell the visitor
            logger.exception("password reset e-mail to user %s not sent", context["user"].pk)


class NewPasswordForm(GovukFormMixin, SetPasswordForm):
    """Choose a new password from the e-mailed link: the same password rules as signing up
    (``AUTH_PASSWORD_VALIDATORS``), their errors on the first field where the password is typed."""

    error_messages = {"password_mismatch": _("Enter the same password in both fields")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        first, second = self.fields["new_password1"], self.fields["new_password2"]
        first.help_text = PASSWORD_HINT
        first.error_messages["required"] = _("Enter a new password")
        second.label = _("Confirm your new password")
        second.help_text = ""
        second.error_messages["required"] = _("Enter the new password again")

    def clean(self) -> dict[str, Any]:
        self.validate_passwords("new_password1", "new_password2")
        self.validate_password_for_user(self.user, "new_password1")
        return self.cleaned_data

    def save(self, commit: bool = True) -> Any:
        """A new password ends every other way in: sessions (Django's session hash) and the API
        token, which would otherwise outlive the password it was obtained with."""
        user = super().save(commit=commit)
        if commit:
            Token.objects.filter(user=user).delete()
        return user
