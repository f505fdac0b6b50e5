"""Rendering Studio templates at run time: Studio's dialect plus its limits.

Undefined variables render as empty text; loops stop the render after 15 iterations and output
is capped at 16 KB (both raise, reported as 81018). Templates are compiled once per revision:
the cache key is ``(revision id, template text)``.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django.conf import settings
from liquid import BoundTemplate
from liquid.exceptions import Error as LiquidError

from studio.liquid import StudioEnvironment
from studio.widgets.base import LIQUID_MARKERS, TemplateError


def _limits() -> tuple[int, int]:
    studio = getattr(settings, "STUDIO", {})
    return int(studio.get("LIQUID_LOOP_LIMIT", 15)), int(studio.get("LIQUID_OUTPUT_LIMIT", 16 * 1024))


class RuntimeEnvironment(StudioEnvironment):
    loop_iteration_limit = 15
    output_stream_limit = 16 * 1024


@lru_cache(maxsize=4)
def _environment(loop_limit: int, output_limit: int) -> RuntimeEnvironment:
    from liquid import Mode, Undefined

    cls = type(
        "StudioRuntimeEnvironment",
        (RuntimeEnvironment,),
        {"loop_iteration_limit": loop_limit, "output_stream_limit": output_limit},
    )
    env: RuntimeEnvironment = cls(tolerance=Mode.STRICT, undefined=Undefined, strict_filters=True)
    return env


def environment() -> RuntimeEnvironment:
    return _environment(*_limits())


@lru_cache(maxsize=8192)
def _compile(revision_id: int, source: str, loop_limit: int, output_limit: int) -> BoundTemplate:
    return _environment(loop_limit, output_limit).from_string(source)


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
