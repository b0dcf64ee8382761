"""Thin API views of the marketplace: authenticate, fetch what the caller may see, validate, call
one service, serialise."""

from typing import Any
from urllib.parse import urlencode

import rules
from django.db.models import QuerySet
from django.http import HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from common import public_cache
from common.api import ReadViewSet
from common.errors import Forbidden, Invalid, NotFound
from common.history import StateLogSerializer, history_of
from common.schema import error_codes
from documents.apis import documents_action, owner_documents
from orgs.auth import ApiRequest, AuthenticatedRequest
from orgs.errors import OrgsError
from orgs.models import Membership, Organization
from orgs.permissions import acting_organization

from . import public_list, services
from .errors import MarketplaceError
from .filters import ExclusionFilter, TenderFilter
from .models import Award, Bid, CatalogueItem, Criterion, Exclusion, Question, Tender
from .permissions import (
    PROVIDER_ROLES,
    check_bids_unsealed,
    is_exclusion_officer,
    is_tender_bureau_member,
    tender_bids_visible_to,
)
from .selectors import (
    bid_score_history,
    budget_line_list,
    may_see_individual_scores,
    ranking_shown_to,
    tender_list,
)
from .serializers import (
    AnswerInputSerializer,
    AwardInputSerializer,
    AwardSerializer,
    BidInputSerializer,
    BidPatchSerializer,
    BidScoreEntrySerializer,
    BidSerializer,
    BudgetLineSerializer,
    BureauQuestionSerializer,
    CancelInputSerializer,
    CatalogueItemSerializer,
    DeclarationInputSerializer,
    DeclarationSerializer,
    ExclusionSerializer,
    LiftInputSerializer,
    QuestionInputSerializer,
    QuestionSerializer,
    RankingRowSerializer,
    ScoreInputSerializer,
    ScoreSerializer,
    TenderAmendInputSerializer,
    TenderInputSerializer,
    TenderSerializer,
)

Role = Membership.Role


class _Uncacheable(Exception):
    def __init__(self, response: Response) -> None:
        self.response = response


class CatalogueViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ReadViewSet):
    serializer_class = CatalogueItemSerializer
    queryset = CatalogueItem.objects.all()

    def create(self, request: AuthenticatedRequest) -> Response:
        data = self.input(CatalogueItemSerializer)
        item = services.catalogue_item_create(actor=request.user, **data)
        return Response(self.output(CatalogueItemSerializer, item), status=status.HTTP_201_CREATED)


class BudgetLineViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ReadViewSet):
    serializer_class = BudgetLineSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self) -> QuerySet[Any]:
        return budget_line_list(user=self.request.user)

    def create(self, request: AuthenticatedRequest) -> Response:
        data = self.input(BudgetLineSerializer)
        bureau = acting_organization(
            user=request.user,
            kind=Organization.Kind.BUREAU,
            roles=(Role.ADMIN, Role.FINANCE),
            requested=data.pop("bureau", None),
            field="bureau",
        )
        line = services.budget_line_create(actor=request.user, bureau=bureau, **data)
        return Response(
            self.output(BudgetLineSerializer, self.get_queryset().get(pk=line.pk)),
            status=status.HTTP_201_CREATED,
        )


class TenderViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ReadViewSet):
    serializer_class = TenderSerializer
    filterset_class = TenderFilter

    def get_queryset(self) -> QuerySet[Any]:
        return tender_list(user=self.request.user)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponseBase:  # type: ignore[override]
        """Anonymous callers' JSON answers come from the public cache (common/public_cache.py), with
        an ETag for conditional GETs; everyone else's are computed. The key holds the accepted
        media type (``indent`` and any other parameter change the body)."""
        renderer = request.accepted_renderer
        if request.user.is_authenticated or renderer.format != "json":
            return super().list(request, *args, **kwargs)
        if not public_cache.enabled():
            return self._public_list(request)
        entry = public_cache.Entry(
            request._request,
            "api-tenders",
            renderer.format,
            request.accepted_media_type,
            gzip=True,
            vary=["Accept"],
        )
        unchanged: HttpResponseBase | None = entry.not_modified(request._request)
        if unchanged is not None:
            return unchanged

        def render() -> bytes:
            response = self._public_list(request)
            if response.status_code != status.HTTP_200_OK:
                raise _Uncacheable(response)
            body = renderer.render(response.data, request.accepted_media_type, self.get_renderer_context())
            return body.encode() if isinstance(body, str) else body

        try:
            body = entry.body(render)
        except _Uncacheable as refused:
            return refused.response
        return HttpResponse(body, content_type=request.accepted_media_type, headers=entry.headers())

    def _public_list(self, request: Request) -> Response:
        """What an anonymous caller is shown, read lean (``marketplace.public_list``: ``values()`` and
        hand-written rows, the same JSON as ``TenderSerializer``), the count kept per version of the
        public cache and filter."""
        tenders = self.get_queryset()
        if not set(request.query_params).isdisjoint(TenderFilter.base_filters):  # type: ignore[attr-defined]
            tenders = self.filter_queryset(tenders)  # no filter asked for: the same queryset, unbuilt
        pages = self.paginator
        skip = {getattr(pages, "page_query_param", "page"), getattr(pages, "page_size_query_param", None)}
        scope = [
            (key, value)
            for key, values in request.query_params.lists()
            if key not in skip
            for value in values
        ]
        pages.django_paginator_class = public_list.counting_paginator(tenders, urlencode(sorted(scope)))  # type: ignore[union-attr]
        page = self.paginate_queryset(public_list.page_values(tenders))
        if page is None:
            return Response(public_list.tender_rows(public_list.page_values(tenders)))
        return self.get_paginated_response(public_list.tender_rows(page))

    def _respond(self, tender: Tender, code: int = status.HTTP_200_OK) -> Response:
        return Response(self.output(TenderSerializer, self.get_queryset().get(pk=tender.pk)), status=code)

    @extend_schema(request=TenderInputSerializer, responses={201: TenderSerializer})
    def create(self, request: AuthenticatedRequest) -> Response:
        data = self.input(TenderInputSerializer)
        bureau = acting_organization(
            user=request.user,
            kind=Organization.Kind.BUREAU,
            roles=(Role.OFFICER,),
            requested=data.pop("bureau", None),
            field="bureau",
        )
        tender = services.tender_create(actor=request.user, bureau=bureau, data=data)
        return self._respond(tender, status.HTTP_201_CREATED)

    @extend_schema(request=TenderInputSerializer, responses=TenderSerializer)
    @error_codes(MarketplaceError.NOT_EDITABLE)
    def partial_update(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        tender = self.get_object()
        data = self.input(TenderInputSerializer, partial=True)
        data.pop("bureau", None)
        return self._respond(services.tender_update(actor=request.user, tender=tender, data=data))

    @extend_schema(request=None, responses=TenderSerializer)
    @action(detail=True, methods=["post"])
    @error_codes(
        MarketplaceError.DEADLINE_TOO_SOON,
        MarketplaceError.BUDGET_INSUFFICIENT,
        MarketplaceError.ORIGIN_MISSING,
    )
    def publish(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        return self._respond(services.tender_publish(actor=request.user, tender=self.get_object()))

    @extend_schema(
        request=TenderAmendInputSerializer,
        responses=TenderSerializer,
        description="Publish an amendment (or, with no changes, a clarification) of a published tender "
        "before its deadline (docs/rules.md §17.3). If fewer than MARKETPLACE_CLARIFICATION_DAYS would "
        "remain, the bid deadline moves so that that many remain.",
    )
    @action(detail=True, methods=["post"])
    @error_codes(MarketplaceError.BIDDING_CLOSED)
    def amend(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        tender = self.get_object()
        data = self.input(TenderAmendInputSerializer)
        services.tender_amend(
            actor=request.user, tender=tender, reason=data["reason"], changes=data["changes"]
        )
        return self._respond(tender)

    @extend_schema(request=None, responses=TenderSerializer)
    @action(detail=True, methods=["post"])
    @error_codes(MarketplaceError.DEADLINE_NOT_PASSED)
    def close(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        return self._respond(services.tender_close(actor=request.user, tender=self.get_object()))

    @extend_schema(request=CancelInputSerializer, responses=TenderSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        tender = self.get_object()
        reason = self.input(CancelInputSerializer)["reason"]
        return self._respond(services.tender_cancel(actor=request.user, tender=tender, reason=reason))

    @extend_schema(request=AwardInputSerializer, responses=TenderSerializer)
    @action(detail=True, methods=["post"])
    @error_codes(
        MarketplaceError.NO_ELIGIBLE_BID, MarketplaceError.SCORING_INCOMPLETE, MarketplaceError.NOT_TOP_RANKED
    )
    def award(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        tender = self.get_object()
        if not rules.has_perm("marketplace.award_tender", request.user, tender):
            raise Forbidden()  # before looking the bid up: a refusal, not "no such bid"
        bid_id = self.input(AwardInputSerializer)["bid"]
        bid = Bid.objects.visible_to(request.user).filter(pk=bid_id, tender=tender).first()
        if bid is None:
            raise Invalid({"bid": [_("No such bid on this tender.")]})
        return self._respond(services.tender_award(actor=request.user, tender=tender, bid=bid))

    @extend_schema(
        responses=AwardSerializer,
        description="The tender's award notice (public): the standing award, or the latest annulled one.",
    )
    @award.mapping.get
    def award_notice(self, request: ApiRequest, pk: str | None = None) -> Response:
        tender = self.get_object()
        award = (
            Award.objects.visible_to(request.user).filter(tender=tender).select_related("provider").first()
        )
        if award is None:
            raise NotFound()
        return Response(AwardSerializer(award).data)

    @extend_schema(responses=StateLogSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def history(self, request: ApiRequest, pk: str | None = None) -> Response:
        tender = self.get_object()
        context = {
            **self.get_serializer_context(),
            "show_actors": is_tender_bureau_member(request.user, tender),
        }
        return Response(StateLogSerializer(history_of(tender), many=True, context=context).data)

    @extend_schema(responses=RankingRowSerializer(many=True))
    @error_codes(MarketplaceError.BIDS_SEALED)
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])  # docs/rules.md §16
    def ranking(self, request: ApiRequest, pk: str | None = None) -> Response:
        tender = self.get_object()
        if not rules.has_perm("marketplace.view_ranking_of_tender", request.user, tender):
            raise NotFound()
        check_bids_unsealed(tender)
        return Response(RankingRowSerializer(ranking_shown_to(request.user, tender), many=True).data)

    @extend_schema(request=DeclarationInputSerializer, responses={201: DeclarationSerializer})
    @action(detail=True, methods=["post"])
    @error_codes(OrgsError.CONFLICT_OF_INTEREST, MarketplaceError.ALREADY_DECLARED)
    def declarations(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        tender = self.get_object()
        no_conflict = self.input(DeclarationInputSerializer)["no_conflict"]
        declaration = services.evaluator_declare(actor=request.user, tender=tender, no_conflict=no_conflict)
        return Response(DeclarationSerializer(declaration).data, status=status.HTTP_201_CREATED)

    @documents_action(MarketplaceError.NOT_EDITABLE)
    def documents(self, request: ApiRequest, pk: str | None = None) -> Response:
        """The tender's documents (docs/rules.md §17.2): its officers attach them while it is a
        draft (multipart ``file``, ``title``, ``kind``); they are public with the tender."""
        return owner_documents(self, request, self.get_object())


class TenderQuestionViewSet(mixins.ListModelMixin, ReadViewSet):
    """``tenders/{id}/questions/``: providers ask; answered questions are public."""

    serializer_class = QuestionSerializer

    def tender(self) -> Tender:
        if not hasattr(self, "_tender"):
            visible: QuerySet[Tender] = Tender.objects.visible_to(self.request.user)
            self._tender = get_object_or_404(visible, pk=self.kwargs["tender_pk"])
        return self._tender

    def get_queryset(self) -> QuerySet[Any]:
        if getattr(self, "swagger_fake_view", False):
            return Question.objects.none()
        return self.tender().questions.visible_to(self.request.user)

    def get_serializer_class(self) -> type[BaseSerializer[Any]]:
        if getattr(self, "swagger_fake_view", False):
            return QuestionSerializer
        if self.request.user.is_authenticated and is_tender_bureau_member(self.request.user, self.tender()):
            return BureauQuestionSerializer
        return QuestionSerializer

    @extend_schema(request=QuestionInputSerializer, responses={201: QuestionSerializer})
    @error_codes(MarketplaceError.BIDDING_CLOSED, MarketplaceError.QUESTIONS_CLOSED)
    def create(self, request: AuthenticatedRequest, tender_pk: str | None = None) -> Response:
        tender = self.tender()
        text = self.input(QuestionInputSerializer)["text"]
        question = services.question_ask(actor=request.user, tender=tender, text=text)
        return Response(QuestionSerializer(question).data, status=status.HTTP_201_CREATED)


class QuestionViewSet(mixins.RetrieveModelMixin, ReadViewSet):
    serializer_class = QuestionSerializer
    queryset = Question.objects.none()  # objects come from get_object, which checks visibility

    def get_object(self) -> Question:
        question: Question = get_object_or_404(
            Question.objects.select_related("tender").filter(tender__in=tender_list(user=self.request.user)),
            pk=self.kwargs["pk"],
        )
        if not Question.objects.visible_to(self.request.user).filter(pk=question.pk).exists():
            raise NotFound()
        return question

    @extend_schema(request=AnswerInputSerializer, responses=QuestionSerializer)
    @action(detail=True, methods=["post"])
    @error_codes(MarketplaceError.ALREADY_ANSWERED)
    def answer(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        question = self.get_object()
        answer = self.input(AnswerInputSerializer)["answer"]
        question = services.question_answer(actor=request.user, question=question, answer=answer)
        return Response(BureauQuestionSerializer(question).data)


class TenderBidViewSet(mixins.ListModelMixin, ReadViewSet):
    """``tenders/{id}/bids/``: a provider creates and lists its own bids; the bureau lists the
    tender's bids only after the deadline (before: 409 ``bids_sealed``)."""

    serializer_class = BidSerializer
    permission_classes = [IsAuthenticated]
    request: AuthenticatedRequest

    def tender(self) -> Tender:
        if not hasattr(self, "_tender"):
            visible: QuerySet[Tender] = Tender.objects.visible_to(self.request.user)
            self._tender = get_object_or_404(visible, pk=self.kwargs["tender_pk"])
        return self._tender

    def get_queryset(self) -> QuerySet[Any]:
        if getattr(self, "swagger_fake_view", False):
            none: QuerySet[Bid] = Bid.objects.none()
            return none
        return tender_bids_visible_to(self.request.user, self.tender())

    @error_codes(MarketplaceError.BIDS_SEALED)
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(request=BidInputSerializer, responses={201: BidSerializer})
    @error_codes(
        OrgsError.CONFLICT_OF_INTEREST, MarketplaceError.BIDDING_CLOSED, MarketplaceError.DRAFT_EXISTS
    )
    def create(self, request: AuthenticatedRequest, tender_pk: str | None = None) -> Response:
        tender = self.tender()
        data = self.input(BidInputSerializer)
        provider = acting_organization(
            user=request.user,
            kind=Organization.Kind.PROVIDER,
            roles=PROVIDER_ROLES,
            requested=data.pop("provider", None),
            field="provider",
        )
        bid = services.bid_create(actor=request.user, tender=tender, provider=provider, data=data)
        return Response(self.output(BidSerializer, bid), status=status.HTTP_201_CREATED)


class BidViewSet(mixins.RetrieveModelMixin, ReadViewSet):
    serializer_class = BidSerializer
    permission_classes = [IsAuthenticated]
    request: AuthenticatedRequest

    def get_queryset(self) -> QuerySet[Bid]:
        visible: QuerySet[Bid] = Bid.objects.visible_to(self.request.user)
        return visible

    @extend_schema(request=BidPatchSerializer, responses=BidSerializer)
    @error_codes(MarketplaceError.NOT_EDITABLE)
    def partial_update(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        bid = self.get_object()
        data = self.input(BidPatchSerializer)
        return Response(
            self.output(BidSerializer, services.bid_update(actor=request.user, bid=bid, data=data))
        )

    @extend_schema(request=None, responses=BidSerializer)
    @action(detail=True, methods=["post"])
    @error_codes(
        OrgsError.CONFLICT_OF_INTEREST,
        MarketplaceError.BIDDING_CLOSED,
        MarketplaceError.PRICE_ABOVE_CEILING,
        MarketplaceError.DECLARATIONS_REQUIRED,
        MarketplaceError.DUPLICATE_BID,
        MarketplaceError.PROVIDER_EXCLUDED,
    )
    def submit(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        return Response(
            self.output(BidSerializer, services.bid_submit(actor=request.user, bid=self.get_object()))
        )

    @extend_schema(request=None, responses=BidSerializer)
    @action(detail=True, methods=["post"])
    @error_codes(MarketplaceError.BIDDING_CLOSED)
    def withdraw(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        bid = services.bid_withdraw(actor=request.user, bid=self.get_object())
        return Response(self.output(BidSerializer, bid))

    @extend_schema(request=CancelInputSerializer, responses=BidSerializer)
    @action(detail=True, methods=["post"])
    def disqualify(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        bid = self.get_object()
        reason = self.input(CancelInputSerializer)["reason"]
        return Response(
            self.output(BidSerializer, services.bid_disqualify(actor=request.user, bid=bid, reason=reason))
        )

    @extend_schema(request=ScoreInputSerializer, responses={201: ScoreSerializer})
    @action(detail=True, methods=["post"])
    @error_codes(MarketplaceError.DECLARATION_REQUIRED, OrgsError.CONFLICT_OF_INTEREST)
    def scores(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        bid: Bid = self.get_object()
        data = self.input(ScoreInputSerializer)
        criterion = Criterion.objects.filter(pk=data["criterion"], tender_id=bid.tender_id).first()
        if criterion is None:
            raise Invalid({"criterion": [_("Choose a quality criterion of this tender.")]})
        score = services.bid_score(actor=request.user, bid=bid, criterion=criterion, score=data["score"])
        return Response(ScoreSerializer(score).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=BidScoreEntrySerializer(many=True))
    @action(detail=True, methods=["get"], url_path="score-history", pagination_class=None, filter_backends=[])
    def score_history(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        """Every entry of a score on the bid, oldest first, with the criterion, the evaluator, when,
        and the score it replaced (docs/rules.md §11, score history): for those who may see who gave
        which score (the tender's officers, the platform admin); 404 for anyone else."""
        bid: Bid = self.get_object()
        if not may_see_individual_scores(request.user, bid.tender):
            raise NotFound()
        entries = bid_score_history(user=request.user, bid=bid)
        return Response(BidScoreEntrySerializer(entries, many=True).data)

    @documents_action(MarketplaceError.NOT_EDITABLE)
    def documents(self, request: ApiRequest, pk: str | None = None) -> Response:
        """The bid's documents (docs/rules.md §17.2): its provider attaches them while it is a draft
        (multipart ``file``, ``title``, ``kind``); sealed like the bid until it is opened."""
        return owner_documents(self, request, self.get_object())


class ExclusionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ReadViewSet):
    """``exclusions/``: providers excluded from bidding (docs/rules.md §17.6), public. The list shows
    those in force by default (``?status=expired|lifted|all`` for the others)."""

    serializer_class = ExclusionSerializer
    filterset_class = ExclusionFilter
    queryset = Exclusion.objects.select_related("provider", "bureau")

    def filter_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        """The filters (in force by default) choose the list; one exclusion is found in any state."""
        if self.action != "list":
            return queryset
        return super().filter_queryset(queryset)

    @extend_schema(request=LiftInputSerializer, responses=ExclusionSerializer)
    @action(detail=True, methods=["post"])
    def lift(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        exclusion = self.get_object()
        reason = self.input(LiftInputSerializer)["reason"]
        exclusion = services.exclusion_lift(actor=request.user, exclusion=exclusion, reason=reason)
        return Response(self.output(ExclusionSerializer, self.get_queryset().get(pk=exclusion.pk)))

    @extend_schema(responses=StateLogSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def history(self, request: ApiRequest, pk: str | None = None) -> Response:
        exclusion = self.get_object()
        context = {
            **self.get_serializer_context(),
            "show_actors": is_exclusion_officer(request.user, exclusion),
        }
        return Response(StateLogSerializer(history_of(exclusion), many=True, context=context).data)
