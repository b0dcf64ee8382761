"""The money of an appeal (复核, docs/rules.md §11.7), as pure functions on Decimal and integer fen:
no database, no settings. Services and pages call the same functions.

S is the published composite, S' the composite recomputed with the provider's claimed components
(the others unchanged), S'' the composite the decision fixes (between S and S'), H the holdback
amount, f the release share of ``scoring.release_share`` under the contract's frozen payment rule.
Each amount is rounded half up to the fen before it is subtracted, so the three parts always sum to
H exactly."""

from dataclasses import dataclass
from decimal import Decimal

from common.money import share_of
from marketplace.components import Component
from marketplace.payment_rule import PaymentRule

from . import scoring

# The components a provider may claim, in the order of the composite (docs/rules.md §11.2).
CLAIMABLE = (Component.THIRD_PARTY, Component.BUYER, Component.RESIDENTS, Component.COMMUNITY)


def composite_with(
    *, published: dict[str, Decimal], replaced: dict[str, Decimal], rule: PaymentRule
) -> Decimal:
    """The composite with some components ``replaced`` and the others as ``published``: S' with the
    claimed components, S'' with the decided ones."""
    values = {key: replaced.get(key, published[key]) for key in published}
    return scoring.composite_score(
        t=values[Component.THIRD_PARTY],
        b=values[Component.BUYER],
        r=values[Component.RESIDENTS],
        c=values[Component.COMMUNITY],
        rule=rule,
    )


def release_of(holdback: int, score: Decimal, rule: PaymentRule) -> int:
    """round_half_up(H × f(S)): what the holdback releases at composite ``score``."""
    return share_of(holdback, scoring.release_share(score, rule))


@dataclass(frozen=True)
class ConfirmSplit:
    """How confirming an evaluation with an open appeal splits H: ``release + hold + withhold = H``."""

    release: int  # paid now: round_half_up(H × f(S))
    hold: int  # disputed, held: round_half_up(H × f(S')) − round_half_up(H × f(S))
    withhold: int  # undisputed loss, returned to the budget: the rest


def confirm_split(
    *, holdback: int, score: Decimal, claimed_score: Decimal, rule: PaymentRule
) -> ConfirmSplit:
    """Confirming with an open appeal releases round_half_up(H × f(S)) now, holds
    round_half_up(H × f(S')) − round_half_up(H × f(S)) and withholds the rest.

    >>> confirm_split(holdback=3_703_704, score=Decimal("74.50"), claimed_score=Decimal("80.50"), rule=rule)
    ConfirmSplit(release=3296297, hold=407407, withhold=0)
    """
    release = release_of(holdback, score, rule)
    hold = max(0, release_of(holdback, claimed_score, rule) - release)
    return ConfirmSplit(release=release, hold=hold, withhold=holdback - release - hold)


@dataclass(frozen=True)
class DecisionSplit:
    """How deciding an appeal splits the held part: ``release + withhold = held``."""

    release: int  # paid to the provider: round_half_up(H × f(S'')) − round_half_up(H × f(S))
    withhold: int  # returned to the budget: the rest of the held part


def decision_split(
    *, holdback: int, score: Decimal, final_score: Decimal, held: int, rule: PaymentRule
) -> DecisionSplit:
    """Deciding releases round_half_up(H × f(S'')) − round_half_up(H × f(S)) of the held part and
    withholds the remainder (never more than was held, never less than nothing).

    >>> decision_split(holdback=3_703_704, score=Decimal("74.50"), final_score=Decimal("77.00"), held=407_407,
    ...                rule=rule)
    DecisionSplit(release=185185, withhold=222222)
    """
    release = min(held, max(0, release_of(holdback, final_score, rule) - release_of(holdback, score, rule)))
    return DecisionSplit(release=release, withhold=held - release)


def check_decided_scores(
    *, decision: str, published: dict[str, Decimal], claimed: dict[str, Decimal], scores: dict[str, Decimal]
) -> tuple[dict[str, Decimal], dict[str, list[str]]]:
    """The final components a decision fixes, and the field errors of ``scores``: upheld takes the
    claimed scores, dismissed the published ones; partly needs a score for each claimed component,
    each between the published and the claimed one (inclusive)."""
    if decision == "upheld":
        return dict(claimed), {}
    if decision == "dismissed":
        return {key: published[key] for key in claimed}, {}
    errors: dict[str, list[str]] = {}
    final: dict[str, Decimal] = {}
    for key, claim in claimed.items():
        given = scores.get(key)
        low, high = sorted((published[key], claim))
        if given is None:
            errors[key] = ["missing"]
        elif not low <= given <= high:
            errors[key] = ["out_of_range"]
        else:
            final[key] = given
    for key in scores:
        if key not in claimed:
            errors[key] = ["not_claimed"]
    return final, errors
