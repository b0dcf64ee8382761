"""The chained models' post_save, connected by label (docs/architecture.md §1: the domain apps do
not know they are chained)."""

from typing import Any

from django.db import models
from django.db.models.signals import post_save

from .chain import SPECS, record


def _on_save(sender: type[models.Model], instance: models.Model, created: bool, **kwargs: Any) -> None:
    if kwargs.get("raw"):  # fixtures loaded as they are
        return
    record(instance, created=created)


def connect() -> None:
    for spec in SPECS:
        post_save.connect(_on_save, sender=spec.label, dispatch_uid=f"auditchain:{spec.label}")
