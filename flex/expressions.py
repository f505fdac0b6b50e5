"""TaskRouter's expression language (target_workers, workflow filters and targets, skip_if).

Grammar (keywords and operators case-insensitive)::

    expr    := and ("OR" and)*
    and     := cmp ("AND" cmp)*
    cmp     := primary [op primary]          op: == = != < <= > >= IN "NOT IN" HAS CONTAINS
    primary := "(" expr ")" | "[" [value ("," value)*] "]" | string | number | true | false
             | key                            key: name ("." name | "[" integer "]")*

Text is parsed once (``compile_expression`` caches) into a small tree of tuples that ``evaluate``
walks; nothing is ever handed to Python's ``eval``. Keys resolve against a scope: ``task.…``,
``worker.…``, ``taskrouter.…`` and ``workers.…`` name their roots when the scope has them, any
other key reads the scope's default attributes (the task's in a filter, the worker's in
``target_workers``). A missing key is NULL, and any comparison with NULL is false.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

MAX_LENGTH = 4096
MAX_DEPTH = 64
ROOTS = ("task", "worker", "taskrouter", "workers")
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")

Node = tuple[Any, ...]


class ExpressionError(ValueError):
    """The text is not a TaskRouter expression (refused at save)."""


_TOKEN = re.compile(
    r"""\s*(?:
      (?P<num>-?\d+(?:\.\d+)?)
    | (?P<str>'[^']*'|"[^"]*")
    | (?P<op>==|!=|<=|>=|=|<|>)
    | (?P<punct>[()\[\],.])
    | (?P<name>[A-Za-z_$@][A-Za-z0-9_\-$@]*)
    )""",
    re.VERBOSE,
)
_WORD_OPS = {"IN", "HAS", "CONTAINS"}


@dataclass
class _Tokens:
    items: list[tuple[str, str]]
    pos: int = 0

    def peek(self, offset: int = 0) -> tuple[str, str]:
        index = self.pos + offset
        return self.items[index] if index < len(self.items) else ("end", "")

    def take(self) -> tuple[str, str]:
        token = self.peek()
        self.pos += 1
        return token

    def word(self, offset: int = 0) -> str:
        kind, text = self.peek(offset)
        return text.upper() if kind == "name" else ""


def _tokenize(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pos = 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        match = _TOKEN.match(text, pos)
        if match is None or match.end() == pos:
            raise ExpressionError(f"unexpected character {text[pos:].lstrip()[:1]!r} at {pos}")
        kind = match.lastgroup or ""
        out.append((kind, match.group(kind)))
        pos = match.end()
    return out


@lru_cache(maxsize=4096)
def compile_expression(text: str) -> Node:
    """Parse ``text`` once; raises ExpressionError (message says where) when malformed."""
    if not isinstance(text, str) or not text.strip():
        raise ExpressionError("the expression is empty")
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"the expression is longer than {MAX_LENGTH} characters")
    tokens = _Tokens(_tokenize(text))
    tree = _parse_or(tokens, 0)
    if tokens.peek()[0] != "end":
        raise ExpressionError(f"unexpected {tokens.peek()[1]!r} after a complete expression")
    return tree


def _depth(depth: int) -> int:
    if depth > MAX_DEPTH:
        raise ExpressionError(f"the expression nests deeper than {MAX_DEPTH} levels")
    return depth + 1


def _parse_or(tokens: _Tokens, depth: int) -> Node:
    depth = _depth(depth)
    parts = [_parse_and(tokens, depth)]
    while tokens.word() == "OR":
        tokens.take()
        parts.append(_parse_and(tokens, depth))
    return parts[0] if len(parts) == 1 else ("or", *parts)


def _parse_and(tokens: _Tokens, depth: int) -> Node:
    parts = [_parse_cmp(tokens, depth)]
    while tokens.word() == "AND":
        tokens.take()
        parts.append(_parse_cmp(tokens, depth))
    return parts[0] if len(parts) == 1 else ("and", *parts)


def _parse_cmp(tokens: _Tokens, depth: int) -> Node:
    left = _parse_primary(tokens, depth)
    kind, text = tokens.peek()
    op = ""
    if kind == "op":
        op = "==" if text == "=" else text
        tokens.take()
    elif tokens.word() in _WORD_OPS:
        op = tokens.take()[1].upper()
    elif tokens.word() == "NOT" and tokens.word(1) == "IN":
        tokens.take()
        tokens.take()
        op = "NOT IN"
    if not op:
        return left
    return ("cmp", op, left, _parse_primary(tokens, depth))


def _parse_primary(tokens: _Tokens, depth: int) -> Node:
    kind, text = tokens.take()
    if kind == "num":
        return ("const", float(text) if "." in text else int(text))
    if kind == "str":
        return ("const", text[1:-1])
    if kind == "punct" and text == "(":
        inner = _parse_or(tokens, depth)
        if tokens.take() != ("punct", ")"):
            raise ExpressionError("a parenthesis is not closed")
        return inner
    if kind == "punct" and text == "[":
        return _parse_list(tokens)
    if kind == "name":
        upper = text.upper()
        if upper in ("TRUE", "FALSE"):
            return ("const", upper == "TRUE")
        if upper in ("AND", "OR", "NOT", *_WORD_OPS):
            raise ExpressionError(f"{text!r} needs an operand before it")
        return _parse_key(text, tokens)
    if kind == "end":
        raise ExpressionError("the expression ends where an operand was expected")
    raise ExpressionError(f"unexpected {text!r} where an operand was expected")


def _parse_list(tokens: _Tokens) -> Node:
    values: list[Any] = []
    if tokens.peek() == ("punct", "]"):
        tokens.take()
        return ("const", values)
    while True:
        kind, text = tokens.take()
        if kind == "num":
            values.append(float(text) if "." in text else int(text))
        elif kind == "str":
            values.append(text[1:-1])
        elif kind == "name" and text.upper() in ("TRUE", "FALSE"):
            values.append(text.upper() == "TRUE")
        else:
            raise ExpressionError(f"unexpected {text!r} in a list (constants only)")
        sep = tokens.take()
        if sep == ("punct", "]"):
            return ("const", values)
        if sep != ("punct", ","):
            raise ExpressionError("a list is not closed with ']'")


def _parse_key(first: str, tokens: _Tokens) -> Node:
    path: list[str | int] = [first]
    while True:
        if tokens.peek() == ("punct", ".") and tokens.peek(1)[0] == "name":
            tokens.take()
            path.append(tokens.take()[1])
        elif tokens.peek() == ("punct", "[") and tokens.peek(1)[0] in ("num", "str"):
            tokens.take()
            kind, text = tokens.take()
            if kind == "num" and not text.lstrip("-").isdigit():
                raise ExpressionError(f"index {text!r} is not an integer")
            path.append(int(text) if kind == "num" else text[1:-1])
            if tokens.take() != ("punct", "]"):
                raise ExpressionError("an index is not closed with ']'")
        else:
            return ("key", tuple(path))


# -- evaluation ----------------------------------------------------------------------------------


@dataclass
class Scope:
    """What keys read: ``default`` for bare keys, ``roots`` for task./worker./taskrouter./workers."""

    default: dict[str, Any]
    roots: dict[str, Any] = field(default_factory=dict)


def taskrouter_clock(now: dt.datetime | None = None) -> dict[str, Any]:
    """``taskrouter.currentTime`` (HHMM, UTC), ``currentHour``, ``currentMin``, ``dayOfWeek``."""
    now = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    return {
        "currentTime": now.hour * 100 + now.minute,
        "currentHour": now.hour,
        "currentMin": now.minute,
        "dayOfWeek": DAYS[now.weekday()],
    }


def _lookup(path: tuple[str | int, ...], scope: Scope) -> Any:
    head = path[0]
    if isinstance(head, str) and head in scope.roots and head in ROOTS:
        value: Any = scope.roots[head]
        rest = path[1:]
    else:
        value, rest = scope.default, path
    for part in rest:
        if isinstance(part, int):
            if not isinstance(value, list) or not -len(value) <= part < len(value):
                return None
            value = value[part]
        elif isinstance(value, dict):
            value = value.get(part)
        else:
            return None
    return value


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def _equal(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b or str(a).lower() == str(b).lower()
    na, nb = _number(a), _number(b)
    if na is not None and nb is not None and not (isinstance(a, str) and isinstance(b, str)):
        return na == nb
    return bool(a == b)


def _order(op: str, a: Any, b: Any) -> bool:
    na, nb = _number(a), _number(b)
    if na is not None and nb is not None:
        x: Any
        y: Any
        x, y = na, nb
    elif isinstance(a, str) and isinstance(b, str):
        x, y = a, b
    else:
        return False
    return {"<": x < y, "<=": x <= y, ">": x > y, ">=": x >= y}[op]


def _members(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _compare(op: str, a: Any, b: Any) -> bool:
    if a is None or b is None:
        return False
    if op == "==":
        return _equal(a, b)
    if op == "!=":
        return not _equal(a, b)
    if op in ("<", "<=", ">", ">="):
        return _order(op, a, b)
    if op == "IN":
        return any(_equal(a, item) for item in _members(b))
    if op == "NOT IN":
        return not any(_equal(a, item) for item in _members(b))
    if op == "HAS":
        return any(_equal(item, b) for item in _members(a))
    if op == "CONTAINS":
        if isinstance(a, list):
            return any(_equal(item, b) for item in a)
        return isinstance(a, str) and str(b) in a
    raise ExpressionError(f"unknown operator {op}")  # pragma: no cover - the parser knows them all


def _value(node: Node, scope: Scope) -> Any:
    tag = node[0]
    if tag == "const":
        return node[1]
    if tag == "key":
        return _lookup(node[1], scope)
    return _truth(node, scope)


def _truth(node: Node, scope: Scope) -> bool:
    tag = node[0]
    if tag == "or":
        return any(_truth(part, scope) for part in node[1:])
    if tag == "and":
        return all(_truth(part, scope) for part in node[1:])
    if tag == "cmp":
        return _compare(node[1], _value(node[2], scope), _value(node[3], scope))
    value = _value(node, scope)
    return value not in (None, False, 0, "", [], {})


def evaluate(text: str, scope: Scope) -> bool:
    """Whether ``text`` holds in ``scope`` (ExpressionError when it does not parse)."""
    return _truth(compile_expression(text), scope)


def check(text: str) -> str | None:
    """None when ``text`` parses, else why not (for validation at save)."""
    try:
        compile_expression(text)
    except ExpressionError as exc:
        return str(exc)
    return None
