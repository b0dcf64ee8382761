"""Residents' needs follow the tender that names them (docs/rules.md §22): published → ``tendered``;
cancelled or unsuccessful → ``accepted`` again, free for another tender. The moves run in the
tender's transition's transaction (django-fsm's ``post_transition``, sent inside ``run_transition``)."""

from typing import Any

from django_fsm.signals import post_transition

from needs.services import needs_reopened, needs_tendered

from .models import Tender

ENDED_WITHOUT_SERVICE = (Tender.Status.CANCELLED, Tender.Status.UNSUCCESSFUL)


def _tender_moved(sender: Any, instance: Tender, source: str, target: str, **kwargs: Any) -> None:
    by = (kwargs.get("method_kwargs") or {}).get("by")
    if source == Tender.Status.DRAFT and target == Tender.Status.PUBLISHED:
        needs_tendered(instance.needs.all(), tender_id=instance.pk, by=by)
    elif target in ENDED_WITHOUT_SERVICE and source != target:
        needs_reopened(instance.needs.all(), tender_id=instance.pk, by=by)


def connect() -> None:
    post_transition.connect(_tender_moved, sender=Tender, dispatch_uid="marketplace.answered_needs")
