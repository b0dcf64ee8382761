"""Who may open which area of the pages. The rules themselves live in each app's permissions; this
only decides which role area a signed-in user lands in, and sends anonymous visitors to sign in."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from orgs.models import Organization, Resident
from orgs.permissions import acting_organization_of, area_kinds_of

AREA_KINDS = {
    "bureau": Organization.Kind.BUREAU,
    "provider": Organization.Kind.PROVIDER,
    "assessor": Organization.Kind.ASSESSOR,
    "community": Organization.Kind.COMMUNITY,
    "review": Organization.Kind.REVIEW_BODY,
}


def areas_of(user: Any) -> list[str]:
    """The role areas the user may open: the organisation kinds ``orgs.permissions.area_kinds_of``
    grants, and the resident area for residents."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_frontend_areas", None)
    if cached is not None:
        return cached
    kinds = area_kinds_of(user)
    areas = [area for area, kind in AREA_KINDS.items() if kind in kinds]
    if Resident.objects.filter(user=user).exists():
        areas.append("resident")
    user._frontend_areas = areas
    return areas


def acting_organization_for(user: Any, area: str, *roles: str) -> Organization | None:
    """The verified organisation of the area's kind where the user holds one of ``roles`` (any
    role if none given): ``orgs.permissions.acting_organization_of``."""
    return acting_organization_of(user, AREA_KINDS[area], *roles)


def area_required(area: str, *roles: str) -> Callable:
    """Page decorator: anonymous visitors go to sign in; signed-in users without the area (or, if
    ``roles`` are named, without one of them) get the 403 page. Sets ``request.organization`` to
    the organisation the user acts for in that area (None for residents, and for members of a
    provider still awaiting verification)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user: Any = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if area not in areas_of(user):
                raise PermissionDenied
            organization = None
            if area in AREA_KINDS:
                organization = acting_organization_for(user, area, *roles)
                if roles and organization is None:
                    raise PermissionDenied
            request.organization = organization  # type: ignore[attr-defined]
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
