"""The API's JSON parser: DRF's, bounded in depth. No body of this API nests more than a few levels,
and a deeply nested one (``[[[[…`` a thousand deep) would otherwise exhaust Python's recursion limit
while parsing, or later while validating or storing it: a 500 anyone could trigger anonymously."""

import json
from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError

MAX_JSON_DEPTH = 32  # the deepest body of the API (a tender's terms) nests 4 levels


def json_depth_exceeds(value: Any, limit: int) -> bool:
    """Whether ``value`` nests lists and objects deeper than ``limit`` (walked without recursion)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Iterable[Any] = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


def json_loads_bounded(text: str | bytes, limit: int = MAX_JSON_DEPTH) -> Any:
    """``json.loads`` that raises ``ValueError`` for text nested deeper than ``limit``, however deep."""
    try:
        value = json.loads(text)
    except RecursionError as error:
        raise ValueError("JSON nested too deeply") from error
    if json_depth_exceeds(value, limit):
        raise ValueError("JSON nested too deeply")
    return value


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, turning a body nested deeper than ``MAX_JSON_DEPTH`` into a 400
    ``malformed_request`` (the error envelope) instead of a ``RecursionError``."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError as error:
            raise ParseError(_("JSON parse error - the body is nested too deeply.")) from error
        if json_depth_exceeds(data, MAX_JSON_DEPTH):
            raise ParseError(_("JSON parse error - the body is nested too deeply."))
        return data
