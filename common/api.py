"""Small shared pieces of the API layer."""

from typing import Any

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


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, allow_blank=True, required=False, default="")
