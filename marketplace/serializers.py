from decimal import Decimal
from typing import Any, cast

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from common.history import ReasonField
from common.money import MAX_AMOUNT
from common.reasons import REASON_MAX_LENGTH
from common.transitions import transitions_available
from needs.models import Need
from orgs.models import Area, Organization

from .components import Component, ScoreWeights
from .models import (
    ANSWER_MAX_LENGTH,
    BENEFICIARIES_MAX_LENGTH,
    CRITERION_WEIGHTS_TOTAL,
    INITIATIVE_REASON_MAX_LENGTH,
    MIN_BIDS_MAX,
    MULTI_YEAR_JUSTIFICATION_MAX_LENGTH,
    QUESTION_MAX_LENGTH,
    SCORE_MAX,
    SCORE_MIN,
    STAFFING_PLAN_MAX_LENGTH,
    STANDSTILL_DAYS_MAX,
    TECHNICAL_PROPOSAL_MAX_LENGTH,
    TENDER_DESCRIPTION_MAX_LENGTH,
    Award,
    Bid,
    BudgetLine,
    CatalogueItem,
    Criterion,
    Exclusion,
    Kpi,
    PaymentScheduleItem,
    Question,
    Tender,
    TenderAmendment,
)
from .permissions import BID_TRANSITIONS, EXCLUSION_TRANSITIONS, TENDER_TRANSITIONS
from .receipts import receipt_reference
from .selectors import RankingRow, has_award_notice, own_standing, ranking_of


def amount_field(**kwargs: Any) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=MAX_AMOUNT, **kwargs)


class CatalogueItemSerializer(serializers.ModelSerializer[CatalogueItem]):
    class Meta:
        model = CatalogueItem
        fields = ["id", "code", "name", "is_active"]
        read_only_fields = ["is_active"]
        extra_kwargs: dict[str, Any] = {"code": {"validators": []}}


class BudgetLineSerializer(serializers.ModelSerializer[BudgetLine]):
    bureau = serializers.PrimaryKeyRelatedField(
        queryset=Organization.objects.filter(kind=Organization.Kind.BUREAU), required=False
    )
    amount = serializers.IntegerField(min_value=0, max_value=MAX_AMOUNT)
    currency = serializers.ChoiceField(choices=[("CNY", "CNY")], default="CNY")
    fiscal_year = serializers.IntegerField(min_value=2000, max_value=2100)
    committed = serializers.IntegerField(read_only=True)
    available = serializers.SerializerMethodField()

    class Meta:
        model = BudgetLine
        fields = [
            "id",
            "bureau",
            "fiscal_year",
            "name",
            "source",
            "amount",
            "currency",
            "committed",
            "available",
        ]

    def get_available(self, line: BudgetLine) -> int:
        available: int = line.amount - line.committed  # type: ignore[attr-defined]  # annotated by the selector
        return available


class KpiSerializer(serializers.ModelSerializer[Kpi]):
    class Meta:
        model = Kpi
        fields = ["id", "name", "target", "unit"]


class CriterionSerializer(serializers.ModelSerializer[Criterion]):
    weight = serializers.IntegerField(min_value=0, max_value=CRITERION_WEIGHTS_TOTAL)

    class Meta:
        model = Criterion
        fields = ["id", "name", "kind", "weight"]


class PaymentScheduleItemSerializer(serializers.ModelSerializer[PaymentScheduleItem]):
    share_pct = serializers.DecimalField(
        max_digits=5, decimal_places=2, min_value=Decimal(0), max_value=Decimal(100)
    )

    class Meta:
        model = PaymentScheduleItem
        fields = ["kind", "share_pct"]


# A weight per component of the performance score (marketplace.components), 0 to 1.
class ScoreWeightsSerializer(serializers.Serializer[Any]):
    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        return {
            component.value: serializers.DecimalField(
                max_digits=3, decimal_places=2, min_value=Decimal(0), max_value=Decimal(1)
            )
            for component in Component
        }


