"""One exception tree with stable codes, and the one DRF handler that renders every error as
``{"code", "message", "extra"}`` (docs/rules.md §16)."""

import json
import math
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
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


class ApplicationError(Exception):
    """A refusal by the domain. Services raise these; the API renders them."""

    status_code: int = status.HTTP_409_CONFLICT
    code = "conflict"
    default_message: Any = _("The request conflicts with the current state.")

    def __init__(self, message: Any = None, *, code: str | None = None, extra: dict | None = None):
        self.message = str(message if message is not None else self.default_message)
        if code:
            self.code = code
        self.extra = extra or {}
        super().__init__(self.message)


class Conflict(ApplicationError):
    """409: the action is not possible in the current state."""


class InvalidTransition(Conflict):
    code = "invalid_transition"
    default_message = _("This action is not possible in the current state.")


class Forbidden(ApplicationError):
    status_code = status.HTTP_403_FORBIDDEN
    code = "permission_denied"
    default_message = _("You do not have permission to perform this action.")


class NotFound(ApplicationError):
    status_code = status.HTTP_404_NOT_FOUND
    code = "not_found"
    default_message = _("Not found.")


class Invalid(ApplicationError):
    """400 with field errors, raised by services for input that only they can judge."""

    status_code = status.HTTP_400_BAD_REQUEST
    code = "invalid"
    default_message = _("Invalid input.")

    def __init__(self, fields: dict[str, Any], message: Any = None, *, code: str | None = None):
        super().__init__(message, code=code, extra={"fields": fields})


_DRF_CODES = {
    exceptions.NotAuthenticated: "not_authenticated",
    exceptions.AuthenticationFailed: "authentication_failed",
    exceptions.PermissionDenied: "permission_denied",
    exceptions.NotFound: "not_found",
    exceptions.MethodNotAllowed: "method_not_allowed",
    exceptions.NotAcceptable: "not_acceptable",
    exceptions.UnsupportedMediaType: "unsupported_media_type",
    exceptions.Throttled: "throttled",
    exceptions.ParseError: "malformed_request",
}


def _body(code: str, message: Any, extra: dict | None = None) -> dict:
    return {"code": code, "message": str(message), "extra": extra or {}}


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


def api_exception_handler(exc: Exception, context: dict) -> Response | None:
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
        response.data = _body("invalid", _("Invalid input."), {"fields": fields})
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
            _body("not_found", _("Not found.")), status=404, json_dumps_params={"ensure_ascii": False}
        )
    return page_not_found(request, exception)
