from decimal import Decimal
from typing import Any

import rules
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from common.api import MAX_ID
from common.history import ReasonField, StateLogSerializer
from common.transitions import transitions_available
from marketplace.components import ENTERED_COMPONENTS
from orgs.models import HOUSEHOLD_CODE_MAX_LENGTH

from .models import RATING_COMMENT_MAX_LENGTH, SURVEY_MAX_HOUSEHOLDS, Appeal, Evaluation, Rating, ScoreEntry
from .permissions import APPEAL_TRANSITIONS, EVALUATION_TRANSITIONS, RATING_TRANSITIONS
from .selectors import delivery_flags, tallies_of


class ChannelTallySerializer(serializers.Serializer[Any]):
    n = serializers.IntegerField()
    n_pos = serializers.IntegerField()
    positive_pct = serializers.CharField(allow_null=True)


class ByChannelSerializer(serializers.Serializer[Any]):
    online = ChannelTallySerializer()
    assisted = ChannelTallySerializer()


# --- The payment rule, the payout simulator and the public recomputation (docs/rules.md §11) ---------


class BandPieceSerializer(serializers.Serializer[Any]):
    letter = serializers.CharField()
    floor = serializers.DecimalField(max_digits=5, decimal_places=2)
    base = serializers.DecimalField(max_digits=6, decimal_places=4, help_text="f(S) at the band's floor")
    slope = serializers.DecimalField(
        max_digits=6, decimal_places=4, help_text="f(S) per point above the floor"
    )


class ScoreWeightsSerializer(serializers.Serializer[Any]):
    third_party = serializers.DecimalField(max_digits=4, decimal_places=2)
    buyer = serializers.DecimalField(max_digits=4, decimal_places=2)
    residents = serializers.DecimalField(max_digits=4, decimal_places=2)
    community = serializers.DecimalField(max_digits=4, decimal_places=2)


class PaymentRuleSerializer(serializers.Serializer[Any]):
    """A payment rule: what a contract froze at award, or the current rule for a tender."""

    formula_version = serializers.CharField()
    score_weights = ScoreWeightsSerializer(source="weights")
    bands = BandPieceSerializer(many=True, help_text="Highest floor first; f(S) = base + slope × (S − floor)")
    prior_weight = serializers.IntegerField(help_text="k")
    prior = serializers.DecimalField(max_digits=5, decimal_places=4, help_text="p0")
    sample_min = serializers.IntegerField(help_text="n_min = min(N, max(sample_min, ceil(sample_share × N)))")
    sample_share = serializers.DecimalField(max_digits=5, decimal_places=4)


class ResidentsComponentSerializer(serializers.Serializer[Any]):
    n = serializers.IntegerField(allow_null=True)
    n_pos = serializers.IntegerField(allow_null=True)
    n_min = serializers.IntegerField(allow_null=True)
    score = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    method = serializers.CharField(allow_blank=True)
    # Counted ratings now, online and assisted side by side (docs/rules.md §10.6).
    by_channel = ByChannelSerializer()
    # The delivery signals, for the bureau and the assessor only (null for others; §11.10).
    answered = serializers.IntegerField(allow_null=True)
    not_received = serializers.IntegerField(allow_null=True)
    not_received_pct = serializers.CharField(allow_null=True)
    delivery_check_required = serializers.BooleanField(allow_null=True)


class FlaggedHouseholdSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    events = serializers.IntegerField()


class FlaggedEventSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    date = serializers.DateField()
    title = serializers.CharField()
    recipients_n = serializers.IntegerField()


class DeliveryFlagsSerializer(serializers.Serializer[Any]):
    sole_recipient_households = FlaggedHouseholdSerializer(many=True)
    all_not_received_events = FlaggedEventSerializer(many=True)


