"""Reads of the evaluations app: what a resident may rate now, and public satisfaction. Reads only:
nothing here creates, opens or changes a row (``services`` writes, and may call these)."""

from typing import Any

from django.db.models import Count, Q

from contracts.models import Contract
from orgs.auth import Caller, signed_in
from orgs.permissions import confirmed_resident, member_organization_ids

from .models import Evaluation, Rating
from .permissions import is_party_member

MIN_PUBLIC_RATINGS = 5
RATEABLE_CONTRACT_STATUSES = (
    Contract.Status.ACTIVE,
    Contract.Status.RECTIFICATION,
    Contract.Status.SUSPENDED,
)
# docs/rules.md §11.4: once an evaluation is published, its band, S, components and resident sample
# are public; an open evaluation is still being scored and stays with the parties.
PUBLIC_EVALUATION_STATUSES = (Evaluation.Status.PUBLISHED, Evaluation.Status.FINAL)


def evaluation_list_public(*, contracts: Any) -> Any:
    """The published (and final) evaluations of these contracts, oldest first."""
    return Evaluation.objects.filter(contract__in=contracts, status__in=PUBLIC_EVALUATION_STATUSES).order_by(
        "contract_id", "id"
    )


def last_final_band(contract: Contract) -> str | None:
    """The band of the contract's last final evaluation (midterm or final, the latest confirmed),
    or None before any is final: what renewal depends on (docs/rules.md §17.8)."""
    band: str | None = (
        Evaluation.objects.filter(contract=contract, status=Evaluation.Status.FINAL)
        .order_by("-confirmed_at", "-id")
        .values_list("band", flat=True)
        .first()
    )
    return band or None


def evaluation_current(contract: Contract) -> Evaluation | None:
    """The contract's open evaluation, if any. A read: it never opens one."""
    current: Evaluation | None = Evaluation.objects.filter(
        contract=contract, status=Evaluation.Status.OPEN
    ).first()
    return current


def rateable_contracts(*, user: Caller) -> list[dict[str, Any]]:
    """Contracts the resident's household received services of, whose current evaluation is open
    and not yet rated by the household. A read: it opens no evaluation."""
    resident = confirmed_resident(user)
    if resident is None or not signed_in(user):  # a confirmed resident is signed in
        return []
    contracts = (
        Contract.objects.filter(events__recipients=resident.household, status__in=RATEABLE_CONTRACT_STATUSES)
        .distinct()
        .select_related("provider")
    )
    rated = set(
        Rating.objects.filter(
            household=resident.household, evaluation__status=Evaluation.Status.OPEN
        ).values_list("evaluation_id", flat=True)
    )
    open_evaluations = {
        evaluation.contract_id: evaluation
        for evaluation in Evaluation.objects.filter(contract__in=contracts, status=Evaluation.Status.OPEN)
    }
    member_of = set(member_organization_ids(user))
    rows = []
    for contract in contracts:
        if is_party_member(user, contract, member_of):  # may not rate it (conflict_of_interest)
            continue
        evaluation = open_evaluations.get(contract.id)
        if evaluation is not None and evaluation.id not in rated:
            rows.append({"contract": contract, "evaluation": evaluation})
    return rows


def _rating_counts() -> dict[str, Count]:
    return {
        "count": Count("id"),
        "positive": Count("id", filter=Q(satisfaction__gte=4)),
        **{f"level_{level}": Count("id", filter=Q(satisfaction=level)) for level in range(1, 6)},
        **{f"resolved_{value}": Count("id", filter=Q(resolved=value)) for value in Rating.Resolved.values},
    }


def satisfaction_by_contract(contract_ids: Any) -> dict[int, dict[str, Any]]:
    """Aggregates of the counted ratings (valid, service received) of every evaluation of each
    contract, in one query; hidden below five ratings. Never an identity."""
    rows = (
        Rating.objects.filter(contract__in=contract_ids, status=Rating.Status.VALID)
        .exclude(satisfaction=Rating.NOT_RECEIVED)
        .values("contract")
        .annotate(
            count=Count("id"),
            positive=Count("id", filter=Q(satisfaction__gte=4)),
            **{f"level_{level}": Count("id", filter=Q(satisfaction=level)) for level in range(1, 6)},
            **{
                f"resolved_{value}": Count("id", filter=Q(resolved=value)) for value in Rating.Resolved.values
            },
        )
        .order_by()
    )
    totals_by_contract = {row["contract"]: row for row in rows}
    return {pk: _satisfaction(totals_by_contract.get(pk)) for pk in contract_ids}


def _satisfaction(totals: dict[str, Any] | None) -> dict[str, Any]:
    count = totals["count"] if totals else 0
    if totals is None or count < MIN_PUBLIC_RATINGS:
        return {"count": count, "hidden": True, "positive_pct": None, "distribution": None, "resolved": None}
    return {
        "count": count,
        "hidden": False,
        "positive_pct": f"{100 * totals['positive'] / count:.2f}",
        "distribution": {str(level): totals[f"level_{level}"] for level in range(5, 0, -1)},
        "resolved": {value: totals[f"resolved_{value}"] for value in Rating.Resolved.values},
    }


def satisfaction_of(contract: Contract) -> dict[str, Any]:
    return satisfaction_by_contract([contract.pk])[contract.pk]
