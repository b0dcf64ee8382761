"""Forms of the bureau's procurement pages. They check the shape of the answers (types, required,
lengths); every rule of the tender's terms stays in ``marketplace.services``, whose pure checks
(``terms.*_errors``, ``budget.ceiling_errors``) each section of the tender task list calls when it
is saved as completed, so that it shows all of its problems at once."""

import datetime
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from common.money import yuan, yuan_to_fen
from common.reasons import REASON_MAX_LENGTH
from documents.models import TITLE_MAX_LENGTH as DOCUMENT_TITLE_MAX_LENGTH
from documents.models import Document
from marketplace.components import DEFAULT_SCORE_WEIGHTS, Component
from marketplace.models import (
    ANSWER_MAX_LENGTH,
    BENEFICIARIES_MAX_LENGTH,
    CRITERION_WEIGHTS_TOTAL,
    INITIATIVE_REASON_MAX_LENGTH,
    MIN_BIDS_MAX,
    MULTI_YEAR_JUSTIFICATION_MAX_LENGTH,
    SCORE_MAX,
    SCORE_MIN,
    STANDSTILL_DAYS_MAX,
    TENDER_DESCRIPTION_MAX_LENGTH,
    Criterion,
    Tender,
)
from marketplace.services import terms
from marketplace.services.budget import ceiling_errors
from marketplace.services.terms import DEFAULT_SCHEDULE

from ..forms import GovukForm
from ..task_list import TaskListSectionForm

QUALITY_ROWS = 4
KPI_ROWS = 4


def _narrow(width: int) -> dict[str, str]:
    return {"class": f"govuk-input--width-{width}"}


def _date_field(label: Any, help_text: Any) -> forms.DateField:
    """A date typed as YYYY-MM-DD."""
    return forms.DateField(
        label=label,
        help_text=help_text,
        widget=forms.TextInput(attrs=_narrow(10)),
        input_formats=["%Y-%m-%d"],
    )


def deadline_of(date: Any, time: Any) -> datetime.datetime:
    """The bid deadline from the timetable's date and time (objects or their ISO text)."""
    if isinstance(date, str):
        date = datetime.date.fromisoformat(date)
    if isinstance(time, str):
        time = datetime.time.fromisoformat(time)
    return timezone.make_aware(datetime.datetime.combine(date, time))


class SectionForm(TaskListSectionForm):
    """One section of the tender task list. It ends with "Have you completed this section?"; while
    the answer is No, missing answers are allowed (the section is saved as in progress). Answered
    Yes, the section must also keep the service's rules (``rule_errors``): a section is completed
    only when the tender could be created with its answers."""

    field_map: dict[str, str] = {}  # service field name → this form's field

    def full_clean(self) -> None:
        in_progress = self.is_bound and self.data.get(self.add_prefix("completed")) == "no"
        if not in_progress:
            super().full_clean()
            return
        required = {name: field.required for name, field in self.fields.items()}
        for name, field in self.fields.items():
            field.required = name == "completed"
        try:
            super().full_clean()
        finally:
            for name, field in self.fields.items():
                field.required = required[name]

    @property
    def is_completed(self) -> bool:
        return self.cleaned_data.get("completed") == "yes"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        self.check_rows(data)
        if data.get("completed") == "yes":
            for key, messages in self.rule_errors(data).items():
                for message in messages:
                    self.add_error(self.field_for(key), message)
        return data

    def check_rows(self, data: dict[str, Any]) -> None:
        """Answers that belong together (a row's name and weight) are given together."""

    def rule_errors(self, data: dict[str, Any]) -> dict[str, list[str]]:
        """The service's rules this section answers, broken by ``data`` (keys as the service's)."""
        return {}

    def has_errors(self, *names: str) -> bool:
        return any(name in self.errors for name in names)

    def field_for(self, key: str) -> str | None:
        """The field a service error is shown on: ``kpis.0.target`` or ``payment_schedule`` → the
        matching input (``field_map`` knows the names that differ), else the top of the form."""
        for candidate in (key, key.split(".", 1)[0]):
            name = self.field_map.get(candidate, candidate)
            if name in self.fields:
                return name
        return None


