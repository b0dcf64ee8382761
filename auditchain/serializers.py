from rest_framework import serializers


class LogHeadSerializer(serializers.Serializer[dict[str, object]]):
    sequence = serializers.IntegerField(help_text="How many entries the chain has (sealed).")
    hash = serializers.CharField(help_text="SHA-256 of the last entry, lowercase hex (64 zeros: empty).")
    at = serializers.DateTimeField(allow_null=True, help_text="When the last entry was recorded.")
    pending = serializers.IntegerField(
        help_text="Entries appended but not sealed yet: chained within moments of their commit."
    )
