"""How an app's permissions are registered: each app's ``permissions.py`` declares its
``PERMISSIONS`` (name → ``rules`` predicate) and its ``AppConfig.ready()`` registers them here, so a
permission exists from start-up, whatever was imported (docs/architecture.md §2)."""

from collections.abc import Mapping

import rules


def register(permissions: Mapping[str, rules.Predicate]) -> None:
    """Register each permission with rules' default permission set (``rules.has_perm``)."""
    for name, predicate in permissions.items():
        rules.add_perm(name, predicate)
