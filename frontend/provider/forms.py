"""Forms of the provider pages. They check the shape of what is typed (types, lengths, required);
every domain rule (eligible legal types, the credit code check, ceilings, declarations, dates and
areas of service events) is judged by the services."""

import re
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from common.money import yuan_to_fen
from contracts.models import (
    REPORT_SUMMARY_MAX_LENGTH,
    SERVICE_EVENT_DESCRIPTION_MAX_LENGTH,
    SERVICE_EVENT_MAX_RECIPIENTS,
    SERVICE_EVENT_TITLE_MAX_LENGTH,
    Report,
)
from marketplace.models import (
    QUESTION_MAX_LENGTH,
    STAFFING_PLAN_MAX_LENGTH,
    TECHNICAL_PROPOSAL_MAX_LENGTH,
    Kpi,
)
from orgs.credit_code import CREDIT_CODE_LENGTH
from orgs.models import HOUSEHOLD_CODE_MAX_LENGTH, USERNAME_MAX_LENGTH, Area, Organization
from orgs.services import PROVIDER_LEGAL_TYPES

from ..forms import GovukForm
from ..task_list import TaskListSectionForm

CODE_SEPARATORS = re.compile(r"[\s,;，、；]+")


def eligible_legal_types() -> list[tuple[str, Any]]:
    """The legal types the registration service accepts, in the model's order."""
    return [
        (value, label) for value, label in Organization.LegalType.choices if value in PROVIDER_LEGAL_TYPES
    ]


class EligibilityForm(GovukForm):
    page_heading_field = "legal_type"

    legal_type = forms.ChoiceField(
        label=_("What type of organisation is yours?"),
        choices=Organization.LegalType.choices,
        widget=forms.RadioSelect,
        help_text=_("This is the legal form shown on your registration certificate."),
        error_messages={"required": _("Select the type of your organisation")},
    )


class RegistrationForm(GovukForm):
    name = forms.CharField(
        label=_("Organisation name"),
        max_length=200,
        help_text=_("As shown on your registration certificate."),
        error_messages={"required": _("Enter the name of your organisation")},
    )
    legal_type = forms.ChoiceField(
        label=_("Legal type"),
        choices=[],
        error_messages={"required": _("Select the legal type of your organisation")},
    )
    credit_code = forms.CharField(
        label=_("Unified social credit code"),
        max_length=CREDIT_CODE_LENGTH,
        help_text=_("18 characters, for example 52510107MJ0000000X."),
        error_messages={"required": _("Enter your unified social credit code")},
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
    )
    username = forms.CharField(
        label=_("Administrator username"),
        max_length=USERNAME_MAX_LENGTH,
        help_text=_("The person who manages your organisation's account signs in with this name."),
        error_messages={"required": _("Enter a username for the administrator")},
        widget=forms.TextInput(attrs={"autocomplete": "username", "spellcheck": "false"}),
    )
    password = forms.CharField(
        label=_("Administrator password"),
        help_text=_("At least 8 characters; not only digits and not a common password."),
        error_messages={"required": _("Enter a password for the administrator")},
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    email = forms.EmailField(
        label=_("Administrator e-mail"),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["legal_type"].choices = [("", _("Select a legal type")), *eligible_legal_types()]  # type: ignore[attr-defined]

    def clean_credit_code(self) -> str:
        # Codes are printed in capitals; the check itself is the model's validator.
        return self.cleaned_data["credit_code"].strip().upper()


class TenderFilterForm(GovukForm):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    catalogue_item = forms.TypedChoiceField(label=_("Category"), required=False, coerce=int, empty_value=None)
    area = forms.TypedChoiceField(label=_("Area"), required=False, coerce=int, empty_value=None)

    def __init__(
        self, *args: Any, catalogue: list[tuple[int, str]], areas: list[tuple[int, str]], **kwargs: Any
    ):
        super().__init__(*args, **kwargs)
        self.fields["catalogue_item"].choices = [("", _("All categories")), *catalogue]  # type: ignore[attr-defined]
        self.fields["area"].choices = [("", _("All areas")), *areas]  # type: ignore[attr-defined]


class QuestionForm(GovukForm):
    page_heading_field = "text"

    text = forms.CharField(
        label=_("What is your question?"),
        max_length=QUESTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "The bureau publishes the question and its answer for every bidder; your name is not shown."
        ),
        error_messages={"required": _("Enter your question")},
    )


# --- Bid task list -------------------------------------------------------------------------------


class SectionForm(TaskListSectionForm):
    """One section of the bid task list."""

    def service_data(self) -> dict[str, Any]:
        raise NotImplementedError


class PriceForm(SectionForm):
    price = forms.DecimalField(
        label=_("Your price in yuan"),
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0.01"),
        widget=forms.TextInput(
            attrs={"inputmode": "decimal", "class": "govuk-input--width-10", "spellcheck": "false"}
        ),
        error_messages={
            "required": _("Enter your price in yuan"),
            "invalid": _("Enter the price as a number, like 280000 or 280000.50"),
        },
    )
    field_order = ["price", "completed"]

    def service_data(self) -> dict[str, Any]:
        price: Decimal = self.cleaned_data["price"]
        return {"price_amount": yuan_to_fen(price)}  # two decimal places at most: whole fen


class TechnicalProposalForm(SectionForm):
    technical_proposal = forms.CharField(
        label=_("Technical proposal"),
        max_length=TECHNICAL_PROPOSAL_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_(
            "How you will deliver the service: activities, methods, schedule and how you meet each KPI."
        ),
        error_messages={"required": _("Enter your technical proposal")},
    )
    field_order = ["technical_proposal", "completed"]

    def service_data(self) -> dict[str, Any]:
        return {"technical_proposal": self.cleaned_data["technical_proposal"]}


class StaffingPlanForm(SectionForm):
    staffing_plan = forms.CharField(
        label=_("Staffing plan"),
        max_length=STAFFING_PLAN_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "Who will deliver the service: roles, qualifications (for example social worker "
            "certificates) and hours."
        ),
        error_messages={"required": _("Enter your staffing plan")},
    )
    field_order = ["staffing_plan", "completed"]

    def service_data(self) -> dict[str, Any]:
        return {"staffing_plan": self.cleaned_data["staffing_plan"]}


