"""The one way the evaluations app locks a running contract's rows, in the house lock order
(docs/architecture.md §4): evaluation → contract → appeal → variation → instalments → tender →
budget line. Confirming, scoring, filing and deciding an appeal all start here, so they serialise."""

from django.db.models import Q
from django.utils.translation import gettext as _

from common.errors import InvalidTransition
from contracts.models import Contract

from .models import Evaluation


def evaluation_locked(evaluation: Evaluation, *, with_later_rounds: bool = False) -> Evaluation:
    """Lock the evaluation, then its contract. ``with_later_rounds`` also locks the contract's
    evaluations opened after it (a midterm decision may supersede them), before the contract and in
    id order, so that a confirmation of one of them cannot wait on us while we wait on it. A
    terminated contract's evaluation moves no further (409 ``invalid_transition``)."""
    if with_later_rounds:
        list(
            Evaluation.objects.select_for_update(of=("self",))
            .filter(Q(pk=evaluation.pk) | Q(contract_id=evaluation.contract_id, pk__gt=evaluation.pk))
            .order_by("id")
            .values_list("id", flat=True)
        )
    evaluation = (
        Evaluation.objects.select_for_update(of=("self", "contract"))
        .select_related("contract")
        .get(pk=evaluation.pk)
    )
    if evaluation.contract.status == Contract.Status.TERMINATED:
        raise InvalidTransition(_("The contract has been terminated."))
    return evaluation
