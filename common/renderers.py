"""The API's JSON renderer: DRF's, with the encoding done by orjson (several times faster than the
standard library on a page of 50 tenders). The output is the same JSON: compact, UTF-8; whatever
orjson does not know or would write otherwise (lazy translations, Decimals, dates and times) goes
through DRF's own encoder."""

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
