from django.contrib import admin

from common.admin import ReadOnlyModelAdmin

from .models import Disbursement, Payment


@admin.register(Payment)
class PaymentAdmin(ReadOnlyModelAdmin):
    list_display = ("instalment", "amount", "gateway", "status", "reference", "created_at")
    list_filter = ("status", "gateway")
    search_fields = ("reference", "idempotency_key")


@admin.register(Disbursement)
class DisbursementAdmin(ReadOnlyModelAdmin):
    """Read-only: a disbursement moves only through its services (docs/rules.md §23)."""

    list_display = ("payee", "payer", "amount", "gateway", "status", "reference", "created_at")
    list_filter = ("status", "gateway")
    search_fields = ("reference", "idempotency_key")
