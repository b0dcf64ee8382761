"""Response headers for every page and API answer: the Permissions-Policy, and no storing of what a
signed-in user was shown. The Content-Security-Policy is django-csp's (settings.CONTENT_SECURITY_POLICY).
"""

from collections.abc import Callable, Mapping, Sequence

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.utils.cache import add_never_cache_headers


def permissions_policy_header(policy: Mapping[str, Sequence[str]]) -> str:
    """``{"camera": [], "fullscreen": ["self"]}`` → ``camera=(), fullscreen=(self)``: an empty list
    turns the feature off everywhere; ``self`` and ``*`` are keywords, anything else an origin."""
    directives = []
    for feature, allowlist in policy.items():
        origins = " ".join(o if o in ("self", "*") else f'"{o}"' for o in allowlist)
        directives.append(f"{feature}=({origins})" if origins != "*" else f"{feature}=*")
    return ", ".join(directives)


class PermissionsPolicyMiddleware:
    """Switch off the browser features the pages never use (settings.PERMISSIONS_POLICY), so a
    script that slipped in could not reach the camera, the microphone or the user's location."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response
        self.header = permissions_policy_header(settings.PERMISSIONS_POLICY)

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if self.header:
            response.headers.setdefault("Permissions-Policy", self.header)
        return response


class NoStoreForSignedInMiddleware:
    """Answers to a signed-in user (pages and API, by session or token) are never stored, by the
    browser or by a cache on the way: after signing out on a shared computer, Back shows nothing,
    and a proxy never hands one user's page to another. Anonymous answers keep their caching.

    After AuthenticationMiddleware; DRF puts a token's user on the request it wraps, so this sees
    API callers too."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)  # no-store, no-cache, max-age=0, private; Expires now
        return response