class TenderInputSerializer(serializers.Serializer[Any]):
    bureau = serializers.PrimaryKeyRelatedField(
        queryset=Organization.objects.filter(kind=Organization.Kind.BUREAU), required=False
    )
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(
        allow_blank=True, required=False, default="", max_length=TENDER_DESCRIPTION_MAX_LENGTH
    )
    catalogue_item = serializers.PrimaryKeyRelatedField(queryset=CatalogueItem.objects.all())
    budget_line = serializers.PrimaryKeyRelatedField(queryset=BudgetLine.objects.all())
    areas = serializers.PrimaryKeyRelatedField(queryset=Area.objects.all(), many=True)
    beneficiaries = serializers.CharField(
        allow_blank=True, required=False, default="", max_length=BENEFICIARIES_MAX_LENGTH
    )
    ceiling_amount = amount_field()
    currency = serializers.ChoiceField(choices=[("CNY", "CNY")], default="CNY")
    bid_deadline = serializers.DateTimeField()
    service_start = serializers.DateField()
    service_end = serializers.DateField()
    multi_year_justification = serializers.CharField(
        allow_blank=True, required=False, default="", max_length=MULTI_YEAR_JUSTIFICATION_MAX_LENGTH
    )
    kpis = KpiSerializer(many=True, required=False, default=list)
    criteria = CriterionSerializer(many=True)
    payment_schedule = PaymentScheduleItemSerializer(many=True, required=False)
    score_weights = ScoreWeightsSerializer(required=False)
    min_bids = serializers.IntegerField(min_value=1, max_value=MIN_BIDS_MAX, default=2)
    standstill_days = serializers.IntegerField(min_value=0, max_value=STANDSTILL_DAYS_MAX, required=False)
    renewal_allowed = serializers.BooleanField(required=False, default=False)
    needs = serializers.PrimaryKeyRelatedField(
        queryset=Need.objects.all(),
        many=True,
        required=False,
        help_text="The residents' needs (accepted by their councils) the tender answers.",
    )
    initiative_reason = serializers.CharField(
        allow_blank=True,
        required=False,
        max_length=INITIATIVE_REASON_MAX_LENGTH,
        help_text="Why the bureau initiates a tender that answers no resident's need.",
    )


class TenderAmendmentSerializer(serializers.ModelSerializer[TenderAmendment]):
    changes = serializers.DictField(
        child=serializers.DictField(),
        help_text="Each changed term's value before and after: {term: {before, after}}; empty for a "
        "clarification that changes no term.",
    )
    deadline_moved = serializers.BooleanField(
        help_text="The bid deadline was moved so that MARKETPLACE_CLARIFICATION_DAYS remain."
    )

    class Meta:
        model = TenderAmendment
        fields = ["id", "reason", "changes", "deadline_moved", "published_at"]


class TenderChangesSerializer(serializers.Serializer[Any]):
    """The terms an amendment may change (``marketplace.services.amendments.AMENDABLE_TERMS``)."""

    description = serializers.CharField(
        allow_blank=True, required=False, max_length=TENDER_DESCRIPTION_MAX_LENGTH
    )
    kpis = KpiSerializer(many=True, required=False)
    criteria = CriterionSerializer(many=True, required=False)
    bid_deadline = serializers.DateTimeField(required=False)
    service_start = serializers.DateField(required=False)
    service_end = serializers.DateField(required=False)

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        """A term that cannot be amended is refused on its name, not dropped: dropping it would
        publish an empty clarification in place of the change the officer asked for."""
        value: dict[str, Any] = super().to_internal_value(data)
        unknown = sorted(set(data) - set(self.fields)) if isinstance(data, dict) else []
        if unknown:
            message = _("This term cannot be amended once the tender is published.")
            raise serializers.ValidationError({term: [message] for term in unknown})
        return value


class TenderAmendInputSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=REASON_MAX_LENGTH)
    changes = TenderChangesSerializer(required=False, default=dict)


_WEIGHT = ScoreWeightsSerializer().get_fields()[Component.THIRD_PARTY.value]  # they are all alike


