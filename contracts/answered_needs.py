"""Residents' needs follow the contract of the tender that named them (docs/rules.md §22): signed →
``contracted``; completed → ``delivered``; terminated → ``accepted`` again, free for another tender.
The moves run in the contract's transition's transaction (django-fsm's ``post_transition``)."""

from typing import Any

from django_fsm.signals import post_transition

from needs.services import needs_contracted, needs_delivered, needs_reopened

from .models import Contract


def _contract_moved(sender: Any, instance: Contract, source: str, target: str, **kwargs: Any) -> None:
    by = (kwargs.get("method_kwargs") or {}).get("by")
    needs = instance.tender.needs.all()
    if target == Contract.Status.ACTIVE and source == Contract.Status.DRAFT:
        needs_contracted(needs, contract_id=instance.pk, by=by)
    elif target == Contract.Status.COMPLETED:
        needs_delivered(needs, contract_id=instance.pk, by=by)
    elif target == Contract.Status.TERMINATED:
        needs_reopened(needs, tender_id=instance.tender_id, by=by)


def connect() -> None:
    post_transition.connect(_contract_moved, sender=Contract, dispatch_uid="contracts.answered_needs")