DECLARATION_LABELS = {
    "eligibility": _("My organisation meets the eligibility conditions of this tender"),
    "no_double_funding": _("The services in this bid are not funded from any other source"),
    "no_conflict": _("My organisation has no conflict of interest with the buying bureau"),
}


class DeclarationsForm(SectionForm):
    eligibility = forms.BooleanField(label=DECLARATION_LABELS["eligibility"], required=False)
    no_double_funding = forms.BooleanField(label=DECLARATION_LABELS["no_double_funding"], required=False)
    no_conflict = forms.BooleanField(label=DECLARATION_LABELS["no_conflict"], required=False)
    field_order = ["eligibility", "no_double_funding", "no_conflict", "completed"]

    def service_data(self) -> dict[str, Any]:
        return {"declarations": {key: self.cleaned_data[key] for key in DECLARATION_LABELS}}


# --- Contracts -----------------------------------------------------------------------------------


class ServiceEventForm(GovukForm):
    date = forms.DateField(
        label=_("Date of the service"),
        help_text=_("For example, 2026-03-27"),
        widget=forms.DateInput(attrs={"type": "date", "class": "govuk-input--width-10"}, format="%Y-%m-%d"),
        error_messages={"required": _("Enter the date of the service"), "invalid": _("Enter a real date")},
    )
    area = forms.TypedChoiceField(
        label=_("Area"),
        coerce=int,
        help_text=_("Where the service took place: one of the contract's service areas."),
        error_messages={"required": _("Select the area")},
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=SERVICE_EVENT_TITLE_MAX_LENGTH,
        help_text=_("For example, Community lunch"),
        error_messages={"required": _("Enter a title")},
    )
    description = forms.CharField(
        label=_("Description"),
        max_length=SERVICE_EVENT_DESCRIPTION_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    recipients = forms.CharField(
        label=_("Recipient households"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false"}),
        help_text=_(
            "Enter the household code of each household that received the service, like WH0001: one "
            "per line, or separated by commas or spaces."
        ),
    )

    def __init__(self, *args: Any, areas: list[Area], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = [("", _("Select an area")), *((a.pk, a.name) for a in areas)]  # type: ignore[attr-defined]

    def clean_recipients(self) -> list[str]:
        # Codes hold letters, digits, - and _ only, so anything else separates them.
        codes = [code for code in CODE_SEPARATORS.split(self.cleaned_data["recipients"]) if code]
        if len(codes) > SERVICE_EVENT_MAX_RECIPIENTS:
            raise forms.ValidationError(
                _("Enter at most %(n)d household codes") % {"n": SERVICE_EVENT_MAX_RECIPIENTS}
            )
        if any(len(code) > HOUSEHOLD_CODE_MAX_LENGTH for code in codes):
            raise forms.ValidationError(
                _("A household code has at most %(n)d characters") % {"n": HOUSEHOLD_CODE_MAX_LENGTH}
            )
        return codes


class ReportForm(GovukForm):
    stage = forms.ChoiceField(
        label=_("Which report is this?"),
        choices=Report.Stage.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Select the stage of the report")},
    )
    summary = forms.CharField(
        label=_("Summary"),
        max_length=REPORT_SUMMARY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("What was delivered, to whom, what went well and what did not."),
        error_messages={"required": _("Enter a summary")},
    )

    def __init__(self, *args: Any, kpis: list[Kpi], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kpis = kpis
        for kpi in kpis:
            self.fields[f"kpi_{kpi.pk}"] = forms.DecimalField(
                label=_("Actual: %(name)s") % {"name": kpi.name},
                help_text=_("Target %(target)s %(unit)s") % {"target": kpi.target, "unit": kpi.unit},
                max_digits=14,
                decimal_places=2,
                required=False,
                widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "govuk-input--width-10"}),
                error_messages={"invalid": _("Enter a number")},
            )

    def kpi_actuals(self) -> list[dict[str, Any]]:
        return [
            {"kpi": kpi.pk, "actual": self.cleaned_data[f"kpi_{kpi.pk}"]}
            for kpi in self.kpis
            if self.cleaned_data.get(f"kpi_{kpi.pk}") is not None
        ]
