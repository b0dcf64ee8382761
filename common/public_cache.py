"""What anonymous visitors are shown of the public lists (the tender list API and the ``/tenders/``
page), cached in Django's ``public`` cache and never stale:

- the cache keys carry a **version**; anything that changes what the public sees moves it when its
  transaction commits (``transaction.on_commit``). A request that read the old version computed
  its answer from the old rows or the new ones, and stores it under a key no request reads any
  more; a request that reads the new version started after the commit, so it sees the new rows.
  The version moves through the signals of ``marketplace.public_cache`` (every save or delete of
  a row the lists show) and, for the writes that send no signal (``QuerySet.update``,
  ``bulk_create``), through an explicit :func:`changed`.
- the version is shared by every process that serves the lists (``PUBLIC_CACHE_VERSION_CACHE``):
  with PostgreSQL (possibly several hosts) it is in the default cache (the database table, or
  Redis), while each host may keep the answers in its own ``public`` folder; a version kept per
  host would leave the other hosts serving their old answers. With SQLite (one file, so one host)
  it sits beside the answers in the ``public`` cache, which that host's workers share, and costs
  no query. ``check_version_shared`` warns when it would be per process.
- only anonymous requests are served from, or stored in, the cache: what a signed-in user is
  shown may differ (drafts of their bureau, the transitions they may use), and is never stored.
- the key holds the language, the scheme and host, the query string as sent (the order of
  repeated parameters can matter), and what the caller adds: the page whether a fragment is
  wanted (htmx), the API the accepted media type (with its parameters, such as ``indent``).
- the key's digest is the answers' ``ETag``; there is no ``Last-Modified`` (a version's time
  says nothing of what a client holds), and ``Cache-Control: no-cache`` makes clients revalidate
  every time, so a ``304`` is only ever sent for the representation the client already has.
- the API's anonymous JSON holds no secret, so storing it gzipped (once per version instead of
  once per request) gives a BREACH attack nothing to find.

``PUBLIC_CACHE_ENABLED`` (env ``SHEQU_PUBLIC_CACHE``) switches it off, as the bench does to measure
the uncached floor; ``PUBLIC_CACHE_SECONDS`` bounds how long an entry lives (the version, not
the timeout, is what keeps answers current)."""

import hashlib
import uuid
from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any

from django.conf import settings
from django.core.cache import BaseCache, caches
from django.core.checks import Warning
from django.db import transaction
from django.http import HttpRequest, HttpResponseBase, HttpResponseNotModified
from django.utils.cache import get_conditional_response
from django.utils.text import compress_string
from django.utils.translation import get_language

ALIAS = "public"
VERSION_KEY = "public-version"
PER_PROCESS = (
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
)


def _versions() -> BaseCache:
    return caches[getattr(settings, "PUBLIC_CACHE_VERSION_CACHE", "default")]


def check_version_shared(app_configs: Any, **kwargs: Any) -> list[Warning]:
    """A version in a per-process cache moves in one worker only: the others serve stale answers."""
    alias = getattr(settings, "PUBLIC_CACHE_VERSION_CACHE", "default")
    if settings.DEBUG or not enabled() or settings.CACHES[alias]["BACKEND"] not in PER_PROCESS:
        return []
    return [
        Warning(
            f"The public lists' cache version is kept in the per-process cache {alias!r}: a change "
            "would be seen by one worker only, the others serving stale answers.",
            hint="Set REDIS_URL (or CACHE_URL), keep the database cache, or SHEQU_PUBLIC_CACHE=0.",
            id="shequ.W003",
        )
    ]


def enabled() -> bool:
    return bool(getattr(settings, "PUBLIC_CACHE_ENABLED", True))


def changed(using: str | None = None) -> None:
    """What the public sees changes in the current transaction: the version moves on commit
    (at once outside a transaction). A failure to move it is logged, never raised into the
    commit's other callbacks."""
    transaction.on_commit(_bump, using=using, robust=True)


def _bump() -> None:
    _versions().set(VERSION_KEY, _new_version(), None)


def _new_version() -> str:
    return uuid.uuid4().hex


def current_version() -> str:
    """The version now; a lost one (evicted, a fresh cache) is replaced by a new one, never an old."""
    cache = _versions()
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, _new_version(), None)
        version = cache.get(VERSION_KEY)
    elif not isinstance(version, str):  # a version of an older shape
        version = _new_version()
        cache.set(VERSION_KEY, version, None)
    return version if isinstance(version, str) else _new_version()


class Entry:
    """One public answer's place in the cache: its key and ETag, and the headers it is sent with.
    ``parts`` are what else the answer depends on (the caller's); ``vary`` the request headers
    they come from, sent in ``Vary``."""

    def __init__(
        self, request: HttpRequest, name: str, *parts: str, gzip: bool = False, vary: Iterable[str] = ()
    ) -> None:
        self.version = current_version()
        query = request.META.get("QUERY_STRING", "")  # as sent: the order of repeated keys can matter
        origin = f"{request.scheme}://{request.get_host()}"  # the pages' links are absolute
        self.gzip = gzip and "gzip" in request.headers.get("Accept-Encoding", "")
        variant = "gzip" if self.gzip else ""
        raw = "\x1f".join([name, self.version, get_language() or "", origin, query, variant, *parts])
        self.digest = hashlib.sha256(raw.encode()).hexdigest()[:32]
        self.key = f"public:{name}:{self.digest}"
        self.etag = f'"{self.digest}"'
        self.vary = ", ".join(["Accept-Encoding", *vary])

    def not_modified(self, request: HttpRequest) -> HttpResponseBase | None:
        """A 304, with the headers the 200 would have had, when the client's copy (If-None-Match)
        is this one (or the 412 a failed If-Match asks for); else None."""
        answer = get_conditional_response(request, etag=self.etag)
        if answer is None or answer.status_code != HTTPStatus.NOT_MODIFIED:
            return answer
        unchanged = HttpResponseNotModified()
        for name, value in self.headers().items():
            if name != "Content-Encoding":  # no body
                unchanged[name] = value
        return unchanged

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
        headers = {"ETag": self.etag, "Vary": self.vary, "Cache-Control": "no-cache"}
        if self.gzip:
            headers["Content-Encoding"] = "gzip"  # GZipMiddleware leaves it as it is
        return headers
