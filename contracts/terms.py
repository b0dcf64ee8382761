"""A contract's frozen terms (docs/rules.md §5.1): what the tender said at the moment the award became
final, stored as JSON in ``Contract.terms`` and read back as ``ContractTerms``.

``ContractTerms.of_tender`` makes them, ``as_json`` is exactly what is stored (and what the API
shows as ``terms``), and ``ContractTerms.parse`` is the one way to read them: every reader goes
through ``Contract.frozen_terms``. Stored terms that lack a key or hold a value of the wrong kind
raise ``TermsUnreadable`` naming it, rather than letting a reader guess."""

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from marketplace.components import ScoreWeights

# The version of the formulas (docs/rules.md §11.3, §11.4) a contract is evaluated with.
FORMULA_VERSION = "shequ-2026.1"


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
    formula_version: str
    kpis: tuple[FrozenKpi, ...]
    payment_schedule: tuple[FrozenShare, ...]
    score_weights: ScoreWeights
    areas: tuple[str, ...]  # the service areas' codes
    catalogue_item: str  # the catalogue item's code
    # The tender allowed renewal: an extension beyond its service period (docs/rules.md §17.8).
    renewal_allowed: bool = False

    @classmethod
    def of_tender(cls, tender: Any) -> "ContractTerms":
        """The terms of ``tender`` as they stand now, under the current formula version."""
        return cls(
            formula_version=FORMULA_VERSION,
            kpis=tuple(
                FrozenKpi(id=kpi.id, name=kpi.name, target=kpi.target, unit=kpi.unit)
                for kpi in tender.kpis.all()
            ),
            payment_schedule=tuple(
                FrozenShare(kind=str(item.kind), share_pct=item.share_pct)
                for item in tender.payment_schedule.all()
            ),
            score_weights=ScoreWeights.of_tender(tender),
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
            "areas": list(self.areas),
            "catalogue_item": self.catalogue_item,
            "renewal_allowed": self.renewal_allowed,
        }

    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> "ContractTerms":
        """The terms stored as ``data`` (``as_json``'s shape); ``TermsUnreadable`` names what is wrong."""
        try:
            return cls(
                formula_version=str(data["formula_version"]),
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
                score_weights=ScoreWeights.from_mapping(data["score_weights"]),
                areas=tuple(str(code) for code in data["areas"]),
                catalogue_item=str(data["catalogue_item"]),
                # terms frozen before tenders said anything about renewal did not allow it
                renewal_allowed=_boolean(data.get("renewal_allowed", False)),
            )
        except KeyError as error:
            raise TermsUnreadable(f"the contract's terms lack {error}") from error
        except (TypeError, ValueError, InvalidOperation) as error:
            raise TermsUnreadable(f"the contract's terms are malformed: {error}") from error
