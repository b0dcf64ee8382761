"""``{% tender_money_terms tender %}``: what decides a tender's money, for the provider's and the
public tender pages alike — how bids are scored (criteria and weights), the payment schedule (each
instalment's share, in yuan and when it is paid) and the weights of the composite score S."""

from typing import Any

from django import template
from django.utils.translation import gettext_lazy as _

from common.money import split_by_shares
from marketplace.components import ScoreWeights
from marketplace.models import Criterion, PaymentScheduleItem, Tender

from ..components import percent, weight_rows

register = template.Library()

AWARD_STATUSES = (Tender.Status.AWARD_PROPOSED, Tender.Status.AWARDED)

# When each instalment becomes payable (contracts.services.contract_sign, evaluations.services).
WHEN_PAID = {
    PaymentScheduleItem.Kind.ADVANCE: _("Paid when both parties have signed the contract."),
    PaymentScheduleItem.Kind.INTERIM: _(
        "Paid after a passing midterm evaluation (a composite score S of 60 or more)."
    ),
    PaymentScheduleItem.Kind.HOLDBACK: _(
        "Paid after the final evaluation: all of it for bands A and B, part of it for C and D, none for E."
    ),
}


@register.simple_tag
def score_weight_rows(tender: Tender) -> list[tuple[str, str]]:
    """(label, weight as a percentage) of each component of the tender's performance score."""
    return weight_rows(ScoreWeights.of_tender(tender))


@register.inclusion_tag("frontend/includes/tender_money_terms.html")
def tender_money_terms(tender: Tender) -> dict[str, Any]:
    schedule = list(tender.payment_schedule.all())
    shares = [item.share_pct for item in schedule]
    awarded = tender.proposed_bid if tender.status in AWARD_STATUSES else None
    # The same split as the contract's instalments (common.money.split_by_shares).
    at_ceiling = split_by_shares(tender.ceiling_amount, shares)
    at_award = split_by_shares(awarded.price_amount, shares) if awarded else [None] * len(schedule)
    criteria = list(tender.criteria.all())
    return {
        "tender": tender,
        "awarded": awarded,
        "criteria": [
            {
                "name": criterion.name,
                "kind": criterion.get_kind_display(),
                "is_price": criterion.kind == Criterion.Kind.PRICE,
                "weight": criterion.weight,
            }
            for criterion in criteria
        ],
        "criteria_total": sum(criterion.weight for criterion in criteria),
        "instalments": [
            {
                "kind": item.get_kind_display(),
                "share": percent(item.share_pct),
                "at_ceiling": ceiling_amount,
                "at_award": award_amount,
                "when": WHEN_PAID.get(PaymentScheduleItem.Kind(item.kind), ""),
            }
            for item, ceiling_amount, award_amount in zip(schedule, at_ceiling, at_award, strict=True)
        ],
        "score_weights": score_weight_rows(tender),
    }
