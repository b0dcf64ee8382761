"""GOV.UK Design System forms for Django: every form of the pages renders its fields, hints, error
messages and error summary the same way (D6: server-side validation, links from the summary to
each field, values kept). Pages subclass ``GovukForm`` / ``GovukModelForm``.

Error messages are written for people (GOV.UK "Error messages"): each names its field by its label
and says how to put it right ("Enter title", "Title must be 200 characters or fewer"), in the
request's language. Django's own defaults ("This field is required.", "Ensure this value has at
most 200 characters") never reach a page; a message a form sets itself is kept."""

import datetime
from collections.abc import Iterable, Iterator
from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.forms.renderers import DjangoTemplates
from django.forms.utils import pretty_name
from django.utils.html import strip_tags
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.errors import ApplicationError, Invalid

# (widget class, GOV.UK class, error modifier); the first match wins, so subclasses come first
# (CheckboxSelectMultiple is a RadioSelect).
_WIDGET_CLASSES: list[tuple[type[forms.Widget], str, str]] = [
    (forms.CheckboxSelectMultiple, "govuk-checkboxes__input", ""),
    (forms.RadioSelect, "govuk-radios__input", ""),
    (forms.CheckboxInput, "govuk-checkboxes__input", ""),
    (forms.Textarea, "govuk-textarea", "govuk-textarea--error"),
    (forms.Select, "govuk-select", "govuk-select--error"),
    (forms.ClearableFileInput, "govuk-file-upload", "govuk-file-upload--error"),
    (forms.widgets.Input, "govuk-input", "govuk-input--error"),
]
GROUPED_WIDGETS = (forms.RadioSelect, forms.CheckboxSelectMultiple)
CHOICE_WIDGETS = (forms.RadioSelect, forms.CheckboxSelectMultiple, forms.Select)
# A date and time shown in the "for example" of a date or time field's message, in its input format.
EXAMPLE_MOMENT = datetime.datetime(2026, 9, 30, 17, 0)
# The hint under every field where a new password is chosen: the rules of AUTH_PASSWORD_VALIDATORS.
PASSWORD_HINT = gettext_lazy("Use at least 8 characters. Do not use only numbers or a common password.")


# --- Error messages for people ---------------------------------------------------------------------


def _label_text(field: forms.Field, name: str) -> str:
    """The field's label as plain text (labels may carry visually hidden HTML)."""
    label = field.label if field.label is not None else pretty_name(name)
    return " ".join(strip_tags(str(label)).split()).rstrip(":：").strip()


def _mid_sentence(text: str) -> str:
    """ "Title" → "title" inside an English sentence; acronyms ("KPI 1 name") and Chinese unchanged."""
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        return text[0].lower() + text[1:]
    return text


def _default_messages(field: forms.Field) -> dict[str, Any]:
    """The messages Django gives this kind of field when the form sets none."""
    defaults: dict[str, Any] = {}
    for klass in reversed(type(field).__mro__):
        defaults.update(getattr(klass, "default_error_messages", {}))
    return defaults


def _example(field: forms.Field) -> str:
    formats = getattr(field, "input_formats", None) or []
    first = next(iter(formats), None)
    if isinstance(field, forms.TimeField):
        return EXAMPLE_MOMENT.strftime(str(first or "%H:%M"))
    if isinstance(field, forms.DateTimeField):
        return EXAMPLE_MOMENT.strftime(str(first or "%Y-%m-%d %H:%M"))
    return EXAMPLE_MOMENT.strftime(str(first or "%Y-%m-%d"))


def _invalid_message(field: forms.Field) -> str:
    if isinstance(field, forms.DecimalField | forms.FloatField):
        return _("{label} must be a number")
    if isinstance(field, forms.IntegerField):
        return _("{label} must be a whole number")
    if isinstance(field, forms.DateTimeField):
        return _("{label} must be a real date and time, for example {example}")
    if isinstance(field, forms.DateField):
        return _("{label} must be a real date, for example {example}")
    if isinstance(field, forms.TimeField):
        return _("{label} must be a time on the 24-hour clock, for example {example}")
    if isinstance(field, forms.EmailField):
        return _("Enter {label} in the right format, like name@example.com")
    if isinstance(field, forms.URLField):
        return _("Enter {label} as a full web address, like https://www.example.com")
    if isinstance(field, forms.FileField):
        return _("Select a file for {label}")
    return _("Enter {label} in the format shown")


