from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from common.admin import ReadOnlyModelAdmin, ReadOnlyTabularInline
from common.history import reason_text

from .models import Contract, Instalment, LedgerEntry, Variation


class InstalmentInline(ReadOnlyTabularInline):
    model = Instalment
    fields = ("kind", "sequence", "share_pct", "amount", "release_amount", "withheld_amount", "status")


@admin.register(Contract)
class ContractAdmin(ReadOnlyModelAdmin):
    """Read-only: a contract's value, parties and state change only through the services, which
    keep ``paid + withheld + outstanding = value``."""

    list_display = ("title", "bureau", "provider", "status", "value_amount")
    list_filter = ("status",)
    inlines = [InstalmentInline]


@admin.register(Instalment)
class InstalmentAdmin(ReadOnlyModelAdmin):
    list_display = ("contract", "kind", "sequence", "amount", "status", "payable_at")
    list_filter = ("status", "kind")


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyModelAdmin):
    list_display = ("contract", "kind", "amount", "instalment", "payment", "what", "created_at")
    list_filter = ("kind",)
    exclude = ("description",)
    readonly_fields = ("what",)

    @admin.display(description=_("description"))
    def what(self, entry: LedgerEntry) -> str:
        return reason_text(entry.description)


@admin.register(Variation)
class VariationAdmin(ReadOnlyModelAdmin):
    """Read-only: a variation is proposed, signed and withdrawn through the services
    (docs/rules.md §17.8), which move the contract's value and the budget with it."""

    list_display = ("contract", "sequence", "kind", "value_delta", "service_end", "status", "effective_at")
    list_filter = ("status", "kind")
