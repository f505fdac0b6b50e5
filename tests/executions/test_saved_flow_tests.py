"""Save as test: a simulator session becomes a golden scenario the flow page and CI replay."""

from __future__ import annotations

import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from accounts.models import Membership
from executions.models import Execution
from scenarios.models import FlowTest
from studio.models import FlowRevision
from tests.executions.factories import definition, on, state
from tests.executions.test_console_analytics import branching
from tests.executions.test_console_rest import notify, rest
from tests.executions.test_console_sim import bob_console, post, say  # noqa: F401 - fixture
from tests.executions.test_voice_simulator import ivr
from tests.executions.voice_support import CALLER, NUMBER

pytestmark = pytest.mark.django_db(transaction=True)


def save(client: Any, flow: Any, name: str, execution_sid: str) -> Any:
    return post(
        client, f"/api/console/flows/{flow.sid}/tests", {"name": name, "execution_sid": execution_sid}
    )


def run(client: Any, flow: Any) -> dict[str, Any]:
    response = post(client, f"/api/console/flows/{flow.sid}/tests/run", {})
    assert response.status_code == 200, response.content
    return dict(response.json())


def change_draft(flow: Any, old: str, new: str) -> None:
    """Save a new revision (a draft) whose definition says ``new`` where it said ``old``."""
    latest = flow.latest_revision()
    text = json.dumps(latest.definition).replace(old, new)
    FlowRevision.objects.create(
        flow=flow, revision=latest.revision + 1, definition=json.loads(text), status="draft"
    )
    flow.revision = latest.revision + 1
    flow.save(update_fields=["revision"])


def test_a_chat_session_saved_as_a_test_replays_green_and_fails_with_a_diff_once_the_flow_changes(
    console: Any, flow_factory: Any
) -> None:
    flow = flow_factory(branching())
    say(console, flow, "hi")
    execution_sid = Execution.objects.get().sid
    say(console, flow, "yes")
    saved = save(console, flow, "happy path", execution_sid)
    assert saved.status_code == 201, saved.content
    scenario = saved.json()["scenario"]
    assert scenario["trigger"]["type"] == "message" and scenario["trigger"]["body"] == "hi"
    assert scenario["expect_messages"] == [{"to": "+15550100001", "body": "Continue?"}]
    assert scenario["turns"] == [
        {"message": "yes", "expect_messages": [{"to": "+15550100001", "body": "Thanks"}]}
    ]
    assert scenario["expect"] == {
        "status": "ended",
        "steps": [
            "Trigger-incomingMessage->ask",
            "ask-incomingMessage->split",
            "split-match->thanks",
            "thanks-sent->Ended",
        ],
    }
    assert run(console, flow) == {
        "results": [{"name": "happy path", "passed": True, "failures": []}],
        "passed": 1,
        "failed": 0,
    }

    change_draft(flow, '"value": "yes"', '"value": "oui"')
    result = run(console, flow)["results"][0]
    assert not result["passed"]
    diff = next(f for f in result["failures"] if f.startswith("steps"))
    assert "-split-match->thanks" in diff and "+split-noMatch->Ended" in diff
    listed = console.get(f"/api/console/flows/{flow.sid}/tests").json()["tests"]
    assert [(t["name"], t["last_result"]) for t in listed] == [("happy path", "failed")]


def test_http_responses_the_flow_received_become_stubs(
    console: Any, flow_factory: Any, stub: Any, allow_local: Any
) -> None:
    stub.route("/orders", body={"status": "shipped"}, content_type="application/json")
    flow = flow_factory(
        definition(
            state(
                "lookup",
                "make-http-request",
                [on("success", "reply"), on("failed")],
                method="GET",
                url=stub.url("/orders") + "?id={{trigger.message.Body}}",
                content_type="application/json",
            ),
            state(
                "reply",
                "send-message",
                [on("sent"), on("failed")],
                body="Order is {{widgets.lookup.parsed.status}}",
                to="{{contact.channel.address}}",
                **{"from": "{{flow.channel.address}}"},
            ),
            trigger=[on("incomingMessage", "lookup")],
        )
    )
    sid = say(console, flow, "A-17").json()["execution_sid"]
    scenario = save(console, flow, "order", sid).json()["scenario"]
    assert scenario["http"] == [
        {
            "url_prefix": stub.url("/orders"),
            "status": 200,
            "body": '{"status": "shipped"}',
            "once": True,
            "content_type": "application/json",
            "method": "GET",
        }
    ]
    assert scenario["expect_messages"] == [{"to": "+15550100001", "body": "Order is shipped"}]
    stub.route("/orders", status=500, body="down")  # the replay answers from the stub, not the server
    assert run(console, flow)["passed"] == 1


