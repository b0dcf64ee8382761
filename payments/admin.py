from django.contrib import admin

from common.admin import ReadOnlyModelAdmin

from .models import Payment


@admin.register(Payment)
class PaymentAdmin(ReadOnlyModelAdmin):
    list_display = ("instalment", "amount", "gateway", "status", "reference", "created_at")
    list_filter = ("status", "gateway")
    search_fields = ("reference", "idempotency_key")
