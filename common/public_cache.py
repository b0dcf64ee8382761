"""What anonymous visitors are shown of the public lists (the tender list API and the ``/tenders/``
page), cached in Django's ``public`` cache and never stale:

- the cache keys carry a **version**; anything that changes what the public sees calls
  :func:`changed` inside its transaction, and the version moves when that transaction commits
  (``transaction.on_commit``). A request that read the old version computed its answer from the
  old rows or the new ones, and stores it under a key no request reads any more; a request that
  reads the new version started after the commit, so it sees the new rows. ``run_transition``
  calls it for every state change of a row the lists show (``changed_if_shown``); the
  amendment, award-notice and document services and the
  signals of ``marketplace.apps`` for every other write to what the lists show.
- only anonymous requests are served from, or stored in, the cache: what a signed-in user is
  shown may differ (drafts of their bureau, the transitions they may use), and is never stored.
- the key holds the language, the scheme and host, and the whole query string; the page's key
  also holds ``HX-Request``.
- the version's time is the answers' ``Last-Modified``; the key's digest their ``ETag``.
- the API's JSON (no secret in it, so no BREACH to mind) is stored gzipped for the clients that
  accept it, compressed once per version instead of once per request.

``PUBLIC_CACHE_ENABLED`` (env ``SHEQU_PUBLIC_CACHE``) switches it off, as the bench does to measure
the uncached floor; ``PUBLIC_CACHE_SECONDS`` bounds how long an entry lives (the version, not
the timeout, is what keeps answers current)."""

import hashlib
import time
import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.http import HttpRequest
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.utils.text import compress_string
from django.utils.translation import get_language

ALIAS = "public"
VERSION_KEY = "public-version"
# The models (app_label.ModelName) whose rows the public lists show, registered by the app that
# owns the lists (marketplace.public_cache): only their transitions move the version.
shown_models: set[str] = set()


def enabled() -> bool:
    return bool(getattr(settings, "PUBLIC_CACHE_ENABLED", True))


def changed(using: str | None = None) -> None:
    """What the public sees changes in the current transaction: the version moves on commit
    (at once outside a transaction)."""
    transaction.on_commit(_bump, using=using)


def changed_if_shown(instance: Any) -> None:
    """``changed`` when ``instance`` is a row the public lists show (a transition of a tender,
    an award, a contract …), not for a rating or a resident's account."""
    if instance._meta.label in shown_models:
        changed()


def _bump() -> None:
    caches[ALIAS].set(VERSION_KEY, _new_version(), None)


def _new_version() -> dict[str, Any]:
    return {"id": uuid.uuid4().hex, "at": int(time.time())}


def current_version() -> dict[str, Any]:
    """The version now; a lost one (evicted, a fresh cache) is replaced by a new one, never an old."""
    cache = caches[ALIAS]
    version: dict[str, Any] | None = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, _new_version(), None)
        version = cache.get(VERSION_KEY) or _new_version()
    return version


class Entry:
    """One public answer's place in the cache: its key, ETag and Last-Modified."""

    def __init__(self, request: HttpRequest, name: str, *parts: str, gzip: bool = False) -> None:
        self.version = current_version()
        query = "&".join(sorted(request.META.get("QUERY_STRING", "").split("&")))
        origin = f"{request.scheme}://{request.get_host()}"  # the pages' links are absolute
        self.gzip = gzip and "gzip" in request.headers.get("Accept-Encoding", "")
        variant = "gzip" if self.gzip else ""
        raw = "|".join([name, self.version["id"], get_language() or "", origin, query, variant, *parts])
        self.digest = hashlib.sha256(raw.encode()).hexdigest()[:32]
        self.key = f"public:{name}:{self.digest}"
        self.etag = f'"{self.digest}"'
        self.last_modified: int = self.version["at"]

    def not_modified(self, request: HttpRequest) -> Any:
        """A 304 when the client's copy (If-None-Match / If-Modified-Since) is this one, else None."""
        return get_conditional_response(request, etag=self.etag, last_modified=self.last_modified)

    def body(self, make: Callable[[], bytes]) -> bytes:
        """The stored answer, made (and gzipped once, for an entry made with ``gzip``) on a miss."""
        cache = caches[ALIAS]
        body: bytes | None = cache.get(self.key)
        if body is None:
            body = make()
            if self.gzip:
                body = compress_string(body)
            cache.set(self.key, body, getattr(settings, "PUBLIC_CACHE_SECONDS", 300))
        return body

    def headers(self) -> dict[str, str]:
        headers = {
            "ETag": self.etag,
            "Last-Modified": http_date(self.last_modified),
            "Vary": "Accept-Encoding",
        }
        if self.gzip:
            headers["Content-Encoding"] = "gzip"  # GZipMiddleware leaves it as it is
        return headers
