"""Rendering Studio templates at run time: Studio's dialect plus its limits.

Undefined variables render as empty text; loops stop the render after 15 iterations, output
is capped at 16 KB and every string or list a filter builds on the way at 256 K characters or
items (``studio.liquid_limits``): all raise, reported as 81018. Templates are compiled once per revision:
the cache key is ``(revision id, template text)``.

Three places where Twilio's Liquid (a Java engine) differs from Shopify's and is mirrored here:

* an object printed as is (``{{flow.data}}``, ``{{widgets.fn.parsed}}``) renders the way a Java
  map prints: ``{k1=v1, k2=v2}`` — Twilio's own function templates parse exactly that text
  (twilio-labs/function-templates, patient-appointment-management ``save-booked``: "flow.data
  that will be parenthesis enclosed comma-separated key=value string");
* ``date`` reads ``"now"``/``"today"`` and epoch seconds in Pacific time (Twilio support:
  "Studio's Liquid date/time uses Pacific time"), and is evaluated at every render.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import lru_cache
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from dateutil import parser as date_parser
from liquid import BoundTemplate, Mode
from liquid.builtin.statement import Statement, StatementNode
from liquid.context import Context
from liquid.exceptions import Error as LiquidError
from liquid.exceptions import FilterArgumentError, LiquidTypeError
from liquid.expression import BooleanExpression, Expression, InfixExpression, PrefixExpression, compare
from liquid.filter import liquid_filter
from liquid.stringify import to_liquid_string
from liquid.token import TOKEN_STATEMENT
from liquid.undefined import Undefined, is_undefined

from studio.conf import studio_settings
from studio.liquid import StudioEnvironment
from studio.widgets.props import LIQUID_MARKERS
from studio.widgets.runtime import TemplateError

# -- output of objects, as Twilio's Java Liquid prints them ------------------------------------


def _java_text(value: Any) -> str:
    """``String.valueOf`` of a value nested in a map or list (``null`` for nothing)."""
    if value is None or isinstance(value, Undefined):
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}={_java_text(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_java_text(v) for v in value) + "]"
    return str(value)


def output_text(value: Any, autoescape: bool = False) -> str:
    """What ``{{ value }}`` prints: maps as ``{k=v, …}``, lists as their items run together
    (each item printed the same way), everything else as standard Liquid prints it."""
    if isinstance(value, dict):
        return _java_text(value)
    if isinstance(value, (list, tuple)):
        return "".join(output_text(item, autoescape) for item in value)
    return to_liquid_string(value, autoescape)


class _StudioStatementNode(StatementNode):
    def render_to_output(self, context: Context, buffer: TextIO) -> bool | None:
        buffer.write(output_text(self.expression.evaluate(context), context.autoescape))
        return None

    async def render_to_output_async(self, context: Context, buffer: TextIO) -> bool | None:
        buffer.write(output_text(await self.expression.evaluate_async(context), context.autoescape))
        return None


class _StudioStatement(Statement):
    node_class = _StudioStatementNode


# -- comparisons that cannot be made are false, as in Liqp ------------------------------------


class _LiqpComparison(InfixExpression):
    __slots__ = ()

    def evaluate(self, context: Context) -> object:
        return _compare(self.left.evaluate(context), self.operator, self.right.evaluate(context))

    async def evaluate_async(self, context: Context) -> object:
        left = await self.left.evaluate_async(context)
        return _compare(left, self.operator, await self.right.evaluate_async(context))


def _compare(left: object, operator: str, right: object) -> bool:
    try:
        return compare(left, operator, right)
    except LiquidTypeError:
        return False


def _liqp_comparisons(expression: Expression) -> Expression:
    """The parsed ``if``/``unless``/``elsif`` condition with its comparisons made tolerant."""
    if isinstance(expression, BooleanExpression):
        expression.expression = _liqp_comparisons(expression.expression)
    elif isinstance(expression, PrefixExpression):
        expression.right = _liqp_comparisons(expression.right)
    elif type(expression) is InfixExpression:
        return _LiqpComparison(
            _liqp_comparisons(expression.left), expression.operator, _liqp_comparisons(expression.right)
        )
    return expression


def _tolerant(parse: Callable[..., BooleanExpression]) -> Callable[..., BooleanExpression]:
    def parse_condition(*args: Any, **kwargs: Any) -> BooleanExpression:
        parsed = _liqp_comparisons(parse(*args, **kwargs))
        assert isinstance(parsed, BooleanExpression)
        return parsed

    return parse_condition


# -- date, in Pacific time ---------------------------------------------------------------------


def pacific_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).astimezone(_pacific())


@lru_cache(maxsize=1)
def _pacific() -> dt.tzinfo:
    try:
        return ZoneInfo("America/Los_Angeles")
    except Exception:  # noqa: BLE001 - no tz database in the image: US rules by hand
        return _UsPacific()


class _UsPacific(dt.tzinfo):
    """PST/PDT with the US rules since 2007 (used only without a tz database)."""

    def _dst_window(self, year: int) -> tuple[dt.datetime, dt.datetime]:
        march = dt.datetime(year, 3, 8, 2)
        start = march + dt.timedelta(days=(6 - march.weekday()) % 7)
        november = dt.datetime(year, 11, 1, 2)
        end = november + dt.timedelta(days=(6 - november.weekday()) % 7)
        return start, end

    def utcoffset(self, when: dt.datetime | None) -> dt.timedelta:
        return dt.timedelta(hours=-8) + self.dst(when)

    def dst(self, when: dt.datetime | None) -> dt.timedelta:
        if when is None:
            return dt.timedelta(0)
        start, end = self._dst_window(when.year)
        naive = when.replace(tzinfo=None)
        if end - dt.timedelta(hours=1) <= naive < end and when.fold:
            return dt.timedelta(0)  # the repeated hour, second time (standard time)
        return dt.timedelta(hours=1) if start <= naive < end else dt.timedelta(0)

    def tzname(self, when: dt.datetime | None) -> str:
        return "PDT" if self.dst(when) else "PST"

    def fromutc(self, when: dt.datetime) -> dt.datetime:
        standard = when + dt.timedelta(hours=-8)
        start, end = self._dst_window(standard.year)
        naive = standard.replace(tzinfo=None)
        if start <= naive < end - dt.timedelta(hours=1):
            return standard + dt.timedelta(hours=1)
        if end - dt.timedelta(hours=1) <= naive < end:
            return standard.replace(fold=1)
        return standard


@liquid_filter
def studio_date(value: Any, fmt: Any) -> str:
    """Liquid ``date``: ``"now"``/``"today"`` and epoch seconds are read in Pacific time; other
    text is parsed as written (no time zone conversion); unparseable input is returned as is."""
    if is_undefined(value):
        return ""
    if is_undefined(fmt) or fmt is None:
        return str(value)
    when: Any = value
    if isinstance(value, str):
        text = value.strip()
        if text.lower() in ("now", "today"):
            when = pacific_now()
        elif text.lstrip("-").isdigit():
            when = dt.datetime.fromtimestamp(int(text), dt.UTC).astimezone(_pacific())
        else:
            try:
                when = date_parser.parse(text)
            except (ValueError, OverflowError):
                return value
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            when = dt.datetime.fromtimestamp(value, dt.UTC).astimezone(_pacific())
        except (OverflowError, OSError, ValueError):
            return str(value)
    if not isinstance(when, (dt.datetime, dt.date)):
        raise FilterArgumentError(f"date expected a date, found {type(value).__name__}")
    fmt = str(fmt)
    if "%s" in fmt and isinstance(when, dt.datetime):
        fmt = fmt.replace("%s", str(int(when.timestamp())))
    try:
        return when.strftime(fmt)
    except ValueError as exc:
        raise FilterArgumentError(str(exc)) from exc


def _limits() -> tuple[int, int, int]:
    return (
        int(studio_settings.LIQUID_LOOP_LIMIT),
        int(studio_settings.LIQUID_OUTPUT_LIMIT),
        int(studio_settings.LIQUID_VALUE_LIMIT),
    )


class RuntimeEnvironment(StudioEnvironment):
    loop_iteration_limit = 15
    output_stream_limit = 16 * 1024

    def _get_expression_parsers(self, cache_size: int = 0) -> Any:
        # The block tags parse their conditions with the first two (with and without parens).
        boolean, boolean_parens, *others = super()._get_expression_parsers(cache_size)
        return (_tolerant(boolean), _tolerant(boolean_parens), *others)

    def setup_tags_and_filters(self) -> None:
        super().setup_tags_and_filters()
        self.add_tag(_StudioStatement)
        # Block tags (if, unless, case…) captured a parser, and with it the built-in output
        # statement, when they were registered: register them again so they use ours.
        for name, tag in list(self.tags.items()):
            if name != TOKEN_STATEMENT:
                self.tags[name] = type(tag)(self)
        self.add_filter("date", studio_date)


@lru_cache(maxsize=4)
def _environment(loop_limit: int, output_limit: int, value_limit: int) -> RuntimeEnvironment:
    cls = type(
        "StudioRuntimeEnvironment",
        (RuntimeEnvironment,),
        {
            "loop_iteration_limit": loop_limit,
            "output_stream_limit": output_limit,
            "value_limit": value_limit,
            # assign/capture keep values in the template's namespace: bound their sum too
            "local_namespace_limit": 4 * value_limit,
        },
    )
    env: RuntimeEnvironment = cls(tolerance=Mode.STRICT, undefined=Undefined, strict_filters=True)
    return env


def environment() -> RuntimeEnvironment:
    return _environment(*_limits())


@lru_cache(maxsize=8192)
def _compile(
    revision_id: int, source: str, loop_limit: int, output_limit: int, value_limit: int
) -> BoundTemplate:
    return _environment(loop_limit, output_limit, value_limit).from_string(source)


def compile_template(revision_id: int, source: str) -> BoundTemplate:
    """The parsed template, cached per (revision, text). Raises TemplateError."""
    try:
        return _compile(revision_id, source, *_limits())
    except LiquidError as exc:
        raise TemplateError(str(exc)) from exc


def render(revision_id: int, source: str, context: dict[str, Any]) -> str:
    """Render ``source`` against an execution context. Plain text is returned as is."""
    if not isinstance(source, str):
        return source
    if not any(marker in source for marker in LIQUID_MARKERS):
        return source
    template = compile_template(revision_id, source)
    try:
        return template.render(**context)
    except LiquidError as exc:
        raise TemplateError(str(exc)) from exc
    except (TypeError, ValueError, ZeroDivisionError, RecursionError) as exc:
        raise TemplateError(f"{type(exc).__name__}: {exc}") from exc


def cache_info() -> Any:
    return _compile.cache_info()
