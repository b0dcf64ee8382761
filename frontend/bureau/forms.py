"""Forms of the bureau's procurement pages. They check the shape of the answers (types, required,
lengths); every rule of the tender's terms stays in ``marketplace.services``."""

from decimal import Decimal
from typing import Any, cast

from django import forms
from django.conf import settings
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from marketplace.models import Criterion, Tender
from marketplace.services.terms import DEFAULT_SCHEDULE, DEFAULT_SCORE_WEIGHTS

from ..forms import GovukForm

COMPLETED_CHOICES = [("yes", _("Yes, I've completed this section")), ("no", _("No, I'll come back later"))]
QUALITY_ROWS = 4
KPI_ROWS = 4


def _narrow(width: int) -> dict[str, str]:
    return {"class": f"govuk-input--width-{width}"}


class SectionForm(GovukForm):
    """One section of the tender task list. It ends with "Have you completed this section?"; while
    the answer is No, missing answers are allowed (the section is saved as in progress)."""

    completed = forms.ChoiceField(
        label=_("Have you completed this section?"), choices=COMPLETED_CHOICES, widget=forms.RadioSelect
    )
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


class ServiceDetailsForm(SectionForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"),
        max_length=20000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What the provider will do, for whom and how often."),
    )
    catalogue_item = forms.TypedChoiceField(label=_("Catalogue item"), coerce=int)
    beneficiaries = forms.CharField(
        label=_("Beneficiaries"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example, residents aged 80 and over living alone."),
    )

    def __init__(self, *args: Any, catalogue: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["catalogue_item"]).choices = [
            ("", _("Choose a catalogue item")),
            *catalogue,
        ]


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
        self, *args: Any, areas: list[tuple[int, str]], budget_lines: list[tuple[int, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["areas"]).choices = areas
        cast(forms.ChoiceField, self.fields["budget_line"]).choices = [
            ("", _("Choose a budget line")),
            *budget_lines,
        ]


class TimetableForm(SectionForm):
    deadline_date = forms.DateField(
        label=_("Bid deadline date"),
        help_text=_("For example, 2026-09-30"),
        widget=forms.TextInput(attrs=_narrow(10)),
        input_formats=["%Y-%m-%d"],
    )
    deadline_time = forms.TimeField(
        label=_("Bid deadline time"),
        help_text=_("24-hour clock, for example 17:00"),
        widget=forms.TextInput(attrs=_narrow(5)),
        input_formats=["%H:%M"],
    )
    service_start = forms.DateField(
        label=_("Service start date"),
        help_text=_("For example, 2026-10-15"),
        widget=forms.TextInput(attrs=_narrow(10)),
        input_formats=["%Y-%m-%d"],
    )
    service_end = forms.DateField(
        label=_("Service end date"),
        help_text=_("For example, 2027-10-14"),
        widget=forms.TextInput(attrs=_narrow(10)),
        input_formats=["%Y-%m-%d"],
    )
    multi_year_justification = forms.CharField(
        label=_("Multi-year justification"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only for a service longer than 12 months: why it needs more than one year."),
    )
    field_map = {"bid_deadline": "deadline_date"}


def _row_fields(form: forms.Form, names: list[str]) -> list[Any]:
    return [form[name] for name in names]


class CriteriaForm(SectionForm):
    price_weight = forms.IntegerField(
        label=_("Price weight"),
        min_value=0,
        max_value=100,
        help_text=_("Points out of 100 given to price. The weights of all criteria add up to 100."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", **_narrow(3)}),
    )
    field_map = {"criteria": "price_weight"}

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
                max_value=100,
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

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
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
        return data


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

    def rows(self) -> list[tuple[str, list[Any]]]:
        return [
            (
                str(_("KPI %(n)d") % {"n": row}),
                _row_fields(self, [f"kpi_{row}_name", f"kpi_{row}_target", f"kpi_{row}_unit"]),
            )
            for row in range(1, KPI_ROWS + 1)
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for row in range(1, KPI_ROWS + 1):
            parts = [f"kpi_{row}_{part}" for part in ("name", "target", "unit")]
            values = [data.get(name) for name in parts]
            if any(value not in (None, "") for value in values):
                for name, value in zip(parts, values, strict=True):
                    if value in (None, "") and name not in self.errors:
                        self.add_error(name, _("Enter the name, target and unit of KPI %(n)d") % {"n": row})
        return data


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


def _weight_field(label: Any) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
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
    weight_third_party = _weight_field(_("Third-party assessor weight"))
    weight_buyer = _weight_field(_("Bureau weight"))
    weight_residents = _weight_field(_("Residents' weight"))
    weight_community = _weight_field(_("Community committee weight"))
    min_bids = forms.IntegerField(
        label=_("Minimum number of bids"),
        min_value=1,
        max_value=100,
        help_text=_("With fewer bids at the deadline the tender is unsuccessful."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", **_narrow(3)}),
    )
    standstill_days = forms.IntegerField(
        label=_("Standstill period in days"),
        min_value=0,
        max_value=90,
        help_text=_("Days between proposing the award and making it final."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", **_narrow(3)}),
    )
    field_map = {"payment_schedule": "advance_share", "score_weights": "weight_third_party"}

    SCHEDULE_FIELDS = {"advance": "advance_share", "interim": "interim_share", "holdback": "holdback_share"}

    @classmethod
    def defaults(cls) -> dict[str, Any]:
        values: dict[str, Any] = {
            cls.SCHEDULE_FIELDS[str(item["kind"])]: str(item["share_pct"]) for item in DEFAULT_SCHEDULE
        }
        values.update({f"weight_{key}": str(value) for key, value in DEFAULT_SCORE_WEIGHTS.items()})
        values["min_bids"] = Tender._meta.get_field("min_bids").default
        values["standstill_days"] = settings.MARKETPLACE_STANDSTILL_DAYS
        return values

    def schedule_fields(self) -> list[Any]:
        return _row_fields(self, list(self.SCHEDULE_FIELDS.values()))

    def weight_fields(self) -> list[Any]:
        return _row_fields(
            self, ["weight_third_party", "weight_buyer", "weight_residents", "weight_community"]
        )

    def other_fields(self) -> list[Any]:
        return _row_fields(self, ["min_bids", "standstill_days"])


# --- Actions on a tender --------------------------------------------------------------------------


class ReasonForm(GovukForm):
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))


class CancelForm(ReasonForm):
    reason = forms.CharField(
        label=_("Why are you cancelling this tender?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Bidders and the public will see this reason."),
    )
    page_heading_field = None


class DisqualifyForm(ReasonForm):
    reason = forms.CharField(
        label=_("Why is this bid disqualified?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The bidder will see this reason."),
    )


class AnswerForm(GovukForm):
    answer = forms.CharField(
        label=_("Your answer"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
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
                min_value=Decimal(0),
                max_value=Decimal(100),
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
