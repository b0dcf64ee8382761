"""The payment rule (docs/rules.md §11.3, §11.4): everything the formulas of ``evaluations.scoring``
need besides the scores — the weights, the band floors, the pieces of f(S), k, p0, the n_min rule and
the formula version. A tender is judged by the current rule (``PaymentRule.of_tender``); at award the
rule is copied into the contract's terms (``contracts.terms.ContractTerms``), and every evaluation of
the contract reads that copy only, so changing a setting later changes no awarded contract's money.

Marketplace is the lowest app that needs it (the tender's pages simulate the payout), so it lives
here beside ``ScoreWeights``; the formulas themselves are in ``evaluations/scoring.py``."""

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings

from .components import DEFAULT_SCORE_WEIGHTS, ScoreWeights

# The version of the formulas (docs/rules.md §11.3, §11.4) a contract is evaluated with.
FORMULA_VERSION = "shequ-2026.1"


@dataclass(frozen=True)
class BandPiece:
    """One band: S from ``floor`` up to the next band's floor; f(S) = base + slope × (S − floor)."""

    letter: str
    floor: Decimal
    base: Decimal
    slope: Decimal

    def as_json(self) -> dict[str, str]:
        return {
            "letter": self.letter,
            "floor": str(self.floor),
            "base": str(self.base),
            "slope": str(self.slope),
        }


# The bands of formula version shequ-2026.1, highest first: 1 for A and B; 0.80 + 0.02 × (S − 70)
# for C; 0.50 + 0.03 × (S − 60) for D; 0 for E.
BAND_PIECES: tuple[BandPiece, ...] = (
    BandPiece("A", Decimal("90"), Decimal("1"), Decimal("0")),
    BandPiece("B", Decimal("80"), Decimal("1"), Decimal("0")),
    BandPiece("C", Decimal("70"), Decimal("0.80"), Decimal("0.02")),
    BandPiece("D", Decimal("60"), Decimal("0.50"), Decimal("0.03")),
    BandPiece("E", Decimal("0"), Decimal("0"), Decimal("0")),
)


@dataclass(frozen=True)
class PaymentRule:
    formula_version: str
    weights: ScoreWeights
    bands: tuple[BandPiece, ...]  # highest floor first; the last floor is 0
    prior_weight: int  # k
    prior: Decimal  # p0
    sample_min: int  # n_min = min(N, max(sample_min, ceil(sample_share × N)))
    sample_share: Decimal

    @classmethod
    def current(cls, weights: ScoreWeights = DEFAULT_SCORE_WEIGHTS) -> "PaymentRule":
        """The rule as the settings say now, with ``weights``."""
        return cls(
            formula_version=FORMULA_VERSION,
            weights=weights,
            bands=BAND_PIECES,
            prior_weight=int(settings.RATING_PRIOR_WEIGHT),
            prior=Decimal(settings.RATING_PRIOR_CSAT),
            sample_min=int(settings.RATING_SAMPLE_MIN),
            sample_share=Decimal(settings.RATING_SAMPLE_SHARE),
        )

    @classmethod
    def of_tender(cls, tender: Any) -> "PaymentRule":
        """The rule a tender not yet awarded is judged by: the current one, with its weights."""
        return cls.current(ScoreWeights.of_tender(tender))

    def params_json(self) -> dict[str, Any]:
        """What a contract's terms store under ``payment_rule`` (the weights and the formula version
        are stored beside it, as ``score_weights`` and ``formula_version``); decimals as strings."""
        return {
            "bands": [band.as_json() for band in self.bands],
            "prior_weight": self.prior_weight,
            "prior": str(self.prior),
            "sample_min": self.sample_min,
            "sample_share": str(self.sample_share),
        }

    @classmethod
    def from_json(
        cls, *, formula_version: str, weights: ScoreWeights, data: Mapping[str, Any]
    ) -> "PaymentRule":
        """The rule stored as ``params_json``; a missing key raises ``KeyError``, a malformed value
        ``ValueError``."""
        try:
            bands = tuple(
                BandPiece(
                    letter=str(band["letter"]),
                    floor=Decimal(band["floor"]),
                    base=Decimal(band["base"]),
                    slope=Decimal(band["slope"]),
                )
                for band in data["bands"]
            )
            rule = cls(
                formula_version=formula_version,
                weights=weights,
                bands=bands,
                prior_weight=_integer(data["prior_weight"], "prior_weight"),
                prior=Decimal(data["prior"]),
                sample_min=_integer(data["sample_min"], "sample_min"),
                sample_share=Decimal(data["sample_share"]),
            )
        except (InvalidOperation, TypeError) as error:
            raise ValueError(f"the payment rule is malformed: {error}") from error
        if (
            not bands
            or bands[-1].floor != 0
            or [b.floor for b in bands] != sorted((b.floor for b in bands), reverse=True)
        ):
            raise ValueError("the payment rule's bands must go from the highest floor down to 0")
        return rule

    def as_json(self) -> dict[str, Any]:
        """The whole rule, as the API and the pages show it."""
        return {
            "formula_version": self.formula_version,
            "score_weights": self.weights.as_json(),
            **self.params_json(),
        }


def _integer(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name} is {value!r}, not an integer")
    return value


def legacy_rule(*, weights: ScoreWeights, prior: Decimal) -> PaymentRule:
    """The rule of formula version shequ-2026.1 as it was before rules were frozen: the bands, k and
    the n_min rule were constants, and p0 was read from the settings at finalisation. Contracts
    awarded then are given it with ``prior`` (migration contracts 0008 froze the setting of the day)."""
    return PaymentRule(
        formula_version="shequ-2026.1",
        weights=weights,
        bands=BAND_PIECES,
        prior_weight=20,
        prior=prior,
        sample_min=20,
        sample_share=Decimal("0.10"),
    )