class TenderSerializer(serializers.ModelSerializer[Tender]):
    kpis = KpiSerializer(many=True)
    criteria = CriterionSerializer(many=True)
    payment_schedule = PaymentScheduleItemSerializer(many=True)
    score_weights = serializers.SerializerMethodField()
    areas: serializers.PrimaryKeyRelatedField[Area] = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True
    )
    needs: serializers.PrimaryKeyRelatedField[Need] = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True
    )
    contract = serializers.SerializerMethodField()
    available_transitions = serializers.SerializerMethodField()
    amendments = TenderAmendmentSerializer(many=True, read_only=True)
    questions_until = serializers.DateTimeField(
        read_only=True,
        allow_null=True,
        help_text="When providers' questions close: MARKETPLACE_CLARIFICATION_DAYS before the bid "
        "deadline, or the midpoint of the bidding period if later; null for a draft.",
    )

    class Meta:
        model = Tender
        fields = [
            "id",
            "bureau",
            "title",
            "description",
            "catalogue_item",
            "budget_line",
            "areas",
            "needs",
            "initiative_reason",
            "beneficiaries",
            "ceiling_amount",
            "currency",
            "bid_deadline",
            "service_start",
            "service_end",
            "multi_year_justification",
            "kpis",
            "criteria",
            "payment_schedule",
            "score_weights",
            "min_bids",
            "standstill_days",
            "renewal_allowed",
            "status",
            "available_transitions",
            "committed_amount",
            "published_at",
            "closed_at",
            "proposed_bid",
            "standstill_until",
            "awarded_at",
            "cancel_reason",
            "contract",
            "amendments",
            "questions_until",
            "created_at",
            "updated_at",
        ]

    def get_score_weights(self, tender: Tender) -> dict[str, Any]:
        # ScoreWeightsSerializer's representation, without building a serializer per tender
        return {
            key: _WEIGHT.to_representation(value)
            for key, value in ScoreWeights.of_tender(tender).as_dict().items()
        }

    def get_contract(self, tender: Tender) -> int | None:
        contract = getattr(tender, "contract", None)
        return contract.id if contract else None

    def get_available_transitions(self, tender: Tender) -> list[str]:
        return transitions_available(self.context["request"].user, tender, TENDER_TRANSITIONS)


class CancelInputSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=REASON_MAX_LENGTH)


class AwardInputSerializer(serializers.Serializer[Any]):
    bid = serializers.IntegerField(min_value=1)


class QuestionInputSerializer(serializers.Serializer[Any]):
    text = serializers.CharField(max_length=QUESTION_MAX_LENGTH)


class AnswerInputSerializer(serializers.Serializer[Any]):
    answer = serializers.CharField(max_length=ANSWER_MAX_LENGTH)


class QuestionSerializer(serializers.ModelSerializer[Question]):
    class Meta:
        model = Question
        fields = ["id", "tender", "text", "answer", "asked_at", "answered_at"]


class BureauQuestionSerializer(QuestionSerializer):
    """The bureau also sees who asked."""

    asker_organization: serializers.PrimaryKeyRelatedField[Organization] = serializers.PrimaryKeyRelatedField(
        read_only=True
    )

    class Meta(QuestionSerializer.Meta):
        fields = [*QuestionSerializer.Meta.fields, "asker_organization"]


class DeclarationsSerializer(serializers.Serializer[Any]):
    eligibility = serializers.BooleanField(required=False)
    no_double_funding = serializers.BooleanField(required=False)
    no_conflict = serializers.BooleanField(required=False)


class BidInputSerializer(serializers.Serializer[Any]):
    provider = serializers.PrimaryKeyRelatedField(
        queryset=Organization.objects.filter(kind=Organization.Kind.PROVIDER), required=False
    )
    price_amount = amount_field()
    technical_proposal = serializers.CharField(max_length=TECHNICAL_PROPOSAL_MAX_LENGTH)
    staffing_plan = serializers.CharField(max_length=STAFFING_PLAN_MAX_LENGTH)
    declarations = DeclarationsSerializer(required=False, default=dict)


class BidPatchSerializer(serializers.Serializer[Any]):
    price_amount = amount_field(required=False)
    technical_proposal = serializers.CharField(max_length=TECHNICAL_PROPOSAL_MAX_LENGTH, required=False)
    staffing_plan = serializers.CharField(max_length=STAFFING_PLAN_MAX_LENGTH, required=False)
    declarations = DeclarationsSerializer(required=False)


class CriterionScoreSerializer(serializers.Serializer[Any]):
    criterion = serializers.IntegerField()
    name = serializers.CharField()
    weight = serializers.IntegerField()
    score = serializers.DecimalField(
        max_digits=6, decimal_places=2, help_text="The panel's mean score × weight / 100."
    )


STANDING_HELP = "Null before the tender's award notice (and for a bid that is not ranked)."


