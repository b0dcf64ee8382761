"""The API of DESIGN section 8, under /api/v1/."""

from typing import Any

from django.urls import path
from rest_framework.routers import SimpleRouter

from contracts.apis import ContractViewSet, InstalmentViewSet
from marketplace.apis import (
    BidViewSet,
    BudgetLineViewSet,
    CatalogueViewSet,
    QuestionViewSet,
    TenderBidViewSet,
    TenderQuestionViewSet,
    TenderViewSet,
)
from orgs.apis import (
    AreaViewSet,
    HealthApi,
    HouseholdViewSet,
    MeApi,
    OrganizationViewSet,
    ProviderRegisterApi,
    ResidentRegisterApi,
    TokenApi,
)

router = SimpleRouter()
router.register("areas", AreaViewSet, basename="area")
router.register("households", HouseholdViewSet, basename="household")
router.register("organizations", OrganizationViewSet, basename="organization")
router.register("catalogue", CatalogueViewSet, basename="catalogue")
router.register("budget-lines", BudgetLineViewSet, basename="budget-line")
router.register("tenders", TenderViewSet, basename="tender")
router.register("questions", QuestionViewSet, basename="question")
router.register("bids", BidViewSet, basename="bid")
router.register("contracts", ContractViewSet, basename="contract")
router.register("instalments", InstalmentViewSet, basename="instalment")

nested_list: dict[str, Any] = {"get": "list", "post": "create"}

urlpatterns = [
    path("health/", HealthApi.as_view(), name="health"),
    path("auth/token/", TokenApi.as_view(), name="auth-token"),
    path("me/", MeApi.as_view(), name="me"),
    path("residents/register/", ResidentRegisterApi.as_view(), name="resident-register"),
    path("providers/register/", ProviderRegisterApi.as_view(), name="provider-register"),
    path(
        "tenders/<int:tender_pk>/questions/",
        TenderQuestionViewSet.as_view(nested_list),
        name="tender-questions",
    ),
    path("tenders/<int:tender_pk>/bids/", TenderBidViewSet.as_view(nested_list), name="tender-bids"),
    *router.urls,
]
