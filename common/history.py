"""Transition timelines (django-fsm-log StateLog) for the ``history/`` endpoints and the pages, with
each reason shown in the reader's language."""

import functools
import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Model, QuerySet
from django.utils import translation
from django.utils.translation import gettext
from django_fsm_log.models import StateLog
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .reasons import REASONS, Reason

_PLACEHOLDER = re.compile(r"%\((?P<name>\w+)\)(?P<kind>[sd])")


def history_of(instance: Model) -> QuerySet[StateLog]:
    logs: QuerySet[StateLog] = (
        StateLog.objects.for_(instance).select_related("by").order_by("timestamp", "id")
    )
    return logs


@dataclass(frozen=True)
class ReasonDisplay:
    code: str | None  # the system reason's stable code; None for a reason a person typed
    text: str  # in the active language


def _pattern(template: str) -> re.Pattern[str]:
    """A regular expression that matches ``template`` with its placeholders filled in."""
    parts, position = [], 0
    for match in _PLACEHOLDER.finditer(template):
        parts.append(re.escape(template[position : match.start()]))
        value = r"-?\d+" if match["kind"] == "d" else r"\S+"  # values are numbers and references
        parts.append(f"(?P<{match['name']}>{value})")
        position = match.end()
    parts.append(re.escape(template[position:]))
    return re.compile("".join(parts), re.DOTALL)


@functools.cache
def _known_texts() -> list[tuple[re.Pattern[str], Reason]]:
    """Each system reason as stored: its English text, and its text in each of our languages (a few
    were stored translated before reasons had codes)."""
    known: list[tuple[re.Pattern[str], Reason]] = []
    for reason in REASONS.values():
        texts = {str(reason)}
        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                texts.add(gettext(reason))
        known.extend((_pattern(text), reason) for text in texts)
    # exact texts before templates, so "payment order issued" is never read as "payment %(payment)s"
    return sorted(known, key=lambda item: item[0].groups > 0)


def reason_display(description: str | None) -> ReasonDisplay:
    """What a stored transition reason says in the active language: a system reason (``Reason``,
    with or without values) is translated; a reason a person typed is shown as typed."""
    if not description:
        return ReasonDisplay(code=None, text="")
    for pattern, reason in _known_texts():
        match = pattern.fullmatch(description)
        if match is None:
            continue
        values: dict[str, Any] = {
            name: int(value) if f"%({name})d" in reason else value
            for name, value in match.groupdict().items()
        }
        text = gettext(reason)
        return ReasonDisplay(code=reason.code, text=text % values if values else text)
    return ReasonDisplay(code=None, text=description)


def reason_text(description: str | None) -> str:
    return reason_display(description).text


class ReasonField(serializers.CharField):
    """A stored reason, rendered in the request's language (``reason_display``)."""

    def to_representation(self, value: Any) -> str:
        return reason_text(value)


class StateLogSerializer(serializers.Serializer[StateLog]):
    transition = serializers.CharField()
    source_state = serializers.CharField(allow_null=True)
    state = serializers.CharField()
    at = serializers.DateTimeField(source="timestamp")
    by = serializers.SerializerMethodField()
    reason = serializers.SerializerMethodField(
        help_text="The reason in the request's language: a system reason translated, a typed one as typed."
    )
    reason_code = serializers.SerializerMethodField(
        help_text="The system reason's stable code, or null for a reason a person typed (or none)."
    )

    def get_by(self, log: StateLog) -> dict[str, Any] | None:
        if log.by is None or not self.context.get("show_actors"):
            return None
        return {"id": log.by.id, "username": log.by.username}

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_reason(self, log: StateLog) -> str | None:
        return reason_text(log.description) if log.description else log.description

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_reason_code(self, log: StateLog) -> str | None:
        return reason_display(log.description).code
