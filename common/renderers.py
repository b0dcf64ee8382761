"""The API's JSON renderer: DRF's, with the encoding done by orjson, which encodes faster than the
standard library (how much that saves a request depends on the answer; ``make bench`` measures the
list). The JSON is equivalent, not byte-identical: compact and UTF-8 like DRF's, but U+2028 and
U+2029 are written as they are instead of escaped, and a float NaN or infinity is written as
``null`` where DRF's strict encoder refuses it. Whatever orjson does not know (lazy
translations, Decimals) and dates and times go through DRF's own encoder; with ``indent`` asked
for, DRF's renderer writes the whole answer."""

from typing import Any

import orjson
from rest_framework.renderers import JSONRenderer
from rest_framework.utils.encoders import JSONEncoder

_fallback = JSONEncoder().default
# Dates and times as DRF writes them (its encoder), dict keys that are not strings as json does.
_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_NON_STR_KEYS


class ORJSONRenderer(JSONRenderer):
    def render(
        self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None
    ) -> bytes:
        if data is None:
            return b""
        if self.get_indent(accepted_media_type or "", renderer_context or {}):  # ?indent asked for
            return super().render(data, accepted_media_type, renderer_context)
        return orjson.dumps(data, default=_fallback, option=_OPTIONS)