def people_messages(field: forms.Field, name: str) -> dict[str, str]:
    """GOV.UK-style messages for every error ``field`` can raise, built from its label in the
    active language. ``{label}`` is the label; ``%(…)s`` are Django's parameters (the limit)."""
    text = _label_text(field, name)
    if text.endswith(("?", "？")):  # a question as label: "Your answer to “Why …?” must be …"
        text = _("Your answer to “{question}”").replace("{question}", text)
    is_choice = isinstance(field, forms.ChoiceField) or isinstance(field.widget, CHOICE_WIDGETS)
    defaults = _default_messages(field)

    if isinstance(field, forms.BooleanField):
        required = _("Select “{label}” to continue")
    elif isinstance(field, forms.FileField):
        required = _("Select a file for {label}")
    elif is_choice:
        required = _("Select {label}")
    else:
        required = _("Enter {label}")
    messages = {"required": required}
    if isinstance(field, forms.FileField):
        messages["missing"] = required
        messages["invalid"] = required
        messages["empty"] = _("The file selected for {label} is empty. Choose another file")
        messages["max_length"] = _("The file name for {label} must be %(max)d characters or fewer")
    elif getattr(field, "max_length", None) is not None:
        messages["max_length"] = _("{label} must be %(limit_value)d characters or fewer")
    if not isinstance(field, forms.FileField) and getattr(field, "min_length", None) is not None:
        messages["min_length"] = _("{label} must be %(limit_value)d characters or more")
    if getattr(field, "max_value", None) is not None:
        messages["max_value"] = _("{label} must be %(limit_value)s or less")
    if getattr(field, "min_value", None) is not None:
        messages["min_value"] = _("{label} must be %(limit_value)s or more")
    if isinstance(field, forms.DecimalField):
        messages["max_digits"] = _("{label} must have no more than %(max)s digits")
        messages["max_decimal_places"] = _(
            "{label} can have no more than %(max)s digits after the decimal point"
        )
        messages["max_whole_digits"] = _(
            "{label} can have no more than %(max)s digits before the decimal point"
        )
    if "invalid" in defaults or isinstance(field, forms.EmailField | forms.URLField):
        messages.setdefault("invalid", _invalid_message(field))
    if is_choice:
        for code in ("invalid_choice", "invalid_list", "invalid_pk_value"):
            messages[code] = _("Select {label} from the options shown")

    example = (
        _example(field) if isinstance(field, forms.DateField | forms.TimeField | forms.DateTimeField) else ""
    )
    filled = {}
    for code, message in messages.items():
        as_written = message.startswith("{label}") or "“{label}”" in message
        label = text if as_written else _mid_sentence(text)
        if _is_formatted(code, field):  # Django fills in its parameters: a "%" in the label stays one
            label = label.replace("%", "%%")
        filled[code] = message.replace("{label}", label).replace("{example}", example)
    return filled


def _is_formatted(code: str, field: forms.Field) -> bool:
    """Whether Django raises ``code`` with parameters, so that the message is %-formatted."""
    if code == "invalid":  # from a validator (e-mail, URL, pattern), not from converting the value
        return isinstance(field, forms.CharField)
    return code in _FORMATTED_CODES


_FORMATTED_CODES = {
    "max_length",
    "min_length",
    "max_value",
    "min_value",
    "max_digits",
    "max_decimal_places",
    "max_whole_digits",
    "invalid_choice",
    "invalid_pk_value",
}


def use_people_messages(field: forms.Field, name: str) -> None:
    """Put ``people_messages`` on ``field`` wherever it still has Django's default (or the ones put
    here before, for a label that may have changed); a message the form set itself is kept."""
    defaults = _default_messages(field)
    ours: set[str] = getattr(field, "_people_message_codes", set())
    for code, message in people_messages(field, name).items():
        current = field.error_messages.get(code)
        if current is None or current is defaults.get(code) or code in ours:
            field.error_messages[code] = message
            ours = ours | {code}
    field._people_message_codes = ours  # type: ignore[attr-defined]


class GovukRenderer(DjangoTemplates):
    form_template_name = "frontend/forms/form.html"
    field_template_name = "frontend/forms/field.html"


