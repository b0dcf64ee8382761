"""The structural rules of a tender's terms (DESIGN 4.1), checked on every create and edit and again
at publish: one function, so the API, the pages and publish cannot disagree."""

import calendar
import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from common.errors import Invalid

from ..models import Criterion, PaymentScheduleItem

MIN_PRICE_WEIGHT = 10
MAX_HOLDBACK_PCT = Decimal(30)
MAX_RESIDENTS_WEIGHT = Decimal("0.30")
SCORE_WEIGHT_KEYS = ("third_party", "buyer", "residents", "community")
DEFAULT_SCHEDULE = [
    {"kind": PaymentScheduleItem.Kind.ADVANCE, "share_pct": Decimal(30)},
    {"kind": PaymentScheduleItem.Kind.INTERIM, "share_pct": Decimal(40)},
    {"kind": PaymentScheduleItem.Kind.HOLDBACK, "share_pct": Decimal(30)},
]
DEFAULT_SCORE_WEIGHTS = {
    "third_party": Decimal("0.40"),
    "buyer": Decimal("0.20"),
    "residents": Decimal("0.30"),
    "community": Decimal("0.10"),
}


def add_months(day: datetime.date, months: int) -> datetime.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def validate_terms(terms: dict[str, Any]) -> None:
    """Raise 400 ``invalid`` with every broken rule of the merged terms of a tender."""
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    start, end = terms["service_start"], terms["service_end"]
    if end < start:
        add("service_end", _("The service must end on or after its start."))
    else:
        months = 36 if terms.get("multi_year_justification", "").strip() else 12
        if end >= add_months(start, months):
            add(
                "service_end",
                _("The service period may last at most 12 months (36 with a multi-year justification)."),
            )
    deadline_date = timezone.localtime(terms["bid_deadline"]).date()
    if start < deadline_date:
        add("service_start", _("The service starts on or after the bid deadline's date."))

    criteria = terms["criteria"]
    if not criteria:
        add("criteria", _("Name at least one price criterion."))
    else:
        if sum(criterion["weight"] for criterion in criteria) != 100:
            add("criteria", _("Criterion weights must sum to 100."))
        price = [criterion for criterion in criteria if criterion["kind"] == Criterion.Kind.PRICE]
        if len(price) != 1:
            add("criteria", _("Name exactly one price criterion."))
        elif price[0]["weight"] < MIN_PRICE_WEIGHT:
            add("criteria", _("The price criterion weighs at least %(n)d.") % {"n": MIN_PRICE_WEIGHT})

    schedule = terms["payment_schedule"]
    kinds = [item["kind"] for item in schedule]
    if not schedule or sum(item["share_pct"] for item in schedule) != 100:
        add("payment_schedule", _("Instalment shares must sum to 100."))
    if len(set(kinds)) != len(kinds):
        add("payment_schedule", _("Each kind of instalment may appear once."))
    if any(item["share_pct"] <= 0 for item in schedule):
        add("payment_schedule", _("Every share must be positive."))
    holdback = sum(
        item["share_pct"] for item in schedule if item["kind"] == PaymentScheduleItem.Kind.HOLDBACK
    )
    if holdback > MAX_HOLDBACK_PCT:
        add("payment_schedule", _("The holdback may be at most 30%."))

    weights = terms["score_weights"]
    if sum(weights[key] for key in SCORE_WEIGHT_KEYS) != 1:
        add("score_weights", _("Score weights must sum to 1."))
    if weights["residents"] > MAX_RESIDENTS_WEIGHT:
        add("score_weights", _("The residents' weight may be at most 0.30."))
    if any(weights[key] < 0 for key in SCORE_WEIGHT_KEYS):
        add("score_weights", _("Score weights may not be negative."))

    if errors:
        raise Invalid(errors)
