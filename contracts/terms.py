"""A contract's frozen terms (docs/rules.md §5.1): what the tender said at the moment the award became
final, stored as JSON in ``Contract.terms`` and read back as ``ContractTerms``.

``ContractTerms.of_tender`` makes them, ``as_json`` is exactly what is stored (and what the API
shows as ``terms``), and ``ContractTerms.parse`` is the one way to read them: every reader goes
through ``Contract.frozen_terms``. Stored terms that lack a key or hold a value of the wrong kind
raise ``TermsUnreadable`` naming it, rather than letting a reader guess.

The terms hold the payment rule (``marketplace.payment_rule.PaymentRule``: weights, bands, f(S), k,
p0, n_min, formula version) as it stood at award; evaluations read it from here only."""

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from marketplace.components import ScoreWeights
from marketplace.payment_rule import FORMULA_VERSION, PaymentRule

__all__ = ["FORMULA_VERSION", "ContractTerms", "FrozenKpi", "FrozenShare", "TermsUnreadable"]


class TermsUnreadable(ValueError):
    """Stored terms that do not have the shape ``ContractTerms.as_json`` writes."""


def _boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"renewal_allowed is {value!r}, not a boolean")
    return value


@dataclass(frozen=True)
class FrozenKpi:
    id: int
    name: str
    target: Decimal
    unit: str


@dataclass(frozen=True)
class FrozenShare:
    kind: str  # marketplace.models.PaymentScheduleItem.Kind
    share_pct: Decimal


@dataclass(frozen=True)
class ContractTerms:
    rule: PaymentRule  # the payment rule, its weights and formula version included
    kpis: tuple[FrozenKpi, ...]
    payment_schedule: tuple[FrozenShare, ...]
    areas: tuple[str, ...]  # the service areas' codes
    catalogue_item: str  # the catalogue item's code
    # The tender allowed renewal: an extension beyond its service period (docs/rules.md §17.8).
    renewal_allowed: bool = False

    @property
    def formula_version(self) -> str:
        return self.rule.formula_version

    @property
    def score_weights(self) -> ScoreWeights:
        return self.rule.weights

    @classmethod
    def of_tender(cls, tender: Any) -> "ContractTerms":
        """The terms of ``tender`` as they stand now, under the current payment rule."""
        return cls(
            rule=PaymentRule.of_tender(tender),
            kpis=tuple(
                FrozenKpi(id=kpi.id, name=kpi.name, target=kpi.target, unit=kpi.unit)
                for kpi in tender.kpis.all()
            ),
            payment_schedule=tuple(
                FrozenShare(kind=str(item.kind), share_pct=item.share_pct)
                for item in tender.payment_schedule.all()
            ),
            areas=tuple(area.code for area in tender.areas.all()),
            catalogue_item=tender.catalogue_item.code,
            renewal_allowed=bool(tender.renewal_allowed),
        )

    def as_json(self) -> dict[str, Any]:
        """The stored form: decimals as strings (``"0.40"``), so that no float ever holds them."""
        return {
            "formula_version": self.formula_version,
            "kpis": [
                {"id": kpi.id, "name": kpi.name, "target": str(kpi.target), "unit": kpi.unit}
                for kpi in self.kpis
            ],
            "payment_schedule": [
                {"kind": share.kind, "share_pct": str(share.share_pct)} for share in self.payment_schedule
            ],
            "score_weights": self.score_weights.as_json(),
            "payment_rule": self.rule.params_json(),
            "areas": list(self.areas),
            "catalogue_item": self.catalogue_item,
            "renewal_allowed": self.renewal_allowed,
        }

    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> "ContractTerms":
        """The terms stored as ``data`` (``as_json``'s shape); ``TermsUnreadable`` names what is wrong."""
        try:
            formula_version = str(data["formula_version"])
            weights = ScoreWeights.from_mapping(data["score_weights"])
            # The rule is frozen: never today's settings in its place (migration contracts 0008 wrote
            # it into the terms frozen before it was); terms without it are unreadable.
            rule = PaymentRule.from_json(
                formula_version=formula_version, weights=weights, data=data["payment_rule"]
            )
            return cls(
                rule=rule,
                kpis=tuple(
                    FrozenKpi(
                        id=int(kpi["id"]),
                        name=str(kpi["name"]),
                        target=Decimal(kpi["target"]),
                        unit=str(kpi["unit"]),
                    )
                    for kpi in data["kpis"]
                ),
                payment_schedule=tuple(
                    FrozenShare(kind=str(share["kind"]), share_pct=Decimal(share["share_pct"]))
                    for share in data["payment_schedule"]
                ),
                areas=tuple(str(code) for code in data["areas"]),
                catalogue_item=str(data["catalogue_item"]),
                # terms frozen before tenders said anything about renewal did not allow it
                renewal_allowed=_boolean(data.get("renewal_allowed", False)),
            )
        except KeyError as error:
            raise TermsUnreadable(f"the contract's terms lack {error}") from error
        except (TypeError, ValueError, InvalidOperation) as error:
            raise TermsUnreadable(f"the contract's terms are malformed: {error}") from error