class GovukBoundField(forms.BoundField):
    @property
    def is_grouped(self) -> bool:
        return isinstance(self.field.widget, GROUPED_WIDGETS)

    @property
    def error_anchor(self) -> str:
        """The element the error summary links to: the first option of a group (or the first input
        of a multi-part widget), else the input itself."""
        widget_id = self.field.widget.attrs.get("id") or self.auto_id
        if self.is_grouped:
            return f"{widget_id}_0"
        return str(self.id_for_label or widget_id)

    @property
    def hint_id(self) -> str:
        return f"{self.auto_id}-hint"

    @property
    def error_id(self) -> str:
        return f"{self.auto_id}-error"

    @property
    def described_by(self) -> str:
        ids: list[str] = []
        if self.help_text:
            ids.append(self.hint_id)
        if self.errors:
            ids.append(self.error_id)
        return " ".join(ids)

    @property
    def max_length(self) -> int | None:
        return getattr(self.field, "max_length", None)

    @property
    def is_page_heading(self) -> bool:
        return self.name == getattr(self.form, "page_heading_field", None)

    def build_widget_attrs(self, attrs: dict[str, Any], widget: forms.Widget | None = None) -> dict[str, Any]:
        attrs = super().build_widget_attrs(attrs, widget)
        widget = widget or self.field.widget
        attrs.pop("required", None)  # D6: no HTML5 validation, the server decides
        for widget_class, css_class, error_class in _WIDGET_CLASSES:
            if isinstance(widget, widget_class):
                classes = [str(attrs.get("class") or widget.attrs.get("class") or ""), css_class]
                if self.errors and error_class:
                    classes.append(error_class)
                attrs["class"] = " ".join(c for c in classes if c)
                break
        if not self.is_grouped and self.described_by:
            attrs["aria-describedby"] = self.described_by
        return attrs


class GovukFormMixin(forms.BaseForm):
    """Render with the GOV.UK templates; ``error_summary`` lists (anchor, message) pairs."""

    default_renderer = GovukRenderer
    bound_field_class = GovukBoundField
    page_heading_field: str | None = None  # a one-question page: this field's label is the <h1>

    def full_clean(self) -> None:
        # Here rather than in __init__: forms add fields and change labels after their __init__.
        for name, field in self.fields.items():
            use_people_messages(field, name)
        super().full_clean()

    def error_summary(self) -> list[tuple[str, str]]:
        rows = [("", str(message)) for message in self.non_field_errors()]
        for name in self.errors:
            if name == NON_FIELD_ERRORS or name not in self.fields:
                continue
            anchor = self[name].error_anchor  # type: ignore[attr-defined]
            rows.extend((anchor, str(message)) for message in self.errors[name])
        return rows


class GovukForm(GovukFormMixin, forms.Form):
    pass


class GovukModelForm(GovukFormMixin, forms.ModelForm):
    pass


def _flatten(messages: Any) -> Iterator[str]:
    if isinstance(messages, dict):
        for value in messages.values():
            yield from _flatten(value)
    elif isinstance(messages, list | tuple):
        for value in messages:
            yield from _flatten(value)
    else:
        yield str(messages)


def add_service_error(
    form: forms.Form, error: ApplicationError, field_map: dict[str, str] | None = None
) -> None:
    """Show a service's refusal on the form: an ``invalid`` error's fields on the matching form
    fields (``field_map`` renames service fields to form fields), anything else at the top."""
    field_map = field_map or {}
    fields = error.extra.get("fields") if isinstance(error, Invalid) else None
    if not fields:
        form.add_error(None, error.message)
        return
    for name, messages in fields.items():
        target = field_map.get(name, name)
        for message in _flatten(messages):
            form.add_error(target if target in form.fields else None, message)


def add_unread_error(form: forms.Form, error: ApplicationError, field: str | None = None) -> None:
    """Show on a new, unbound form the refusal of a request whose body was never read (too large,
    docs/rules.md §17.2). Django's ``add_error`` drops the field from ``cleaned_data``, which only
    a validated form has: an unbound one gets an empty one, so the error is shown like any other."""
    form.cleaned_data = {}
    form.add_error(field, error.message)


def choices_of(items: Iterable[Any], label: str = "name") -> list[tuple[Any, str]]:
    return [(item.pk, str(getattr(item, label))) for item in items]
