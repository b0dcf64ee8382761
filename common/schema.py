"""The OpenAPI schema says what the API does (docs/rules.md §16): every operation documents, besides its
success, the error envelope ``{"code", "message", "extra"}`` for each status it can answer with,
and the stable codes each status carries.

Which statuses an operation documents follows from the view, so a new view is covered without
saying so: 400 where it reads a body or filters a list, 401 wherever credentials are read, 403
where a user must be signed in, 404 on routes with an id and on paginated lists (a page past the
end), 409 on every write, 429 where a throttle applies. A view documents more with
``extend_schema(responses={…: error_response(409)})`` (``ranking/`` answers 409 ``bids_sealed``)."""

from typing import Any

from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import permissions, serializers

# The stable codes by status (docs/rules.md §16). tests/api/test_error_codes.py checks that every code the
# code base raises is listed here, so the schema lists them all.
ERROR_CODES: dict[int, tuple[str, ...]] = {
    400: (
        "invalid",
        "malformed_request",
        "invalid_credentials",
        "invalid_household_code",
        "invalid_phone",
        "phone_code_wrong",
        "invalid_signature",
        "invalid_event",
    ),
    401: ("not_authenticated", "authentication_failed"),
    403: (
        "permission_denied",
        "conflict_of_interest",
        "not_a_recipient",
        "not_a_resident",
        "resident_unconfirmed",
    ),
    404: ("not_found",),
    409: (
        "conflict",
        "invalid_transition",
        "not_editable",
        "already_answered",
        "already_declared",
        "already_rated",
        "already_reported",
        "already_signed",
        "appeal_window_open",
        "bidding_closed",
        "bids_sealed",
        "budget_insufficient",
        "code_recently_sent",
        "deadline_not_passed",
        "deadline_too_soon",
        "declaration_required",
        "declarations_required",
        "draft_exists",
        "duplicate_bid",
        "edit_window_closed",
        "household_full",
        "insufficient_ratings",
        "no_eligible_bid",
        "no_household_phone",
        "not_supported_by_gateway",
        "not_top_ranked",
        "payment_in_progress",
        "payout_account_not_ready",
        "phone_code_expired",
        "price_above_ceiling",
        "rating_window_closed",
        "report_missing",
        "scores_missing",
        "scoring_incomplete",
        "standstill_not_over",
    ),
    429: ("throttled", "account_locked", "address_locked"),
    503: ("gateway_unavailable",),
}


def _status_description(status: int) -> str:
    texts = {
        400: gettext(
            "Invalid input. Code `invalid` lists the messages by field in `extra.fields`; other codes: "
            "%(codes)s."
        ),
        401: gettext("Not authenticated: credentials are missing or not valid. Codes: %(codes)s."),
        403: gettext("Not allowed for the caller. Codes: %(codes)s."),
        404: gettext("Not found, or not visible to the caller. Codes: %(codes)s."),
        409: gettext("Not possible in the current state. Codes: %(codes)s."),
        429: gettext(
            "Too many requests: `extra.wait` or `extra.retry_after` says how many seconds to wait. "
            "Codes: %(codes)s."
        ),
        503: gettext(
            "A service the operation needs cannot be reached now; try again later. Codes: %(codes)s."
        ),
    }
    codes = ERROR_CODES[status]
    return texts[status] % {"codes": ", ".join(f"`{code}`" for code in codes)}


# Translated when the schema is rendered, in the caller's language.
status_description = lazy(_status_description, str)


# docs/rules.md §16
class ErrorSerializer(serializers.Serializer):
    """The error envelope of every refusal."""

    code = serializers.CharField(help_text=_("A stable code saying what went wrong (listed per status)."))
    message = serializers.CharField(help_text=_("What went wrong, in the caller's language."))
    extra = serializers.DictField(
        help_text=_(
            "Details: `fields` (field → messages) for invalid input; `wait` or `retry_after` (seconds) "
            "when throttled; otherwise empty."
        )
    )


_CLOSED_SERIALIZERS: set[type] = set()


def closed_schema(serializer_class: type) -> type:
    """Mark a response serializer as having exactly its fields (``additionalProperties: false``;
    its subclasses are not marked). A public summary is closed so that it promises to show no more,
    and so that a fuller representation never also matches it in a ``oneOf``."""
    _CLOSED_SERIALIZERS.add(serializer_class)
    return serializer_class


def error_response(status: int) -> OpenApiResponse:
    """The envelope as a documented response, for statuses a view adds with ``extend_schema``."""
    return OpenApiResponse(ErrorSerializer, description=status_description(status))


class AutoSchema(SpectacularAutoSchema):
    """drf-spectacular's AutoSchema, adding the error responses each operation can give."""

    def _get_response_bodies(self, direction: Any = "response") -> dict:
        responses = super()._get_response_bodies(direction)
        for status in self._error_statuses():
            code = str(status)
            documented = self._get_response_for_code(error_response(status), code)
            if code not in responses:
                responses[code] = documented
            elif "content" not in responses[code]:  # a view's own description, without the body
                description = f"{responses[code]['description']}\n\n{documented['description']}"
                responses[code] = {**documented, "description": description}
        return responses

    def _map_basic_serializer(self, serializer: Any, direction: Any) -> dict:
        schema = super()._map_basic_serializer(serializer, direction)
        serializer_class = serializer if isinstance(serializer, type) else type(serializer)
        if direction == "response" and serializer_class in _CLOSED_SERIALIZERS:
            schema["additionalProperties"] = False
        return schema

    def _error_statuses(self) -> list[int]:
        view = self.view
        is_write = self.method not in permissions.SAFE_METHODS
        statuses = []
        if (is_write and self._get_request_body()) or (not is_write and self._filters_list()):
            statuses.append(400)
        if view.get_authenticators():
            statuses.append(401)
        if self._requires_user():
            statuses.append(403)
        if self._path_has_id() or self._is_paginated_list():
            statuses.append(404)
        if is_write:
            statuses.append(409)
        if view.get_throttles():
            statuses.append(429)
        return statuses

    def _filters_list(self) -> bool:
        view = self.view
        has_filters = getattr(view, "filterset_class", None) or getattr(view, "filterset_fields", None)
        return bool(has_filters and getattr(view, "filter_backends", None)) and self._is_list_view()

    def _requires_user(self) -> bool:
        """Whether the permissions ask for a signed-in user here, so a signed-in one may be refused."""
        open_to_anyone: tuple[type, ...] = (permissions.AllowAny,)
        if self.method in permissions.SAFE_METHODS:
            open_to_anyone = (permissions.AllowAny, permissions.IsAuthenticatedOrReadOnly)
        return any(not isinstance(each, open_to_anyone) for each in self.view.get_permissions())

    def _path_has_id(self) -> bool:
        return "{" in self.path

    def _is_paginated_list(self) -> bool:
        return self.method == "GET" and self._is_list_view() and self._get_paginator() is not None
