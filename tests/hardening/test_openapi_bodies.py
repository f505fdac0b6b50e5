"""The OpenAPI schema describes the Executions, Steps, Messages, Calls and Keys operations: request
and response bodies with their fields, so clients and fuzzers can use it (no drf-spectacular
"unable to guess serializer" errors nor operationId collisions for these views)."""

from __future__ import annotations

import re
from typing import Any

import pytest

pytestmark = pytest.mark.django_db

VIEWS = r"(ExecutionList|ExecutionDetail|ExecutionContext|StepList|StepDetail|StepContext|MessageList|MessageDetail|CallList|CallDetail|KeyList|KeyDetail)\]"


def generate() -> tuple[dict[str, Any], list[str]]:
    from drf_spectacular.drainage import GENERATOR_STATS
    from drf_spectacular.generators import SchemaGenerator

    GENERATOR_STATS.reset()
    GENERATOR_STATS.enable_trace_lineno()
    schema = SchemaGenerator().get_schema(request=None, public=True)
    problems = [*GENERATOR_STATS._warn_cache, *GENERATOR_STATS._error_cache]
    return schema, problems


def test_it_generates_the_schema_without_warnings_for_these_operations() -> None:
    _, problems = generate()
    ours = [
        p for p in problems if re.search(VIEWS, p) or "Executions" in p or "/Messages" in p or "/Calls" in p
    ]
    assert ours == []


def resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    return node


def response_fields(schema: dict[str, Any], path: str, method: str, status: str) -> set[str]:
    content = schema["paths"][path][method]["responses"][status]["content"]["application/json"]["schema"]
    return set(resolve(schema, content)["properties"])


def request_fields(schema: dict[str, Any], path: str, method: str) -> set[str]:
    content = schema["paths"][path][method]["requestBody"]["content"]
    form = content["application/x-www-form-urlencoded"]["schema"]
    return set(resolve(schema, form)["properties"])


def test_it_describes_the_bodies() -> None:
    schema, _ = generate()
    ex = "/v2/Flows/{flow_sid}/Executions"
    assert {"executions", "meta"} <= response_fields(schema, ex, "get", "200")
    assert {"sid", "status", "contact_channel_address", "links"} <= response_fields(schema, ex, "post", "201")
    assert {"To", "From", "Parameters"} <= request_fields(schema, ex, "post")
    assert {"Status"} <= request_fields(schema, ex + "/{sid}", "post")
    assert {"context", "execution_sid"} <= response_fields(schema, ex + "/{sid}/Context", "get", "200")
    steps = ex + "/{execution_sid}/Steps"
    assert {"steps", "meta"} <= response_fields(schema, steps, "get", "200")
    assert {"transitioned_from", "transitioned_to"} <= response_fields(schema, steps + "/{sid}", "get", "200")
    assert {"step_sid", "context"} <= response_fields(schema, steps + "/{sid}/Context", "get", "200")
    msgs = "/2010-04-01/Accounts/{account_sid}/Messages.json"
    assert {"messages", "page", "next_page_uri"} <= response_fields(schema, msgs, "get", "200")
    assert {"To", "From", "Body", "MediaUrl"} <= request_fields(schema, msgs, "post")
    assert {"sid", "body", "status"} <= response_fields(schema, msgs, "post", "201")
    calls = "/2010-04-01/Accounts/{account_sid}/Calls.json"
    assert {"calls", "page"} <= response_fields(schema, calls, "get", "200")
    assert {"To", "From", "Url", "Twiml", "StatusCallback", "Timeout"} <= request_fields(
        schema, calls, "post"
    )
    assert {"sid", "status", "direction"} <= response_fields(schema, calls, "post", "201")
    call = "/2010-04-01/Accounts/{account_sid}/Calls/{sid}.json"
    assert {"Status"} <= request_fields(schema, call, "post")
    assert {"code", "message", "more_info", "status"} <= response_fields(schema, calls, "post", "400")
