"""The definition limits (states, bytes) hold on every path that saves a flow.

The console (create, save a revision, restore, duplicate), the REST API and the import
command all refuse a definition with more than 1,000 states or over MAX_DEFINITION_BYTES, even
as an invalid draft, with the same 400 (81022, the problem under ``details.errors``).
"""

from __future__ import annotations

import json
import time
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from studio import revisions as services
from studio.models import Flow, FlowRevision
from tests.studio.console import post
from tests.studio.flowdefs import message_flow

pytestmark = pytest.mark.django_db

MANY = 50_000


def huge(states: int = MANY) -> dict[str, Any]:
    """A definition with ``states`` widgets (the Trigger and unconnected set-variables)."""
    d = message_flow()
    d["states"] = d["states"][:1] + [{"name": f"w{i}", "type": "set-variables"} for i in range(states - 1)]
    return d


def fat() -> dict[str, Any]:
    """Few states, but more bytes than any flow may hold."""
    d = message_flow()
    d["description"] = "x" * (services.MAX_DEFINITION_BYTES + 1)
    return d


def assert_refused(response: Any) -> None:
    assert response.status_code == 400, response.content[:300]
    body = response.json()
    assert body["code"] == 81022 and body["status"] == 400
    assert body["details"]["errors"], body


def test_it_refuses_a_50000_widget_draft_from_the_console_quickly(console: Any) -> None:
    started = time.monotonic()
    assert_refused(post(console, "/api/console/flows", {"friendly_name": "big", "definition": huge()}))
    assert time.monotonic() - started < 10
    assert not Flow.objects.exists()


def test_it_refuses_a_draft_over_1000_states_on_each_console_save(console: Any, alice: Any) -> None:
    created = post(console, "/api/console/flows", {"friendly_name": "ok", "definition": message_flow()})
    assert created.status_code == 201
    sid = created.json()["sid"]
    body = {"definition": huge(1001), "expected_revision": 1}
    assert_refused(post(console, f"/api/console/flows/{sid}/revisions", body))
    assert FlowRevision.objects.filter(flow__sid=sid).count() == 1


def test_it_refuses_a_definition_over_the_byte_limit(console: Any, api: Any) -> None:
    assert_refused(post(console, "/api/console/flows", {"friendly_name": "fat", "definition": fat()}))
    body = {"FriendlyName": "fat", "Status": "draft", "Definition": fat()}
    assert_refused(api.post("/v2/Flows", json.dumps(body), content_type="application/json"))


def test_it_refuses_to_duplicate_or_restore_an_oversized_revision(console: Any, alice: Any) -> None:
    """A flow stored before the limit (or by hand) cannot be multiplied."""
    flow = Flow.objects.create(account=alice, friendly_name="legacy", revision=1)
    FlowRevision.objects.create(flow=flow, revision=1, definition=huge(5000), status="draft")
    assert_refused(post(console, f"/api/console/flows/{flow.sid}/duplicate", {}))
    assert Flow.objects.count() == 1
    assert_refused(
        post(console, f"/api/console/flows/{flow.sid}/restore", {"revision": 1, "expected_revision": 1})
    )


def test_it_refuses_an_oversized_import_even_as_an_invalid_draft(alice: Any, tmp_path: Any) -> None:
    path = tmp_path / "big.json"
    path.write_text(json.dumps(huge(1500)))
    with pytest.raises(CommandError):
        call_command(
            "flows",
            "import",
            str(path),
            "--account",
            alice.sid,
            "--allow-invalid",
            stderr=StringIO(),
            stdout=StringIO(),
        )
    assert not Flow.objects.exists()


def test_it_answers_a_body_over_the_upload_limit_in_twilios_shape(console: Any, settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    response = post(console, "/api/console/flows", {"friendly_name": "x" * 20_000})
    assert response.status_code == 413
    assert response.json()["status"] == 413


def test_it_saves_a_flow_at_the_limits(console: Any) -> None:
    response = post(console, "/api/console/flows", {"friendly_name": "max", "definition": huge(1000)})
    assert response.status_code == 201
