from typing import Any

from rest_framework import serializers

from common.money import MAX_AMOUNT
from common.reasons import REASON_MAX_LENGTH
from common.transitions import transitions_available
from marketplace.models import BudgetLine
from orgs.models import Organization

from .models import (
    DESCRIPTION_MAX_LENGTH,
    NAME_MAX_LENGTH,
    SCOPE_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    AdmissionItem,
    CommunityTask,
)
from .permissions import TASK_TRANSITIONS


class AdmissionItemSerializer(serializers.ModelSerializer[AdmissionItem]):
    bureau = serializers.PrimaryKeyRelatedField(
        queryset=Organization.objects.filter(kind=Organization.Kind.BUREAU),
        required=False,
        allow_null=True,
        help_text="The bureau whose list the item is on; empty: district-wide (platform admin only). "
        "A bureau admin's item is its bureau's.",
    )
    name = serializers.CharField(max_length=NAME_MAX_LENGTH)
    description = serializers.CharField(
        max_length=DESCRIPTION_MAX_LENGTH, allow_blank=True, required=False, default=""
    )
    funding_per_year = serializers.IntegerField(
        min_value=0, max_value=MAX_AMOUNT, required=False, allow_null=True, default=None, help_text="Fen."
    )

    class Meta:
        model = AdmissionItem
        fields = ["id", "bureau", "name", "description", "funding_per_year", "created_at"]
        read_only_fields = ["created_at"]


class CommunityTaskInputSerializer(serializers.Serializer[Any]):
    community = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.all())
    admission_item = serializers.PrimaryKeyRelatedField(
        queryset=AdmissionItem.objects.all(), required=False, allow_null=True, default=None
    )
    title = serializers.CharField(max_length=TITLE_MAX_LENGTH)
    scope = serializers.CharField(max_length=SCOPE_MAX_LENGTH)
    starts = serializers.DateField()
    ends = serializers.DateField()
    funding_amount = serializers.IntegerField(
        min_value=0, max_value=MAX_AMOUNT, help_text="Fen; 0 for a task sent without funding."
    )
    budget_line = serializers.PrimaryKeyRelatedField(queryset=BudgetLine.objects.all())


class RefuseInputSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=REASON_MAX_LENGTH, allow_blank=True, required=False, default="")


class ConfirmPaymentInputSerializer(serializers.Serializer[Any]):
    voucher_number = serializers.CharField(max_length=255, allow_blank=True)


class CommunityTaskSerializer(serializers.ModelSerializer[CommunityTask]):
    is_listed = serializers.BooleanField(read_only=True)
    is_funded = serializers.BooleanField(read_only=True)
    paid_amount = serializers.SerializerMethodField(help_text="Fen paid to the community so far.")
    available_transitions = serializers.SerializerMethodField()

    class Meta:
        model = CommunityTask
        fields = [
            "id",
            "bureau",
            "community",
            "admission_item",
            "title",
            "scope",
            "starts",
            "ends",
            "funding_amount",
            "budget_line",
            "status",
            "is_listed",
            "is_funded",
            "reason",
            "refusal_protected",
            "proposed_at",
            "decided_at",
            "funded_at",
            "completed_at",
            "paid_amount",
            "available_transitions",
        ]
        read_only_fields = fields

    def get_paid_amount(self, task: CommunityTask) -> int:
        disbursement = task.disbursement
        return disbursement.amount if disbursement is not None and disbursement.succeeded_at else 0

    def get_available_transitions(self, task: CommunityTask) -> list[str]:
        return transitions_available(self.context["request"].user, task, TASK_TRANSITIONS)


class WorkloadYearSerializer(serializers.Serializer[Any]):
    year = serializers.IntegerField()
    proposed = serializers.IntegerField(help_text="Tasks sent (not withdrawn) that start this year.")
    pending = serializers.IntegerField(help_text="Not answered yet.")
    accepted = serializers.IntegerField()
    refused = serializers.IntegerField()
    refused_protected = serializers.IntegerField(help_text="Refusals of unlisted or unfunded tasks.")
    funded_amount = serializers.IntegerField(help_text="Fen: the funding of the accepted tasks.")
    received_amount = serializers.IntegerField(help_text="Fen: what was paid to the community.")


class WorkloadSerializer(serializers.Serializer[Any]):
    community = serializers.IntegerField()
    name = serializers.CharField()
    years = WorkloadYearSerializer(many=True)