def test_a_rest_run_and_a_call_are_saved_and_replayed(console: Any, flow_factory: Any) -> None:
    notifier = flow_factory(notify(), published=False)
    sid = rest(console, notifier, parameters={"name": "Ada"}).json()["execution_sid"]
    scenario = save(console, notifier, "rest", sid).json()["scenario"]
    assert scenario["trigger"] == {
        "type": "rest",
        "from": "+15550109999",
        "to": "+15550100001",
        "parameters": {"name": "Ada"},
    }
    assert scenario["expect"]["status"] == "active" and scenario["expect"]["widget"] == "greet"
    assert run(console, notifier)["passed"] == 1

    voice = flow_factory(ivr(), name="IVR")
    call = post(
        console,
        f"/api/console/flows/{voice.sid}/simulate/call",
        {"from": CALLER, "to": NUMBER, "script": {"inputs": ["3"]}},
    ).json()
    scenario = save(console, voice, "press 3", call["execution_sid"]).json()["scenario"]
    assert scenario["call"] == {"from": CALLER, "to": NUMBER}
    assert scenario["turns"][-1] == {"hangup": True}
    assert scenario["expect_twiml"] == {"contains": ["Press a key or say something"]}
    assert {"digits": "3", "expect_twiml": {"contains": ["You chose 3"]}} in scenario["turns"]
    assert run(console, voice)["passed"] == 1, FlowTest.objects.get(flow=voice).last_failures
    said = voice.latest_revision().definition
    next(st for st in said["states"] if st["name"] == "thanks")["properties"]["say"] = "You picked it"
    FlowRevision.objects.create(flow=voice, revision=2, definition=said, status="draft")
    failures = run(console, voice)["results"][0]["failures"]
    assert len(failures) == 1 and failures[0].startswith("turn 1 TwiML: 'You chose 3' not in")
    draft = voice.latest_revision().definition
    menu = next(st for st in draft["states"] if st["name"] == "menu")
    next(t for t in menu["transitions"] if t["event"] == "keypress")["next"] = "voicemail"
    FlowRevision.objects.create(flow=voice, revision=3, definition=draft, status="draft")
    assert run(console, voice)["failed"] == 1


def test_saved_tests_are_the_accounts_own_and_viewers_only_read_them(
    console: Any,
    bob_console: Any,  # noqa: F811 - the fixture imported above
    flow_factory: Any,
    django_user_model: Any,
) -> None:
    flow = flow_factory(branching())
    sid = say(console, flow, "hi").json()["execution_sid"]
    assert save(console, flow, "first", sid).status_code == 201
    assert save(console, flow, "first", sid).status_code == 409
    assert save(console, flow, "../x", sid).status_code == 400
    assert save(bob_console, flow, "mine", sid).status_code == 404
    assert bob_console.get(f"/api/console/flows/{flow.sid}/tests").status_code == 404
    assert post(bob_console, f"/api/console/flows/{flow.sid}/tests/run", {}).status_code == 404
    viewer = django_user_model.objects.create_user(username="vera", password="vera-password")
    Membership.objects.create(user=viewer, account=flow.account, role=Membership.Role.VIEWER)
    console.force_login(viewer)
    assert [t["name"] for t in console.get(f"/api/console/flows/{flow.sid}/tests").json()["tests"]] == [
        "first"
    ]
    assert save(console, flow, "second", sid).status_code == 403
    assert post(console, f"/api/console/flows/{flow.sid}/tests/run", {}).status_code == 403
    exported = console.get(f"/api/console/flows/{flow.sid}/tests/first").json()
    assert exported["flow"] == f"{flow.sid}.json" and exported["trigger"]["body"] == "hi"


def test_flows_test_saved_replays_the_consoles_tests_for_ci(console: Any, flow_factory: Any) -> None:
    flow = flow_factory(branching())
    say(console, flow, "hi")
    sid = say(console, flow, "yes").json()["execution_sid"]
    save(console, flow, "happy path", sid)
    out = StringIO()
    call_command("flows", "test", "--saved", stdout=out)
    assert out.getvalue().splitlines() == [f"PASS {flow.sid}/happy path", "1 passed, 0 failed"]
    change_draft(flow, "Thanks", "Merci")
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("flows", "test", "--saved", flow.sid, stdout=out)
    assert out.getvalue().startswith(
        f"FAIL {flow.sid}/happy path: turn 1 message 0: body expected 'Thanks', got 'Merci'"
    )


def test_a_picture_the_contact_sent_is_sent_again_by_the_replay(console: Any, flow_factory: Any) -> None:
    flow = flow_factory(
        definition(
            state(
                "echo",
                "send-message",
                [on("sent"), on("failed")],
                body="Got {{trigger.message.MediaUrl0}}",
                to="{{contact.channel.address}}",
                **{"from": "{{flow.channel.address}}"},
            ),
            trigger=[on("incomingMessage", "echo")],
        )
    )
    url = "https://example.com/cat.jpg"
    sent = post(
        console,
        f"/api/console/flows/{flow.sid}/simulate/message",
        {"from": "+15550100001", "to": "+15550109999", "body": "", "media_urls": [url]},
    )
    scenario = save(console, flow, "picture", sent.json()["execution_sid"]).json()["scenario"]
    assert scenario["trigger"]["params"] == {"NumMedia": "1", "MediaUrl0": url}
    assert scenario["expect_messages"] == [{"to": "+15550100001", "body": f"Got {url}"}]
    assert run(console, flow)["passed"] == 1
