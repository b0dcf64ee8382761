"""Forms of the resident pages: sign-up and the one-question pages of the rating journey (D5). The
forms check the shape of each answer; who may rate what, and when, is decided by the services."""

from typing import Any

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from evaluations.models import RATING_COMMENT_MAX_LENGTH, Rating
from orgs.models import HOUSEHOLD_CODE_MAX_LENGTH, PHONE_MAX_LENGTH, USERNAME_MAX_LENGTH
from orgs.phones import normalize_mainland_mobile

from ..forms import PASSWORD_HINT, GovukForm

NOT_RECEIVED = "not_received"  # the answer's form value; the service stores it as Rating.NOT_RECEIVED

# The answers residents see (D5: five labelled levels, then "or" and the service not received).
SATISFACTION_LABELS: dict[int, Any] = {
    Rating.Satisfaction.VERY_SATISFIED: _("Very satisfied"),
    Rating.Satisfaction.SATISFIED: _("Satisfied"),
    Rating.Satisfaction.NEUTRAL: _("Neither satisfied nor dissatisfied"),
    Rating.Satisfaction.DISSATISFIED: _("Dissatisfied"),
    Rating.Satisfaction.VERY_DISSATISFIED: _("Very dissatisfied"),
    Rating.Satisfaction.NOT_RECEIVED: _("I did not receive this service"),
}


def satisfaction_value(answer: str) -> int:
    """The service's value of a satisfaction answer: 1–5, or 0 for not received."""
    return Rating.NOT_RECEIVED if answer == NOT_RECEIVED else int(answer)


def satisfaction_answer(value: int) -> str:
    """The form value of a stored satisfaction."""
    return NOT_RECEIVED if value == Rating.NOT_RECEIVED else str(value)


def satisfaction_label(answer: str) -> Any:
    return SATISFACTION_LABELS[satisfaction_value(answer)]


# Where residents find their code: one wording for the sign-up form and the help page.
HOUSEHOLD_CODE_HINT = _(
    "Your household code is printed on the household index card your residents' committee issues, "
    "for example WH0001. Ask the committee if you cannot find it."
)


class SignupForm(GovukForm):
    username = forms.CharField(
        label=_("Username"),
        max_length=USERNAME_MAX_LENGTH,
        help_text=_("You will use it to sign in. Use letters, digits and @ . + - _ only."),
        widget=forms.TextInput(
            attrs={"autocomplete": "username", "spellcheck": "false", "class": "govuk-!-width-two-thirds"}
        ),
    )
    password = forms.CharField(
        label=_("Password"),
        max_length=128,
        strip=False,
        help_text=PASSWORD_HINT,
        widget=forms.PasswordInput(
            attrs={"autocomplete": "new-password", "class": "govuk-!-width-two-thirds"}
        ),
    )
    phone = forms.CharField(
        label=_("Mobile phone number"),
        max_length=PHONE_MAX_LENGTH,
        required=False,
        help_text=_(
            "A mainland mobile number, like 138 0013 8000. "
            "We use it only to remind you to rate services your household received."
        ),
        widget=forms.TextInput(
            attrs={"type": "tel", "autocomplete": "tel", "class": "govuk-input--width-20"}
        ),
    )
    household_code = forms.CharField(
        label=_("Household code"),
        max_length=HOUSEHOLD_CODE_MAX_LENGTH,
        help_text=HOUSEHOLD_CODE_HINT,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "spellcheck": "false", "class": "govuk-input--width-10"}
        ),
        error_messages={"required": _("Enter your household code")},
    )

    def clean_phone(self) -> str:
        """The service's rule (``orgs.phones``), checked here too so the form shows every error at
        once; the number goes to the service as typed and is stored as 11 digits."""
        phone = self.cleaned_data["phone"]
        normalize_mainland_mobile(phone)  # raises the people's message, naming how to write it
        return phone

    def clean_household_code(self) -> str:
        return self.cleaned_data["household_code"].strip()


class SatisfactionForm(GovukForm):
    page_heading_field = "satisfaction"

    satisfaction = forms.ChoiceField(
        choices=[(satisfaction_answer(value), label) for value, label in SATISFACTION_LABELS.items()],
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Select how satisfied you are, or that you did not receive this service"),
            "invalid_choice": _("Select how satisfied you are, or that you did not receive this service"),
        },
    )

    def __init__(self, *args: Any, service: str, provider: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["satisfaction"]
        field.label = _("How satisfied are you with %(service)s?") % {"service": service}
        field.help_text = _("The service provided to your household by %(provider)s.") % {
            "provider": provider
        }


class ResolvedForm(GovukForm):
    page_heading_field = "resolved"

    resolved = forms.ChoiceField(
        label=_("Was your problem resolved?"),
        help_text=_("Think about what your household needed help with from this service."),
        choices=Rating.Resolved.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Select whether your problem was resolved"),
            "invalid_choice": _("Select whether your problem was resolved"),
        },
    )


class CommentForm(GovukForm):
    page_heading_field = "comment"

    comment = forms.CharField(
        label=format_lazy("{} {}", _("Do you want to tell us more about the service?"), _("(optional)")),
        help_text=_(
            "For example, what went well or what could be better. Do not include names or phone numbers."
        ),
        max_length=RATING_COMMENT_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={
            "max_length": _("Your comments must be %(limit_value)d characters or fewer"),
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # GOV.UK character count: let people type past the limit and say so, never cut text off.
        self.fields["comment"].widget.attrs.pop("maxlength", None)


class SendForm(GovukForm):
    """The check-answers page's button: no fields, it carries the service's refusal if any."""


class PhoneCodeForm(GovukForm):
    code = forms.CharField(
        label=_("Code from the text message"),
        max_length=12,
        help_text=_("We sent a 6-digit code to the phone on your household register."),
        error_messages={"required": _("Enter the code from the text message")},
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "spellcheck": "false",
                "class": "govuk-input--width-5",
            }
        ),
    )
