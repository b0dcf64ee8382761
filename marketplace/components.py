"""The four components of the performance score S and their weights (docs/rules.md §11.2, §11.4): one
definition used by a tender's weights, a contract's frozen terms, the evaluations and every page.

Marketplace is the lowest app that needs them (a tender states the weights), so they live here; the
evaluations app says who enters each one (its permissions, ``COMPONENT_PERMS``)."""

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class Component(models.TextChoices):
    """A component's value is its key everywhere: the tender's ``weight_<key>`` field, the key of
    ``score_weights`` in the tender's and contract's terms and the API, and the evaluation's score
    field; its label is how every page names it."""

    THIRD_PARTY = "third_party", _("Third-party score (T)")
    BUYER = "buyer", _("Buyer score (B)")
    RESIDENTS = "residents", _("Residents' score (R)")
    COMMUNITY = "community", _("Community score (C)")

    @property
    def letter(self) -> str:
        """T, B, R or C: the component's name in the formula S = wT×T + wB×B + wR×R + wC×C."""
        return _LETTERS[self.value]

    @property
    def weight_field(self) -> str:
        """The tender's field holding this component's weight."""
        return f"weight_{self.value}"

    @property
    def is_entered(self) -> bool:
        """T, B and C are entered by people; R is computed from the ratings at finalisation (§11.3)."""
        return self is not Component.RESIDENTS


_LETTERS = {"third_party": "T", "buyer": "B", "residents": "R", "community": "C"}

# The components people enter, in their order (docs/rules.md §11.2).
ENTERED_COMPONENTS: tuple[Component, ...] = tuple(each for each in Component if each.is_entered)


@dataclass(frozen=True)
class ScoreWeights:
    """The weight of each component, a decimal between 0 and 1 (docs/rules.md §1.1, §11.4)."""

    third_party: Decimal
    buyer: Decimal
    residents: Decimal
    community: Decimal

    def of(self, component: Component) -> Decimal:
        weight: Decimal = getattr(self, Component(component).value)
        return weight

    def as_dict(self) -> dict[str, Decimal]:
        return asdict(self)

    def as_json(self) -> dict[str, str]:
        """As a contract's terms store them: decimal strings (``"0.40"``)."""
        return {key: str(value) for key, value in asdict(self).items()}

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> "ScoreWeights":
        """The weights of ``{key: number or decimal string}``; a missing, extra or non-numeric key
        raises ``ValueError`` naming it."""
        keys = {component.value for component in Component}
        if set(data) != keys:
            raise ValueError(f"score weights need exactly {sorted(keys)}, not {sorted(data)}")
        try:
            values = {key: Decimal(str(data[key])) for key in keys}
        except InvalidOperation as error:
            raise ValueError(f"score weights must be decimals: {dict(data)}") from error
        return cls(**values)

    @classmethod
    def of_tender(cls, tender: Any) -> "ScoreWeights":
        return cls(**{component.value: getattr(tender, component.weight_field) for component in Component})


DEFAULT_SCORE_WEIGHTS = ScoreWeights(
    third_party=Decimal("0.40"), buyer=Decimal("0.20"), residents=Decimal("0.30"), community=Decimal("0.10")
)
