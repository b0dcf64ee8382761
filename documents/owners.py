"""What documents may be attached to, registered by the apps that own those things (docs/rules.md
§17.2): this app never imports its owners, so each owner app declares, in its ``permissions.py``,
an ``Owner`` — the permission that attaches (and removes), which of its objects' documents a user
may read, the kinds it takes, and when attaching is open — and registers it from its
``AppConfig.ready()``."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models import QuerySet

from orgs.auth import Caller


def _never(owner: Any) -> bool:
    return False


@dataclass(frozen=True)
class Owner:
    model: type[models.Model]
    # The API's name of the owner, in ``<name>s/{id}/documents/`` (tender, bid, contract, event, challenge).
    name: str
    # A registered permission checked with (actor, owner) to attach — and, where allowed, remove.
    attach_permission: str
    # The owners whose documents the user may read: a queryset of ``model`` (the owner's rule).
    readable: Callable[[Caller], QuerySet[Any]]
    # The kinds (``Document.Kind`` values) this owner takes.
    kinds: tuple[str, ...]
    # Raises an ``ApplicationError`` when documents may not be attached to this owner now.
    # ``amendment`` is whatever the caller attaches on behalf of (a tender's amendment), else None.
    check_attachable: Callable[[Any, Any], None]
    # Whether the owner's documents may still be removed (a draft's).
    removable: Callable[[Any], bool] = _never


_OWNERS: dict[type[models.Model], Owner] = {}


def register_owner(owner: Owner) -> None:
    _OWNERS[owner.model] = owner


def registered_owners() -> list[Owner]:
    return list(_OWNERS.values())


def owner_of(instance: models.Model) -> Owner:
    """The registration of ``instance``'s model (a ``LookupError`` for a model that registered none)."""
    try:
        return _OWNERS[type(instance)]
    except KeyError:
        raise LookupError(f"{type(instance).__name__} takes no documents") from None


def owner_named(name: str) -> Owner:
    """The registration whose ``name`` is ``name`` (a ``LookupError`` if none)."""
    for owner in _OWNERS.values():
        if owner.name == name:
            return owner
    raise LookupError(f"no owner of documents is named {name!r}")
