"""GOV.UK Design System forms for Django: every form of the pages renders its fields, hints, error
messages and error summary the same way (D6: server-side validation, links from the summary to
each field, values kept). Pages subclass ``GovukForm`` / ``GovukModelForm``."""

from collections.abc import Iterable, Iterator
from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.forms.renderers import DjangoTemplates

from common.errors import ApplicationError, Invalid

# (widget class, GOV.UK class, error modifier); the first match wins, so subclasses come first.
_WIDGET_CLASSES: list[tuple[type[forms.Widget], str, str]] = [
    (forms.RadioSelect, "govuk-radios__input", ""),
    (forms.CheckboxSelectMultiple, "govuk-checkboxes__input", ""),
    (forms.CheckboxInput, "govuk-checkboxes__input", ""),
    (forms.Textarea, "govuk-textarea", "govuk-textarea--error"),
    (forms.Select, "govuk-select", "govuk-select--error"),
    (forms.ClearableFileInput, "govuk-file-upload", "govuk-file-upload--error"),
    (forms.widgets.Input, "govuk-input", "govuk-input--error"),
]
GROUPED_WIDGETS = (forms.RadioSelect, forms.CheckboxSelectMultiple)


class GovukRenderer(DjangoTemplates):
    form_template_name = "frontend/forms/form.html"
    field_template_name = "frontend/forms/field.html"


class GovukBoundField(forms.BoundField):
    @property
    def is_grouped(self) -> bool:
        return isinstance(self.field.widget, GROUPED_WIDGETS)

    @property
    def error_anchor(self) -> str:
        """The element the error summary links to: the first option of a group, else the input."""
        return f"{self.auto_id}_0" if self.is_grouped else str(self.auto_id)

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


def choices_of(items: Iterable[Any], label: str = "name") -> list[tuple[Any, str]]:
    return [(item.pk, str(getattr(item, label))) for item in items]
