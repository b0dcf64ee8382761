"""How pages show the performance score's components (``marketplace.components``): each by its one
label, with its weight as a percentage and, on an evaluation, its score."""

from decimal import Decimal
from typing import Any

from marketplace.components import Component, ScoreWeights


def percent(value: Decimal) -> str:
    """``Decimal("30.00")`` → ``"30%"``; ``Decimal("12.50")`` → ``"12.5%"``."""
    text = f"{value:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"{text}%"


def weight_percent(weights: ScoreWeights, component: Component) -> str:
    return percent(weights.of(component) * 100)


def weight_rows(weights: ScoreWeights) -> list[tuple[str, str]]:
    """(label, weight as a percentage) of each component, in order."""
    return [(str(component.label), weight_percent(weights, component)) for component in Component]


def component_rows(evaluation: Any, weights: ScoreWeights | None) -> list[dict[str, Any]]:
    """Each component of ``evaluation``: its key, label, score (None until entered or computed) and
    the contract's weight for it."""
    return [
        {
            "key": component.value,
            "label": component.label,
            "value": getattr(evaluation, component.value),
            "weight": weight_percent(weights, component) if weights else None,
        }
        for component in Component
    ]
