"""One exception tree with stable codes, and the one DRF handler that renders every error as
``{"code", "message", "extra"}`` (docs/rules.md §16).

Each app lists the codes it raises in one enum (``<app>/errors.py``, a subclass of ``ErrorCode``);
``CommonError`` holds the codes any operation can give. Every raise names a member, never a bare
string, and each API operation declares the app codes it can answer with
(``common.schema.error_codes``), so the OpenAPI schema lists them per operation."""

import json
import math
from enum import StrEnum
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.defaults import page_not_found
from django_fsm import ConcurrentTransition
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler


class ErrorCode(StrEnum):
    """The base of every app's enum of error codes: a member's value is the stable code the API
    sends (never change one), ``status`` the HTTP status it comes with (409 unless given)."""

    status: int

    def __new__(cls, code: str, status: int = 409) -> "ErrorCode":
        member = str.__new__(cls, code)
        member._value_ = code
        member.status = status
        return member


class CommonError(ErrorCode):
    """The codes any operation may answer with, by the status each comes with."""

    INVALID = "invalid", 400
    MALFORMED_REQUEST = "malformed_request", 400
    NOT_AUTHENTICATED = "not_authenticated", 401
    AUTHENTICATION_FAILED = "authentication_failed", 401
    PERMISSION_DENIED = "permission_denied", 403
    NOT_FOUND = "not_found", 404
    METHOD_NOT_ALLOWED = "method_not_allowed", 405
    NOT_ACCEPTABLE = "not_acceptable", 406
    PAYLOAD_TOO_LARGE = "payload_too_large", 413
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type", 415
    CONFLICT = "conflict", 409
    INVALID_TRANSITION = "invalid_transition", 409
    THROTTLED = "throttled", 429


class ApplicationError(Exception):
    """A refusal by the domain. Services raise these; the API renders them."""

    status_code: int = status.HTTP_409_CONFLICT
    code: ErrorCode = CommonError.CONFLICT
    default_message: Any = _("The request conflicts with the current state.")

    def __init__(
        self, message: Any = None, *, code: ErrorCode | None = None, extra: dict[str, Any] | None = None
    ):
        self.message = str(message if message is not None else self.default_message)
        if code:
            self.code = code
        self.extra = extra or {}
        super().__init__(self.message)


class Conflict(ApplicationError):
    """409: the action is not possible in the current state."""


class InvalidTransition(Conflict):
    code = CommonError.INVALID_TRANSITION
    default_message = _("This action is not possible in the current state.")


class Forbidden(ApplicationError):
    status_code = status.HTTP_403_FORBIDDEN
    code = CommonError.PERMISSION_DENIED
    default_message = _("You do not have permission to perform this action.")


class NotFound(ApplicationError):
    status_code = status.HTTP_404_NOT_FOUND
    code = CommonError.NOT_FOUND
    default_message = _("Not found.")


class Invalid(ApplicationError):
    """400 with field errors, raised by services for input that only they can judge."""

    status_code = status.HTTP_400_BAD_REQUEST
    code = CommonError.INVALID
    default_message = _("Invalid input.")

    def __init__(self, fields: dict[str, Any], message: Any = None, *, code: ErrorCode | None = None):
        super().__init__(message, code=code, extra={"fields": fields})


class PayloadTooLarge(ApplicationError):
    """413: the request's body (an uploaded file) is larger than the operation accepts."""

    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    code = CommonError.PAYLOAD_TOO_LARGE
    default_message = _("The file is too large.")


_DRF_CODES = {
    exceptions.NotAuthenticated: CommonError.NOT_AUTHENTICATED,
    exceptions.AuthenticationFailed: CommonError.AUTHENTICATION_FAILED,
    exceptions.PermissionDenied: CommonError.PERMISSION_DENIED,
    exceptions.NotFound: CommonError.NOT_FOUND,
    exceptions.MethodNotAllowed: CommonError.METHOD_NOT_ALLOWED,
    exceptions.NotAcceptable: CommonError.NOT_ACCEPTABLE,
    exceptions.UnsupportedMediaType: CommonError.UNSUPPORTED_MEDIA_TYPE,
    exceptions.Throttled: CommonError.THROTTLED,
    exceptions.ParseError: CommonError.MALFORMED_REQUEST,
}


