"""The structural rules of a tender's terms (docs/rules.md §1.1), checked on every create and edit and again
at publish: one function, so the API, the pages and publish cannot disagree.

Each group of rules is also a pure function returning ``{field: [message, ...]}``, so the tender
task list checks a section against the very rules the service applies when the section is saved.
Keys may name a part of a field (``payment_schedule.holdback``, ``kpis.0.target``) so that a page
can put the message on the input it is about; ``validate_terms`` reports them under the field
(``payment_schedule``, ``kpis``), as the API always has."""

import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from common.errors import Invalid
from common.months import months_after

from ..components import Component
from ..models import CRITERION_WEIGHTS_TOTAL, Criterion, PaymentScheduleItem

MIN_PRICE_WEIGHT = 10
MAX_HOLDBACK_PCT = Decimal(30)
MAX_RESIDENTS_WEIGHT = Decimal("0.30")
DEFAULT_SCHEDULE = [
    {"kind": PaymentScheduleItem.Kind.ADVANCE, "share_pct": Decimal(30)},
    {"kind": PaymentScheduleItem.Kind.INTERIM, "share_pct": Decimal(40)},
    {"kind": PaymentScheduleItem.Kind.HOLDBACK, "share_pct": Decimal(30)},
]

Errors = dict[str, list[str]]


