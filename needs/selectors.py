"""Reads of residents' needs (docs/rules.md §22)."""

from django.db.models import QuerySet

from orgs.auth import Caller

from .models import Need, Support


def need_list(*, user: Caller) -> QuerySet[Need]:
    needs: QuerySet[Need] = Need.objects.visible_to(user)
    return needs


def supported_need_ids(*, household_id: int, need_ids: list[int]) -> set[int]:
    """Which of the needs the household already supports (one query)."""
    return set(
        Support.objects.filter(household_id=household_id, need_id__in=need_ids).values_list(
            "need_id", flat=True
        )
    )
