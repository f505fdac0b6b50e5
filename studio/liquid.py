"""The Liquid dialect Studio templates use (python-liquid 1.x).

Small on purpose: validation needs ``parse_errors``; the engine extends this module with
rendering, output/loop caps and caching.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from functools import lru_cache
from typing import Any

from liquid import Environment, Mode, Undefined
from liquid.exceptions import Error as LiquidError
from liquid.expression import FilteredExpression
from liquid.expressions.filtered.lex import keywords as LITERAL_KEYWORDS
from liquid.expressions.filtered.lex import tokenize
from liquid.expressions.filtered.parse import parse_from_tokens
from liquid.filter import liquid_filter
from liquid.token import TOKEN_DOT, TOKEN_IDENTIFIER

from studio.liquid_limits import DEFAULT_VALUE_LIMIT, capped


def _jsonable(value: Any) -> Any:
    if isinstance(value, Undefined):
        return None
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


@liquid_filter
def to_json(value: Any) -> str:
    """Twilio's ``to_json`` filter: serialise an object (e.g. ``trigger.message``) as JSON text."""
    return json.dumps(_jsonable(value), default=str, ensure_ascii=False, separators=(",", ":"))


def _keys_after_dots(tokens: Iterator[tuple[int, str, str]]) -> Iterator[tuple[int, str, str]]:
    """``empty``, ``blank``, ``nil``, ``null``, ``true`` and ``false`` after a dot are keys
    (``parsed.cart.empty``), as in Shopify's and Twilio's Liquid; python-liquid's output and
    ``assign`` lexer made them literals there, a syntax error (81018)."""
    previous = ""
    for linenum, kind, value in tokens:
        if previous == TOKEN_DOT and kind in LITERAL_KEYWORDS:
            kind = TOKEN_IDENTIFIER
        previous = kind
        yield linenum, kind, value


def _parse_output(shorthand_indexes: bool) -> Callable[[str, int], FilteredExpression]:
    def parse(expr: str, linenum: int = 1) -> FilteredExpression:
        tokens = _keys_after_dots(tokenize(expr, linenum))
        return parse_from_tokens(tokens, linenum, shorthand_indexes=shorthand_indexes)

    return parse


class StudioEnvironment(Environment):
    """Undefined variables render as empty text (Studio flows rely on ``{% if flow.variables.x %}``);
    syntax errors are raised (Studio reports them as 81018). Every filter is capped: no string
    or list it builds may exceed ``value_limit`` (see studio/liquid_limits.py)."""

    value_limit: int | None = DEFAULT_VALUE_LIMIT

    def add_filter(self, name: str, func: Callable[..., Any]) -> None:
        super().add_filter(name, capped(name, func, lambda: self.value_limit))

    def setup_tags_and_filters(self) -> None:
        super().setup_tags_and_filters()
        self.add_filter("to_json", to_json)

    def _get_expression_parsers(self, cache_size: int = 0) -> Any:
        # Output statements and ``assign`` parse with the fifth (the filtered expression).
        parsers = list(super()._get_expression_parsers(cache_size))
        parse = _parse_output(self.shorthand_indexes)
        parsers[4] = lru_cache(maxsize=cache_size)(parse) if cache_size >= 1 else parse
        return tuple(parsers)


def make_environment(**kwargs: Any) -> StudioEnvironment:
    options: dict[str, Any] = {"tolerance": Mode.STRICT, "undefined": Undefined, "strict_filters": True}
    options.update(kwargs)
    return StudioEnvironment(**options)


env: StudioEnvironment = make_environment()


@lru_cache(maxsize=4096)
def parse_errors(template_str: str) -> str | None:
    """The syntax error in a template, or None when it parses.

    >>> parse_errors("{{ widgets.x.Digits }")
    "expected '}}', found 'eof', on line 1"
    """
    try:
        env.from_string(template_str)
    except LiquidError as exc:
        return str(exc)
    return None


@lru_cache(maxsize=4096)
def unknown_filters(template_str: str) -> tuple[str, ...]:
    """Filter names a (syntactically valid) template uses that this dialect does not define."""
    try:
        analysis = env.from_string(template_str).analyze()
    except LiquidError:
        return ()
    return tuple(sorted(name for name in analysis.filters if name not in env.filters))
