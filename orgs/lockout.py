"""Failed sign-ins lock the account, and a client address, for a while (the sign-in page and
``POST auth/token/`` alike), counted in Django's shared cache.

Two counts, kept apart so that an office behind one address is not locked out by one person's
typos, and an account cannot be guessed at from many addresses:

- per username (whatever the address): ``SIGNIN_LOCKOUT_FAILURES`` failures within
  ``SIGNIN_LOCKOUT_SECONDS`` lock the account for ``SIGNIN_LOCKOUT_SECONDS``; while locked even the
  right password is refused. A successful sign-in clears the account's count.
- per client address (``common.client_address``): ``SIGNIN_LOCKOUT_ADDRESS_FAILURES`` failures
  (set higher) lock signing in from that address. Success does not clear it, so one valid account
  cannot launder an address's guesses.

Each entry stores its own deadline, so the lock ends on time whatever the cache's expiry does.
Counts are read and written without a lock: two requests at the same instant may both count as one.
"""

import hashlib
import math
import time
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.core.cache import cache
from django.utils.translation import ngettext
from rest_framework import status

from common.client_address import client_address
from common.errors import ApplicationError

from .errors import OrgsError
from .models import User


class SignInLocked(ApplicationError):
    """429 ``account_locked`` or ``address_locked``; ``extra.retry_after`` in seconds."""

    status_code = status.HTTP_429_TOO_MANY_REQUESTS

    def __init__(self, *, code: OrgsError, retry_after: int):
        minutes = max(1, math.ceil(retry_after / 60))
        if code == OrgsError.ADDRESS_LOCKED:
            message = ngettext(
                "Too many failed sign-ins from your network. Signing in from it is paused: try again "
                "in %(minutes)s minute.",
                "Too many failed sign-ins from your network. Signing in from it is paused: try again "
                "in %(minutes)s minutes.",
                minutes,
            )
        else:
            message = ngettext(
                "Too many failed sign-ins to this account, so it is locked for now. Try again in "
                "%(minutes)s minute, or ask your administrator to reset your password.",
                "Too many failed sign-ins to this account, so it is locked for now. Try again in "
                "%(minutes)s minutes, or ask your administrator to reset your password.",
                minutes,
            )
        super().__init__(message % {"minutes": minutes}, code=code, extra={"retry_after": retry_after})
        self.retry_after = retry_after


def authenticate_or_lock(request: Any, *, username: str, password: str) -> User | None:
    """The user these credentials name, or None (a failure, counted); raises ``SignInLocked``
    when the account or the address is locked — checked before the password, so a locked
    account gives nothing away — or when this failure locks it."""
    keys = _keys(request, username)
    now = time.time()
    _raise_if_locked(keys, now)
    user = authenticate(request, username=username, password=password)
    if user is not None:
        cache.delete(keys[OrgsError.ACCOUNT_LOCKED])
        return user
    limits = {
        OrgsError.ACCOUNT_LOCKED: settings.SIGNIN_LOCKOUT_FAILURES,
        OrgsError.ADDRESS_LOCKED: settings.SIGNIN_LOCKOUT_ADDRESS_FAILURES,
    }
    for code, key in keys.items():
        _count_failure(key, limits[code], now)
    _raise_if_locked(keys, now)
    return None


def _keys(request: Any, username: str) -> dict[OrgsError, str]:
    # Hashed: a username is whatever the client typed, and must make a safe cache key.
    digest = hashlib.sha256(username.strip().casefold().encode()).hexdigest()
    return {
        OrgsError.ACCOUNT_LOCKED: f"signin-failures:user:{digest}",
        OrgsError.ADDRESS_LOCKED: f"signin-failures:address:{client_address(request) or 'unknown'}",
    }


def _raise_if_locked(keys: dict[OrgsError, str], now: float) -> None:
    for code, key in keys.items():
        locked_until = (cache.get(key) or {}).get("locked_until", 0)
        if locked_until > now:
            raise SignInLocked(code=code, retry_after=math.ceil(locked_until - now))


def _count_failure(key: str, limit: int, now: float) -> None:
    period = settings.SIGNIN_LOCKOUT_SECONDS
    entry = cache.get(key) or {}
    failures = [moment for moment in entry.get("failures", []) if moment > now - period] + [now]
    locked_until = entry.get("locked_until", 0)
    if len(failures) >= limit:
        locked_until, failures = now + period, []
    cache.set(key, {"failures": failures, "locked_until": locked_until}, timeout=period)
