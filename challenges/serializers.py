from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from common.schema import closed_schema
from common.transitions import transitions_available

from .models import (
    GROUNDS_MAX_LENGTH,
    REASONING_MAX_LENGTH,
    REPLY_MAX_LENGTH,
    Challenge,
    Complaint,
    Decision,
    Remedy,
)
from .permissions import CHALLENGE_TRANSITIONS, COMPLAINT_TRANSITIONS


class ChallengeInputSerializer(serializers.Serializer[Any]):
    grounds = serializers.CharField(max_length=GROUNDS_MAX_LENGTH)


class ReplyInputSerializer(serializers.Serializer[Any]):
    decision = serializers.ChoiceField(choices=Decision.choices)
    reply = serializers.CharField(max_length=REPLY_MAX_LENGTH)
    remedy = serializers.ChoiceField(
        choices=Remedy.choices, required=False, allow_blank=True, default="", help_text="Upheld only."
    )


class ComplaintInputSerializer(serializers.Serializer[Any]):
    grounds = serializers.CharField(max_length=GROUNDS_MAX_LENGTH)


class DecideInputSerializer(serializers.Serializer[Any]):
    decision = serializers.ChoiceField(choices=Decision.choices)
    reasoning = serializers.CharField(max_length=REASONING_MAX_LENGTH)
    remedy = serializers.ChoiceField(
        choices=Remedy.choices, required=False, allow_blank=True, default="", help_text="Upheld only."
    )


@closed_schema
class PublicChallengeSerializer(serializers.ModelSerializer[Challenge]):
    """What the public sees of a replied challenge: never who challenged."""

    complaint = serializers.SerializerMethodField()

    class Meta:
        model = Challenge
        fields = [
            "id",
            "tender",
            "award",
            "grounds",
            "status",
            "submitted_at",
            "reply_due",
            "reply",
            "remedy",
            "replied_at",
            "complaint",
        ]

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_complaint(self, challenge: Challenge) -> int | None:
        complaint = challenge.complaint_or_none
        return complaint.pk if complaint is not None else None


class ChallengeSerializer(PublicChallengeSerializer):
    """The parties (the bureau, the challenger, the review body) and the admin see the whole file."""

    provider_name = serializers.CharField(source="provider.name", read_only=True)
    complaint_until = serializers.DateTimeField(read_only=True, allow_null=True)
    available_transitions = serializers.SerializerMethodField()

    class Meta(PublicChallengeSerializer.Meta):
        fields = [
            *PublicChallengeSerializer.Meta.fields,
            "bid",
            "provider",
            "provider_name",
            "submitted_by",
            "replied_by",
            "complaint_until",
            "available_transitions",
        ]

    def get_available_transitions(self, challenge: Challenge) -> list[str]:
        return transitions_available(self.context["request"].user, challenge, CHALLENGE_TRANSITIONS)


@closed_schema
class PublicComplaintSerializer(serializers.ModelSerializer[Complaint]):
    """What the public sees of a decided complaint: never who complained."""

    tender = serializers.IntegerField(source="challenge.tender_id", read_only=True)
    review_body_name = serializers.CharField(source="review_body.name", read_only=True)

    class Meta:
        model = Complaint
        fields = [
            "id",
            "challenge",
            "tender",
            "review_body",
            "review_body_name",
            "grounds",
            "status",
            "submitted_at",
            "decide_due",
            "reasoning",
            "remedy",
            "decided_at",
        ]


class ComplaintSerializer(PublicComplaintSerializer):
    provider = serializers.IntegerField(source="challenge.provider_id", read_only=True)
    provider_name = serializers.CharField(source="challenge.provider.name", read_only=True)
    available_transitions = serializers.SerializerMethodField()

    class Meta(PublicComplaintSerializer.Meta):
        fields = [
            *PublicComplaintSerializer.Meta.fields,
            "provider",
            "provider_name",
            "submitted_by",
            "decided_by",
            "available_transitions",
        ]

    def get_available_transitions(self, complaint: Complaint) -> list[str]:
        return transitions_available(self.context["request"].user, complaint, COMPLAINT_TRANSITIONS)
