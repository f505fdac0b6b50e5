"""Run Subflow (spec §2.17): the child runs inside the parent execution, one level deep."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from executions.models import Execution
from studio.models import Flow, FlowRevision
from tests.executions.factories import definition, on, state
from tests.executions.support import send_sms, start_rest, step_names

pytestmark = pytest.mark.django_db(transaction=True)

ME, US = "+15551230000", "+15550001111"


def setvars(name: str, nxt: str | None = None, **values: str) -> dict[str, Any]:
    items = [{"key": k, "value": v} for k, v in values.items()]
    return state(name, "set-variables", [on("next", nxt)], variables=items)


def child_def(**values: str) -> dict[str, Any]:
    """A subflow that sets variables (from its parameters by default) and ends."""
    values = values or {"greeting": "Hello {{trigger.parent.parameters.name}}"}
    return definition(setvars("set", **values), trigger=[on("incomingParent", "set")])


def parent_def(child: Flow | str, revision: str = "LatestPublished", **params: str) -> dict[str, Any]:
    sid = child if isinstance(child, str) else child.sid
    return definition(
        state(
            "sub",
            "run-subflow",
            [on("completed", "after"), on("failed", "oops")],
            flow_sid=sid,
            flow_revision=revision,
            parameters=[{"key": k, "value": v} for k, v in params.items()],
        ),
        setvars("after", result="{{widgets.sub.greeting}}"),
        setvars("oops", result="failed"),
        trigger=[on("incomingRequest", "sub"), on("incomingMessage", "sub")],
    )


def add_revision(flow: Flow, definition: dict[str, Any], *, publish: bool) -> None:
    number = flow.revision + 1
    status = Flow.Status.PUBLISHED if publish else Flow.Status.DRAFT
    FlowRevision.objects.create(
        flow=flow, revision=number, definition=definition, status=status, friendly_name="x"
    )
    flow.revision = number
    if publish:
        flow.published_revision = number
    flow.save()


def result(ex: Execution) -> Any:
    return ex.context["flow"]["variables"].get("result")


def test_it_returns_child_variables_as_widget_outputs(flow_factory: Any) -> None:
    child = flow_factory(child_def(), name="child")
    ex = start_rest(flow_factory(parent_def(child, name="Ada")))
    assert ex.context["widgets"]["sub"] == {"greeting": "Hello Ada"}
    assert result(ex) == "Hello Ada"
    assert ex.status == "ended"


def test_it_renders_parameters_in_the_parent(flow_factory: Any) -> None:
    child = flow_factory(child_def(), name="child")
    ex = start_rest(flow_factory(parent_def(child, name="{{flow.data.who}}")), data={"who": "Zeke"})
    assert result(ex) == "Hello Zeke"


def test_it_fires_incoming_parent_with_the_parent_trigger_data(flow_factory: Any) -> None:
    child = flow_factory(
        child_def(
            frm="{{trigger.request.from}}",
            parent_flow="{{trigger.parent.flow_sid}}",
            execution="{{trigger.parent.execution_sid}}",
            own_flow="{{flow.flow_sid}}",
        ),
        name="child",
    )
    parent = flow_factory(parent_def(child))
    ex = start_rest(parent, to=ME, frm=US)
    assert ex.context["widgets"]["sub"] == {
        "frm": US,
        "parent_flow": parent.sid,
        "execution": ex.sid,
        "own_flow": child.sid,
    }


def test_it_keeps_the_parent_context_apart_from_the_child(flow_factory: Any) -> None:
    child = flow_factory(child_def(seen="[{{flow.variables.secret}}]"), name="child")
    flow = definition(
        setvars("first", "sub", secret="s3"),
        *parent_def(child)["states"][1:],
        trigger=[on("incomingRequest", "first")],
    )
    ex = start_rest(flow_factory(flow))
    assert ex.context["widgets"]["sub"] == {"seen": "[]"}
    assert ex.context["flow"]["variables"]["secret"] == "s3"
    assert "set" not in ex.context["widgets"]


def test_it_records_child_steps_in_the_same_execution(flow_factory: Any) -> None:
    child = flow_factory(child_def(), name="child")
    ex = start_rest(flow_factory(parent_def(child, name="x")))
    assert step_names(ex) == [
        "Trigger-incomingRequest->sub",
        "Trigger-incomingParent->set",
        "set-next->Ended",
        "sub-completed->after",
        "after-next->Ended",
    ]
    assert Execution.objects.count() == 1


def test_it_takes_failed_when_the_subflow_does_not_exist(flow_factory: Any) -> None:
    ex = start_rest(flow_factory(parent_def("FW" + "0" * 32)))
    assert result(ex) == "failed"
    assert any(e["code"] == 81024 and "not found" in e["message"] for e in ex.log)


def test_it_takes_failed_for_a_subflow_of_another_account(flow_factory: Any, bob: Any) -> None:
    child = flow_factory(child_def(), account=bob, name="bob's")
    assert result(start_rest(flow_factory(parent_def(child)))) == "failed"


def test_it_refuses_a_second_nesting_level(flow_factory: Any) -> None:
    grandchild = flow_factory(child_def(deep="yes"), name="grandchild")
    child = definition(
        state(
            "inner",
            "run-subflow",
            [on("completed", "deep"), on("failed", "refused")],
            flow_sid=grandchild.sid,
            flow_revision="LatestPublished",
        ),
        setvars("deep", greeting="nested ran"),
        setvars("refused", greeting="refused"),
        trigger=[on("incomingParent", "inner")],
    )
    ex = start_rest(flow_factory(parent_def(flow_factory(child, name="child"))))
    assert result(ex) == "refused"
    assert any(e["code"] == 81024 and "one level" in e["message"] for e in ex.log)


def test_it_takes_failed_when_the_child_errors(flow_factory: Any) -> None:
    broken = definition(state("legacy", "create-task", []), trigger=[on("incomingParent", "legacy")])
    ex = start_rest(flow_factory(parent_def(flow_factory(broken, name="child"))))
    assert result(ex) == "failed"
    assert ex.status == "ended"
    assert "sub-failed->oops" in step_names(ex)


def test_it_runs_the_pinned_revision_number(flow_factory: Any) -> None:
    child = flow_factory(child_def(greeting="one"), name="child")
    add_revision(child, child_def(greeting="two"), publish=True)
    assert result(start_rest(flow_factory(parent_def(child, "1")))) == "one"


def test_it_runs_the_published_revision_for_latest_published(flow_factory: Any) -> None:
    child = flow_factory(child_def(greeting="published"), name="child")
    add_revision(child, child_def(greeting="draft"), publish=False)
    assert result(start_rest(flow_factory(parent_def(child)))) == "published"


def test_it_runs_the_latest_draft_for_a_test_user_of_the_parent(flow_factory: Any) -> None:
    child = flow_factory(child_def(greeting="published"), name="child")
    add_revision(child, child_def(greeting="draft"), publish=False)
    parent = flow_factory(parent_def(child, "LatestRevision"))
    parent.test_users = [ME]
    parent.save()
    assert result(start_rest(parent, to=ME)) == "draft"


def test_it_runs_the_published_revision_for_other_users_of_latest_draft(flow_factory: Any) -> None:
    child = flow_factory(child_def(greeting="published"), name="child")
    add_revision(child, child_def(greeting="draft"), publish=False)
    parent = flow_factory(parent_def(child, "LatestRevision"))
    parent.test_users = ["+19999999999"]
    parent.save()
    assert result(start_rest(parent, to=ME)) == "published"


def test_it_ignores_test_users_of_the_child(flow_factory: Any) -> None:
    child = flow_factory(child_def(greeting="published"), name="child")
    add_revision(child, child_def(greeting="draft"), publish=False)
    child.test_users = [ME]
    child.save()
    assert result(start_rest(flow_factory(parent_def(child, "LatestRevision")), to=ME)) == "published"


def test_it_takes_failed_for_a_missing_revision(flow_factory: Any) -> None:
    child = flow_factory(child_def(), name="child")
    assert result(start_rest(flow_factory(parent_def(child, "7")))) == "failed"


def test_it_resumes_a_waiting_child_and_returns_to_the_parent(flow_factory: Any) -> None:
    child = definition(
        state(
            "ask",
            "send-and-wait-for-reply",
            [on("incomingMessage", "keep")],
            body="Your name, {{trigger.parent.parameters.title}}?",
            timeout="60",
            **{"from": "{{flow.channel.address}}"},
        ),
        setvars("keep", greeting="Hi {{widgets.ask.inbound.Body}}"),
        trigger=[on("incomingParent", "ask")],
    )
    parent = flow_factory(parent_def(flow_factory(child, name="child"), title="{{trigger.message.Body}}"))
    client = Client()
    send_sms(client, parent, ME, US, "Captain")
    ex = Execution.objects.get(flow=parent)
    assert (ex.status, ex.current_widget) == ("active", "ask")
    assert ex.context["trigger"]["parent"]["parameters"] == {"title": "Captain"}
    send_sms(client, parent, ME, US, "Nemo")
    ex.refresh_from_db()
    assert ex.status == "ended"
    assert result(ex) == "Hi Nemo"
    assert ex.context["trigger"] == {"message": ex.context["trigger"]["message"]}
    assert "subflow" not in (ex.wait_state or {})


def test_it_counts_child_steps_toward_the_execution_limit(flow_factory: Any, settings: Any) -> None:
    settings.STUDIO = {**settings.STUDIO, "MAX_STEPS": 3}
    child = definition(
        setvars("a", "b"), setvars("b", "c"), setvars("c"), trigger=[on("incomingParent", "a")]
    )
    ex = start_rest(flow_factory(parent_def(flow_factory(child, name="child"))))
    assert ex.status == "ended"
    assert any(e["code"] == 81000 for e in ex.log)
    assert result(ex) is None
