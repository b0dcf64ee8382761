"""The OpenAPI schema says what the API does (docs/rules.md §16): every operation documents, besides its
success, the error envelope ``{"code", "message", "extra"}`` for each status it can answer with,
and the stable codes that operation can give under each status.

Which statuses an operation documents follows from the view, so a new view is covered without
saying so: 400 where it reads a body or filters a list, 401 wherever credentials are read, 403
where a user must be signed in, 404 on routes with an id and on paginated lists (a page past the
end), 409 on every write, 429 where a throttle applies; each with ``common.errors.CommonError``'s
codes of that status. The codes of the apps (``<app>/errors.py``) an operation can give are declared
on its view method with ``@error_codes(...)``, which adds them, and their statuses, to the
operation (``ranking/`` declares 409 ``bids_sealed``). tests/api/test_schema_says_what_it_does.py
checks every code raised is an app's enum member and that every code an operation answers with in
the suite is one it declares."""

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, TypeVar

from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import permissions, serializers

from .errors import CommonError, ErrorCode

# The codes any operation documenting a status may give with it (405, 406 and 415 are DRF's own,
# which no operation of ours means to answer).
GENERIC_CODES: dict[int, tuple[ErrorCode, ...]] = {
    400: (CommonError.INVALID, CommonError.MALFORMED_REQUEST),
    401: (CommonError.NOT_AUTHENTICATED, CommonError.AUTHENTICATION_FAILED),
    403: (CommonError.PERMISSION_DENIED,),
    404: (CommonError.NOT_FOUND,),
    409: (CommonError.INVALID_TRANSITION,),
    413: (),
    429: (CommonError.THROTTLED,),
    503: (),
}

Function = TypeVar("Function", bound=Callable[..., Any])


def error_codes(*codes: ErrorCode, method: str | None = None) -> Callable[[Function], Function]:
    """Declare on an API view method (a viewset's action, ``create``, ``list``…, or an APIView's
    ``get``/``post``) the app codes it can answer with, besides the generic ones of its statuses;
    ``method`` limits them to one HTTP method of an action that serves several."""

    def declare(function: Function) -> Function:
        declared = {**getattr(function, "error_codes", {}), (method or "*").upper(): tuple(codes)}
        function.error_codes = declared  # type: ignore[attr-defined]
        return function

    return declare


def declared_error_codes(view: Any, method: str) -> tuple[ErrorCode, ...]:
    """The codes ``@error_codes`` declares for ``view``'s operation of ``method`` (a viewset's
    ``partial_update`` falls back to its ``update``)."""
    action = getattr(view, "action", None) or method.lower()
    for name in (action, "update") if action == "partial_update" else (action,):
        declared = getattr(getattr(view, name, None), "error_codes", None)
        if declared is not None:
            codes: tuple[ErrorCode, ...] = declared.get(method.upper(), declared.get("*", ()))
            return codes
    return ()


def _status_description(status: int, codes: Iterable[str]) -> str:
    texts = {
        400: gettext(
            "Invalid input. Code `invalid` lists the messages by field in `extra.fields`; other codes: "
            "%(codes)s."
        ),
        401: gettext("Not authenticated: credentials are missing or not valid. Codes: %(codes)s."),
        403: gettext("Not allowed for the caller. Codes: %(codes)s."),
        404: gettext("Not found, or not visible to the caller. Codes: %(codes)s."),
        409: gettext("Not possible in the current state. Codes: %(codes)s."),
        413: gettext("The uploaded file is larger than the operation accepts. Codes: %(codes)s."),
        429: gettext(
            "Too many requests: `extra.wait` or `extra.retry_after` says how many seconds to wait. "
            "Codes: %(codes)s."
        ),
        503: gettext(
            "A service the operation needs cannot be reached now; try again later. Codes: %(codes)s."
        ),
    }
    return texts[status] % {"codes": ", ".join(f"`{code}`" for code in codes)}


# Translated when the schema is rendered, in the caller's language.
status_description = lazy(_status_description, str)


# docs/rules.md §16
class ErrorSerializer(serializers.Serializer[Any]):
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


def error_response(status: int, codes: Iterable[str]) -> OpenApiResponse:
    """The envelope as a documented response of ``status``, listing ``codes``."""
    return OpenApiResponse(ErrorSerializer, description=status_description(status, tuple(codes)))


class AutoSchema(SpectacularAutoSchema):
    """drf-spectacular's AutoSchema, adding the error responses each operation can give."""

    if TYPE_CHECKING:  # drf-spectacular leaves these hooks unannotated

        def _get_response_for_code(
            self, serializer: Any, status_code: str, media_types: Any = None, direction: Any = "response"
        ) -> dict[str, Any]: ...
        def _get_request_body(self, direction: str = "request") -> dict[str, Any] | None: ...
        def _get_paginator(self) -> Any: ...

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        for status, codes in self.error_codes().items():
            code = str(status)
            documented = self._get_response_for_code(error_response(status, codes), code)
            if code not in responses:
                responses[code] = documented
            elif "content" not in responses[code]:  # a view's own description, without the body
                description = f"{responses[code]['description']}\n\n{documented['description']}"
                responses[code] = {**documented, "description": description}
        return responses

    def error_codes(self) -> dict[int, list[str]]:
        """The operation's codes by status: the generic ones of each status the view implies, and
        the codes it declares (``@error_codes``) under theirs (a GET declaring ``bids_sealed``
        documents 409 with that code alone)."""
        declared = declared_error_codes(self.view, self.method)
        implied = set(self._error_statuses())
        codes: dict[int, list[str]] = {}
        for status in sorted(implied | {code.status for code in declared}):
            generic = GENERIC_CODES.get(status, ()) if status in implied else ()
            codes[status] = list(dict.fromkeys([*generic, *(c for c in declared if c.status == status)]))
        return codes

    def _map_basic_serializer(self, serializer: Any, direction: Any) -> dict[str, Any]:
        schema: dict[str, Any] = super()._map_basic_serializer(serializer, direction)  # type: ignore[no-untyped-call]  # drf-spectacular's own, unannotated
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
