"""The API (docs/rules.md §16), under /api/v1/."""

from typing import Any

from django.urls import path, re_path
from rest_framework.routers import SimpleRouter

from auditchain.apis import LogHeadApi
from challenges.apis import ChallengeViewSet, ComplaintViewSet, TenderChallengeViewSet
from communitytasks.apis import AdmissionItemViewSet, CommunityTaskViewSet, CommunityWorkloadViewSet
from contracts.apis import (
    ContractViewSet,
    InstalmentViewSet,
    ServiceEventViewSet,
    TenderAwardFinalizeApi,
    VariationViewSet,
)
from documents.apis import DocumentViewSet
from evaluations.apis import (
    AppealViewSet,
    ContractEvaluationsApi,
    ContractPayoutSimulationApi,
    ContractSignApi,
    ContractTerminateApi,
    ContractVariationsApi,
    EvaluationComputationApi,
    EvaluationViewSet,
    RateableApi,
    RatingReceiptApi,
    RatingViewSet,
    SatisfactionApi,
    TenderPayoutSimulationApi,
    VariationSignApi,
)
from marketplace.apis import (
    BidViewSet,
    BudgetLineViewSet,
    CatalogueViewSet,
    ExclusionViewSet,
    QuestionViewSet,
    TenderBidViewSet,
    TenderQuestionViewSet,
    TenderViewSet,
)
from needs.apis import NeedViewSet
from opendata.apis import BulkReleasesApi, ExtensionFileApi, RecordApi, ReleaseApi, ReleasesApi
from orgs.apis import (
    AreaViewSet,
    GridPostViewSet,
    HealthApi,
    HouseholdViewSet,
    MeApi,
    OrganizationViewSet,
    ProviderRegisterApi,
    ResidentPhoneCodeApi,
    ResidentRegisterApi,
    ResidentVerifyPhoneApi,
    ResidentViewSet,
    TokenApi,
)
from payments.apis import (
    InstalmentPayApi,
    PaymentViewSet,
    PayoutAccountApi,
    StripeWebhookApi,
)

router = SimpleRouter()
router.register("areas", AreaViewSet, basename="area")
router.register("households", HouseholdViewSet, basename="household")
router.register("residents", ResidentViewSet, basename="resident")
router.register("grid-posts", GridPostViewSet, basename="grid-post")
router.register("organizations", OrganizationViewSet, basename="organization")
router.register("catalogue", CatalogueViewSet, basename="catalogue")
router.register("budget-lines", BudgetLineViewSet, basename="budget-line")
router.register("needs", NeedViewSet, basename="need")
router.register("tenders", TenderViewSet, basename="tender")
router.register("questions", QuestionViewSet, basename="question")
router.register("bids", BidViewSet, basename="bid")
router.register("exclusions", ExclusionViewSet, basename="exclusion")
router.register("challenges", ChallengeViewSet, basename="challenge")
router.register("complaints", ComplaintViewSet, basename="complaint")
router.register("contracts", ContractViewSet, basename="contract")
router.register("instalments", InstalmentViewSet, basename="instalment")
router.register("events", ServiceEventViewSet, basename="event")
router.register("documents", DocumentViewSet, basename="document")
router.register("variations", VariationViewSet, basename="variation")
router.register("payments", PaymentViewSet, basename="payment")
router.register("admission-items", AdmissionItemViewSet, basename="admission-item")
router.register("community-tasks", CommunityTaskViewSet, basename="community-task")
router.register("communities", CommunityWorkloadViewSet, basename="community")
router.register("evaluations", EvaluationViewSet, basename="evaluation")
router.register("ratings", RatingViewSet, basename="rating")
router.register("appeals", AppealViewSet, basename="appeal")

nested_list: dict[str, Any] = {"get": "list", "post": "create"}

