from django.contrib import admin

from .models import Bid, BudgetLine, CatalogueItem, Question, Tender


@admin.register(CatalogueItem)
class CatalogueItemAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "is_active")
    search_fields = ("code", "name")


@admin.register(BudgetLine)
class BudgetLineAdmin(admin.ModelAdmin):
    list_display = ("name", "bureau", "fiscal_year", "source", "amount")


@admin.register(Tender)
class TenderAdmin(admin.ModelAdmin):
    """Read-mostly: tender state moves only through the services (API and pages)."""

    list_display = ("title", "bureau", "status", "ceiling_amount", "bid_deadline")
    list_filter = ("status",)
    search_fields = ("title",)
    readonly_fields = ("status", "committed_amount", "proposed_bid", "standstill_until")


@admin.register(Bid)
class BidAdmin(admin.ModelAdmin):
    list_display = ("tender", "provider", "status", "price_amount", "submitted_at")
    list_filter = ("status",)
    readonly_fields = ("status", "receipt", "submitted_at")


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ("tender", "asked_at", "answered_at")
