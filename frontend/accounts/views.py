from typing import Any

from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from ..access import areas_of
from .forms import SignInForm


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
