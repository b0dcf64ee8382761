"""Small shared pieces of the API layer."""

from collections.abc import Mapping
from typing import Any

import rules
from django.db import models
from django_fsm import can_proceed
from rest_framework import serializers, viewsets


class ReadViewSet(viewsets.GenericViewSet):
    """Ids in URLs are integers: anything else is a plain 404, never a 500."""

    lookup_value_regex = r"[0-9]+"

    def input(self, serializer_class: type[serializers.Serializer], **kwargs: Any) -> dict:
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context(), **kwargs)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def output(self, serializer_class: type[serializers.Serializer], instance: Any) -> Any:
        return serializer_class(instance, context=self.get_serializer_context()).data


def transitions_available(
    user: Any, instance: models.Model, table: Mapping[str, tuple[str | None, str]]
) -> list[str]:
    """The verbs the user may use on the instance now: the FSM allows the transition from the
    current state (with its conditions) and the user has the permission. ``table`` maps each API
    verb to (transition method name or None, rules permission)."""
    available = []
    for verb, (method, perm) in table.items():
        if method is not None and not can_proceed(getattr(instance, method)):
            continue
        if rules.has_perm(perm, user, instance):
            available.append(verb)
    return available


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, allow_blank=True, required=False, default="")
