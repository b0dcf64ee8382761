from typing import Any

from django.db.models import QuerySet

from .models import Contract


def contract_list(*, user: Any) -> QuerySet[Contract]:
    return (
        Contract.objects.visible_to(user).select_related("tender").prefetch_related("instalments__payments")
    )
