"""Representations of residents' needs (docs/rules.md §22). The public sees the need, its council's
decision and its status; who proposed it never (``may_see_proposer`` adds it for the proposer's
household and the council), the minutes only the council."""

from typing import Any

from rest_framework import serializers

from common.api import MAX_ID
from common.transitions import transitions_available
from orgs.permissions import is_platform_admin

from .models import (
    DESCRIPTION_MAX_LENGTH,
    EXPLANATION_MAX_LENGTH,
    MINUTES_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    Deliberation,
    Need,
)
from .permissions import NEED_TRANSITIONS, is_council_member


class CommunitySerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()


class DeliberationSerializer(serializers.ModelSerializer[Deliberation]):
    class Meta:
        model = Deliberation
        fields = ["held_on", "votes_for", "votes_against", "decision", "reason", "explanation"]


class CouncilDeliberationSerializer(DeliberationSerializer):
    class Meta(DeliberationSerializer.Meta):
        fields = [*DeliberationSerializer.Meta.fields, "minutes", "recorded_at"]


class NeedSerializer(serializers.ModelSerializer[Need]):
    community = CommunitySerializer(read_only=True)
    deliberation = serializers.SerializerMethodField()
    available_transitions = serializers.SerializerMethodField()

    class Meta:
        model = Need
        fields = [
            "id",
            "community",
            "title",
            "description",
            "catalogue_item",
            "status",
            "supporters",
            "submitted_at",
            "deliberation",
            "available_transitions",
        ]

    def _user(self) -> Any:
        request = self.context.get("request")
        return getattr(request, "user", None)

    def get_deliberation(self, need: Need) -> dict[str, Any] | None:
        deliberation = getattr(need, "deliberation", None)
        if deliberation is None:
            return None
        council = is_platform_admin(self._user()) or is_council_member(self._user(), need)
        serializer = CouncilDeliberationSerializer if council else DeliberationSerializer
        data: dict[str, Any] = serializer(deliberation).data
        return data

    def get_available_transitions(self, need: Need) -> list[str]:
        user = self._user()
        if user is None or not user.is_authenticated:
            return []
        return transitions_available(user, need, NEED_TRANSITIONS)


class NeedInputSerializer(serializers.Serializer[Any]):
    title = serializers.CharField(max_length=TITLE_MAX_LENGTH)
    description = serializers.CharField(max_length=DESCRIPTION_MAX_LENGTH)
    catalogue_item = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=MAX_ID)


class DeliberateInputSerializer(serializers.Serializer[Any]):
    held_on = serializers.DateField()
    minutes = serializers.CharField(max_length=MINUTES_MAX_LENGTH)
    votes_for = serializers.IntegerField(min_value=0, max_value=100000)
    votes_against = serializers.IntegerField(min_value=0, max_value=100000)
    decision = serializers.ChoiceField(choices=Deliberation.Decision.choices)
    reason = serializers.ChoiceField(
        choices=Need.RejectionReason.choices, required=False, allow_blank=True, default=""
    )
    explanation = serializers.CharField(
        max_length=EXPLANATION_MAX_LENGTH, required=False, allow_blank=True, default=""
    )
