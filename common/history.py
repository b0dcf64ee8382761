"""Transition timelines (django-fsm-log StateLog) for the ``history/`` endpoints."""

from django.db.models import Model, QuerySet
from django_fsm_log.models import StateLog
from rest_framework import serializers


def history_of(instance: Model) -> QuerySet[StateLog]:
    return StateLog.objects.for_(instance).select_related("by").order_by("timestamp", "id")


class StateLogSerializer(serializers.Serializer):
    transition = serializers.CharField()
    source_state = serializers.CharField(allow_null=True)
    state = serializers.CharField()
    at = serializers.DateTimeField(source="timestamp")
    by = serializers.SerializerMethodField()
    reason = serializers.CharField(source="description", allow_null=True)

    def get_by(self, log: StateLog) -> dict | None:
        if log.by is None or not self.context.get("show_actors"):
            return None
        return {"id": log.by.id, "username": log.by.username}
