"""Small shared pieces of the API layer."""

from typing import Any

from rest_framework import serializers, viewsets

from .reasons import REASON_MAX_LENGTH

# The largest primary key a database holds (BigAutoField): an id in a body above it is a 400, never a
# query that overflows the driver (SQLite raises OverflowError on a Python int above 2**63 - 1).
MAX_ID = 2**63 - 1


class ReadViewSet(viewsets.GenericViewSet[Any]):
    """Ids in URLs are integers: anything else is a plain 404, never a 500."""

    lookup_value_regex = r"[0-9]+"

    def input(self, serializer_class: type[serializers.Serializer[Any]], **kwargs: Any) -> dict[str, Any]:
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context(), **kwargs)
        serializer.is_valid(raise_exception=True)
        data: dict[str, Any] = serializer.validated_data
        return data

    def output(self, serializer_class: type[serializers.Serializer[Any]], instance: Any) -> Any:
        return serializer_class(instance, context=self.get_serializer_context()).data


class ReasonSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=REASON_MAX_LENGTH, allow_blank=True, required=False, default="")
