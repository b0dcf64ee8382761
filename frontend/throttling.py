"""The API's request rates (``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]``) on the pages' writes, so a
form is no easier to abuse than its endpoint: guessing household codes or passwords, flooding
ratings. Page and API share one budget per scope and caller (the same cache key)."""

import math
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from common.throttling import SimpleRateThrottle


class PageRateThrottle(SimpleRateThrottle):
    def __init__(self, scope: str):
        self.scope = scope
        super().__init__()

    def get_cache_key(self, request: Any, view: Any) -> str:
        user = getattr(request, "user", None)
        ident = user.pk if user is not None and user.is_authenticated else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}


def throttle_posts(scope: str) -> Callable:
    """Page decorator: a POST beyond the scope's rate gets the 429 page and changes nothing."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method == "POST":
                throttle = PageRateThrottle(scope)
                # DRF's throttles read only the request's META and user, which a page request has.
                if not throttle.allow_request(request, None):  # type: ignore[arg-type]
                    wait = math.ceil(throttle.wait() or 1)
                    return render(request, "429.html", {"wait_minutes": math.ceil(wait / 60)}, status=429)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
