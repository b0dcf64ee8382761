"""The forms of appeals (docs/rules.md §11.7): the provider's appeal and the decision."""

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from evaluations.appeal_rules import CLAIMABLE

from ..forms import GovukForm

GROUNDS_MAX_LENGTH = 5000


def _score_field(label: Any, help_text: Any = "") -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        help_text=help_text,
        required=False,
        min_value=Decimal(0),
        max_value=Decimal(100),
        max_digits=5,
        decimal_places=2,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "govuk-input--width-5"}),
    )


class AppealForm(GovukForm):
    """Grounds and the component scores the provider claims (leave blank what it does not dispute)."""

    grounds = forms.CharField(
        label=_("Why do you appeal this evaluation?"),
        help_text=_("Say which scores you think are wrong, and why. You can add documents once it is sent."),
        max_length=GROUNDS_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
    )

    def __init__(self, *args: Any, published: dict[str, Decimal], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for component in CLAIMABLE:
            self.fields[component.value] = _score_field(
                component.label,
                _("Published: %(score)s. Leave blank if you do not dispute it.")
                % {"score": published[component.value]},
            )

    def claimed(self) -> dict[str, Decimal]:
        return {
            component.value: self.cleaned_data[component.value]
            for component in CLAIMABLE
            if self.cleaned_data.get(component.value) is not None
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not any(cleaned.get(component.value) is not None for component in CLAIMABLE):
            self.add_error(None, _("Claim at least one component score."))
        return cleaned


class AppealDecisionForm(GovukForm):
    """The decision of an appeal: upheld, partly upheld (with a score for each claimed component) or
    dismissed, and the reasoning."""

    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            ("upheld", _("Upheld: the claimed scores stand")),
            ("partly", _("Partly upheld: give the scores below")),
            ("dismissed", _("Dismissed: the published scores stand")),
        ],
        widget=forms.RadioSelect,
    )
    reasoning = forms.CharField(
        label=_("Your reasoning"), max_length=GROUNDS_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 6})
    )

    def __init__(
        self, *args: Any, published: dict[str, Decimal], claimed: dict[str, Decimal], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.claimed_keys = list(claimed)
        labels = {component.value: component.label for component in CLAIMABLE}
        for key, claim in claimed.items():
            self.fields[f"score_{key}"] = _score_field(
                labels[key],
                _("Only if partly upheld: between %(published)s (published) and %(claimed)s (claimed).")
                % {"published": published[key], "claimed": claim},
            )

    def scores(self) -> dict[str, Decimal]:
        return {
            key: self.cleaned_data[f"score_{key}"]
            for key in self.claimed_keys
            if self.cleaned_data.get(f"score_{key}") is not None
        }