class EvaluationSerializer(serializers.ModelSerializer[Evaluation]):
    residents = serializers.SerializerMethodField()
    available_transitions = serializers.SerializerMethodField()
    payment_rule = serializers.SerializerMethodField()
    delivery_flags = serializers.SerializerMethodField()

    class Meta:
        model = Evaluation
        fields = [
            "id",
            "contract",
            "stage",
            "round",
            "status",
            "available_transitions",
            "third_party",
            "buyer",
            "community",
            "residents",
            "composite",
            "band",
            "release_pct",
            "survey_n",
            "survey_n_pos",
            "delivery_flags",
            "opened_at",
            "published_at",
            "appeal_until",
            "confirmed_at",
            "payment_rule",
        ]

    @extend_schema_field(PaymentRuleSerializer)
    def get_payment_rule(self, evaluation: Evaluation) -> dict[str, Any]:
        """The contract's frozen rule, which finalising applies."""
        return PaymentRuleSerializer(evaluation.contract.frozen_terms.rule).data

    @extend_schema_field(ResidentsComponentSerializer)
    def get_residents(self, evaluation: Evaluation) -> dict[str, Any]:
        tallies = tallies_of(evaluation)
        user = self.context["request"].user
        signals = rules.has_perm("evaluations.view_delivery_signals", user, evaluation)
        return ResidentsComponentSerializer(
            {
                "n": evaluation.residents_n,
                "n_pos": evaluation.residents_n_pos,
                "n_min": evaluation.residents_n_min,
                "score": evaluation.residents,
                "method": evaluation.residents_method,
                "by_channel": tallies["by_channel"],
                **{
                    name: tallies[name] if signals else None
                    for name in ("answered", "not_received", "not_received_pct", "delivery_check_required")
                },
            }
        ).data

    @extend_schema_field(DeliveryFlagsSerializer(allow_null=True))
    def get_delivery_flags(self, evaluation: Evaluation) -> dict[str, Any] | None:
        """For the bureau only (docs/rules.md §11.10); null for everyone else."""
        if not rules.has_perm("evaluations.view_delivery_flags", self.context["request"].user, evaluation):
            return None
        return DeliveryFlagsSerializer(delivery_flags(evaluation)).data

    def get_available_transitions(self, evaluation: Evaluation) -> list[str]:
        return transitions_available(self.context["request"].user, evaluation, EVALUATION_TRANSITIONS)


class ComponentScoreInputSerializer(serializers.Serializer[Any]):
    component = serializers.ChoiceField(choices=[component.value for component in ENTERED_COMPONENTS])
    score = serializers.DecimalField(
        max_digits=5, decimal_places=2, min_value=Decimal(0), max_value=Decimal(100)
    )


class SurveyInputSerializer(serializers.Serializer[Any]):
    n = serializers.IntegerField(min_value=1, max_value=SURVEY_MAX_HOUSEHOLDS)
    n_pos = serializers.IntegerField(min_value=0, max_value=SURVEY_MAX_HOUSEHOLDS)


@extend_schema_field(
    {"oneOf": [{"type": "integer", "minimum": 1, "maximum": 5}, {"type": "string", "enum": ["not_received"]}]}
)
class SatisfactionField(serializers.Field[int, Any, Any, Any]):
    """1–5, or "not_received" (stored as 0)."""

    default_error_messages = {"invalid": 'Give 1 to 5, or "not_received".'}

    def to_internal_value(self, data: Any) -> int:
        if data == "not_received":
            not_received: int = Rating.NOT_RECEIVED
            return not_received
        if isinstance(data, bool):
            self.fail("invalid")
        try:
            value = int(data)
        except (TypeError, ValueError):
            self.fail("invalid")
        if not 1 <= value <= 5 or str(value) != str(data).strip():
            self.fail("invalid")
        return value

    def to_representation(self, value: int) -> int | str:
        return "not_received" if value == Rating.NOT_RECEIVED else value


class RatingInputSerializer(serializers.Serializer[Any]):
    contract = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    satisfaction = SatisfactionField()
    resolved = serializers.ChoiceField(choices=Rating.Resolved.choices)
    comment = serializers.CharField(
        max_length=RATING_COMMENT_MAX_LENGTH, allow_blank=True, required=False, default=""
    )


class RatingPatchSerializer(serializers.Serializer[Any]):
    satisfaction = SatisfactionField(required=False)
    resolved = serializers.ChoiceField(choices=Rating.Resolved.choices, required=False)
    comment = serializers.CharField(max_length=RATING_COMMENT_MAX_LENGTH, allow_blank=True, required=False)


class RatingSerializer(serializers.ModelSerializer[Rating]):
    satisfaction = SatisfactionField()
    household = serializers.CharField(source="household.code")
    available_transitions = serializers.SerializerMethodField()
    quarantine_reason = ReasonField(read_only=True)
    receipt = serializers.SerializerMethodField()

    class Meta:
        model = Rating
        fields = [
            "id",
            "receipt",
            "contract",
            "evaluation",
            "household",
            "satisfaction",
            "resolved",
            "comment",
            "channel",
            "method",
            "collector",
            "status",
            "quarantine_reason",
            "available_transitions",
            "created_at",
            "updated_at",
        ]

    def get_available_transitions(self, rating: Rating) -> list[str]:
        return transitions_available(self.context["request"].user, rating, RATING_TRANSITIONS)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_receipt(self, rating: Rating) -> str | None:
        """The receipt to check the rating with (``ratings/receipts/{receipt}/``): its rater's only."""
        return rating.receipt if self.context["request"].user.pk == rating.rater_id else None


