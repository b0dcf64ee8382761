"""The tender task list keeps its answers in the session until the officer creates (or saves) the
draft: ``tender_create`` and ``tender_update`` need the complete terms at once. Answers are stored
JSON-serialisable (ids, ISO dates, decimal strings), one dict per section."""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.errors import Invalid
from common.money import fen_to_yuan, yuan_to_fen
from marketplace.components import Component
from marketplace.models import BudgetLine, CatalogueItem, Criterion, PaymentScheduleItem, Tender
from needs.models import Need
from orgs.models import Area

from . import forms as f


@dataclass(frozen=True)
class Section:
    slug: str
    title: Any
    form_class: type[f.SectionForm]


SECTIONS = [
    Section("service", gettext_lazy("Service details"), f.ServiceDetailsForm),
    Section("areas-budget", gettext_lazy("Areas and budget"), f.AreasBudgetForm),
    Section("timetable", gettext_lazy("Timetable"), f.TimetableForm),
    Section("criteria", gettext_lazy("Scoring criteria"), f.CriteriaForm),
    Section("kpis", gettext_lazy("KPIs"), f.KpisForm),
    Section("payment-scoring", gettext_lazy("Payment and scoring"), f.PaymentScoringForm),
]
SECTIONS_BY_SLUG = {section.slug: section for section in SECTIONS}

# Which section answers each field the service may refuse.
FIELD_SECTIONS = {
    "title": "service",
    "description": "service",
    "catalogue_item": "service",
    "beneficiaries": "service",
    "needs": "service",
    "initiative_reason": "service",
    "areas": "areas-budget",
    "budget_line": "areas-budget",
    "ceiling_amount": "areas-budget",
    "currency": "areas-budget",
    "bid_deadline": "timetable",
    "service_start": "timetable",
    "service_end": "timetable",
    "multi_year_justification": "timetable",
    "renewal_allowed": "timetable",
    "criteria": "criteria",
    "kpis": "kpis",
    "payment_schedule": "payment-scoring",
    "score_weights": "payment-scoring",
    "min_bids": "payment-scoring",
    "standstill_days": "payment-scoring",
}


def session_key(pk: int | None) -> str:
    return f"bureau:tender-draft:{pk or 'new'}"


def to_json(value: Any) -> Any:
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, datetime.time):
        return value.strftime("%H:%M")
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list | tuple):
        return [to_json(item) for item in value]
    return value


