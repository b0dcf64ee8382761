"""Thin API views of evaluations and ratings."""

from typing import Any

import rules
from django.db import connection, transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from common.api import ReadViewSet, ReasonSerializer
from common.client_address import client_address
from common.errors import CommonError, NotFound
from common.history import history_of
from common.schema import error_codes
from common.throttling import ScopedRateThrottle, Throttle
from contracts.apis import ContractRepresentation
from contracts.errors import ContractsError
from contracts.models import Contract, Variation
from contracts.serializers import ContractSerializer, VariationInputSerializer, VariationSerializer
from documents.apis import documents_action, owner_documents
from marketplace.errors import MarketplaceError
from marketplace.models import Tender
from orgs.auth import ApiRequest, AuthenticatedRequest
from orgs.errors import OrgsError

from . import appeals, payouts, services
from .errors import EvaluationsError
from .models import Appeal, Evaluation, Rating
from .permissions import appeal_documents_readable
from .selectors import (
    PUBLIC_EVALUATION_STATUSES,
    evaluation_for_collecting,
    rateable_contracts,
    rating_receipt,
    rating_tallies,
    satisfaction_of,
    score_history,
)
from .serializers import (
    AppealDecisionInputSerializer,
    AppealInputSerializer,
    AppealSerializer,
    AssistedRatingInputSerializer,
    ComponentScoreInputSerializer,
    ComputationSerializer,
    EvaluationHistorySerializer,
    EvaluationSerializer,
    PayoutQuerySerializer,
    PayoutSerializer,
    RateableSerializer,
    RatingInputSerializer,
    RatingPatchSerializer,
    RatingReceiptSerializer,
    RatingSerializer,
    SatisfactionSerializer,
    SurveyInputSerializer,
)


# ``contracts/{id}/sign/`` is served here: the second signature activates the contract and opens its
# midterm evaluation, which contracts never does. It answers as the contract's other actions do.
class ContractSignApi(ContractRepresentation):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses=ContractSerializer)
    @error_codes(ContractsError.ALREADY_SIGNED, MarketplaceError.CHALLENGE_PENDING)
    def post(self, request: AuthenticatedRequest, pk: int) -> Response:
        return self._respond(services.contract_sign(actor=request.user, contract=self.get_object()))


# ``contracts/{id}/terminate/`` is served here: termination makes the open appeals of the contract's
# evaluations lapse (docs/rules.md §11.7), which contracts never touches.
class ContractTerminateApi(ContractRepresentation):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=ReasonSerializer, responses=ContractSerializer)
    def post(self, request: AuthenticatedRequest, pk: int) -> Response:
        contract = self.get_object()
        serializer = ReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._respond(
            services.contract_terminate(
                actor=request.user, contract=contract, reason=serializer.validated_data["reason"]
            )
        )


# ``contracts/{id}/variations/`` and ``variations/{id}/sign/`` are served here: renewal depends on the
# contract's last final evaluation band, which contracts never reads (docs/rules.md §17.8).
class ContractVariationsApi(APIView):
    """``contracts/{id}/variations/``: the contract's variations, as ``variations/{id}/`` shows each
    (the public sees those in effect); the bureau's officer proposes one."""

    @extend_schema(responses=VariationSerializer(many=True))
    def get(self, request: ApiRequest, pk: int) -> Response:
        contract = get_object_or_404(Contract.objects.visible_to(request.user), pk=pk)
        variations = Variation.objects.visible_to(request.user).filter(contract=contract)
        return Response(VariationSerializer(variations, many=True, context={"request": request}).data)

    @extend_schema(request=VariationInputSerializer, responses={201: VariationSerializer})
    @error_codes(
        ContractsError.VARIATION_PENDING,
        ContractsError.VARIATION_LIMIT,
        ContractsError.RENEWAL_NOT_ALLOWED,
        ContractsError.INSTALMENTS_SETTLED,
    )
    def post(self, request: AuthenticatedRequest, pk: int) -> Response:
        contract = get_object_or_404(Contract.objects.visible_to(request.user), pk=pk)
        serializer = VariationInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        variation = services.variation_propose(
            actor=request.user, contract=contract, **serializer.validated_data
        )
        return Response(
            VariationSerializer(variation, context={"request": request}).data, status=status.HTTP_201_CREATED
        )