class RatingReceiptSerializer(serializers.Serializer[Any]):
    """What a receipt says publicly (docs/rules.md §24): never the rating, household or person."""

    receipt = serializers.CharField()
    evaluation = serializers.IntegerField()
    stage = serializers.CharField()
    round = serializers.IntegerField()
    contract = serializers.IntegerField()
    contract_title = serializers.CharField()
    status = serializers.ChoiceField(choices=["counted", "quarantined", "excluded"])


class RateableSerializer(serializers.Serializer[Any]):
    contract = serializers.IntegerField(source="contract.id")
    title = serializers.CharField(source="contract.title")
    provider = serializers.CharField(source="contract.provider.name")
    evaluation = serializers.IntegerField(source="evaluation.id")
    stage = serializers.CharField(source="evaluation.stage")


class SatisfactionSerializer(serializers.Serializer[Any]):
    count = serializers.IntegerField()
    hidden = serializers.BooleanField()
    positive_pct = serializers.CharField(allow_null=True)
    distribution = serializers.DictField(child=serializers.IntegerField(), allow_null=True)
    resolved = serializers.DictField(child=serializers.IntegerField(), allow_null=True)


def _score_field(**kwargs: Any) -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=5, decimal_places=2, min_value=Decimal(0), max_value=Decimal(100), **kwargs
    )


class ClaimedScoresSerializer(serializers.Serializer[Any]):
    """Component scores by key (0–100, two decimals); only those given are disputed."""

    third_party = _score_field(required=False)
    buyer = _score_field(required=False)
    residents = _score_field(required=False)
    community = _score_field(required=False)


class AppealInputSerializer(serializers.Serializer[Any]):
    grounds = serializers.CharField(max_length=5000)
    claimed = ClaimedScoresSerializer()


class AppealDecisionInputSerializer(serializers.Serializer[Any]):
    decision = serializers.ChoiceField(choices=["upheld", "partly", "dismissed"])
    scores = ClaimedScoresSerializer(required=False)
    reasoning = serializers.CharField(max_length=5000)


class AppealSerializer(serializers.ModelSerializer[Appeal]):
    """An appeal as its parties see it (docs/rules.md §11.7): amounts in fen, empty until confirming
    or deciding moves them."""

    contract = serializers.IntegerField(source="evaluation.contract_id", read_only=True)
    claimed = serializers.SerializerMethodField()
    final = serializers.SerializerMethodField()
    available_transitions = serializers.SerializerMethodField()

    class Meta:
        model = Appeal
        fields = [
            "id",
            "evaluation",
            "contract",
            "status",
            "available_transitions",
            "grounds",
            "claimed",
            "published_composite",
            "claimed_composite",
            "review_body",
            "filed_at",
            "decided_at",
            "reasoning",
            "final",
            "final_composite",
            "holdback_amount",
            "released_at_confirmation",
            "held_amount",
            "withheld_at_confirmation",
            "released_on_decision",
            "returned_on_decision",
        ]

    @extend_schema_field(ClaimedScoresSerializer)
    def get_claimed(self, appeal: Appeal) -> dict[str, Any]:
        return {key: str(value) for key, value in appeal.claimed().items()}

    @extend_schema_field(ClaimedScoresSerializer)
    def get_final(self, appeal: Appeal) -> dict[str, Any]:
        return {key: str(value) for key, value in appeal.final().items()}

    def get_available_transitions(self, appeal: Appeal) -> list[str]:
        return transitions_available(self.context["request"].user, appeal, APPEAL_TRANSITIONS)


def _score_input() -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=5, decimal_places=2, min_value=Decimal(0), max_value=Decimal(100), required=True
    )


class PayoutQuerySerializer(serializers.Serializer[Any]):
    """The scores to simulate, each from 0 to 100 with at most two decimals."""

    t = _score_input()
    b = _score_input()
    r = _score_input()
    c = _score_input()


class PayoutSerializer(serializers.Serializer[Any]):
    composite = serializers.DecimalField(max_digits=5, decimal_places=2, help_text="S")
    band = serializers.CharField(source="band.letter")
    release_pct = serializers.DecimalField(max_digits=5, decimal_places=2, help_text="f(S) in %")
    holdback_amount = serializers.IntegerField(help_text="fen")
    release_amount = serializers.IntegerField(help_text="fen: round_half_up(holdback × f(S))")
    withheld_amount = serializers.IntegerField(help_text="fen")


