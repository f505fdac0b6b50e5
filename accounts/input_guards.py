"""Guards for what strangers send, shared by every view: JSON, integers and dates.

Each turns input that would otherwise raise deep inside a view (RecursionError from nested
JSON, UnicodeEncodeError from a lone surrogate when the text is stored or rendered,
OverflowError from an integer or a date no database column holds) into a 400 in Twilio's
shape (20001, "Invalid parameter …"):

* ``loads(text, name)`` parses JSON text held in a parameter (``Definition``, ``Parameters``);
  ``SafeJSONParser`` is DRF's JSON parser with the same checks, for JSON request bodies;
* ``check_json(value, name)`` checks an already parsed value (depth, surrogates);
* ``parse_json(text)`` is ``json.loads`` with the same checks for the engine and widgets
  (JSON in webhook fields, HTTP responses, variables), raising a ValueError;
* ``int_value(raw, name)`` and ``datetime_value(raw, name)`` read query and form parameters.

The last line is ``accounts.errors.guard_error``: the exception handler maps those three
exception types to the same 400 if they escape a view anyway, and a body over
DATA_UPLOAD_MAX_MEMORY_SIZE to a 413 in the same shape.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from dateutil import parser as dateparser
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from accounts.errors import invalid_parameter, twilio_error_response

# Deeper than any flow definition or execution parameters need; shallow enough that code
# walking a value recursively stays far from Python's recursion limit.
MAX_JSON_DEPTH = 64
# Integers a database column holds (PostgreSQL ``integer``), and then some room for offsets.
MAX_INT = 2**31 - 1
# Datetimes kept this far from year 1 and 9999 survive any time zone conversion.
EARLIEST = dt.datetime(1, 1, 2, tzinfo=dt.UTC)
LATEST = dt.datetime(9999, 12, 30, tzinfo=dt.UTC)


class UnsafeJSON(ValueError):
    """JSON that parses (or would) but that the server will not take."""


def check_json(value: Any, name: str = "body") -> Any:
    """``value`` itself, when no container nests deeper than MAX_JSON_DEPTH and no string
    holds a lone surrogate; else TwilioAPIError 400/20001. Iterative: no recursion."""
    try:
        _walk(value)
    except UnsafeJSON as exc:
        raise invalid_parameter(name, str(exc)) from None
    return value


def _walk(value: Any) -> None:
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            _check_text(item)
        elif isinstance(item, (dict, list, tuple)):
            if depth >= MAX_JSON_DEPTH:
                raise UnsafeJSON(f"nested deeper than {MAX_JSON_DEPTH} levels")
            if isinstance(item, dict):
                for key, child in item.items():
                    _check_text(str(key))
                    stack.append((child, depth + 1))
            else:
                stack.extend((child, depth + 1) for child in item)


def _check_text(text: str) -> None:
    if "\x00" in text:
        raise UnsafeJSON("text holds a NUL character (\\u0000), which the database cannot store")
    if text.isascii():
        return
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise UnsafeJSON("text holds a lone surrogate (\\ud800-\\udfff), which is not Unicode") from None


def parse_json(text: str | bytes) -> Any:
    """``json.loads`` for text from strangers (webhook fields, HTTP responses, rendered
    templates): too deep or a lone surrogate raises UnsafeJSON, a ValueError like any other
    invalid JSON, so callers' ``except ValueError`` covers it."""
    try:
        value = json.loads(text)
    except RecursionError:
        raise UnsafeJSON(f"JSON nested deeper than {MAX_JSON_DEPTH} levels") from None
    _walk(value)
    return value


def loads(text: str | bytes, name: str) -> Any:
    """JSON text from parameter ``name``, parsed and checked (TwilioAPIError 400 otherwise)."""
    try:
        value = json.loads(text)
    except RecursionError:
        raise invalid_parameter(name, f"JSON nested deeper than {MAX_JSON_DEPTH} levels") from None
    except ValueError as exc:
        raise invalid_parameter(name, f"not valid JSON ({exc})") from None
    return check_json(value, name)


class SafeJSONParser(JSONParser):
    """DRF's JSON parser, refusing bodies nested too deep or holding lone surrogates, and bodies
    that are not an object: every view reads named parameters from the body, as from a form."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            value = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(f"JSON nested deeper than {MAX_JSON_DEPTH} levels") from None
        try:
            _walk(value)
        except UnsafeJSON as exc:
            raise ParseError(str(exc)) from None
        if not isinstance(value, dict):
            raise ParseError("a JSON request body must be an object of parameters")
        return value


def int_value(raw: Any, name: str, *, minimum: int = 0, maximum: int = MAX_INT) -> int:
    """An integer parameter within [minimum, maximum] (TwilioAPIError 400/20001 otherwise)."""
    if isinstance(raw, bool):
        raise invalid_parameter(name, "must be an integer")
    try:
        text = str(raw).strip()
        if len(text) > 20:  # int() of a huge digit string is slow; no valid value is this long
            raise ValueError
        value = int(text)
    except (TypeError, ValueError):
        raise invalid_parameter(name, "must be an integer") from None
    if not minimum <= value <= maximum:
        raise invalid_parameter(name, f"must be between {minimum} and {maximum}")
    return value


def datetime_value(raw: str, name: str) -> dt.datetime:
    """An ISO 8601 date or date-time parameter, in UTC (naive means UTC), within the years
    every database and time zone conversion can hold."""
    try:
        moment = dateparser.isoparse(str(raw).strip())
    except (ValueError, OverflowError):
        raise invalid_parameter(name, "must be an ISO 8601 date") from None
    return in_range(moment, name)


def in_range(moment: dt.datetime, name: str) -> dt.datetime:
    """``moment`` in UTC (naive means UTC), refused unless it is within EARLIEST…LATEST."""
    try:
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=dt.UTC)
        moment = moment.astimezone(dt.UTC)
    except (ValueError, OverflowError):
        raise invalid_parameter(name, "is out of range") from None
    if not EARLIEST <= moment <= LATEST:
        raise invalid_parameter(name, "is out of range")
    return moment


def holds_nul(*texts: str) -> bool:
    return any("\x00" in text for text in texts)


class NulGuardMiddleware:
    """A NUL character in the path, the query string or a form body answers 400 in Twilio's
    shape: PostgreSQL cannot store it (a DataError, so a 500, wherever it reached a query) and
    SQLite would store what PostgreSQL refuses. JSON bodies meet the same rule in SafeJSONParser;
    multipart bodies are left to the views (their files are bytes)."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        form = request.content_type == "application/x-www-form-urlencoded" and request.method != "GET"
        fields = [request.GET, *([request.POST] if form else [])]
        texts = [request.path, *(t for f in fields for key, values in f.lists() for t in (key, *values))]
        if holds_nul(*texts):
            return twilio_error_response(400, 20001, "Invalid request: a value holds a NUL character")
        return self.get_response(request)