class BidSerializer(serializers.ModelSerializer[Bid]):
    declarations = serializers.SerializerMethodField()
    # The bid's own standing once the award notice is published (docs/rules.md §17.4).
    price_score = serializers.SerializerMethodField(help_text=STANDING_HELP)
    quality_score = serializers.SerializerMethodField(help_text=STANDING_HELP)
    total = serializers.SerializerMethodField(help_text=STANDING_HELP)
    rank = serializers.SerializerMethodField(help_text=STANDING_HELP)
    quality_scores = serializers.SerializerMethodField(
        help_text="The quality score per criterion (empty before the award notice)."
    )
    available_transitions = serializers.SerializerMethodField()
    # the stored content did not match the receipt when the bid was opened (``bid_open``)
    tampered = serializers.BooleanField(source="is_tampered", read_only=True)
    receipt_reference = serializers.SerializerMethodField(
        help_text="The receipt's first 10 characters, upper-case, grouped: 3F2A9-C81D0 (empty for a draft)."
    )

    class Meta:
        model = Bid
        fields = [
            "id",
            "tender",
            "provider",
            "price_amount",
            "technical_proposal",
            "staffing_plan",
            "declarations",
            "status",
            "available_transitions",
            "receipt",
            "receipt_reference",
            "tampered",
            "submitted_at",
            "disqualification_reason",
            "price_score",
            "quality_score",
            "total",
            "rank",
            "quality_scores",
            "created_at",
            "updated_at",
        ]

    def get_declarations(self, bid: Bid) -> dict[str, Any]:
        return DeclarationsSerializer(bid.declarations).data

    def _standing(self, bid: Bid) -> RankingRow | None:
        """``own_standing``, one ranking per tender and one answer per bid for the whole response."""
        context = cast(dict[str, Any], self.context)  # one dict for the whole response, list or detail
        standings = context.setdefault("standings", {})
        if bid.pk not in standings:
            standings[bid.pk] = None
            noticed = context.setdefault("noticed", {})
            if bid.is_opened and bid.tender_id not in noticed:
                noticed[bid.tender_id] = has_award_notice(bid.tender_id)
            if bid.is_opened and noticed[bid.tender_id]:
                rankings = context.setdefault("rankings", {})
                if bid.tender_id not in rankings:
                    rankings[bid.tender_id] = ranking_of(bid.tender)
                standings[bid.pk] = own_standing(bid, rankings[bid.tender_id])
        standing: RankingRow | None = standings[bid.pk]
        return standing

    @extend_schema_field(serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True))
    def get_price_score(self, bid: Bid) -> str | None:
        row = self._standing(bid)
        return f"{row.price_score:.2f}" if row else None

    @extend_schema_field(serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True))
    def get_quality_score(self, bid: Bid) -> str | None:
        row = self._standing(bid)
        return f"{row.quality_score:.2f}" if row else None

    @extend_schema_field(serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True))
    def get_total(self, bid: Bid) -> str | None:
        row = self._standing(bid)
        return f"{row.total:.2f}" if row else None

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_rank(self, bid: Bid) -> int | None:
        row = self._standing(bid)
        return row.rank if row else None

    @extend_schema_field(CriterionScoreSerializer(many=True))
    def get_quality_scores(self, bid: Bid) -> list[dict[str, Any]]:
        row = self._standing(bid)
        if row is None:
            return []
        by_tender = cast(dict[str, Any], self.context).setdefault("criteria", {})
        if bid.tender_id not in by_tender:  # one query per tender for the whole response
            by_tender[bid.tender_id] = {c.pk: c for c in bid.tender.criteria.all()}
        criteria = by_tender[bid.tender_id]
        rows = [
            {"criterion": pk, "name": criteria[pk].name, "weight": criteria[pk].weight, "score": score}
            for pk, score in row.quality_by_criterion.items()
            if pk in criteria
        ]
        return list(CriterionScoreSerializer(rows, many=True).data)

    def get_available_transitions(self, bid: Bid) -> list[str]:
        return transitions_available(self.context["request"].user, bid, BID_TRANSITIONS)

    def get_receipt_reference(self, bid: Bid) -> str:
        return receipt_reference(bid.receipt)


class DeclarationInputSerializer(serializers.Serializer[Any]):
    no_conflict = serializers.BooleanField()


class DeclarationSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    tender = serializers.IntegerField(source="tender_id")
    evaluator = serializers.IntegerField(source="evaluator_id")
    no_conflict = serializers.BooleanField()
    declared_at = serializers.DateTimeField()


class ScoreInputSerializer(serializers.Serializer[Any]):
    criterion = serializers.IntegerField(min_value=1)
    score = serializers.DecimalField(max_digits=5, decimal_places=2, min_value=SCORE_MIN, max_value=SCORE_MAX)


class ScoreSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    bid = serializers.IntegerField(source="bid_id")
    criterion = serializers.IntegerField(source="criterion_id")
    evaluator = serializers.IntegerField(source="evaluator_id")
    score = serializers.DecimalField(max_digits=5, decimal_places=2)
    scored_at = serializers.DateTimeField()


class BidScoreEvaluatorSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    username = serializers.CharField()


class BidScoreEntrySerializer(serializers.Serializer[Any]):
    """One entry of a bid score: the criterion, the score, the score it replaced (null for the first),
    by whom and when (docs/rules.md §11, score history)."""

    id = serializers.IntegerField()
    bid = serializers.IntegerField(source="bid_id")
    criterion = serializers.IntegerField(source="criterion_id")
    criterion_name = serializers.CharField(source="criterion.name")
    score = serializers.DecimalField(max_digits=5, decimal_places=2)
    previous_score = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    by = BidScoreEvaluatorSerializer(source="evaluator")
    entered_at = serializers.DateTimeField()


class AwardStandingSerializer(serializers.Serializer[Any]):
    """One row of an award notice: an opened bid's provider, price, total and rank."""

    bid = serializers.IntegerField()
    provider = serializers.IntegerField()
    provider_name = serializers.CharField()
    price_amount = serializers.IntegerField()
    total = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    rank = serializers.IntegerField(allow_null=True)
    disqualified = serializers.BooleanField()


class AwardSerializer(serializers.ModelSerializer[Award]):
    provider_name = serializers.CharField(source="provider.name", read_only=True)
    standings = AwardStandingSerializer(many=True, read_only=True)

    class Meta:
        model = Award
        fields = [
            "id",
            "tender",
            "bid",
            "provider",
            "provider_name",
            "price_amount",
            "total",
            "rank",
            "notice_published_at",
            "challenge_until",
            "status",
            "decided_at",
            "standings",
        ]


class IndividualScoreSerializer(serializers.Serializer[Any]):
    criterion = serializers.IntegerField(source="criterion_id")
    evaluator = serializers.IntegerField(source="evaluator_id")
    score = serializers.DecimalField(max_digits=5, decimal_places=2)
    is_outlier = serializers.BooleanField(
        help_text="More than 2 SDs from the other evaluators' scores of this bid and criterion "
        "(docs/rules.md §17.7)."
    )
    others_mean = serializers.DecimalField(
        max_digits=5,
        decimal_places=2,
        allow_null=True,
        help_text="For an outlier, the mean of the other evaluators' scores it was compared with.",
    )


class RankingRowSerializer(serializers.Serializer[Any]):
    bid = serializers.IntegerField(source="bid.id")
    provider = serializers.IntegerField(source="bid.provider_id")
    provider_name = serializers.CharField(source="bid.provider.name")
    price_amount = serializers.IntegerField(source="bid.price_amount")
    price_score = serializers.DecimalField(max_digits=6, decimal_places=2)
    quality_score = serializers.DecimalField(max_digits=6, decimal_places=2)
    total = serializers.DecimalField(max_digits=6, decimal_places=2)
    rank = serializers.IntegerField()
    is_fully_scored = serializers.BooleanField()
    tampered = serializers.BooleanField(source="bid.is_tampered")
    individual_scores = IndividualScoreSerializer(
        many=True,
        help_text="Each evaluator's scores: empty but for the tender's officers and the platform admin.",
    )
    has_outliers = serializers.BooleanField()


class ExclusionSerializer(serializers.ModelSerializer[Exclusion]):
    """An exclusion from bidding (docs/rules.md §17.6): public, with no person named."""

    provider_name = serializers.CharField(source="provider.name")
    bureau_name = serializers.CharField(source="bureau.name")
    contract = serializers.IntegerField(source="contract_ref")
    reason = ReasonField(help_text="Why, in the request's language (a system reason).")
    lift_reason = serializers.CharField(help_text="The officer's reason for lifting it, as typed.")
    in_force = serializers.BooleanField(source="is_in_force")
    available_transitions = serializers.SerializerMethodField()

    class Meta:
        model = Exclusion
        fields = [
            "id",
            "provider",
            "provider_name",
            "bureau",
            "bureau_name",
            "source",
            "source_id",
            "contract",
            "reason",
            "starts",
            "ends",
            "status",
            "in_force",
            "lifted_at",
            "lift_reason",
            "available_transitions",
        ]

    def get_available_transitions(self, exclusion: Exclusion) -> list[str]:
        return transitions_available(self.context["request"].user, exclusion, EXCLUSION_TRANSITIONS)


class LiftInputSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=REASON_MAX_LENGTH)
