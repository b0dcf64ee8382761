from django.db.models import QuerySet

from orgs.auth import Caller

from .models import Contract
from .permissions import contract_list_visible_to


def contract_list(*, user: Caller) -> QuerySet[Contract]:
    return contract_list_visible_to(user).select_related("tender").prefetch_related("instalments__payments")
