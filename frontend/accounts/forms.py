from typing import Any

from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from orgs.lockout import SignInLocked, authenticate_or_lock

from ..forms import GovukFormMixin


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
