from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from ..access import areas_of


@login_required
def start(request: HttpRequest) -> HttpResponse:
    """After signing in without a ``next`` page: the first role area the user has, else home."""
    areas = areas_of(request.user)
    return redirect(f"{areas[0]}:home" if areas else "public:home")
