from typing import Any

from django.contrib import admin
from django.db.models.constants import LOOKUP_SEP
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from common.admin import MoneyAdminMixin, ReadOnlyModelAdmin
from common.money import yuan

from .models import Award, Bid, BudgetLine, CatalogueItem, Exclusion, Question, Tender, TenderAmendment
from .permissions import is_bid_sealed


@admin.register(CatalogueItem)
class CatalogueItemAdmin(admin.ModelAdmin):  # type: ignore[type-arg]  # not subscriptable at run time
    list_display = ("code", "name", "is_active")
    search_fields = ("code", "name")


@admin.register(BudgetLine)
class BudgetLineAdmin(MoneyAdminMixin, admin.ModelAdmin):  # type: ignore[type-arg]  # not subscriptable at run time
    list_display = ("name", "bureau", "fiscal_year", "source", "amount")


@admin.register(Tender)
class TenderAdmin(ReadOnlyModelAdmin):
    """Read-only: a tender's terms, budget and state change only through the services."""

    list_display = ("title", "bureau", "status", "ceiling_amount", "bid_deadline")
    list_filter = ("status",)
    search_fields = ("title",)


@admin.register(TenderAmendment)
class TenderAmendmentAdmin(ReadOnlyModelAdmin):
    """Read-only: an amendment is published through the service and stays as published."""

    list_display = ("tender", "published_at", "deadline_moved")


@admin.register(Award)
class AwardAdmin(ReadOnlyModelAdmin):
    """Read-only: an award notice is published, held, confirmed and annulled only by the services."""

    list_display = ("tender", "provider", "total", "status", "notice_published_at", "challenge_until")
    list_filter = ("status",)


@admin.register(Bid)
class BidAdmin(ReadOnlyModelAdmin):
    """Read-only, and sealed as everywhere else: before a bid is opened its content is neither shown
    nor searchable here (``is_bid_sealed``)."""

    list_display = ("tender", "provider", "status", "price", "submitted_at", "tampered_at")
    list_filter = ("status",)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = super().get_fields(request, obj)
        if obj is None or is_bid_sealed(obj):
            return [name for name in fields if name not in Bid.SEALED_FIELDS]
        return fields

    def lookup_allowed(self, lookup: str, value: str, request: HttpRequest) -> bool:
        # a filter in the address (?price_amount__lt=…) would reveal sealed prices by bisection
        if lookup.split(LOOKUP_SEP)[0] in Bid.SEALED_FIELDS:
            return False
        return super().lookup_allowed(lookup, value, request)

    @admin.display(description=_("price"))
    def price(self, bid: Bid) -> Any:
        return _("sealed") if is_bid_sealed(bid) else f"¥{yuan(bid.price_amount)}"


@admin.register(Question)
class QuestionAdmin(ReadOnlyModelAdmin):
    """Read-only: questions are asked and answered (publicly) through the services."""

    list_display = ("tender", "asked_at", "answered_at")


@admin.register(Exclusion)
class ExclusionAdmin(ReadOnlyModelAdmin):
    """Read-only: exclusions are imposed by the contracts and evaluations services and lifted by an
    officer of the bureau that caused them (``exclusion_lift``, logged; docs/rules.md §17.6)."""

    list_display = ("provider", "bureau", "source", "starts", "ends", "status")
    list_filter = ("source", "status")
    search_fields = ("provider__name",)