def _body(code: str, message: Any, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"code": str(code), "message": str(message), "extra": extra or {}}


# DRF's messages that speak of the program rather than to a person, by their code.
_FIELD_MESSAGES = {
    "incorrect_type": _("Give the ID of an existing item, as a number."),
}


def _for_people(detail: Any) -> Any:
    """Field errors in the request's language, each written for a person: DRF's own messages are
    translated already; the few that name Python types are replaced."""
    if isinstance(detail, dict):
        return {key: _for_people(value) for key, value in detail.items()}
    if isinstance(detail, list):
        return [_for_people(item) for item in detail]
    code = getattr(detail, "code", None)
    if code in _FIELD_MESSAGES:
        return exceptions.ErrorDetail(str(_FIELD_MESSAGES[code]), code=code)
    return detail


def _parse_error_message(error: ValueError) -> Any:
    """DRF appends the JSON decoder's English to its message; say it in the request's language."""
    if isinstance(error, json.JSONDecodeError):
        return _("The body is not valid JSON: check line %(line)d, column %(column)d.") % {
            "line": error.lineno,
            "column": error.colno,
        }
    return _("The body is not valid JSON.")


def _throttled_message(wait: int | None) -> Any:
    """DRF fills in the number before translating, so its "Expected available in …" stays English."""
    if not wait:
        return _("Too many requests. Try again later.")
    return ngettext(
        "Too many requests. Try again in %(wait)d second.",
        "Too many requests. Try again in %(wait)d seconds.",
        wait,
    ) % {"wait": wait}


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, ConcurrentTransition):  # a missed row lock: refuse, never a 500
        exc = InvalidTransition()
    request = context.get("request")
    is_anonymous = request is not None and not getattr(request.user, "is_authenticated", False)
    if isinstance(exc, Forbidden) and is_anonymous:
        exc = exceptions.NotAuthenticated()
    elif isinstance(exc, ApplicationError):
        retry_after = exc.extra.get("retry_after")
        headers = {"Retry-After": str(retry_after)} if retry_after else None
        return Response(_body(exc.code, exc.message, exc.extra), status=exc.status_code, headers=headers)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    if isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    if isinstance(exc, RequestDataTooBig):  # Django's own limit on the fields of a form body
        exc = exceptions.ParseError(_("The form's fields are too large to read."))
    if isinstance(exc, exceptions.ParseError) and isinstance(exc.__context__, ValueError):
        exc = exceptions.ParseError(_parse_error_message(exc.__context__))
    if isinstance(exc, exceptions.Throttled):
        waited = getattr(exc, "wait", None)
        wait = math.ceil(waited) if waited is not None else None
        exc = exceptions.Throttled(detail=_throttled_message(wait))  # with ``wait=`` DRF adds English
        setattr(exc, "wait", wait)  # noqa: B010  (drf-stubs do not declare it)

    response = exception_handler(exc, context)
    if response is None:
        return None
    if response.status_code == status.HTTP_401_UNAUTHORIZED:
        response["WWW-Authenticate"] = "Token"
    if isinstance(exc, exceptions.ValidationError):
        fields = _for_people(exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail})
        response.data = _body(CommonError.INVALID, _("Invalid input."), {"fields": fields})
        return response
    code = next((c for cls, c in _DRF_CODES.items() if isinstance(exc, cls)), "error")
    detail = getattr(exc, "detail", str(exc))
    wait = getattr(exc, "wait", None)
    extra = {"wait": wait} if wait else {}
    response.data = _body(code, detail, extra)
    return response


def not_found_view(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """``handler404``: a URL no view matched (``tenders/abc/``, an unknown path) answers the API's
    clients with the error envelope, and everyone else with the usual page."""
    if request.path.startswith("/api/"):
        return JsonResponse(
            _body(CommonError.NOT_FOUND, _("Not found.")),
            status=404,
            json_dumps_params={"ensure_ascii": False},
        )
    return page_not_found(request, exception)