def _add(errors: Errors, field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def _number(value: Decimal) -> str:
    """``Decimal("80.00")`` → "80", ``Decimal("0.90")`` → "0.9": totals as people write them."""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def earliest_bid_deadline(now: datetime.datetime | None = None) -> datetime.datetime:
    """Bidding stays open at least MARKETPLACE_MIN_BIDDING_DAYS, counted from publication."""
    return (now or timezone.now()) + datetime.timedelta(days=settings.MARKETPLACE_MIN_BIDDING_DAYS)


def bid_deadline_errors(bid_deadline: datetime.datetime, *, now: datetime.datetime | None = None) -> Errors:
    """A deadline sooner than the minimum bidding period could never be published, so a draft may
    not have one either (publish checks it again against its own moment)."""
    earliest = earliest_bid_deadline(now)
    if bid_deadline >= earliest:
        return {}
    return {
        "bid_deadline": [
            _("The bid deadline must be at least %(days)d days from now. Enter %(earliest)s or later.")
            % {
                "days": settings.MARKETPLACE_MIN_BIDDING_DAYS,
                "earliest": timezone.localtime(earliest).strftime("%Y-%m-%d %H:%M"),
            }
        ]
    }


def service_period_errors(
    service_start: datetime.date, service_end: datetime.date, multi_year_justification: str = ""
) -> Errors:
    """The service ends on or after its start and lasts at most 12 months (36 when justified)."""
    errors: Errors = {}
    if service_end < service_start:
        _add(
            errors,
            "service_end",
            _("The service end date must be the same as or after the service start date (%(start)s).")
            % {"start": service_start.isoformat()},
        )
        return errors
    try:
        months_after(service_start, 36)
    except ValueError:
        _add(errors, "service_start", _("Enter a real date"))
        return errors
    if multi_year_justification.strip():
        limit = months_after(service_start, 36)
        if service_end >= limit:
            _add(
                errors,
                "service_end",
                _("The service may last at most 36 months. Enter a service end date before %(limit)s.")
                % {"limit": limit.isoformat()},
            )
    else:
        limit = months_after(service_start, 12)
        if service_end >= limit:
            _add(
                errors,
                "service_end",
                _(
                    "The service may last at most 12 months. Enter a service end date before "
                    "%(limit)s, or give a multi-year justification (up to 36 months)."
                )
                % {"limit": limit.isoformat()},
            )
    return errors


def service_start_errors(bid_deadline: datetime.datetime, service_start: datetime.date) -> Errors:
    """The service starts on or after the bid deadline's date."""
    deadline_date = timezone.localtime(bid_deadline).date()
    if service_start >= deadline_date:
        return {}
    return {
        "service_start": [
            _("The service start date must be the same as or after the bid deadline date (%(date)s).")
            % {"date": deadline_date.isoformat()}
        ]
    }


def criteria_errors(criteria: list[dict[str, Any]]) -> Errors:
    """Exactly one price criterion weighing at least MIN_PRICE_WEIGHT; all weights sum to 100."""
    errors: Errors = {}
    if not criteria:
        _add(errors, "criteria", _("Add a price criterion and the quality criteria, with their weights."))
        return errors
    total = sum(criterion["weight"] for criterion in criteria)
    if total != CRITERION_WEIGHTS_TOTAL:
        _add(
            errors,
            "criteria",
            _("The weights of price and the quality criteria must add up to 100. They add up to %(total)s.")
            % {"total": _number(Decimal(total))},
        )
    price = [criterion for criterion in criteria if criterion["kind"] == Criterion.Kind.PRICE]
    if len(price) != 1:
        _add(errors, "criteria", _("Name exactly one price criterion."))
    elif price[0]["weight"] < MIN_PRICE_WEIGHT:
        _add(
            errors,
            "criteria.price",
            _("The price weight must be at least %(n)d.") % {"n": MIN_PRICE_WEIGHT},
        )
    return errors


def kpi_errors(kpis: list[dict[str, Any]]) -> Errors:
    """Every KPI's target is a positive number (a target of nothing cannot be reported against)."""
    errors: Errors = {}
    for index, kpi in enumerate(kpis):
        if kpi["target"] <= 0:
            _add(
                errors,
                f"kpis.{index}.target",
                _("The target of KPI “%(name)s” must be more than 0.") % {"name": kpi["name"]},
            )
    return errors


def payment_schedule_errors(schedule: list[dict[str, Any]]) -> Errors:
    """Positive shares, each kind once, adding up to 100, the holdback at most MAX_HOLDBACK_PCT."""
    errors: Errors = {}
    total = sum((item["share_pct"] for item in schedule), Decimal(0))
    if not schedule or total != 100:
        _add(
            errors,
            "payment_schedule",
            _("The instalment shares must add up to 100%%. They add up to %(total)s%%.")
            % {"total": _number(total)},
        )
    kinds = [item["kind"] for item in schedule]
    if len(set(kinds)) != len(kinds):
        _add(errors, "payment_schedule", _("Each kind of instalment may appear once."))
    for item in schedule:
        if item["share_pct"] <= 0:
            _add(
                errors,
                f"payment_schedule.{item['kind']!s}",
                _("Every share must be more than 0. Leave a share empty if there is no such instalment."),
            )
    holdback = sum(
        item["share_pct"] for item in schedule if item["kind"] == PaymentScheduleItem.Kind.HOLDBACK
    )
    if holdback > MAX_HOLDBACK_PCT:
        _add(
            errors,
            f"payment_schedule.{PaymentScheduleItem.Kind.HOLDBACK.value}",
            _("The performance holdback may be at most %(max)s%%.") % {"max": _number(MAX_HOLDBACK_PCT)},
        )
    return errors


def score_weight_errors(weights: dict[str, Decimal]) -> Errors:
    """A weight per component (``marketplace.components``), none negative, adding up to 1; the
    residents' at most MAX_RESIDENTS_WEIGHT."""
    errors: Errors = {}
    total = sum((weights[component] for component in Component), Decimal(0))
    if total != 1:
        _add(
            errors,
            "score_weights",
            _("The weights of the performance score must add up to 1. They add up to %(total)s.")
            % {"total": _number(total)},
        )
    if weights[Component.RESIDENTS] > MAX_RESIDENTS_WEIGHT:
        _add(
            errors,
            f"score_weights.{Component.RESIDENTS.value}",
            _("The residents' weight may be at most %(max)s.") % {"max": _number(MAX_RESIDENTS_WEIGHT)},
        )
    for component in Component:
        if weights[component] < 0:
            _add(errors, f"score_weights.{component.value}", _("Score weights may not be negative."))
    return errors


def terms_errors(terms: dict[str, Any], *, now: datetime.datetime | None = None) -> Errors:
    """Every broken rule of the merged terms, each under the part of the terms it is about."""
    errors: Errors = {}
    deadline = terms["bid_deadline"]
    groups = [
        bid_deadline_errors(deadline, now=now),
        service_period_errors(
            terms["service_start"], terms["service_end"], terms.get("multi_year_justification") or ""
        ),
        service_start_errors(deadline, terms["service_start"]),
        criteria_errors(terms["criteria"]),
        kpi_errors(terms.get("kpis") or []),
        payment_schedule_errors(terms["payment_schedule"]),
        score_weight_errors(terms["score_weights"]),
    ]
    for group in groups:
        for key, messages in group.items():
            errors.setdefault(key, []).extend(messages)
    return errors


def field_errors(errors: Errors) -> Errors:
    """``kpis.0.target`` → ``kpis``: the API names the field of its input a rule is about."""
    fields: Errors = {}
    for key, messages in errors.items():
        fields.setdefault(key.split(".", 1)[0], []).extend(messages)
    return fields


def validate_terms(terms: dict[str, Any]) -> None:
    """Raise 400 ``invalid`` with every broken rule of the merged terms of a tender."""
    errors = terms_errors(terms)
    if errors:
        raise Invalid(field_errors(errors))


def origin_errors(needs: list[Any], initiative_reason: str) -> Errors:
    """A tender answers residents' needs or says why the bureau initiates it (docs/rules.md §22):
    required to publish (a draft may leave it open)."""
    if needs or (initiative_reason or "").strip():
        return {}
    return {
        "initiative_reason": [
            _("Name the residents' needs the tender answers, or say why the bureau initiates it.")
        ]
    }
