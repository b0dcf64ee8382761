"""The caller as the type checker sees it. ``AUTH_USER_MODEL`` is ``orgs.User``, so a request's user
is a ``User`` once signed in and Django's ``AnonymousUser`` before; the annotations say which a view
or rule may meet. The request classes are never instantiated: they only annotate."""

from typing import Any, TypeGuard

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from rest_framework.request import Request

from .models import User

# Anyone who may call: a rule or a list "visible to" answers for both.
Caller = User | AnonymousUser


def signed_in(user: Any) -> TypeGuard[User]:
    """Whether ``user`` is a signed-in user (not anonymous, not missing)."""
    return bool(getattr(user, "is_authenticated", False))


class ApiRequest(Request):
    """A DRF request from anyone (a read open to visitors)."""

    user: Caller


class AuthenticatedRequest(Request):
    """A DRF request whose view requires a signed-in user (``IsAuthenticated``, or a write under the
    default ``IsAuthenticatedOrReadOnly``)."""

    user: User


class AuthenticatedHttpRequest(HttpRequest):
    """A page request past ``login_required`` (or a check that the user is signed in)."""

    user: User
