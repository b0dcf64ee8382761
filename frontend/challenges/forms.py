from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from challenges.models import GROUNDS_MAX_LENGTH, REASONING_MAX_LENGTH, REPLY_MAX_LENGTH, Decision, Remedy

from ..forms import GovukForm


class ChallengeForm(GovukForm):
    grounds = forms.CharField(
        label=_("Why do you challenge the award?"),
        help_text=_("Say which part of the award or the evaluation you think is wrong, and why."),
        max_length=GROUNDS_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    page_heading_field = "grounds"


class ComplaintForm(GovukForm):
    grounds = forms.CharField(
        label=_("Why do you complain to the finance department?"),
        help_text=_("Say why the bureau's reply (or its silence) does not settle your challenge."),
        max_length=GROUNDS_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    page_heading_field = "grounds"


class DecisionForm(GovukForm):
    """The bureau's reply to a challenge, or the review body's decision of a complaint: dismissed or
    upheld, the text, and (upheld only) what happens to the award."""

    decision = forms.ChoiceField(label=_("Decision"), choices=Decision.choices, widget=forms.RadioSelect)
    remedy = forms.ChoiceField(
        label=_("If upheld: what happens to the award"),
        help_text=_("Only for an upheld decision. Either way the award is annulled."),
        choices=Remedy.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    text = forms.CharField(max_length=REPLY_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 6}))

    def __init__(self, *args: Any, text_label: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["text"].label = text_label
        self.fields["text"].max_length = max(REPLY_MAX_LENGTH, REASONING_MAX_LENGTH)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        decision, remedy = cleaned.get("decision"), cleaned.get("remedy")
        if decision == Decision.UPHELD and not remedy:
            self.add_error("remedy", _("Choose what upholding does to the award"))
        if decision == Decision.DISMISSED and remedy:
            self.add_error("remedy", _("Leave this empty when you dismiss"))
        return cleaned
