from django.db.models import QuerySet

from orgs.auth import Caller

from .models import Contract


def contract_list(*, user: Caller) -> QuerySet[Contract]:
    contracts: QuerySet[Contract] = Contract.objects.visible_to(user)
    return contracts.select_related("tender").prefetch_related("instalments__payments")
