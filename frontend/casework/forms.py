"""Forms of the bureau's case work. They check the shape of what is typed; every domain rule (who
may, in which state, which organisation fits) stays in the services."""

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from common.money import yuan_to_fen
from common.reasons import REASON_MAX_LENGTH
from contracts.models import VARIATION_REASON_MAX_LENGTH, VARIATION_SCOPE_MAX_LENGTH, Contract, Variation
from evaluations.models import RATING_COMMENT_MAX_LENGTH, SURVEY_MAX_HOUSEHOLDS, Rating
from orgs.models import HOUSEHOLD_CODE_MAX_LENGTH, Organization

from ..forms import GovukForm
from ..resident.forms import SATISFACTION_LABELS, satisfaction_answer, satisfaction_value


class ContractFilterForm(GovukForm):
    status = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[("", _("All states")), *Contract.Status.choices],
    )


class ReasonForm(GovukForm):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The reason is recorded in the contract's history."),
        error_messages={"required": _("Enter the reason")},
    )


class OptionalReasonForm(GovukForm):
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The reason is recorded in the contract's history."),
    )


class TerminateForm(ReasonForm):
    confirm = forms.BooleanField(
        label=_("I understand that terminating the contract cannot be undone"),
        error_messages={"required": _("Confirm that you understand terminating cannot be undone")},
    )


def _organisation_choice(kind: str, label: Any, help_text: Any) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        label=label,
        help_text=help_text,
        required=False,
        empty_label=_("Keep as it is"),
        queryset=Organization.objects.filter(kind=kind, status=Organization.Status.VERIFIED).order_by("name"),
    )


class AssignForm(GovukForm):
    assessor = _organisation_choice(
        Organization.Kind.ASSESSOR,
        _("Third-party assessor"),
        _("The assessor enters the third-party score T and runs the sample survey."),
    )
    community = _organisation_choice(
        Organization.Kind.COMMUNITY,
        _("Residents' committee"),
        _("The committee enters the community score C. Its area must meet the service areas."),
    )

    def clean(self) -> dict:
        cleaned = super().clean() or {}
        if not self.errors and cleaned.get("assessor") is None and cleaned.get("community") is None:
            raise forms.ValidationError(_("Choose an assessor, a residents' committee, or both"))
        return cleaned


class ScoreForm(GovukForm):
    score = forms.DecimalField(
        label=_("Score"),
        help_text=_("From 0 to 100, up to two decimal places."),
        max_digits=5,
        decimal_places=2,
        min_value=Decimal(0),
        max_value=Decimal(100),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "govuk-input--width-5"}),
        error_messages={
            "required": _("Enter the score"),
            "invalid": _("Enter the score as a number, like 82.5"),
            "min_value": _("The score must be 0 or more"),
            "max_value": _("The score must be 100 or less"),
            "max_digits": _("Enter the score with at most two decimal places"),
            "max_decimal_places": _("Enter the score with at most two decimal places"),
            "max_whole_digits": _("The score must be 100 or less"),
        },
    )

    def __init__(self, *args, label: str | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if label:
            self.fields["score"].label = label


def _survey_count_field(
    label: Any, help_text: Any, *, min_value: int, errors: dict[str, Any]
) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        help_text=help_text,
        min_value=min_value,
        max_value=SURVEY_MAX_HOUSEHOLDS,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-5"}),
        error_messages={**errors, "max_value": _("Enter a number up to 1,000,000")},
    )


class SurveyForm(GovukForm):
    n = _survey_count_field(
        _("Households surveyed"),
        _("Recipient households who answered the survey."),
        min_value=1,
        errors={
            "required": _("Enter the number of households surveyed"),
            "invalid": _("Enter the number of households surveyed as a whole number"),
            "min_value": _("At least one household must have been surveyed"),
        },
    )
    n_pos = _survey_count_field(
        _("Satisfied answers"),
        _("Answers of 4 or 5: satisfied or very satisfied."),
        min_value=0,
        errors={
            "required": _("Enter the number of satisfied answers"),
            "invalid": _("Enter the number of satisfied answers as a whole number"),
            "min_value": _("The number of satisfied answers must be 0 or more"),
        },
    )


class VoucherForm(GovukForm):
    voucher_number = forms.CharField(
        label=_("Bank voucher number"),
        help_text=_("The number on the treasury's payment voucher, for example GK2026-000381."),
        max_length=100,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-20", "spellcheck": "false"}),
        error_messages={
            "required": _("Enter the bank voucher number"),
            "max_length": _("The voucher number must be 100 characters or fewer"),
        },
    )


