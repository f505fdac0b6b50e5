"""Studio v2 Executions, Steps and Contexts over REST (spec §6)."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest

from executions.models import Execution
from tests.executions.factories import definition, on, state

pytestmark = pytest.mark.django_db(transaction=True)

SID = re.compile(r"^(FN|FT|FW|AC)[0-9a-f]{32}$")
TS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


def waiting_flow() -> dict[str, Any]:
    return definition(
        state(
            "ask",
            "send-and-wait-for-reply",
            [on("incomingMessage"), on("timeout"), on("deliveryFailure")],
            body="Hello {{flow.data.name}}",
            **{"from": "{{flow.channel.address}}"},
        ),
        trigger=[on("incomingRequest", "ask")],
    )


def create(api: Any, flow: Any, to: str = "+15551230000", frm: str = "+15550001111", **extra: Any) -> Any:
    return api.post(f"/v2/Flows/{flow.sid}/Executions", {"To": to, "From": frm, **extra})


def test_it_creates_an_execution_with_parameters_as_flow_data(api: Any, flow_factory: Any) -> None:
    flow = flow_factory(waiting_flow())
    response = create(api, flow, Parameters=json.dumps({"name": "Zeke", "nested": {"a": 1}}))
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == {
        "sid",
        "account_sid",
        "flow_sid",
        "contact_sid",
        "contact_channel_address",
        "context",
        "status",
        "flow_version",
        "initiated_by",
        "date_created",
        "date_updated",
        "url",
        "links",
    }
    assert SID.match(body["sid"]) and body["sid"].startswith("FN")
    assert body["flow_sid"] == flow.sid and body["account_sid"] == api.account.sid
    assert body["contact_channel_address"] == "+15551230000"
    assert body["status"] == "active" and body["flow_version"] == 1
    assert body["initiated_by"].startswith("RQ")
    assert TS.match(body["date_created"])
    assert body["url"].endswith(f"/v2/Flows/{flow.sid}/Executions/{body['sid']}")
    assert body["links"] == {"steps": body["url"] + "/Steps", "execution_context": body["url"] + "/Context"}
    ctx = api.get(body["links"]["execution_context"]).json()
    assert ctx["context"]["flow"]["data"] == {"name": "Zeke", "nested": {"a": 1}}
    assert ctx["context"]["trigger"]["request"]["parameters"]["name"] == "Zeke"
    assert ctx["context"]["trigger"]["request"]["to"] == "+15551230000"
    assert ctx["context"]["flow"]["channel"]["address"] == "+15550001111"
    assert ctx["context"]["contact"]["channel"]["address"] == "+15551230000"
    assert ctx["context"]["flow"]["sid"] == body["sid"] and ctx["context"]["flow"]["flow_sid"] == flow.sid
    assert set(ctx) == {"account_sid", "context", "flow_sid", "execution_sid", "url"}


def test_it_refuses_a_second_active_execution_for_the_same_pair(api: Any, flow_factory: Any) -> None:
    flow = flow_factory(waiting_flow())
    first = create(api, flow).json()
    response = create(api, flow)
    assert response.status_code == 409
    assert response.json()["code"] == 20409
    assert response.json()["details"] == {"conflicting_execution_sid": first["sid"]}
    assert create(api, flow, to="+15559990000").status_code == 201


def test_it_requires_to_and_from(api: Any, flow_factory: Any) -> None:
    flow = flow_factory(waiting_flow())
    response = api.post(f"/v2/Flows/{flow.sid}/Executions", {"From": "+1555"})
    assert response.status_code == 400 and response.json()["code"] == 20001
    assert "To" in response.json()["message"]


def test_it_rejects_parameters_that_are_not_json(api: Any, flow_factory: Any) -> None:
    flow = flow_factory(waiting_flow())
    assert create(api, flow, Parameters="{nope").status_code == 400


def test_it_rejects_addresses_over_300_bytes(api: Any, flow_factory: Any) -> None:
    flow = flow_factory(waiting_flow())
    response = create(api, flow, to="+1" * 160)
    assert response.status_code == 400 and response.json()["code"] == 81023


def test_it_lists_newest_first_and_filters_by_status_and_dates(api: Any, flow_factory: Any) -> None:
    flow = flow_factory(waiting_flow())
    sids = [create(api, flow, to=f"+1555000000{i}").json()["sid"] for i in range(3)]
    api.post(f"/v2/Flows/{flow.sid}/Executions/{sids[0]}", {"Status": "ended"})
    listed = api.get(f"/v2/Flows/{flow.sid}/Executions").json()
    assert [e["sid"] for e in listed["executions"]] == sids[::-1]
    assert listed["meta"]["key"] == "executions"
    active = api.get(f"/v2/Flows/{flow.sid}/Executions", {"status": "active"}).json()["executions"]
    assert {e["sid"] for e in active} == set(sids[1:])
    ended = api.get(f"/v2/Flows/{flow.sid}/Executions", {"status": "ended"}).json()["executions"]
    assert [e["sid"] for e in ended] == [sids[0]]
    Execution.objects.filter(sid=sids[0]).update(date_created=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    recent = api.get(f"/v2/Flows/{flow.sid}/Executions", {"DateCreatedFrom": "2021-01-01T00:00:00Z"}).json()
    assert {e["sid"] for e in recent["executions"]} == set(sids[1:])
    old = api.get(f"/v2/Flows/{flow.sid}/Executions", {"DateCreatedTo": "2021-01-01T00:00:00Z"}).json()
    assert [e["sid"] for e in old["executions"]] == [sids[0]]


def test_it_pages_executions(api: Any, flow_factory: Any) -> None:
    flow = flow_factory(waiting_flow())
    sids = [create(api, flow, to=f"+1555000000{i}").json()["sid"] for i in range(3)]
    page = api.get(f"/v2/Flows/{flow.sid}/Executions", {"PageSize": 2}).json()
    assert len(page["executions"]) == 2 and page["meta"]["next_page_url"]
    nxt = api.get(page["meta"]["next_page_url"]).json()
    assert [e["sid"] for e in page["executions"] + nxt["executions"]] == sids[::-1]


def test_it_ends_an_execution_once(api: Any, flow_factory: Any) -> None:
    flow = flow_factory(waiting_flow())
    sid = create(api, flow).json()["sid"]
    ended = api.post(f"/v2/Flows/{flow.sid}/Executions/{sid}", {"Status": "ended"})
    assert ended.status_code == 200 and ended.json()["status"] == "ended"
    again = api.post(f"/v2/Flows/{flow.sid}/Executions/{sid}", {"Status": "ended"})
    assert again.status_code == 409 and again.json()["code"] == 20409
    assert create(api, flow).status_code == 201


def test_it_deletes_an_execution_with_its_steps(api: Any, flow_factory: Any) -> None:
    flow = flow_factory(waiting_flow())
    sid = create(api, flow).json()["sid"]
    assert api.delete(f"/v2/Flows/{flow.sid}/Executions/{sid}").status_code == 204
    assert api.get(f"/v2/Flows/{flow.sid}/Executions/{sid}").status_code == 404


def test_it_lists_steps_newest_first_with_their_context(api: Any, flow_factory: Any) -> None:
    flow = flow_factory(
        definition(
            state("v", "set-variables", [on("next", "say")], variables=[{"key": "x", "value": "1"}]),
            state(
                "say",
                "send-message",
                [on("sent"), on("failed")],
                body="hi",
                to="{{contact.channel.address}}",
                **{"from": "{{flow.channel.address}}"},
            ),
            trigger=[on("incomingRequest", "v")],
        )
    )
    body = create(api, flow).json()
    assert body["status"] == "ended"
    steps = api.get(body["links"]["steps"]).json()
    assert steps["meta"]["key"] == "steps"
    names = [(s["name"], s["transitioned_from"], s["transitioned_to"], s["type"]) for s in steps["steps"]]
    assert names == [
        ("sent", "say", "Ended", "send-message"),
        ("next", "v", "say", "set-variables"),
        ("incomingRequest", "Trigger", "v", "trigger"),
    ]
    step = steps["steps"][1]
    assert set(step) == {
        "sid",
        "account_sid",
        "flow_sid",
        "execution_sid",
        "parent_step_sid",
        "name",
        "context",
        "transitioned_from",
        "transitioned_to",
        "type",
        "date_created",
        "date_updated",
        "url",
        "links",
    }
    assert step["sid"].startswith("FT") and step["parent_step_sid"] is None
    assert api.get(step["url"]).json()["sid"] == step["sid"]
    ctx = api.get(step["links"]["step_context"]).json()
    assert set(ctx) == {"account_sid", "context", "execution_sid", "flow_sid", "step_sid", "url"}
    assert ctx["context"]["flow"]["variables"] == {"x": 1}


def test_it_hides_other_accounts_executions(api: Any, bob_api: Any, flow_factory: Any) -> None:
    flow = flow_factory(waiting_flow())
    sid = create(api, flow).json()["sid"]
    assert bob_api.get(f"/v2/Flows/{flow.sid}/Executions/{sid}").status_code == 404
    assert bob_api.get(f"/v2/Flows/{flow.sid}/Executions").status_code == 404
    assert bob_api.post(f"/v2/Flows/{flow.sid}/Executions", {"To": "+1", "From": "+2"}).status_code == 404
    assert bob_api.delete(f"/v2/Flows/{flow.sid}/Executions/{sid}").status_code == 404
