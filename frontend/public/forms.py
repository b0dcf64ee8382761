"""Forms of the public pages: the tender search (a plain GET form; its values feed the API's own
``TenderFilter``) and the feedback form of the help page."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from marketplace.models import CatalogueItem, Tender
from marketplace.receipts import receipt_typed
from orgs.models import Area

from ..forms import GovukForm

# Areas offered in the filter: the upper levels of the grid (a choice covers its whole subtree).
FILTER_AREA_LEVELS = (Area.Level.DISTRICT, Area.Level.STREET, Area.Level.COMMUNITY)
FEEDBACK_MAX_LENGTH = 1200


class AreaChoiceField(forms.ModelChoiceField):
    """Areas as an indented tree: each level one step further in."""

    def label_from_instance(self, obj: Any) -> str:
        depth = obj.path.count("/") - 1
        return "\u00a0\u00a0" * depth + obj.name


class TenderSearchForm(GovukForm):
    """What the tender list may be narrowed by. Every field is optional; a value that is not one of
    the choices is an error (it can only come from an edited address)."""

    q = forms.CharField(
        label=_("Search tenders"),
        help_text=_("Words in the title or the description"),
        required=False,
        max_length=200,
    )
    catalogue_item = forms.ModelChoiceField(
        label=_("Category"),
        queryset=CatalogueItem.objects.order_by("code"),
        required=False,
        empty_label=_("All categories"),
    )
    area = AreaChoiceField(
        label=_("Area"),
        help_text=_("Includes the places inside it"),
        queryset=Area.objects.filter(level__in=FILTER_AREA_LEVELS).order_by("path"),
        required=False,
        empty_label=_("All areas"),
    )
    status = forms.MultipleChoiceField(
        label=_("Status"),
        choices=[(value, label) for value, label in Tender.Status.choices if value in Tender.PUBLIC_STATUSES],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def filter_data(self) -> dict[str, Any]:
        """The valid values, named as ``marketplace.filters.TenderFilter`` expects them."""
        cleaned = getattr(self, "cleaned_data", {})
        data: dict[str, Any] = {}
        if cleaned.get("q"):
            data["q"] = cleaned["q"]
        if cleaned.get("catalogue_item"):
            data["catalogue_item"] = cleaned["catalogue_item"].pk
        if cleaned.get("area"):
            data["area"] = cleaned["area"].pk
        if cleaned.get("status"):
            data["status"] = cleaned["status"]
        return data

    @property
    def is_filtered(self) -> bool:
        return bool(self.filter_data())


class FeedbackForm(GovukForm):
    feedback = forms.CharField(
        label=_("What would you like to tell us?"),
        help_text=_(
            "Do not include personal or financial information, like your household code or bank details."
        ),
        max_length=FEEDBACK_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={
            "required": _("Enter your feedback"),
            "max_length": _("Your feedback must be %(limit_value)d characters or fewer"),
        },
    )
    email = forms.EmailField(
        label=_("Email address"),
        help_text=_("Only if you would like a reply"),
        required=False,
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
        error_messages={"invalid": _("Enter an email address in the correct format, like name@example.com")},
    )

    def clean_feedback(self) -> str:
        text = self.cleaned_data["feedback"].strip()
        if not text:
            raise forms.ValidationError(_("Enter your feedback"), code="required")
        return text


class ReceiptCheckForm(GovukForm):
    """A bid receipt as a person types it: the short reference or the full number, in any case,
    with spaces or dashes (``marketplace.receipts.receipt_typed``)."""

    receipt = forms.CharField(
        label=_("Receipt reference or number"),
        max_length=100,
        help_text=_(
            "The 10-character reference, like 3F2A9-C81D0, or the full 64-character receipt number. "
            "Capitals, spaces and dashes do not matter."
        ),
        error_messages={"required": _("Enter the receipt reference or number")},
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "spellcheck": "false", "class": "govuk-input--width-20"}
        ),
    )

    def clean_receipt(self) -> str:
        typed = self.cleaned_data["receipt"]
        if receipt_typed(typed) is None:
            raise forms.ValidationError(
                _(
                    "Enter the receipt as shown on the bid confirmation: the 10-character reference, "
                    "like 3F2A9-C81D0, or the 64-character number"
                ),
                code="invalid_receipt",
            )
        return typed
