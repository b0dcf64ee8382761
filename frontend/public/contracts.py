"""Public contract summaries and provider profiles: what a contract is worth, its instalments (no
payment details), its published evaluations and the residents' satisfaction (aggregates only,
hidden below five ratings), and each verified provider's record across its contracts."""

from collections import defaultdict
from typing import Any

import rules
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from contracts.models import Contract
from evaluations.models import Evaluation, Rating
from evaluations.scoring import BAND_GRADES as GRADES
from evaluations.scoring import BAND_LETTERS
from evaluations.selectors import (
    MIN_PUBLIC_RATINGS,
    public_appeal_outcomes,
    satisfaction_by_contract,
    satisfaction_of,
)

from ..components import component_rows
from ..variations import variation_rows
from .payouts import contract_payout_block
from .reads import party_links, public_evaluations, public_provider_ids, public_providers, visible_contracts


def evaluation_row(evaluation: Evaluation) -> dict[str, Any]:
    """One published evaluation as the public sees it (domain research 3.6: band, S, components,
    the residents' sample and how R was obtained)."""
    return {
        "evaluation": evaluation,
        "label": _("%(stage)s, round %(round)s")
        % {"stage": evaluation.get_stage_display(), "round": evaluation.round},
        "grade": GRADES.get(evaluation.band, ""),
        "components": component_rows(evaluation, weights=None),
    }


def satisfaction_chart(satisfaction: dict[str, Any]) -> dict[str, Any] | None:
    if satisfaction["hidden"]:
        return None
    levels = satisfaction["distribution"]
    return {
        "type": "bar",
        "labels": [str(Rating.Satisfaction(int(level)).label) for level in levels],
        "datasets": [{"label": _("Ratings"), "data": list(levels.values())}],
    }


def scores_chart(rows: list[dict[str, Any]]) -> dict[str, Any] | None:
    if not rows:
        return None
    return {
        "type": "bar",
        "labels": [row["label"] for row in rows],
        "datasets": [
            {"label": _("Composite score S"), "data": [row["evaluation"].composite for row in rows]}
        ],
        "max": 100,
    }


def resolved_rows(satisfaction: dict[str, Any]) -> list[tuple[str, int]]:
    if satisfaction["hidden"]:
        return []
    return [(str(Rating.Resolved(value).label), count) for value, count in satisfaction["resolved"].items()]


def contract_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    contract = get_object_or_404(visible_contracts(user).select_related("bureau", "provider"), pk=pk)
    rows = [evaluation_row(evaluation) for evaluation in public_evaluations([contract.pk])]
    outcomes = public_appeal_outcomes([row["evaluation"] for row in rows])
    for row in rows:
        row["appeal"] = outcomes.get(row["evaluation"].pk)
    satisfaction = satisfaction_of(contract)
    context = {
        "contract": contract,
        # The API shows instalments to the parties only (contracts.view_contract_details).
        "instalments": list(contract.instalments.all())
        if rules.has_perm("contracts.view_contract_details", request.user, contract)
        else [],
        "evaluations": rows,
        "scores_chart": scores_chart(rows),
        "satisfaction": satisfaction,
        "satisfaction_chart": satisfaction_chart(satisfaction),
        "resolved_rows": resolved_rows(satisfaction),
        "min_ratings": MIN_PUBLIC_RATINGS,
        "public_provider_ids": public_provider_ids(user, [contract.provider_id]),
        "party_links": party_links(user, contract),
        # the variations in effect (docs/rules.md §17.8); the parties sign proposed ones on their pages
        "variations": variation_rows(user, contract, effective_only=True),
        "payout": contract_payout_block(request, contract),
        "on_ceiling": False,
    }
    return render(request, "frontend/public/contract_detail.html", context)


def provider_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A verified provider's public record: its non-draft contracts, each with its latest published
    band and score and the residents' satisfaction."""
    user = request.user
    provider = get_object_or_404(public_providers(user), pk=pk)
    contracts = list(
        visible_contracts(user)
        .filter(provider=provider)
        .exclude(status=Contract.Status.DRAFT)
        .select_related("bureau")
        .prefetch_related(None)
        .order_by("-service_start", "-id")
    )
    latest: dict[int, Evaluation] = {}
    for published in public_evaluations(contracts):
        latest[published.contract_id] = published  # oldest first: the last one is the latest
    satisfaction = satisfaction_by_contract([contract.pk for contract in contracts])
    rows: list[dict[str, Any]] = []
    band_counts: dict[str, int] = defaultdict(int)
    for contract in contracts:
        evaluation: Evaluation | None = latest.get(contract.pk)
        if evaluation is not None and evaluation.band:
            band_counts[evaluation.band] += 1
        rows.append(
            {
                "contract": contract,
                "evaluation": evaluation,
                "grade": GRADES.get(evaluation.band, "") if evaluation else "",
                "satisfaction": satisfaction[contract.pk],
            }
        )
    scored = [row for row in rows if row["evaluation"] is not None]
    charts = None
    if scored:
        charts = {
            "scores": {
                "type": "bar",
                "labels": [row["contract"].title for row in scored],
                "datasets": [
                    {
                        "label": _("Latest composite score S"),
                        "data": [row["evaluation"].composite for row in scored],
                    }
                ],
                "max": 100,
            },
            "bands": {
                "type": "bar",
                "labels": BAND_LETTERS,
                "datasets": [
                    {"label": _("Contracts"), "data": [band_counts[letter] for letter in BAND_LETTERS]}
                ],
            },
        }
    context = {"provider": provider, "rows": rows, "charts": charts, "min_ratings": MIN_PUBLIC_RATINGS}
    return render(request, "frontend/public/provider_detail.html", context)


__all__ = ["contract_detail", "provider_detail", "public_provider_ids"]
