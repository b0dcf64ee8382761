"""Pages that only act on a POST (publish, close, answer, send a code…). Reloading their address
or following a link to it is a GET: instead of an empty 405 the person goes back to the page the
action belongs to. Other methods still get 405. API endpoints keep their own method handling."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect


def post_only_or_redirect(url_name: str, *kwarg_names: str) -> Callable:
    """Run the view on POST; on GET or HEAD redirect to ``url_name``, reversed with the view's
    keyword arguments named in ``kwarg_names`` (for example the tender's ``pk``)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method == "POST":
                return view(request, *args, **kwargs)
            if request.method in ("GET", "HEAD"):
                return redirect(url_name, **{name: kwargs[name] for name in kwarg_names})
            return HttpResponseNotAllowed(["POST"])

        return wrapped

    return decorator