class VariationSignApi(APIView):
    """``variations/{id}/sign/``: each party signs once; the second signature makes it take effect."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses=VariationSerializer)
    @error_codes(
        ContractsError.ALREADY_SIGNED,
        ContractsError.VARIATION_LIMIT,
        ContractsError.RENEWAL_NOT_ALLOWED,
        ContractsError.INSTALMENTS_SETTLED,
        MarketplaceError.BUDGET_INSUFFICIENT,
    )
    def post(self, request: AuthenticatedRequest, pk: int) -> Response:
        variation = get_object_or_404(Variation.objects.visible_to(request.user), pk=pk)
        variation = services.variation_sign(actor=request.user, variation=variation)
        return Response(VariationSerializer(variation, context={"request": request}).data)


class ContractEvaluationsApi(APIView):
    """``contracts/{id}/evaluations/``: the contract's evaluations, for its parties."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=EvaluationSerializer(many=True))
    def get(self, request: AuthenticatedRequest, pk: int) -> Response:
        contract = get_object_or_404(Contract.objects.visible_to(request.user), pk=pk)
        if not rules.has_perm("contracts.view_contract_details", request.user, contract):
            raise NotFound()
        evaluations = (
            Evaluation.objects.filter(contract=contract)
            .select_related("contract")
            .annotate(**rating_tallies())
        )
        return Response(EvaluationSerializer(evaluations, many=True, context={"request": request}).data)


class SatisfactionApi(APIView):
    """``contracts/{id}/satisfaction/``: public aggregates, hidden below five ratings."""

    permission_classes = [AllowAny]  # public: the schema says so (no credentials needed)

    @extend_schema(responses=SatisfactionSerializer)
    def get(self, request: ApiRequest, pk: int) -> Response:
        contract = get_object_or_404(Contract.objects.visible_to(request.user), pk=pk)
        return Response(SatisfactionSerializer(satisfaction_of(contract)).data)


class RatingReceiptApi(APIView):
    """``ratings/receipts/{receipt}/``: which evaluation a rating belongs to and whether it was
    counted, quarantined or excluded (docs/rules.md §24). Public; an unknown receipt is 404."""

    permission_classes = [AllowAny]  # public: the schema says so (no credentials needed)

    @extend_schema(responses=RatingReceiptSerializer)
    @error_codes(CommonError.NOT_FOUND)
    def get(self, request: ApiRequest, receipt: str) -> Response:
        found = rating_receipt(receipt)
        if found is None:
            raise NotFound()
        return Response(RatingReceiptSerializer(found).data)


def _simulated(request: ApiRequest, basis: payouts.PayoutBasis) -> Response:
    query = PayoutQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    return Response(PayoutSerializer(payouts.simulate(basis, **query.validated_data)).data)


class TenderPayoutSimulationApi(APIView):
    """``tenders/{id}/payout-simulation/?t=&b=&r=&c=``: what the tender's ceiling holdback would pay
    at these scores, under the rule a contract would freeze (docs/rules.md §11). Public."""

    permission_classes = [AllowAny]

    @extend_schema(parameters=[PayoutQuerySerializer], responses=PayoutSerializer)
    @error_codes(CommonError.INVALID, CommonError.MALFORMED_REQUEST)
    def get(self, request: ApiRequest, pk: int) -> Response:
        tender = get_object_or_404(Tender.objects.visible_to(request.user), pk=pk)
        return _simulated(request, payouts.tender_basis(tender))


class ContractPayoutSimulationApi(APIView):
    """``contracts/{id}/payout-simulation/?t=&b=&r=&c=``: what the contract's holdback would pay at
    these scores, under its frozen rule. Public, for the contracts the caller may see."""

    permission_classes = [AllowAny]

    @extend_schema(parameters=[PayoutQuerySerializer], responses=PayoutSerializer)
    @error_codes(CommonError.INVALID, CommonError.MALFORMED_REQUEST)
    def get(self, request: ApiRequest, pk: int) -> Response:
        contract = get_object_or_404(Contract.objects.visible_to(request.user), pk=pk)
        return _simulated(request, payouts.contract_basis(contract))


class EvaluationComputationApi(APIView):
    """``evaluations/{id}/computation/``: a published evaluation's inputs and each step to the money
    (docs/rules.md §11), public like the evaluation's band and scores."""

    permission_classes = [AllowAny]

    @extend_schema(responses=ComputationSerializer)
    def get(self, request: ApiRequest, pk: int) -> Response:
        evaluation = get_object_or_404(
            Evaluation.objects.select_related("contract").filter(
                contract__in=Contract.objects.visible_to(request.user), status__in=PUBLIC_EVALUATION_STATUSES
            ),
            pk=pk,
        )
        computation = payouts.recomputation(evaluation)
        if computation is None:
            raise NotFound()
        after_appeal = payouts.appeal_recomputation(evaluation, computation)
        data = {**computation, "evaluation": evaluation, "after_appeal": after_appeal}
        return Response(ComputationSerializer(data).data)


