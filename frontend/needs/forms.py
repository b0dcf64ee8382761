from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from needs.models import (
    DESCRIPTION_MAX_LENGTH,
    EXPLANATION_MAX_LENGTH,
    MINUTES_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    Deliberation,
    Need,
)

from ..forms import GovukForm


class ProposeForm(GovukForm):
    title = forms.CharField(
        label=_("What does your community need?"),
        help_text=_("A short name, for example: a lunch table for older residents."),
        max_length=TITLE_MAX_LENGTH,
    )
    description = forms.CharField(
        label=_("Describe the need"),
        help_text=_("Who needs it, how often and why. Everyone can read it; do not name anyone."),
        max_length=DESCRIPTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    page_heading_field = "title"


class DeliberationForm(GovukForm):
    """The council's (议事会) decision on a need: when it met, the minutes, the votes, and accepted
    or rejected with a reason from the negative list."""

    held_on = forms.DateField(
        label=_("Date of the council meeting"),
        widget=forms.DateInput(attrs={"type": "date", "class": "govuk-input--width-10"}, format="%Y-%m-%d"),
    )
    minutes = forms.CharField(
        label=_("Minutes"),
        help_text=_("Who attended (by role), what was discussed and decided. Only the committee sees them."),
        max_length=MINUTES_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    votes_for = forms.IntegerField(
        label=_("Votes for"),
        min_value=0,
        max_value=100000,
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-4"}),
    )
    votes_against = forms.IntegerField(
        label=_("Votes against"),
        min_value=0,
        max_value=100000,
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-4"}),
    )
    decision = forms.ChoiceField(
        label=_("Decision"), choices=Deliberation.Decision.choices, widget=forms.RadioSelect
    )
    reason = forms.ChoiceField(
        label=_("If rejected: the reason from the negative list"),
        choices=Need.RejectionReason.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    explanation = forms.CharField(
        label=_("Explanation (optional)"),
        help_text=_("Required for another reason. Residents who asked for it will read it."),
        max_length=EXPLANATION_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        decision, reason = cleaned.get("decision"), cleaned.get("reason")
        if decision == Deliberation.Decision.REJECTED and not reason:
            self.add_error("reason", _("Choose the reason for rejecting"))
        if decision == Deliberation.Decision.ACCEPTED and reason:
            self.add_error("reason", _("Leave this empty when you accept"))
        return cleaned
