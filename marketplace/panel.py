"""Outlying scores of an evaluation panel (docs/rules.md §17.7): pure functions on plain data.

Each evaluator's score of a bid on a criterion is set against the *other* evaluators' scores of
the same bid and criterion (leave one out): it is flagged when it lies more than ``OUTLIER_SDS``
sample standard deviations from their mean. Against the whole panel's mean and SD, the score itself
included, no score of a panel of five or fewer can ever be that far (at most (n-1)/sqrt(n) SDs), so
the rule would never fire on a real panel. At least ``MIN_OTHERS`` other scores are needed; their SD
counts as at least ``SD_FLOOR`` points, so that colleagues who agree exactly (SD 0) do not make a
one-point difference an outlier.
"""

from collections.abc import Hashable, Mapping
from decimal import Decimal
from typing import TypeVar

OUTLIER_SDS = Decimal(2)
MIN_OTHERS = 2
SD_FLOOR = Decimal(5)  # points on the 0–100 scale

K = TypeVar("K", bound=Hashable)


def mean(values: list[Decimal]) -> Decimal:
    return sum(values, Decimal(0)) / len(values)


def sample_sd(values: list[Decimal]) -> Decimal:
    """The sample standard deviation (n - 1); 0 for fewer than two values."""
    if len(values) < 2:
        return Decimal(0)
    centre = mean(values)
    return (sum(((value - centre) ** 2 for value in values), Decimal(0)) / (len(values) - 1)).sqrt()


def outlying_scores(scores: Mapping[K, Decimal]) -> dict[K, Decimal]:
    """The scores (by evaluator, or any key) far from the rest of the panel, each with the mean of
    the other evaluators' scores it was compared with."""
    flagged: dict[K, Decimal] = {}
    for key, score in scores.items():
        others = [value for other, value in scores.items() if other != key]
        if len(others) < MIN_OTHERS:
            continue
        centre = mean(others)
        if abs(score - centre) > OUTLIER_SDS * max(sample_sd(others), SD_FLOOR):
            flagged[key] = centre
    return flagged
