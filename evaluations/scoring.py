"""The formulas of docs/rules.md §11.3 and §11.4, as pure functions on Decimal, each taking the payment
rule (``PaymentRule``: a contract's frozen copy, or the current rule for a tender not yet awarded) as a
parameter. R is rounded before S is computed, S is rounded before f(S). Finalising, confirming, the
payout simulator and the public recomputation page all call these: there is no second copy."""

import math
from dataclasses import dataclass
from decimal import Decimal

from common.money import round_half_up, share_of
from marketplace.payment_rule import BAND_PIECES, BandPiece, PaymentRule

__all__ = [
    "BAND_E",
    "BAND_GRADES",
    "BAND_LETTERS",
    "PASS_MARK",
    "Band",
    "PaymentRule",
    "Payout",
    "band_of",
    "composite_score",
    "composite_terms",
    "minimum_sample",
    "payout",
    "release_pct",
    "release_share",
    "residents_score",
]

HUNDRED = Decimal(100)


def residents_score(*, n: int, n_pos: int, rule: PaymentRule) -> Decimal:
    """R = 100 × (n_pos + k × p0) / (n + k), rounded half up to 2 decimals."""
    k = rule.prior_weight
    return round_half_up(HUNDRED * (Decimal(n_pos) + k * rule.prior) / Decimal(n + k), 2)


def minimum_sample(recipients: int, rule: PaymentRule) -> int:
    """n_min = min(N, max(20, ceil(0.1 × N))) (20 and 0.1 as the rule says)."""
    return min(recipients, max(rule.sample_min, math.ceil(rule.sample_share * recipients)))


def composite_terms(
    *, t: Decimal, b: Decimal, r: Decimal, c: Decimal, rule: PaymentRule
) -> list[tuple[Decimal, Decimal, Decimal]]:
    """The four terms of S, (weight, score, weight × score), in the order T, B, R, C."""
    weights = rule.weights
    pairs = ((weights.third_party, t), (weights.buyer, b), (weights.residents, r), (weights.community, c))
    return [(weight, score, weight * score) for weight, score in pairs]


def composite_score(*, t: Decimal, b: Decimal, r: Decimal, c: Decimal, rule: PaymentRule) -> Decimal:
    """S = wT×T + wB×B + wR×R + wC×C, rounded half up to 2 decimals."""
    total = sum(
        (term for _weight, _score, term in composite_terms(t=t, b=b, r=r, c=c, rule=rule)), Decimal(0)
    )
    return round_half_up(total, 2)


@dataclass(frozen=True)
class Band:
    letter: str
    grade: str
    floor: Decimal


# The official grade names of the bands (shown in Chinese in every language, marked lang="zh-Hans").
BAND_GRADES = {"A": "优秀", "B": "良好", "C": "合格", "D": "基本合格", "E": "不合格"}
BAND_LETTERS = [piece.letter for piece in BAND_PIECES]
# A final evaluation in this band excludes the provider from bidding (docs/rules.md §17.6).
BAND_E = "E"
PASS_MARK = Decimal(60)


def _piece(score: Decimal, rule: PaymentRule) -> BandPiece:
    return next(piece for piece in rule.bands if score >= piece.floor)


def band_of(score: Decimal, rule: PaymentRule) -> Band:
    piece = _piece(score, rule)
    return Band(letter=piece.letter, grade=BAND_GRADES.get(piece.letter, ""), floor=piece.floor)


def release_share(score: Decimal, rule: PaymentRule) -> Decimal:
    """f(S) = base + slope × (S − floor) of S's band: 1 for A and B; 0.80 + 0.02 × (S − 70) for C;
    0.50 + 0.03 × (S − 60) for D; 0 for E (formula version shequ-2026.1)."""
    piece = _piece(score, rule)
    return piece.base + piece.slope * (score - piece.floor)


def release_pct(score: Decimal, rule: PaymentRule) -> Decimal:
    return round_half_up(release_share(score, rule) * HUNDRED, 2)


@dataclass(frozen=True)
class Payout:
    composite: Decimal
    band: Band
    share: Decimal  # f(S)
    release_pct: Decimal
    holdback_amount: int  # fen
    release_amount: int  # fen
    withheld_amount: int  # fen


def payout(*, t: Decimal, b: Decimal, r: Decimal, c: Decimal, holdback: int, rule: PaymentRule) -> Payout:
    """What a holdback of ``holdback`` fen pays at these scores: S, its band, f(S), the amount released
    (as confirming releases it) and the amount withheld."""
    composite = composite_score(t=t, b=b, r=r, c=c, rule=rule)
    share = release_share(composite, rule)
    release = share_of(holdback, share)
    return Payout(
        composite=composite,
        band=band_of(composite, rule),
        share=share,
        release_pct=release_pct(composite, rule),
        holdback_amount=holdback,
        release_amount=release,
        withheld_amount=holdback - release,
    )


# Delivery signals (docs/rules.md §11.10): from this many households answering, a share of
# not_received answers at or above this one needs the assessor's sample survey before finalizing.
DELIVERY_CHECK_MIN_ANSWERS = 10
DELIVERY_CHECK_SHARE = Decimal("0.10")


def delivery_check_required(*, answered: int, not_received: int) -> bool:
    """Whether ``not_received`` of ``answered`` households needs a delivery check: at least 10
    households answered and at least 10 % of them said they did not receive the service (exact:
    compared in whole numbers, never a rounded percentage)."""
    return answered >= DELIVERY_CHECK_MIN_ANSWERS and Decimal(not_received) >= DELIVERY_CHECK_SHARE * answered