class AppealRecomputationSerializer(serializers.Serializer[Any]):
    """After a decided appeal (docs/rules.md §11.7): the decided components and each step to S''
    with the same frozen rule; what the instalment releases in all at S'' and how much of it the
    decision added to what confirming released at S."""

    appeal = serializers.IntegerField(source="appeal.id")
    decided_at = serializers.DateTimeField(source="appeal.decided_at")
    third_party = serializers.DecimalField(max_digits=5, decimal_places=2, source="scores.t")
    buyer = serializers.DecimalField(max_digits=5, decimal_places=2, source="scores.b")
    residents = serializers.DecimalField(max_digits=5, decimal_places=2, source="scores.r")
    community = serializers.DecimalField(max_digits=5, decimal_places=2, source="scores.c")
    composite = serializers.DecimalField(max_digits=5, decimal_places=2, help_text="S'', rounded")
    band = serializers.CharField(source="band.letter")
    release_share = serializers.DecimalField(
        max_digits=7, decimal_places=4, source="share", help_text="f(S'')"
    )
    release_amount = serializers.IntegerField(help_text="fen released in all at S''")
    withheld_amount = serializers.IntegerField(help_text="fen returned to the budget")
    more_released = serializers.IntegerField(help_text="fen the decision released beyond S's release")


class ComputationSerializer(serializers.Serializer[Any]):
    """Every input of a published evaluation and each step to the money, so that anyone can
    recompute it (docs/rules.md §11)."""

    evaluation = serializers.IntegerField(source="evaluation.id")
    stage = serializers.CharField(source="evaluation.stage")
    method = serializers.CharField(help_text="online or survey: where n and n_pos come from")
    n = serializers.IntegerField()
    n_pos = serializers.IntegerField()
    n_min = serializers.IntegerField(allow_null=True)
    third_party = serializers.DecimalField(max_digits=5, decimal_places=2, source="t")
    buyer = serializers.DecimalField(max_digits=5, decimal_places=2, source="b")
    community = serializers.DecimalField(max_digits=5, decimal_places=2, source="c")
    residents = serializers.DecimalField(max_digits=5, decimal_places=2, help_text="R, rounded")
    composite = serializers.DecimalField(max_digits=5, decimal_places=2, help_text="S, rounded")
    band = serializers.CharField(source="band.letter")
    release_share = serializers.DecimalField(max_digits=7, decimal_places=4, source="share", help_text="f(S)")
    instalment_kind = serializers.CharField(help_text="holdback (final) or interim (midterm)")
    amount = serializers.IntegerField(help_text="fen")
    release_amount = serializers.IntegerField(help_text="fen")
    withheld_amount = serializers.IntegerField(help_text="fen")
    payment_rule = PaymentRuleSerializer(source="rule")
    after_appeal = AppealRecomputationSerializer(
        allow_null=True, help_text="The decided appeal's recomputation (S''), or null without one"
    )


class ActorSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    username = serializers.CharField()


class ScoreEntrySerializer(serializers.ModelSerializer[ScoreEntry]):
    """One entry of T, B, C or a sample survey: what was entered, what it replaced, by whom, when."""

    by = serializers.SerializerMethodField()

    class Meta:
        model = ScoreEntry
        fields = [
            "id",
            "kind",
            "score",
            "previous_score",
            "n",
            "n_pos",
            "previous_n",
            "previous_n_pos",
            "by",
            "entered_at",
        ]

    @extend_schema_field(ActorSerializer)
    def get_by(self, entry: ScoreEntry) -> dict[str, Any]:
        return {"id": entry.entered_by_id, "username": entry.entered_by.username}


class EvaluationHistorySerializer(serializers.Serializer[Any]):
    scores = ScoreEntrySerializer(
        many=True, help_text="Every entry of T, B, C and the sample survey, oldest first"
    )
    transitions = StateLogSerializer(many=True, help_text="Opened, published, confirmed")


class AssistedRatingInputSerializer(serializers.Serializer[Any]):
    household_code = serializers.CharField(max_length=HOUSEHOLD_CODE_MAX_LENGTH)
    satisfaction = SatisfactionField()
    resolved = serializers.ChoiceField(choices=Rating.Resolved.choices)
    comment = serializers.CharField(
        max_length=RATING_COMMENT_MAX_LENGTH, allow_blank=True, required=False, default=""
    )
    method = serializers.ChoiceField(choices=Rating.CollectionMethod.choices)
