"""Delivery: service events (台账) and reports, written by the provider while the contract runs."""

import datetime
from decimal import Decimal
from typing import Any

import rules
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.errors import Conflict, Forbidden, Invalid, InvalidTransition
from contracts.errors import ContractsError
from orgs.models import Area, User
from orgs.selectors import households_by_codes

from .models import Contract, KpiActual, Report, ServiceEvent

DELIVERING = (Contract.Status.ACTIVE, Contract.Status.RECTIFICATION)


def _within_service_areas(contract: Contract, path: str) -> bool:
    return any(path.startswith(area.path) for area in contract.tender.areas.all())


@transaction.atomic
def service_event_create(
    *,
    actor: User,
    contract: Contract,
    date: datetime.date,
    area: Area,
    title: str,
    description: str,
    recipient_codes: list[str],
) -> ServiceEvent:
    """The provider logs a delivered service: dated within the service period and not in the
    future, in the tender's service areas, for households of those areas."""
    contract = Contract.objects.select_for_update().select_related("tender").get(pk=contract.pk)
    if not rules.has_perm("contracts.log_delivery_on_contract", actor, contract):
        raise Forbidden()
    if contract.status not in DELIVERING:
        raise InvalidTransition(_("Services are logged while the contract is active."))
    errors: dict[str, list[str]] = {}
    today = timezone.localdate()
    if not contract.service_start <= date <= contract.service_end:
        errors["date"] = [_("The date must lie within the service period.")]
    elif date > today:
        errors["date"] = [_("The date may not be in the future.")]
    if not _within_service_areas(contract, area.path):
        errors["area"] = [_("The area must lie within the tender's service areas.")]
    codes = list(dict.fromkeys(code.strip().upper() for code in recipient_codes if code.strip()))
    households = list(households_by_codes(codes).select_related("area"))
    unknown = sorted(set(codes) - {household.code.upper() for household in households})
    outside = sorted(h.code for h in households if not _within_service_areas(contract, h.area.path))
    if unknown:
        errors["recipients"] = [_("Unknown household codes: %(codes)s") % {"codes": ", ".join(unknown)}]
    elif outside:
        errors["recipients"] = [
            _("Households outside the service areas: %(codes)s") % {"codes": ", ".join(outside)}
        ]
    if errors:
        raise Invalid(errors)
    event = ServiceEvent.objects.create(
        contract=contract, date=date, area=area, title=title, description=description, created_by=actor
    )
    event.recipients.set(households)
    return event


@transaction.atomic
def report_submit(
    *, actor: User, contract: Contract, stage: str, summary: str, kpi_actuals: list[dict[str, Any]]
) -> Report:
    """The provider reports once per stage, with an actual for KPIs of the tender."""
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    if not rules.has_perm("contracts.log_delivery_on_contract", actor, contract):
        raise Forbidden()
    if contract.status not in DELIVERING:
        raise InvalidTransition(_("Reports are submitted while the contract is active."))
    if Report.objects.filter(contract=contract, stage=stage).exists():
        raise Conflict(
            _("The report for this stage has been submitted."), code=ContractsError.ALREADY_REPORTED
        )
    kpis = {kpi.id: kpi for kpi in contract.tender.kpis.all()}
    seen: set[int] = set()
    for item in kpi_actuals:
        if item["kpi"] not in kpis or item["kpi"] in seen:
            raise Invalid({"kpi_actuals": [_("Name each KPI of this tender at most once.")]})
        seen.add(item["kpi"])
    report = Report.objects.create(contract=contract, stage=stage, summary=summary, submitted_by=actor)
    KpiActual.objects.bulk_create(
        KpiActual(report=report, kpi=kpis[item["kpi"]], actual=Decimal(item["actual"]))
        for item in kpi_actuals
    )
    return report
