from django.contrib.auth.forms import AuthenticationForm

from ..forms import GovukFormMixin


class SignInForm(GovukFormMixin, AuthenticationForm):
    pass
