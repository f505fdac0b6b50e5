"""Regular expressions that flow authors write, run on text that strangers send.

A Split's ``regex`` operator tests, say, an SMS body: a pattern like ``^(\\w+\\s?)*$`` backtracks
exponentially on a 25-character reply, and Python's ``re`` cannot be interrupted. The ``regex``
package takes a ``timeout``; a match that runs out of time counts as no match (the Split goes
on to its next condition or ``noMatch``), as does an invalid pattern.

The timeout covers matching, not compiling: ``regex`` expands counted repeats when it compiles,
so ``((a{1000}){1000}){1000}`` would take hours before the clock starts. A pattern is first
parsed by the standard library's (cheap) parser and refused when its repeats multiply out past
``MAX_EXPANSION`` pattern items, or when it is longer than ``MAX_PATTERN_LENGTH``.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

import regex

from studio.conf import studio_settings

MAX_PATTERN_LENGTH = 4096
MAX_EXPANSION = 20_000  # pattern items once counted repeats are multiplied out (~0.02 s to compile)

# The standard library's regular expression parser (``sre_parse`` is a deprecated alias).
sre_parser: Any = importlib.import_module("re._parser")

_REPEATS = {"MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"}


def _subpatterns(value: Any) -> Iterator[Any]:
    """Sub-patterns nested anywhere in a parsed item's arguments (groups, branches, lookarounds)."""
    if isinstance(value, sre_parser.SubPattern):
        yield value
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _subpatterns(item)


_COUNTS = re.compile(r"\{\s*(\d+)\s*(?:,\s*(\d*)\s*)?\}")


def expansion(pattern: str) -> int:
    r"""How many items ``pattern`` holds once its counted repeats are multiplied out. Syntax
    only ``regex`` knows (``\p{L}``, possessive ``++`` …): every count multiplied together, a
    bound for nested repeats."""
    try:
        parsed = sre_parser.parse(pattern)
    except re.error:
        total = len(pattern)
        for low, high in _COUNTS.findall(pattern):
            total *= max(int(high or low), 1)
            if total > MAX_EXPANSION:
                break
        return total
    total = 0
    stack: list[tuple[Any, int]] = [(parsed, 1)]
    while stack:
        sub, weight = stack.pop()
        for op, av in sub:
            total += weight
            if total > MAX_EXPANSION:
                return total
            if str(op) in _REPEATS:
                low, high, inner = av
                count = low if high == sre_parser.MAXREPEAT else high
                stack.append((inner, weight * max(int(count), 1)))
            else:
                stack.extend((child, weight) for child in _subpatterns(av))
    return total


def timeout_seconds() -> float:
    return float(studio_settings.REGEX_TIMEOUT_SECONDS)


def fullmatch(pattern: str, text: str, *, ignore_case: bool = True) -> bool:
    """``pattern`` matches all of ``text`` (``.`` matches newlines), within the time limit."""
    if compile_error(pattern) is not None:
        return False
    flags = regex.DOTALL | (regex.IGNORECASE if ignore_case else 0)
    try:
        return regex.fullmatch(pattern, text, flags, timeout=timeout_seconds()) is not None
    except (regex.error, TimeoutError, RecursionError, OverflowError):
        return False


@lru_cache(maxsize=1024)
def compile_error(pattern: str) -> str | None:
    """Why ``pattern`` is not a valid expression (None when it is), for validation warnings."""
    if len(pattern) > MAX_PATTERN_LENGTH:
        return f"longer than {MAX_PATTERN_LENGTH} characters"
    try:
        if expansion(pattern) > MAX_EXPANSION:
            return f"its repeats expand past {MAX_EXPANSION} items"
        regex.compile(pattern)
    except (re.error, regex.error, RecursionError, OverflowError, ValueError) as exc:
        return str(exc)
    return None
