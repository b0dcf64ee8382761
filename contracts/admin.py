from django.contrib import admin

from .models import Contract, Instalment


class InstalmentInline(admin.TabularInline):
    model = Instalment
    extra = 0
    readonly_fields = (
        "kind",
        "sequence",
        "share_pct",
        "amount",
        "release_amount",
        "withheld_amount",
        "status",
    )
    can_delete = False


@admin.register(Contract)
class ContractAdmin(admin.ModelAdmin):
    """Read-mostly: contract state moves only through the services."""

    list_display = ("title", "bureau", "provider", "status", "value_amount")
    list_filter = ("status",)
    readonly_fields = ("status", "bureau_signed_at", "provider_signed_at", "activated_at")
    inlines = [InstalmentInline]
