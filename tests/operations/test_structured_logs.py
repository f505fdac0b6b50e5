"""Structured logs: one JSON object per line, carrying the sids of what the line is about."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from accounts.logcontext import ContextFilter, JsonFormatter, bound, logging_config
from executions.models import Execution
from tests.executions.factories import make_flow, survey
from tests.executions.support import send_sms

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def json_lines() -> Iterator[io.StringIO]:
    """The root logger at INFO writing to a buffer as production does (JSON, the sids filter)."""
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.addFilter(ContextFilter())
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield buffer
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)


def parsed(buffer: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in buffer.getvalue().splitlines() if line.strip()]


def test_it_logs_a_webhook_triggered_execution_as_json_lines_carrying_its_sids(
    alice: Any, json_lines: io.StringIO
) -> None:
    flow = make_flow(alice, survey())
    assert send_sms(Client(), flow, "+15550001111", "+15551230000", "hi").status_code == 200
    execution = Execution.objects.get()

    lines = parsed(json_lines)
    about = [line for line in lines if line.get("execution_sid") == execution.sid]
    assert any(line["message"].startswith("execution started") for line in about)
    started = next(line for line in about if line["message"].startswith("execution started"))
    assert started["flow_sid"] == flow.sid
    assert started["account_sid"] == alice.sid
    assert started["request_sid"].startswith("RQ") and len(started["request_sid"]) == 34
    assert started["level"] == "INFO" and started["logger"] == "executions.engine.store"


def test_it_logs_the_end_of_an_execution_with_its_outcome(alice: Any, json_lines: io.StringIO) -> None:
    flow = make_flow(alice, survey())
    client = Client()
    send_sms(client, flow, "+15550001111", "+15551230000", "hi")
    send_sms(client, flow, "+15550001111", "+15551230000", "Ada")
    execution = Execution.objects.get()
    assert execution.status == Execution.Status.ENDED

    ended = [
        line
        for line in parsed(json_lines)
        if line.get("execution_sid") == execution.sid and line["message"].startswith("execution ended")
    ]
    assert len(ended) == 1 and "completed" in ended[0]["message"]


def test_lines_outside_any_context_carry_no_sids(json_lines: io.StringIO) -> None:
    logging.getLogger("studio.test").warning("plain")
    (line,) = parsed(json_lines)
    assert line["message"] == "plain"
    assert not {"execution_sid", "flow_sid", "account_sid", "request_sid"} & set(line)


def test_a_bound_context_ends_with_its_block(json_lines: io.StringIO) -> None:
    log = logging.getLogger("studio.test")
    with bound(execution_sid="FN" + "1" * 32):
        log.warning("inside")
    log.warning("after")
    inside, after = parsed(json_lines)
    assert inside["execution_sid"] == "FN" + "1" * 32
    assert "execution_sid" not in after


def test_an_exception_is_kept_inside_its_json_line(json_lines: io.StringIO) -> None:
    try:
        raise ValueError("boom")
    except ValueError:
        logging.getLogger("studio.test").exception("failed")
    (line,) = parsed(json_lines)
    assert "ValueError: boom" in line["exception"]


def test_the_format_is_chosen_by_setting() -> None:
    assert logging_config("json", "INFO")["handlers"]["console"]["formatter"] == "json"
    assert logging_config("text", "INFO")["handlers"]["console"]["formatter"] == "text"


def _log_format(**env: str) -> str:
    base = {k: v for k, v in os.environ.items() if k not in ("DJANGO_DEBUG", "LOG_FORMAT")}
    code = "import django; django.setup(); from django.conf import settings; print(settings.LOG_FORMAT)"
    out = subprocess.run(
        [sys.executable, "-c", code],
        env={**base, "DJANGO_SETTINGS_MODULE": "config.settings", "DJANGO_HTTPS": "false", **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.strip()


def test_production_mode_logs_json_and_debug_mode_text_unless_log_format_says_otherwise() -> None:
    assert _log_format() == "json"
    assert _log_format(DJANGO_DEBUG="true") == "text"
    assert _log_format(DJANGO_DEBUG="true", LOG_FORMAT="json") == "json"


def test_celery_workers_log_through_the_same_configuration() -> None:
    """Celery leaves logging alone when setup_logging has a receiver: ours applies settings.LOGGING."""
    from celery.signals import setup_logging

    import config.celery  # noqa: F401 - connects the receiver

    root = logging.getLogger()
    before, level = list(root.handlers), root.level
    root.handlers[:] = []  # as in a fresh worker process
    try:
        setup_logging.send(sender=None, loglevel="INFO", logfile=None, format="", colorize=False)
        assert any(any(isinstance(f, ContextFilter) for f in h.filters) for h in root.handlers)
    finally:
        root.handlers[:] = before
        root.setLevel(level)


def test_djangos_lines_are_written_once_as_json_in_debug_mode_too() -> None:
    code = (
        "import django, logging; django.setup(); "
        "logging.getLogger('django.request').warning('Unauthorized: /metrics')"
    )
    base = {k: v for k, v in os.environ.items() if k not in ("DJANGO_DEBUG", "LOG_FORMAT")}
    out = subprocess.run(
        [sys.executable, "-c", code],
        env={
            **base,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DJANGO_DEBUG": "true",
            "LOG_FORMAT": "json",
        },
        capture_output=True,
        text=True,
        check=True,
    )
    (line,) = out.stderr.strip().splitlines()
    assert json.loads(line)["logger"] == "django.request"
