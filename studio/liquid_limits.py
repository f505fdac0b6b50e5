"""A cap on the strings and lists Liquid filters build while a template renders.

python-liquid caps loops and the output stream, but a filter chain can build a huge value
before anything is written: 26 ``append`` doublings reach 1 GiB, each ``replace`` of one
character by ten multiplies the size by ten, and a ``join`` with a long separator multiplies
it by the number of items. Every filter of a Studio environment is wrapped (see
``StudioEnvironment.add_filter``): the ones whose result can be a product of their inputs'
sizes (``replace``, ``join`` …) are sized *before* they run, and any result longer than the cap
raises ``ValueLimitError`` (a Liquid resource-limit error, reported as 81018), so no value much
longer than the cap is ever built.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sized
from typing import Any

from liquid.exceptions import ResourceLimitError

DEFAULT_VALUE_LIMIT = 256 * 1024  # characters (or list items); a 64 KB HTTP body fits


class ValueLimitError(ResourceLimitError):
    """A filter would build a string or list longer than the environment's value limit."""


def _text(value: Any) -> str:
    return value if isinstance(value, str) else str(value)


def _replaced_size(val: Any, seq: Any = "", sub: Any = "", *_rest: Any, **_kw: Any) -> int:
    text, old, new = _text(val), _text(seq), _text(sub)
    return len(text) + text.count(old) * (len(new) - len(old))


def _replaced_once_size(val: Any, seq: Any = "", sub: Any = "", *_rest: Any, **_kw: Any) -> int:
    return len(_text(val)) + len(_text(sub))


def _joined_size(seq: Any, separator: Any = " ", *_rest: Any, **_kw: Any) -> int:
    if isinstance(seq, str) or not isinstance(seq, Sized):
        return 0  # the filter raises its own error (or joins a single item)
    items = list(seq)  # type: ignore[call-overload]
    return sum(len(_text(item)) for item in items) + len(_text(separator)) * max(len(items) - 1, 0)


# Filters whose result may be far longer than any input: their size is computed first.
SIZE_BEFORE: dict[str, Callable[..., int]] = {
    "replace": _replaced_size,
    "replace_first": _replaced_once_size,
    "replace_last": _replaced_once_size,
    "join": _joined_size,
}


def capped(name: str, func: Callable[..., Any], limit: Callable[[], int | None]) -> Callable[..., Any]:
    """``func`` refusing to build a value longer than ``limit()`` (None: no limit)."""
    size_before = SIZE_BEFORE.get(name)

    @functools.wraps(func)  # keeps with_context / with_environment / filter_async flags
    def filter_with_cap(*args: Any, **kwargs: Any) -> Any:
        cap = limit()
        if cap is None:
            return func(*args, **kwargs)
        subject = args[0] if args else None
        if isinstance(subject, (range, list, tuple)) and len(subject) > cap:
            # e.g. (1..100000000) | reverse: refused before the filter lists every item
            raise ValueLimitError(f"value limit reached: {name} of more than {cap} items")
        if size_before is not None and args and size_before(*args, **kwargs) > cap:
            raise ValueLimitError(f"value limit reached: {name} would build more than {cap} characters")
        result = func(*args, **kwargs)
        if isinstance(result, (str, list, tuple)) and len(result) > cap:
            raise ValueLimitError(f"value limit reached: {name} built more than {cap} characters or items")
        return result

    return filter_with_cap
