"""Admin pieces the apps share."""

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import admin
from django.db import models
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .money import MAX_AMOUNT, fen_to_yuan, yuan, yuan_to_fen

IN_YUAN = "_in_yuan"  # the admin's read-only display of a money field ``<name>``


def is_money_field(field: Any) -> bool:
    """Money is an integer count of fen (``common.money``) in a field named ``amount`` or ``*_amount``."""
    name = getattr(field, "name", "")
    return isinstance(field, models.BigIntegerField) and (name == "amount" or name.endswith("_amount"))


def money_display(name: str, label: Any) -> Any:
    """A column or read-only field showing the money field ``name`` in yuan: ¥200,000.00."""

    @admin.display(description=label, ordering=name)
    def display(obj: Any) -> str:
        amount = getattr(obj, name)
        return "" if amount is None else f"¥{yuan(amount)}"

    return display


class YuanFormField(forms.DecimalField):
    """A money field typed in yuan (up to two decimals) and stored in fen."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.pop("max_value", None)
        kwargs.pop("min_value", None)
        kwargs.setdefault("help_text", _("In yuan."))
        super().__init__(max_digits=14, decimal_places=2, min_value=Decimal(0), **kwargs)
        self.max_value_fen = MAX_AMOUNT

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool):
            return fen_to_yuan(value)
        return value

    def clean(self, value: Any) -> int | None:
        amount = super().clean(value)
        if amount is None:
            return None
        fen = yuan_to_fen(amount)
        if fen > self.max_value_fen:
            raise forms.ValidationError(
                _("Enter an amount of at most ¥%(limit)s.") % {"limit": yuan(MAX_AMOUNT)}
            )
        return fen


class MoneyAdminMixin:
    """Amounts show in yuan wherever the admin shows them — list columns, read-only fields — and are
    typed in yuan where they are editable; they stay fen in the database."""

    model: Any

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.money_fields = {
            field.name for field in self.model._meta.concrete_fields if is_money_field(field)
        }
        for field in self.model._meta.concrete_fields:
            if field.name in self.money_fields:
                setattr(self, field.name + IN_YUAN, money_display(field.name, field.verbose_name))

    def _read_only_money(self, request: HttpRequest, obj: Any, readonly: list[Any]) -> set[str]:
        if not self.has_change_permission(request, obj):  # type: ignore[attr-defined]  # a mixin: the admin it is mixed into has it
            return set(self.money_fields)
        return self.money_fields.intersection(name for name in readonly if isinstance(name, str))

    def _mapped(self, names: Any, money: set[str]) -> list[Any]:
        return [name + IN_YUAN if isinstance(name, str) and name in money else name for name in names]

    def get_list_display(self, request: HttpRequest) -> Any:
        return self._mapped(super().get_list_display(request), self.money_fields)  # type: ignore[misc]  # a mixin: the admin it is mixed into has it

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        readonly = list(super().get_readonly_fields(request, obj))  # type: ignore[misc]  # a mixin: the admin it is mixed into has it
        return self._mapped(readonly, self._read_only_money(request, obj, readonly))

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        # after ``get_fields``, so what a subclass leaves out (a sealed bid's price) stays out
        fieldsets = super().get_fieldsets(request, obj)  # type: ignore[misc]  # a mixin: the admin it is mixed into has it
        readonly = list(super().get_readonly_fields(request, obj))  # type: ignore[misc]  # a mixin: the admin it is mixed into has it
        money = self._read_only_money(request, obj, readonly)
        return [
            (title, {**options, "fields": self._mapped(options["fields"], money)})
            for title, options in fieldsets
        ]

    def _form_fields(self, fields: Any) -> Any:
        """The displays in yuan are not form fields."""
        return None if fields is None else [name for name in fields if not str(name).endswith(IN_YUAN)]

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        if "fields" in kwargs:
            kwargs["fields"] = self._form_fields(kwargs["fields"])
        return super().get_form(request, obj, change, **kwargs)  # type: ignore[misc]  # a mixin: the admin it is mixed into has it

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        from django.contrib.admin.utils import flatten_fieldsets

        fields = kwargs.pop("fields", None) or flatten_fieldsets(self.get_fieldsets(request, obj))
        return super().get_formset(request, obj, fields=self._form_fields(fields), **kwargs)  # type: ignore[misc]  # a mixin: the admin it is mixed into has it

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if is_money_field(db_field):
            kwargs.setdefault("label", db_field.verbose_name)
            return db_field.formfield(form_class=YuanFormField, **kwargs)
        return super().formfield_for_dbfield(db_field, request, **kwargs)  # type: ignore[misc]  # a mixin: the admin it is mixed into has it


class ReadOnlyAdminMixin(MoneyAdminMixin):
    """Viewing only. What these rows hold moves through the services — state machines with their
    logs, money, sealed bids — never by editing in the admin: the add, change and delete pages
    answer 403 and change nothing."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyModelAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):  # type: ignore[type-arg]  # not subscriptable at run time
    pass


class ReadOnlyTabularInline(ReadOnlyAdminMixin, admin.TabularInline):  # type: ignore[type-arg]  # as above
    extra = 0
