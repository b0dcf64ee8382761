"""The one way a state machine moves: check the FSM allows it, run the transition, save, log.

django-fsm-log writes its StateLog row when the transition method runs, before ``save()``, so the
caller must already be inside ``transaction.atomic()`` (services are) — a failed save then rolls the
log row back too.
"""

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import rules
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db import models, transaction
from django_fsm import can_proceed

from .errors import InvalidTransition

M = TypeVar("M", bound=models.Model)


def run_transition(
    instance: M,
    method: Callable[..., Any],
    *,
    by: Any = None,
    description: str | None = None,
    save: bool = True,
    **kwargs: Any,
) -> M:
    """Run ``method`` (a bound FSM transition of ``instance``) and save, or raise
    409 ``invalid_transition`` if the machine does not allow it from the current state."""
    assert transaction.get_connection().in_atomic_block, "transitions run inside a transaction"
    if not can_proceed(method):
        raise InvalidTransition()
    actor = by if getattr(by, "is_authenticated", False) else None
    method(by=actor, description=description or None, **kwargs)
    if save:
        instance.save()
    return instance


def transitions_available(
    user: AbstractBaseUser | AnonymousUser,
    instance: models.Model,
    table: Mapping[str, tuple[str | None, str]],
) -> list[str]:
    """The verbs the user may use on the instance now: the FSM allows the transition from the
    current state (with its conditions) and the user has the permission. ``table`` maps each API
    verb to (transition method name or None, rules permission)."""
    available = []
    for verb, (method, perm) in table.items():
        if method is not None and not can_proceed(getattr(instance, method)):
            continue
        if rules.has_perm(perm, user, instance):
            available.append(verb)
    return available