class ServiceDetailsForm(SectionForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"),
        max_length=TENDER_DESCRIPTION_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What the provider will do, for whom and how often."),
    )
    catalogue_item = forms.TypedChoiceField(label=_("Catalogue item"), coerce=int)
    beneficiaries = forms.CharField(
        label=_("Beneficiaries"),
        max_length=BENEFICIARIES_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example, residents aged 80 and over living alone."),
    )
    needs = forms.TypedMultipleChoiceField(
        label=_("Residents' needs it answers"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Needs the community councils in your jurisdiction accepted."),
    )
    initiative_reason = forms.CharField(
        label=_("Why the bureau initiates it"),
        max_length=INITIATIVE_REASON_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Needed unless you tick the needs it answers: for example, the district's annual plan."),
    )

    def __init__(
        self, *args: Any, catalogue: list[tuple[int, str]], needs: list[tuple[int, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["catalogue_item"]).choices = [
            ("", _("Choose a catalogue item")),
            *catalogue,
        ]
        if needs:
            cast(forms.ChoiceField, self.fields["needs"]).choices = needs
        else:
            del self.fields["needs"]

    def rule_errors(self, data: dict[str, Any]) -> dict[str, list[str]]:
        """A tender answers residents' needs or says why the bureau initiates it (§22)."""
        return terms.origin_errors(data.get("needs") or [], data.get("initiative_reason") or "")


class AreasBudgetForm(SectionForm):
    areas = forms.TypedMultipleChoiceField(
        label=_("Service areas"),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Select every area where the service is delivered."),
    )
    budget_line = forms.TypedChoiceField(label=_("Budget line"), coerce=int)
    ceiling = forms.DecimalField(
        label=_("Ceiling amount in yuan"),
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0.01"),
        help_text=_("The most the bureau will pay. For example, 300000.00"),
        widget=forms.TextInput(attrs={"inputmode": "decimal", **_narrow(10)}),
    )
    field_map = {"ceiling_amount": "ceiling", "currency": "budget_line"}

    def __init__(
        self,
        *args: Any,
        areas: list[tuple[int, str]],
        budget_lines: list[tuple[int, str]],
        available: dict[int, int] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.available = available or {}  # budget line id → what it has available, in fen
        self.line_names = dict(budget_lines)
        cast(forms.ChoiceField, self.fields["areas"]).choices = areas
        cast(forms.ChoiceField, self.fields["budget_line"]).choices = [
            ("", _("Choose a budget line")),
            *budget_lines,
        ]
        self.fields["ceiling"].help_text = self.ceiling_hint()

    def chosen_line(self) -> int | None:
        value = self.data.get(self.add_prefix("budget_line")) if self.is_bound else None
        if value in (None, ""):
            value = self.initial.get("budget_line")
        try:
            return int(value) if value not in (None, "") else None
        except (TypeError, ValueError):
            return None

    def ceiling_hint(self) -> str:
        """The most the bureau will pay, next to what the chosen budget line has available."""
        line = self.chosen_line()
        if line in self.available:
            return gettext(
                "The most the bureau will pay, for example 300000.00. "
                "The chosen budget line has ¥%(available)s available."
            ) % {"available": yuan(self.available[line])}
        return gettext(
            "The most the bureau will pay, for example 300000.00. It cannot be more than the budget "
            "line has available (shown with each line)."
        )

    def rule_errors(self, data: dict[str, Any]) -> dict[str, list[str]]:
        line, ceiling = data.get("budget_line"), data.get("ceiling")
        if line not in self.available or ceiling is None:
            return {}
        return ceiling_errors(ceiling_amount=yuan_to_fen(ceiling), available=self.available[line])


class TimetableForm(SectionForm):
    deadline_date = _date_field(_("Bid deadline date"), _("For example, 2026-09-30"))
    deadline_time = forms.TimeField(
        label=_("Bid deadline time"),
        help_text=_("24-hour clock, for example 17:00"),
        widget=forms.TextInput(attrs=_narrow(5)),
        input_formats=["%H:%M"],
    )
    service_start = _date_field(_("Service start date"), _("For example, 2026-10-15"))
    service_end = _date_field(_("Service end date"), _("For example, 2027-10-14"))
    multi_year_justification = forms.CharField(
        label=_("Multi-year justification"),
        max_length=MULTI_YEAR_JUSTIFICATION_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only for a service longer than 12 months: why it needs more than one year."),
    )
    renewal_allowed = forms.BooleanField(
        label=_("The contract may be renewed beyond the service period"),
        required=False,
        help_text=_(
            "A renewal is signed as a variation, and only if the contract's last final evaluation is "
            "band A or B."
        ),
    )
    field_map = {"bid_deadline": "deadline_date"}

    def rule_errors(self, data: dict[str, Any]) -> dict[str, list[str]]:
        errors: dict[str, list[str]] = {}
        date, time = data.get("deadline_date"), data.get("deadline_time")
        start, end = data.get("service_start"), data.get("service_end")
        deadline = deadline_of(date, time) if date and time else None
        if deadline is not None:
            errors.update(terms.bid_deadline_errors(deadline))
        if start and end:
            for key, messages in terms.service_period_errors(
                start, end, data.get("multi_year_justification") or ""
            ).items():
                errors.setdefault(key, []).extend(messages)
        if deadline is not None and start:
            for key, messages in terms.service_start_errors(deadline, start).items():
                errors.setdefault(key, []).extend(messages)
        return errors


def _row_fields(form: forms.Form, names: list[str]) -> list[Any]:
    return [form[name] for name in names]


class CriteriaForm(SectionForm):
    price_weight = forms.IntegerField(
        label=_("Price weight"),
        min_value=0,
        max_value=CRITERION_WEIGHTS_TOTAL,
        help_text=_("Points out of 100 given to price. The weights of all criteria add up to 100."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", **_narrow(3)}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        completed = self.fields.pop("completed")
        for row in range(1, QUALITY_ROWS + 1):
            self.fields[f"quality_{row}_name"] = forms.CharField(
                label=_("Name of quality criterion %(n)d") % {"n": row}, max_length=200, required=False
            )
            self.fields[f"quality_{row}_weight"] = forms.IntegerField(
                label=_("Weight of quality criterion %(n)d") % {"n": row},
                min_value=0,
                max_value=CRITERION_WEIGHTS_TOTAL,
                required=False,
                widget=forms.TextInput(attrs={"inputmode": "numeric", **_narrow(3)}),
            )
        self.fields["completed"] = completed

    def rows(self) -> list[tuple[str, list[Any]]]:
        return [
            (
                str(_("Quality criterion %(n)d") % {"n": row}),
                _row_fields(self, [f"quality_{row}_name", f"quality_{row}_weight"]),
            )
            for row in range(1, QUALITY_ROWS + 1)
        ]

    field_map = {"criteria": "price_weight", "criteria.price": "price_weight"}

    def check_rows(self, data: dict[str, Any]) -> None:
        for row in range(1, QUALITY_ROWS + 1):
            name, weight = data.get(f"quality_{row}_name"), data.get(f"quality_{row}_weight")
            if name and weight is None and f"quality_{row}_weight" not in self.errors:
                self.add_error(
                    f"quality_{row}_weight", _("Enter the weight of quality criterion %(n)d") % {"n": row}
                )
            if weight is not None and not name:
                self.add_error(
                    f"quality_{row}_name", _("Enter the name of quality criterion %(n)d") % {"n": row}
                )

    def rule_errors(self, data: dict[str, Any]) -> dict[str, list[str]]:
        if self.has_errors(*(name for name in self.fields if name.endswith("weight"))):
            return {}  # a sum of weights that are not all there would only mislead
        return terms.criteria_errors(self.criteria_of(data))

    @staticmethod
    def criteria_of(data: dict[str, Any]) -> list[dict[str, Any]]:
        """The service's criteria from the answers: price, then each named quality criterion."""
        criteria = []
        if data.get("price_weight") not in (None, ""):
            criteria.append(
                {"name": gettext("Price"), "kind": Criterion.Kind.PRICE, "weight": int(data["price_weight"])}
            )
        for row in range(1, QUALITY_ROWS + 1):
            if data.get(f"quality_{row}_name") and data.get(f"quality_{row}_weight") not in (None, ""):
                criteria.append(
                    {
                        "name": data[f"quality_{row}_name"],
                        "kind": Criterion.Kind.QUALITY,
                        "weight": int(data[f"quality_{row}_weight"]),
                    }
                )
        return criteria


class KpisForm(SectionForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        completed = self.fields.pop("completed")
        for row in range(1, KPI_ROWS + 1):
            self.fields[f"kpi_{row}_name"] = forms.CharField(
                label=_("KPI %(n)d name") % {"n": row}, max_length=200, required=False
            )
            self.fields[f"kpi_{row}_target"] = forms.DecimalField(
                label=_("KPI %(n)d target") % {"n": row},
                max_digits=14,
                decimal_places=2,
                required=False,
                widget=forms.TextInput(attrs={"inputmode": "decimal", **_narrow(10)}),
            )
            self.fields[f"kpi_{row}_unit"] = forms.CharField(
                label=_("KPI %(n)d unit") % {"n": row},
                max_length=40,
                required=False,
                help_text=_("For example, visits or households") if row == 1 else "",
                widget=forms.TextInput(attrs=_narrow(10)),
            )
        self.fields["completed"] = completed

    field_map = {"kpis": "kpi_1_name"}

    @staticmethod
    def kpi_rows(data: dict[str, Any]) -> list[tuple[int, dict[str, Any]]]:
        """(row number, the service's KPI) for each named row."""
        return [
            (
                row,
                {
                    "name": data[f"kpi_{row}_name"],
                    "target": Decimal(str(data[f"kpi_{row}_target"])),
                    "unit": data[f"kpi_{row}_unit"],
                },
            )
            for row in range(1, KPI_ROWS + 1)
            if data.get(f"kpi_{row}_name") and data.get(f"kpi_{row}_target") not in (None, "")
        ]

    def rule_errors(self, data: dict[str, Any]) -> dict[str, list[str]]:
        rows = self.kpi_rows(data)
        errors = terms.kpi_errors([kpi for _row, kpi in rows])
        # kpis.<index>.target → kpi_<row>_target: the index counts named rows only
        return {
            f"kpi_{rows[int(key.split('.')[1])][0]}_target" if key.startswith("kpis.") else key: messages
            for key, messages in errors.items()
        }

    def rows(self) -> list[tuple[str, list[Any]]]:
        return [
            (
                str(_("KPI %(n)d") % {"n": row}),
                _row_fields(self, [f"kpi_{row}_name", f"kpi_{row}_target", f"kpi_{row}_unit"]),
            )
            for row in range(1, KPI_ROWS + 1)
        ]

    def check_rows(self, data: dict[str, Any]) -> None:
        for row in range(1, KPI_ROWS + 1):
            parts = [f"kpi_{row}_{part}" for part in ("name", "target", "unit")]
            values = [data.get(name) for name in parts]
            if any(value not in (None, "") for value in values):
                for name, value in zip(parts, values, strict=True):
                    if value in (None, "") and name not in self.errors:
                        self.add_error(name, _("Enter the name, target and unit of KPI %(n)d") % {"n": row})


def _share_field(label: Any, hint: Any) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        help_text=hint,
        max_digits=5,
        decimal_places=2,
        min_value=Decimal(0),
        max_value=Decimal(100),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal", **_narrow(4)}),
    )


def _weight_field(component: Component) -> forms.DecimalField:
    return forms.DecimalField(
        label=format_lazy(_("{component}: weight"), component=component.label),
        max_digits=3,
        decimal_places=2,
        min_value=Decimal(0),
        max_value=Decimal(1),
        widget=forms.TextInput(attrs={"inputmode": "decimal", **_narrow(4)}),
    )


class PaymentScoringForm(SectionForm):
    advance_share = _share_field(
        _("Advance share in per cent"), _("Leave it empty if the tender pays no advance.")
    )
    interim_share = _share_field(
        _("Interim share in per cent"), _("Leave it empty if the tender pays no interim instalment.")
    )
    holdback_share = _share_field(
        _("Performance holdback share in per cent"),
        _("The shares add up to 100; the holdback is at most 30."),
    )
    # One field per component, named by its weight_field (marketplace.components).
    weight_third_party = _weight_field(Component.THIRD_PARTY)
    weight_buyer = _weight_field(Component.BUYER)
    weight_residents = _weight_field(Component.RESIDENTS)
    weight_community = _weight_field(Component.COMMUNITY)
    min_bids = forms.IntegerField(
        label=_("Minimum number of bids"),
        min_value=1,
        max_value=MIN_BIDS_MAX,
        help_text=_("With fewer bids at the deadline the tender is unsuccessful."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", **_narrow(3)}),
    )
    standstill_days = forms.IntegerField(
        label=_("Standstill period in days"),
        min_value=0,
        max_value=STANDSTILL_DAYS_MAX,
        help_text=_("Days between proposing the award and making it final."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", **_narrow(3)}),
    )
    SCHEDULE_FIELDS = {"advance": "advance_share", "interim": "interim_share", "holdback": "holdback_share"}
    field_map = {
        "payment_schedule": "advance_share",
        "score_weights": "weight_third_party",
        **{f"payment_schedule.{kind}": field for kind, field in SCHEDULE_FIELDS.items()},
        **{f"score_weights.{component.value}": component.weight_field for component in Component},
    }

    @classmethod
    def schedule_of(cls, data: dict[str, Any]) -> list[dict[str, Any]]:
        """The service's payment schedule: one instalment per share given."""
        return [
            {"kind": kind, "share_pct": Decimal(str(data[field]))}
            for kind, field in cls.SCHEDULE_FIELDS.items()
            if data.get(field) not in (None, "")
        ]

    @classmethod
    def score_weights_of(cls, data: dict[str, Any]) -> dict[str, Decimal]:
        return {component.value: Decimal(str(data[component.weight_field])) for component in Component}

    def rule_errors(self, data: dict[str, Any]) -> dict[str, list[str]]:
        errors: dict[str, list[str]] = {}
        if not self.has_errors(*self.SCHEDULE_FIELDS.values()):
            errors.update(terms.payment_schedule_errors(self.schedule_of(data)))
        weight_fields = [component.weight_field for component in Component]
        if not self.has_errors(*weight_fields) and all(data.get(name) is not None for name in weight_fields):
            errors.update(terms.score_weight_errors(self.score_weights_of(data)))
        return errors

    @classmethod
    def defaults(cls) -> dict[str, Any]:
        values: dict[str, Any] = {
            cls.SCHEDULE_FIELDS[str(item["kind"])]: str(item["share_pct"]) for item in DEFAULT_SCHEDULE
        }
        values.update(
            {component.weight_field: str(DEFAULT_SCORE_WEIGHTS.of(component)) for component in Component}
        )
        values["min_bids"] = Tender._meta.get_field("min_bids").default
        values["standstill_days"] = settings.MARKETPLACE_STANDSTILL_DAYS
        return values

    def schedule_fields(self) -> list[Any]:
        return _row_fields(self, list(self.SCHEDULE_FIELDS.values()))

    def weight_fields(self) -> list[Any]:
        return _row_fields(self, [component.weight_field for component in Component])

    def other_fields(self) -> list[Any]:
        return _row_fields(self, ["min_bids", "standstill_days"])


# --- Actions on a tender --------------------------------------------------------------------------


class ReasonForm(GovukForm):
    reason = forms.CharField(
        label=_("Reason"), max_length=REASON_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 4})
    )


class CancelForm(ReasonForm):
    reason = forms.CharField(
        label=_("Why are you cancelling this tender?"),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Bidders and the public will see this reason."),
    )
    page_heading_field = None


class DisqualifyForm(ReasonForm):
    reason = forms.CharField(
        label=_("Why is this bid disqualified?"),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The bidder will see this reason."),
    )


class AmendForm(GovukForm):
    """An amendment of a published tender (docs/rules.md §17.3): the reason, published with it, and
    the terms it may change, shown with their current values. Only the answers that differ from the
    tender are sent to ``marketplace.services.tender_amend``, which checks them as a draft's."""

    reason = forms.CharField(
        label=_("What is changing, and why?"),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Published with the amendment and sent to every provider with a bid."),
    )
    description = forms.CharField(
        label=_("Description"),
        max_length=TENDER_DESCRIPTION_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    deadline_date = _date_field(_("Bid deadline date"), _("For example, 2026-09-30"))
    deadline_time = forms.TimeField(
        label=_("Bid deadline time"),
        help_text=_("24-hour clock, for example 17:00"),
        widget=forms.TextInput(attrs=_narrow(5)),
        input_formats=["%H:%M"],
    )
    service_start = _date_field(_("Service start date"), _("For example, 2026-10-15"))
    service_end = _date_field(_("Service end date"), _("For example, 2027-10-14"))
    # An optional document published with the amendment (a clarification, docs/rules.md §17.2).
    document_file = forms.FileField(
        label=_("Publish a document with the amendment"),  # "(optional)" is added
        help_text=_("PDF, OFD, Word (.docx), Excel (.xlsx), JPEG or PNG."),
        required=False,
    )
    document_title = forms.CharField(
        label=_("Document title"), max_length=DOCUMENT_TITLE_MAX_LENGTH, required=False
    )
    document_kind = forms.ChoiceField(
        label=_("What is the document?"),
        choices=[
            (Document.Kind.CLARIFICATION, Document.Kind.CLARIFICATION.label),
            (Document.Kind.TENDER_DOCUMENTS, Document.Kind.TENDER_DOCUMENTS.label),
            (Document.Kind.OTHER, Document.Kind.OTHER.label),
        ],
        initial=Document.Kind.CLARIFICATION,
        widget=forms.RadioSelect,
        required=False,
    )
    field_map = {
        "bid_deadline": "deadline_date",
        "file": "document_file",
        "title": "document_title",
        "kind": "document_kind",
    }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("document_file") and not (data.get("document_title") or "").strip():
            self.add_error("document_title", _("Give the document a title."))
        return data

    def documents(self) -> list[dict[str, Any]]:
        """The document to publish with the amendment, for ``tender_amend(documents=…)``."""
        upload = self.cleaned_data.get("document_file")
        if not upload:
            return []
        return [
            {
                "file": upload,
                "filename": upload.name or "",
                "title": self.cleaned_data["document_title"],
                "kind": self.cleaned_data["document_kind"] or Document.Kind.CLARIFICATION,
            }
        ]

    @staticmethod
    def initial_of(tender: Tender) -> dict[str, Any]:
        deadline = timezone.localtime(tender.bid_deadline)
        return {
            "description": tender.description,
            "deadline_date": deadline.strftime("%Y-%m-%d"),
            "deadline_time": deadline.strftime("%H:%M"),
            "service_start": tender.service_start.isoformat(),
            "service_end": tender.service_end.isoformat(),
        }

    @staticmethod
    def rows_initial_of(tender: Tender, prefix: str) -> dict[str, Any]:
        """The tender's criteria (``prefix`` "criteria") or KPIs ("kpis") as the task list's rows."""
        initial: dict[str, Any] = {}
        if prefix == "criteria":
            quality = [c for c in tender.criteria.all() if c.kind == Criterion.Kind.QUALITY]
            price = next((c for c in tender.criteria.all() if c.kind == Criterion.Kind.PRICE), None)
            initial["price_weight"] = price.weight if price else None
            for row, criterion in enumerate(quality, start=1):
                initial[f"quality_{row}_name"] = criterion.name
                initial[f"quality_{row}_weight"] = criterion.weight
        else:
            for row, kpi in enumerate(tender.kpis.all(), start=1):
                initial[f"kpi_{row}_name"] = kpi.name
                initial[f"kpi_{row}_target"] = kpi.target
                initial[f"kpi_{row}_unit"] = kpi.unit
        return initial

    @staticmethod
    def rows_changes(tender: Tender, section: forms.Form) -> dict[str, Any]:
        """The criteria or KPIs the section's rows give, for the service (which keeps only what
        differs from the tender). The price criterion keeps the tender's name for it."""
        data = section.cleaned_data
        if isinstance(section, CriteriaForm):
            criteria = CriteriaForm.criteria_of(data)
            price = next((c for c in tender.criteria.all() if c.kind == Criterion.Kind.PRICE), None)
            for criterion in criteria:
                if criterion["kind"] == Criterion.Kind.PRICE and price is not None:
                    criterion["name"] = price.name
            return {"criteria": criteria}
        return {"kpis": [kpi for _row, kpi in KpisForm.kpi_rows(data)]}

    def changes_to(self, tender: Tender) -> dict[str, Any]:
        """The terms whose answers differ from the tender's, with the service's names."""
        data = self.cleaned_data
        answers = {
            "description": data["description"],
            "bid_deadline": deadline_of(data["deadline_date"], data["deadline_time"]),
            "service_start": data["service_start"],
            "service_end": data["service_end"],
        }
        current = {
            "description": tender.description,
            "bid_deadline": timezone.localtime(tender.bid_deadline).replace(second=0, microsecond=0),
            "service_start": tender.service_start,
            "service_end": tender.service_end,
        }
        return {term: value for term, value in answers.items() if value != current[term]}


class AnswerForm(GovukForm):
    answer = forms.CharField(
        label=_("Your answer"), max_length=ANSWER_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args: Any, question_number: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["answer"].label = format_html(
            '{} <span class="govuk-visually-hidden">{}</span>',
            _("Your answer"),
            _("to question %(n)d") % {"n": question_number},
        )


class DeclarationForm(GovukForm):
    no_conflict = forms.BooleanField(
        label=_("I have no conflict of interest with any bidder"),
        error_messages={"required": _("Confirm that you have no conflict of interest with any bidder")},
    )


class ScoreForm(GovukForm):
    """One 0–100 score per quality criterion of the tender, for one bid."""

    def __init__(self, *args: Any, criteria: list[Criterion], provider_name: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for criterion in criteria:
            self.fields[f"criterion_{criterion.pk}"] = forms.DecimalField(
                label=format_html(
                    '{} <span class="govuk-visually-hidden">– {}</span>', criterion.name, provider_name
                ),
                help_text=_("Score from 0 to 100 (weight %(weight)d)") % {"weight": criterion.weight},
                max_digits=5,
                decimal_places=2,
                min_value=SCORE_MIN,
                max_value=SCORE_MAX,
                widget=forms.TextInput(attrs={"inputmode": "decimal", **_narrow(4)}),
            )
        self.criteria = criteria

    def scores(self) -> list[tuple[Criterion, Decimal]]:
        return [(criterion, self.cleaned_data[f"criterion_{criterion.pk}"]) for criterion in self.criteria]


class StatusFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), required=False, widget=forms.Select(attrs={"class": "govuk-select"})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["status"]).choices = [
            ("", _("All statuses")),
            *Tender.Status.choices,
        ]


class LiftExclusionForm(ReasonForm):
    reason = forms.CharField(
        label=_("Why are you lifting this exclusion?"),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The provider and the public will see this reason."),
        error_messages={"required": _("Enter the reason")},
    )
    page_heading_field = None