class RateableApi(APIView):
    """``me/rateable/``: what the resident's household may rate now."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=RateableSerializer(many=True))
    def get(self, request: AuthenticatedRequest) -> Response:
        return Response(RateableSerializer(rateable_contracts(user=request.user), many=True).data)


class EvaluationViewSet(mixins.RetrieveModelMixin, ReadViewSet):
    serializer_class = EvaluationSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self) -> QuerySet[Evaluation]:
        visible: QuerySet[Evaluation] = Evaluation.objects.visible_to(self.request.user)
        return visible.annotate(**rating_tallies())

    def _respond(self, evaluation: Evaluation) -> Response:
        return Response(self.output(EvaluationSerializer, self.get_queryset().get(pk=evaluation.pk)))

    @extend_schema(responses=EvaluationHistorySerializer)
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def history(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        """Every entry of T, B, C and the sample survey with who, when and the value it replaced, and
        the evaluation's transitions: for the contract's parties."""
        evaluation = self.get_object()
        context = {**self.get_serializer_context(), "show_actors": True}
        data = {"scores": score_history(evaluation), "transitions": history_of(evaluation)}
        return Response(EvaluationHistorySerializer(data, context=context).data)

    @extend_schema(request=ComponentScoreInputSerializer, responses=EvaluationSerializer)
    @action(detail=True, methods=["post"])
    def scores(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        evaluation = self.get_object()
        data = self.input(ComponentScoreInputSerializer)
        return self._respond(services.evaluation_score(actor=request.user, evaluation=evaluation, **data))

    @extend_schema(request=SurveyInputSerializer, responses=EvaluationSerializer)
    @action(detail=True, methods=["post"])
    def survey(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        evaluation = self.get_object()
        data = self.input(SurveyInputSerializer)
        return self._respond(services.evaluation_survey(actor=request.user, evaluation=evaluation, **data))

    @extend_schema(request=AssistedRatingInputSerializer, responses={201: RatingSerializer})
    @action(detail=True, methods=["post"], url_path="assisted-ratings")
    @error_codes(
        OrgsError.CONFLICT_OF_INTEREST,
        EvaluationsError.NOT_A_RECIPIENT,
        EvaluationsError.RATING_WINDOW_CLOSED,
        EvaluationsError.ALREADY_RATED,
    )
    def assisted_ratings(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        """A collector of the assessor or the community records a household's rating (§10.6)."""
        evaluation = evaluation_for_collecting(request.user, self.kwargs["pk"])
        if evaluation is None:
            raise NotFound()
        data = self.input(AssistedRatingInputSerializer)
        rating = services.rating_record_assisted(
            actor=request.user, evaluation=evaluation, client_address=client_address(request), **data
        )
        return Response(self.output(RatingSerializer, rating), status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=EvaluationSerializer)
    @action(detail=True, methods=["post"])
    @error_codes(
        EvaluationsError.SCORES_MISSING,
        EvaluationsError.REPORT_MISSING,
        EvaluationsError.INSUFFICIENT_RATINGS,
        EvaluationsError.DELIVERY_CHECK_REQUIRED,
    )
    def finalize(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        return self._respond(services.evaluation_finalize(actor=request.user, evaluation=self.get_object()))

    @extend_schema(request=None, responses=EvaluationSerializer)
    @action(detail=True, methods=["post"])
    @error_codes(EvaluationsError.APPEAL_WINDOW_OPEN)
    def confirm(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        return self._respond(services.evaluation_confirm(actor=request.user, evaluation=self.get_object()))

    @extend_schema(methods=["GET"], responses=AppealSerializer(many=True))
    @extend_schema(methods=["POST"], request=AppealInputSerializer, responses={201: AppealSerializer})
    @action(detail=True, methods=["get", "post"], pagination_class=None, filter_backends=[])
    @error_codes(
        EvaluationsError.APPEAL_WINDOW_CLOSED,
        EvaluationsError.APPEAL_PENDING,
        EvaluationsError.APPEAL_DECIDED,
        method="POST",
    )
    def appeals(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        """The evaluation's appeals (docs/rules.md §11.7); the provider's admins and staff file one
        while the evaluation is published and its window open: ``{grounds, claimed: {component:
        score}}`` → 201 ``{id, status: "open", …}``."""
        evaluation = self.get_object()
        if request.method == "GET":
            listed = Appeal.objects.visible_to(request.user).filter(evaluation=evaluation)
            return Response(AppealSerializer(listed, many=True, context={"request": request}).data)
        data = self.input(AppealInputSerializer)
        appeal = appeals.appeal_file(
            actor=request.user, evaluation=evaluation, grounds=data["grounds"], claimed=dict(data["claimed"])
        )
        return Response(self.output(AppealSerializer, appeal), status=status.HTTP_201_CREATED)


class RatingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ReadViewSet):
    """Residents rate; the bureau reviews quarantined ratings (filter ``status``)."""

    serializer_class = RatingSerializer
    permission_classes = [IsAuthenticated]
    filterset_fields = ["status", "contract", "evaluation"]
    throttle_scope = "ratings"

    def get_throttles(self) -> list[Throttle]:
        return [ScopedRateThrottle()] if self.action in ("create", "partial_update") else []

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        """A rating sent or changed (issue 13): the throttle's count — in the database cache when
        there is no Redis — commits with the rating, one commit and not two; a refused attempt
        still counts (the service's transaction is then a savepoint rolled back alone, the count
        commits). Not on SQLite: its commits are not flushed (WAL, ``synchronous=NORMAL``), and its
        one write lock, taken at ``BEGIN IMMEDIATE``, would be held through the whole request."""
        if request.method in ("POST", "PATCH") and connection.vendor != "sqlite":
            with transaction.atomic():
                return super().dispatch(request, *args, **kwargs)
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Rating]:
        visible: QuerySet[Rating] = Rating.objects.visible_to(self.request.user)
        return visible

    @extend_schema(request=RatingInputSerializer, responses={201: RatingSerializer})
    @error_codes(
        CommonError.NOT_FOUND,
        OrgsError.CONFLICT_OF_INTEREST,
        OrgsError.NOT_A_RESIDENT,
        OrgsError.RESIDENT_UNCONFIRMED,
        EvaluationsError.NOT_A_RECIPIENT,
        EvaluationsError.RATING_WINDOW_CLOSED,
        EvaluationsError.ALREADY_RATED,
    )
    def create(self, request: AuthenticatedRequest) -> Response:
        data = self.input(RatingInputSerializer)  # the service reads the contract (404 if none)
        rating = services.rating_create(actor=request.user, client_address=client_address(request), **data)
        return Response(self.output(RatingSerializer, rating), status=status.HTTP_201_CREATED)

    @extend_schema(request=RatingPatchSerializer, responses=RatingSerializer)
    @error_codes(
        OrgsError.NOT_A_RESIDENT,
        OrgsError.RESIDENT_UNCONFIRMED,
        EvaluationsError.EDIT_WINDOW_CLOSED,
        EvaluationsError.RATING_WINDOW_CLOSED,
    )
    def partial_update(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        rating = self.get_object()  # the bureau sees ratings it may not change: 403, not 404
        data = self.input(RatingPatchSerializer)
        return Response(
            self.output(
                RatingSerializer, services.rating_update(actor=request.user, rating=rating, data=data)
            )
        )

    @extend_schema(request=ReasonSerializer, responses=RatingSerializer)
    @action(detail=True, methods=["post"])
    @error_codes(EvaluationsError.RATING_WINDOW_CLOSED)
    def restore(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        return self._review(request, "restore")

    @extend_schema(request=ReasonSerializer, responses=RatingSerializer)
    @action(detail=True, methods=["post"])
    @error_codes(EvaluationsError.RATING_WINDOW_CLOSED)
    def exclude(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        return self._review(request, "exclude")

    def _review(self, request: AuthenticatedRequest, decision: str) -> Response:
        rating = self.get_object()
        reason = self.input(ReasonSerializer)["reason"]
        rating = services.rating_review(actor=request.user, rating=rating, decision=decision, reason=reason)
        return Response(self.output(RatingSerializer, rating))


class AppealViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ReadViewSet):
    """``appeals/``: the appeals the caller is party to (the contract's parties, the review body);
    ``appeals/{id}/decide/`` by the bureau's officer or the review body (docs/rules.md §11.7)."""

    serializer_class = AppealSerializer
    permission_classes = [IsAuthenticated]
    filterset_fields = ["status", "evaluation"]

    def get_queryset(self) -> QuerySet[Appeal]:
        visible: QuerySet[Appeal] = Appeal.objects.visible_to(self.request.user)
        return visible

    @extend_schema(request=AppealDecisionInputSerializer, responses=AppealSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        appeal = self.get_object()
        data: dict[str, Any] = self.input(AppealDecisionInputSerializer)
        appeal = appeals.appeal_decide(
            actor=request.user,
            appeal=appeal,
            decision=data["decision"],
            scores=dict(data.get("scores") or {}),
            reasoning=data["reasoning"],
        )
        return Response(self.output(AppealSerializer, self.get_queryset().get(pk=appeal.pk)))

    @documents_action()
    def documents(self, request: ApiRequest, pk: str | None = None) -> Response:
        """The appeal's evidence: the provider's admins and staff attach it while the appeal is
        open; the parties and the review body read it, the public never."""
        return owner_documents(
            self, request, get_object_or_404(appeal_documents_readable(request.user), pk=pk)
        )