class RatingReviewForm(GovukForm):
    decision = forms.ChoiceField(
        label=_("Decision"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose whether to restore or exclude the rating")},
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The decision and its reason are logged."),
        error_messages={"required": _("Enter the reason for your decision")},
    )

    def __init__(self, *args, decisions: list[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        labels = {"restore": _("Restore: count the rating"), "exclude": _("Exclude: do not count the rating")}
        decision = self.fields["decision"]
        assert isinstance(decision, forms.ChoiceField)
        decision.choices = [(verb, labels[verb]) for verb in decisions if verb in labels]


class VariationForm(GovukForm):
    """A variation (补充协议) proposed by the officer: its kind, with the one field that kind needs
    (shown under the kind's radio, always: a revealed field would need ``aria-expanded`` on the radio,
    which ARIA does not allow), and the reason. The rules are the service's."""

    kind = forms.ChoiceField(
        label=_("What does the variation change?"),
        help_text=_("Choose one, and fill in only the answer under it."),
        choices=Variation.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Select what the variation changes")},
    )
    value_delta = forms.DecimalField(
        label=_("Change of value in yuan"),
        help_text=_("For example, 20000 for an increase or -5000 for a decrease."),
        required=False,
        max_digits=14,
        decimal_places=2,
        widget=forms.TextInput(
            attrs={"inputmode": "decimal", "class": "govuk-input--width-10", "spellcheck": "false"}
        ),
        error_messages={"invalid": _("Enter the change as a number, like 20000 or -5000")},
    )
    service_end = forms.DateField(
        label=_("New end of the service period"),
        help_text=_("For example, 2027-06-30"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "class": "govuk-input--width-10"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Enter a real date")},
    )
    scope = forms.CharField(
        label=_("The new scope"),
        help_text=_("What the service now covers."),
        required=False,
        max_length=VARIATION_SCOPE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=VARIATION_REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The reason is recorded with the variation and published once it is in effect."),
        error_messages={"required": _("Enter the reason")},
    )

    def service_data(self) -> dict[str, Any]:
        """What ``variation_propose`` takes: the fields of the chosen kind only."""
        data = self.cleaned_data
        kind = data["kind"]
        fields: dict[str, Any] = {"kind": kind, "reason": data["reason"]}
        if kind == Variation.Kind.VALUE:
            fields["value_delta"] = yuan_to_fen(data["value_delta"]) if data["value_delta"] is not None else 0
        elif kind == Variation.Kind.EXTEND:
            fields["service_end"] = data["service_end"]
        else:
            fields["scope"] = data["scope"]
        return fields


# The resident's answers, in the collector's words for the last one.
COLLECTED_SATISFACTION = {
    **SATISFACTION_LABELS,
    Rating.NOT_RECEIVED: _("The household did not receive the service"),
}


class AssistedRatingForm(GovukForm):
    """A household's answers as a collector records them (docs/rules.md §10.6): one page, phone first."""

    household_code = forms.CharField(
        label=_("Household code"),
        max_length=HOUSEHOLD_CODE_MAX_LENGTH,
        help_text=_("As printed on the household index card, for example WH0001. Capitals do not matter."),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "spellcheck": "false", "class": "govuk-input--width-10"}
        ),
        error_messages={"required": _("Enter the household code")},
    )
    satisfaction = forms.ChoiceField(
        label=_("How satisfied is the household with the service?"),
        choices=[(satisfaction_answer(value), label) for value, label in COLLECTED_SATISFACTION.items()],
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Select how satisfied the household is, or that it did not receive the service"),
            "invalid_choice": _(
                "Select how satisfied the household is, or that it did not receive the service"
            ),
        },
    )
    resolved = forms.ChoiceField(
        label=_("Was the household's problem resolved?"),
        choices=Rating.Resolved.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Select whether the problem was resolved"),
            "invalid_choice": _("Select whether the problem was resolved"),
        },
    )
    method = forms.ChoiceField(
        label=_("How did you collect the answer?"),
        choices=Rating.CollectionMethod.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Select how you collected the answer"),
            "invalid_choice": _("Select how you collected the answer"),
        },
    )
    comment = forms.CharField(
        label=_("What the household said"),
        help_text=_("Do not include names or phone numbers."),
        max_length=RATING_COMMENT_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": _("The comment must be %(limit_value)d characters or fewer")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["comment"].widget.attrs.pop("maxlength", None)  # the character count says so

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "household_code": data["household_code"],
            "satisfaction": satisfaction_value(data["satisfaction"]),
            "resolved": data["resolved"],
            "method": data["method"],
            "comment": data["comment"],
        }