class TenderDraft:
    """The answers of one tender being created (``pk`` None) or edited, kept in the session."""

    def __init__(self, request: HttpRequest, pk: int | None = None) -> None:
        self.request = request
        self.pk = pk
        self.key = session_key(pk)
        self.state: dict[str, Any] = request.session.get(self.key) or {"sections": {}, "problems": {}}

    def save(self) -> None:
        self.request.session[self.key] = self.state
        self.request.session.modified = True

    def clear(self) -> None:
        self.request.session.pop(self.key, None)

    # --- sections ---
    def data(self, slug: str) -> dict[str, Any] | None:
        entry = self.state["sections"].get(slug)
        return entry["data"] if entry else None

    def initial(self, slug: str) -> dict[str, Any]:
        data = self.data(slug)
        if data is not None:
            return data
        if slug == "payment-scoring":
            return f.PaymentScoringForm.defaults()
        return {}

    def is_completed(self, slug: str) -> bool:
        entry = self.state["sections"].get(slug)
        return bool(entry and entry["completed"])

    def problems(self, slug: str) -> dict[str, list[str]]:
        return self.state["problems"].get(slug, {})

    def store(self, slug: str, form: f.SectionForm) -> None:
        data = {name: to_json(value) for name, value in form.cleaned_data.items() if name != "completed"}
        self.state["sections"][slug] = {"data": data, "completed": form.is_completed}
        self.state["problems"].pop(slug, None)
        self.save()

    def status(self, slug: str) -> str:
        if self.problems(slug):
            return "problem"
        if self.is_completed(slug):
            return "completed"
        if slug in self.state["sections"]:
            return "in_progress"
        return "not_started"

    @property
    def all_completed(self) -> bool:
        return all(self.is_completed(section.slug) for section in SECTIONS)

    def record_problems(self, fields: dict[str, Any]) -> None:
        """Put a service's field errors on the sections that answer those fields."""
        problems: dict[str, dict[str, list[str]]] = {}
        for name, messages in fields.items():
            slug = FIELD_SECTIONS.get(name, "service")
            flat = messages if isinstance(messages, list) else [messages]
            problems.setdefault(slug, {}).setdefault(name, []).extend(str(message) for message in flat)
        self.state["problems"] = problems
        self.save()

    # --- loading a tender, building the service's terms ---
    @staticmethod
    def fits(tender: Tender) -> bool:
        """Whether the page's rows hold all of the tender's quality criteria and KPIs (a draft made
        through the API may have more; editing it here would drop the rest)."""
        quality = [c for c in tender.criteria.all() if c.kind == Criterion.Kind.QUALITY]
        return len(quality) <= f.QUALITY_ROWS and len(tender.kpis.all()) <= f.KPI_ROWS

    def load(self, tender: Tender) -> None:
        """Start editing ``tender``: its terms become the answers of every section (completed). An
        edit in progress is kept unless the tender changed since it was loaded."""
        stamp = tender.updated_at.isoformat()
        if self.state.get("loaded") == stamp:
            return
        deadline = timezone.localtime(tender.bid_deadline)
        criteria = list(tender.criteria.all())
        quality = [c for c in criteria if c.kind == Criterion.Kind.QUALITY]
        price = next((c for c in criteria if c.kind == Criterion.Kind.PRICE), None)
        schedule = {item.kind: item.share_pct for item in tender.payment_schedule.all()}
        sections: dict[str, dict[str, Any]] = {
            "service": {
                "title": tender.title,
                "description": tender.description,
                "catalogue_item": tender.catalogue_item_id,
                "beneficiaries": tender.beneficiaries,
                "needs": [need.pk for need in tender.needs.all()],
                "initiative_reason": tender.initiative_reason,
            },
            "areas-budget": {
                "areas": [area.pk for area in tender.areas.all()],
                "budget_line": tender.budget_line_id,
                "ceiling": str(fen_to_yuan(tender.ceiling_amount)),
            },
            "timetable": {
                "deadline_date": deadline.date().isoformat(),
                "deadline_time": deadline.strftime("%H:%M"),
                "service_start": tender.service_start.isoformat(),
                "service_end": tender.service_end.isoformat(),
                "multi_year_justification": tender.multi_year_justification,
                "renewal_allowed": tender.renewal_allowed,
            },
            "criteria": {"price_weight": price.weight if price else None},
            "kpis": {},
            "payment-scoring": {
                "advance_share": to_json(schedule.get(PaymentScheduleItem.Kind.ADVANCE)),
                "interim_share": to_json(schedule.get(PaymentScheduleItem.Kind.INTERIM)),
                "holdback_share": to_json(schedule.get(PaymentScheduleItem.Kind.HOLDBACK)),
                **{
                    component.weight_field: str(getattr(tender, component.weight_field))
                    for component in Component
                },
                "min_bids": tender.min_bids,
                "standstill_days": tender.standstill_days,
            },
        }
        for row, criterion in enumerate(quality[: f.QUALITY_ROWS], start=1):
            sections["criteria"][f"quality_{row}_name"] = criterion.name
            sections["criteria"][f"quality_{row}_weight"] = criterion.weight
        for row, kpi in enumerate(list(tender.kpis.all())[: f.KPI_ROWS], start=1):
            sections["kpis"][f"kpi_{row}_name"] = kpi.name
            sections["kpis"][f"kpi_{row}_target"] = str(kpi.target)
            sections["kpis"][f"kpi_{row}_unit"] = kpi.unit
        self.state = {
            "loaded": stamp,
            "sections": {slug: {"data": data, "completed": True} for slug, data in sections.items()},
            "problems": {},
        }
        self.save()

    def terms(self, budget_lines: Any) -> dict[str, Any]:
        """The complete terms for ``tender_create`` / ``tender_update``. References that no longer
        exist come back as field errors, like the service's own."""
        service = self.initial("service")
        money = self.initial("areas-budget")
        timetable = self.initial("timetable")
        criteria = self.initial("criteria")
        kpis = self.initial("kpis")
        payment = self.initial("payment-scoring")

        missing: dict[str, list[str]] = {}
        catalogue_item = CatalogueItem.objects.filter(pk=service.get("catalogue_item") or 0).first()
        if catalogue_item is None:
            missing["catalogue_item"] = [_("Choose a catalogue item")]
        budget_line: BudgetLine | None = budget_lines.filter(pk=money.get("budget_line") or 0).first()
        if budget_line is None:
            missing["budget_line"] = [_("Choose a budget line")]
        if missing:
            raise Invalid(missing)

        return {
            "title": service["title"],
            "description": service.get("description") or "",
            "beneficiaries": service.get("beneficiaries") or "",
            "needs": list(Need.objects.filter(pk__in=service.get("needs") or [])),
            "initiative_reason": service.get("initiative_reason") or "",
            "catalogue_item": catalogue_item,
            "budget_line": budget_line,
            "areas": list(Area.objects.filter(pk__in=money.get("areas") or [])),
            "ceiling_amount": yuan_to_fen(money["ceiling"]),
            "bid_deadline": f.deadline_of(timetable["deadline_date"], timetable["deadline_time"]),
            "service_start": datetime.date.fromisoformat(timetable["service_start"]),
            "service_end": datetime.date.fromisoformat(timetable["service_end"]),
            "multi_year_justification": timetable.get("multi_year_justification") or "",
            "renewal_allowed": bool(timetable.get("renewal_allowed")),
            "criteria": f.CriteriaForm.criteria_of(criteria),
            "kpis": [kpi for _row, kpi in f.KpisForm.kpi_rows(kpis)],
            "payment_schedule": f.PaymentScoringForm.schedule_of(payment),
            "score_weights": f.PaymentScoringForm.score_weights_of(payment),
            "min_bids": int(payment["min_bids"]),
            "standstill_days": int(payment["standstill_days"]),
        }
