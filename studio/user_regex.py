"""Regular expressions that flow authors write, run on text that strangers send.

A Split's ``regex`` operator tests, say, an SMS body: a pattern like ``^(\\w+\\s?)*$`` backtracks
exponentially on a 25-character reply, and Python's ``re`` cannot be interrupted. The ``regex``
package takes a ``timeout``; a match that runs out of time counts as no match (the Split goes
on to its next condition or ``noMatch``), as does an invalid pattern.
"""

from __future__ import annotations

import regex
from django.conf import settings

DEFAULT_TIMEOUT_SECONDS = 0.25


def timeout_seconds() -> float:
    return float(getattr(settings, "STUDIO", {}).get("REGEX_TIMEOUT_SECONDS", DEFAULT_TIMEOUT_SECONDS))


def fullmatch(pattern: str, text: str, *, ignore_case: bool = True) -> bool:
    """``pattern`` matches all of ``text`` (``.`` matches newlines), within the time limit."""
    flags = regex.DOTALL | (regex.IGNORECASE if ignore_case else 0)
    try:
        return regex.fullmatch(pattern, text, flags, timeout=timeout_seconds()) is not None
    except (regex.error, TimeoutError, RecursionError, OverflowError):
        return False


def compile_error(pattern: str) -> str | None:
    """Why ``pattern`` is not a valid expression (None when it is), for validation warnings."""
    try:
        regex.compile(pattern)
    except (regex.error, RecursionError, OverflowError) as exc:
        return str(exc)
    return None