urlpatterns = [
    path("health/", HealthApi.as_view(), name="health"),
    path("auth/token/", TokenApi.as_view(), name="auth-token"),
    path("me/", MeApi.as_view(), name="me"),
    path("me/rateable/", RateableApi.as_view(), name="me-rateable"),
    path("log/head/", LogHeadApi.as_view(), name="log-head"),
    path("ratings/receipts/<str:receipt>/", RatingReceiptApi.as_view(), name="rating-receipt"),
    path("contracts/<int:pk>/evaluations/", ContractEvaluationsApi.as_view(), name="contract-evaluations"),
    # Signing activates the contract and opens its midterm evaluation: served by evaluations (contracts
    # never imports it), on the router's id pattern and name.
    re_path(r"^contracts/(?P<pk>[0-9]+)/sign/$", ContractSignApi.as_view(), name="contract-sign"),
    # Terminating makes the contract's open appeals lapse (docs/rules.md §11.7): served by evaluations.
    re_path(
        r"^contracts/(?P<pk>[0-9]+)/terminate/$", ContractTerminateApi.as_view(), name="contract-terminate"
    ),
    path("contracts/<int:pk>/variations/", ContractVariationsApi.as_view(), name="contract-variations"),
    # Signing a variation may renew the contract, which depends on its evaluations' band.
    re_path(r"^variations/(?P<pk>[0-9]+)/sign/$", VariationSignApi.as_view(), name="variation-sign"),
    path("contracts/<int:pk>/satisfaction/", SatisfactionApi.as_view(), name="contract-satisfaction"),
    # The payout simulator and the public recomputation (docs/rules.md §11) use evaluations' formulas.
    path(
        "contracts/<int:pk>/payout-simulation/",
        ContractPayoutSimulationApi.as_view(),
        name="contract-payout-simulation",
    ),
    path(
        "tenders/<int:pk>/payout-simulation/",
        TenderPayoutSimulationApi.as_view(),
        name="tender-payout-simulation",
    ),
    path(
        "evaluations/<int:pk>/computation/", EvaluationComputationApi.as_view(), name="evaluation-computation"
    ),
    path("residents/register/", ResidentRegisterApi.as_view(), name="resident-register"),
    path("residents/me/phone-code/", ResidentPhoneCodeApi.as_view(), name="resident-phone-code"),
    path("residents/me/verify-phone/", ResidentVerifyPhoneApi.as_view(), name="resident-verify-phone"),
    path("providers/register/", ProviderRegisterApi.as_view(), name="provider-register"),
    path(
        "tenders/<int:tender_pk>/questions/",
        TenderQuestionViewSet.as_view(nested_list),
        name="tender-questions",
    ),
    path(
        "tenders/<int:tender_pk>/challenges/",
        TenderChallengeViewSet.as_view(nested_list),
        name="tender-challenges",
    ),
    path("tenders/<int:tender_pk>/bids/", TenderBidViewSet.as_view(nested_list), name="tender-bids"),
    # The tender's action that drafts its contract, served by contracts (marketplace never imports
    # it); the router's id pattern and name, so the schema and reverse("tender-finalize-award") stay.
    re_path(
        r"^tenders/(?P<pk>[0-9]+)/finalize-award/$",
        TenderAwardFinalizeApi.as_view(),
        name="tender-finalize-award",
    ),
    path("instalments/<int:pk>/pay/", InstalmentPayApi.as_view(), name="instalment-pay"),
    path("organizations/<int:pk>/payout-account/", PayoutAccountApi.as_view(), name="payout-account"),
    path("webhooks/stripe/", StripeWebhookApi.as_view(), name="webhook-stripe"),
    path("ocds/releases/", ReleasesApi.as_view(), name="ocds-releases"),
    path("ocds/releases/<str:release_id>/", ReleaseApi.as_view(), name="ocds-release"),
    path("ocds/records/<str:ocid>/", RecordApi.as_view(), name="ocds-record"),
    path("ocds/bulk/releases.jsonl.gz", BulkReleasesApi.as_view(), name="ocds-bulk-releases"),
    path("ocds/extension/<str:name>", ExtensionFileApi.as_view(), name="ocds-extension-file"),
    *router.urls,
]
