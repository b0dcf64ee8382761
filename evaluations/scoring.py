"""The formulas of docs/rules.md §11.3 and §11.4, as pure functions on Decimal. R is rounded before S is
computed, S is rounded before f(S)."""

import math
from dataclasses import dataclass
from decimal import Decimal

from common.money import round_half_up
from marketplace.components import ScoreWeights

PRIOR_WEIGHT = 20  # k
HUNDRED = Decimal(100)


def residents_score(*, n: int, n_pos: int, prior: Decimal) -> Decimal:
    """R = 100 × (n_pos + k × p0) / (n + k), rounded half up to 2 decimals."""
    return round_half_up(HUNDRED * (Decimal(n_pos) + PRIOR_WEIGHT * prior) / Decimal(n + PRIOR_WEIGHT), 2)


def minimum_sample(recipients: int) -> int:
    """n_min = min(N, max(20, ceil(0.1 × N)))."""
    return min(recipients, max(20, math.ceil(Decimal(recipients) / 10)))


def composite_score(*, t: Decimal, b: Decimal, r: Decimal, c: Decimal, weights: ScoreWeights) -> Decimal:
    """S = wT×T + wB×B + wR×R + wC×C, rounded half up to 2 decimals."""
    total = weights.third_party * t + weights.buyer * b + weights.residents * r + weights.community * c
    return round_half_up(total, 2)


@dataclass(frozen=True)
class Band:
    letter: str
    grade: str


BANDS = [
    (Decimal(90), Band("A", "优秀")),
    (Decimal(80), Band("B", "良好")),
    (Decimal(70), Band("C", "合格")),
    (Decimal(60), Band("D", "基本合格")),
    (Decimal(0), Band("E", "不合格")),
]
# The official grade names of the bands (shown in Chinese in every language, marked lang="zh-Hans").
BAND_GRADES = {band.letter: band.grade for _floor, band in BANDS}
# A final evaluation in this band excludes the provider from bidding (docs/rules.md §17.6).
BAND_E = "E"


def band_of(score: Decimal) -> Band:
    return next(band for floor, band in BANDS if score >= floor)


def release_share(score: Decimal) -> Decimal:
    """f(S): 1 for A and B; 0.80 + 0.02 × (S − 70) for C; 0.50 + 0.03 × (S − 60) for D; 0 for E."""
    letter = band_of(score).letter
    if letter in ("A", "B"):
        return Decimal(1)
    if letter == "C":
        return Decimal("0.80") + Decimal("0.02") * (score - 70)
    if letter == "D":
        return Decimal("0.50") + Decimal("0.03") * (score - 60)
    return Decimal(0)


def release_pct(score: Decimal) -> Decimal:
    return round_half_up(release_share(score) * HUNDRED, 2)


PASS_MARK = Decimal(60)
