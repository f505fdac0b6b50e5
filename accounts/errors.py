"""Errors in Twilio's shape: {"code", "message", "more_info", "status"}."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import InterfaceError, OperationalError
from django.http import JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response

MORE_INFO = "https://www.twilio.com/docs/errors/{code}"


def error_body(
    http_status: int, code: int, message: str, details: dict[str, Any] | None = None
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "code": code,
        "message": message,
        "more_info": MORE_INFO.format(code=code),
        "status": http_status,
    }
    if details is not None:
        body["details"] = details
    return body


class TwilioAPIError(exceptions.APIException):
    """Raise anywhere in a DRF view to answer with a Twilio error body."""

    def __init__(
        self,
        http_status: int,
        code: int,
        message: str,
        details: dict[str, Any] | None = None,
        retry_after: str | None = None,
    ):
        super().__init__(detail=message)
        self.status_code = http_status
        self.code = code
        self.message = message
        self.details = details
        self.retry_after = retry_after  # seconds, for a 429


def not_found(message: str = "The requested resource was not found") -> TwilioAPIError:
    return TwilioAPIError(404, 20404, message)


def missing_parameter(name: str) -> TwilioAPIError:
    return TwilioAPIError(400, 20001, f"Missing required parameter {name} in the post body")


def invalid_parameter(name: str, why: str = "") -> TwilioAPIError:
    return TwilioAPIError(400, 20001, f"Invalid parameter {name}" + (f": {why}" if why else ""))


def twilio_error_response(
    http_status: int, code: int, message: str, details: dict[str, Any] | None = None
) -> JsonResponse:
    return JsonResponse(error_body(http_status, code, message, details), status=http_status)


def too_many_requests(retry_after: str, message: str = "Too Many Requests") -> JsonResponse:
    response = twilio_error_response(429, 20429, message)
    response["Retry-After"] = retry_after
    return response


# The database down (refused, reset, restarting, a closed connection; SQLite's "database is
# locked" too): a 503 the client may retry, not a 500. Twilio answers its own outages with 20503.
UNAVAILABLE_CODE = 20503
UNAVAILABLE_MESSAGE = "Service Unavailable: the database cannot be reached; retry later"
# Long enough for a restart or a failover to finish; readiness takes the process out meanwhile.
UNAVAILABLE_RETRY_AFTER = "5"


def database_unavailable(exc: BaseException | None) -> bool:
    """Whether ``exc`` says the database cannot serve now (rather than a bug in a query):
    Django's OperationalError and InterfaceError, whatever the driver under them."""
    return isinstance(exc, (OperationalError, InterfaceError))


def service_unavailable() -> JsonResponse:
    """503 in Twilio's shape with ``Retry-After``: the REST APIs, webhooks, console and probes."""
    response = twilio_error_response(503, UNAVAILABLE_CODE, UNAVAILABLE_MESSAGE)
    response["Retry-After"] = UNAVAILABLE_RETRY_AFTER
    return response


def twilio_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if database_unavailable(exc):
        logging.getLogger(__name__).error("database unavailable in %s: %r", context.get("view"), exc)
        return Response(
            error_body(503, UNAVAILABLE_CODE, UNAVAILABLE_MESSAGE),
            status=503,
            headers={"Retry-After": UNAVAILABLE_RETRY_AFTER},
        )
    if isinstance(exc, TwilioAPIError):
        headers = {"WWW-Authenticate": 'Basic realm="Twilio API"'} if exc.status_code == 401 else None
        if exc.retry_after is not None:
            headers = {"Retry-After": exc.retry_after}
        body = error_body(exc.status_code, exc.code, exc.message, exc.details)
        return Response(body, status=exc.status_code, headers=headers)
    if isinstance(exc, (exceptions.NotAuthenticated, exceptions.AuthenticationFailed)):
        return Response(
            error_body(401, 20003, "Authenticate"),
            status=status.HTTP_401_UNAUTHORIZED,
            headers={"WWW-Authenticate": 'Basic realm="Twilio API"'},
        )
    if isinstance(exc, exceptions.PermissionDenied):
        return Response(error_body(403, 20403, str(exc.detail)), status=403)
    if isinstance(exc, exceptions.NotFound):
        return Response(error_body(404, 20404, "The requested resource was not found"), status=404)
    if isinstance(exc, exceptions.MethodNotAllowed):
        return Response(error_body(405, 20004, "Method not allowed"), status=405)
    if isinstance(exc, exceptions.ParseError):
        return Response(error_body(400, 20001, f"Invalid request body: {exc.detail}"), status=400)
    if isinstance(exc, exceptions.ValidationError):
        return Response(error_body(400, 20001, "Invalid parameter", {"errors": exc.detail}), status=400)
    if isinstance(exc, exceptions.Throttled):
        headers = {"Retry-After": str(max(1, int(exc.wait or 1)))}
        return Response(error_body(429, 20429, "Too Many Requests"), status=429, headers=headers)
    if isinstance(exc, exceptions.APIException):  # any other refusal (415 …): Twilio's shape too
        return Response(
            error_body(exc.status_code, 20000 + exc.status_code, str(exc.detail)), exc.status_code
        )
    guarded = guard_error(exc)
    if guarded is not None:  # input a view's own checks missed: still a 400, not a 500
        logging.getLogger(__name__).warning("refused input in %s: %r", context.get("view"), exc)
        return twilio_exception_handler(guarded, context)
    from rest_framework.views import exception_handler  # late: rest_framework.views imports our auth

    return exception_handler(exc, context)


def guard_error(exc: Exception) -> TwilioAPIError | None:
    """The 400 for an input error that escaped a view's own checks (accounts.input_guards
    catches them where it can), or None."""
    if isinstance(exc, RecursionError):
        return TwilioAPIError(400, 20001, "Invalid request: a value is nested too deeply")
    if isinstance(exc, UnicodeEncodeError):
        return TwilioAPIError(400, 20001, "Invalid request: a value is not valid Unicode text")
    if isinstance(exc, OverflowError):
        return TwilioAPIError(400, 20001, "Invalid request: a value is out of range")
    if isinstance(exc, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        return TwilioAPIError(413, 20001, f"Invalid request: the body is larger than {limit} bytes")
    return None
