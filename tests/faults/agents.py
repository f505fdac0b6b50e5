"""An agent of the fault suite, over HTTP as the agent console works: signed in with a console
session (cookie and CSRF token), Available, waiting for the task that an SMS to Flex's Messaging
Flow (Studio's Send to Flex) creates, then accepting it and completing it. After each fault the
suite asks it whether tasks still reach agents."""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.faults.traffic import Inbound, new_contact

AGENT_USER, AGENT_PASSWORD = "agent", "agent-pw"


def seed_agent(manage: Any, account_sid: str) -> str:
    """A console user who is the account's agent, and Flex's defaults (workspace, Messaging Flow
    ending in Send to Flex); returns the Messaging Flow's sid."""
    manage(
        "createconsoleuser", "--username", AGENT_USER, "--password", AGENT_PASSWORD, "--account", account_sid
    )
    seeded = manage("flex_seed", "--account", account_sid, "--user", AGENT_USER)
    found = re.search(r"Messaging Flow +\S+/Flows/(FW[0-9a-f]{32})", seeded)
    assert found, seeded
    return found[1]


@dataclass
class Agent:
    base_url: str
    to_flex: Inbound  # SMS to the Messaging Flow
    client: httpx.Client = field(init=False)

    def __post_init__(self) -> None:
        self.client = httpx.Client(base_url=self.base_url, timeout=15)

    def sign_in(self) -> None:
        self.client.cookies.clear()
        self.client.get("/login").raise_for_status()
        answer = self.client.post(
            "/login",
            data={
                "username": AGENT_USER,
                "password": AGENT_PASSWORD,
                "csrfmiddlewaretoken": self.client.cookies["csrftoken"],
            },
            headers={"Referer": f"{self.base_url}/login"},
        )
        assert answer.status_code == 302, (answer.status_code, answer.text[:300])

    def _post(self, path: str, body: dict[str, Any]) -> httpx.Response:
        headers = {"X-CSRFToken": self.client.cookies["csrftoken"], "Referer": f"{self.base_url}/flex/agent"}
        return self.client.post(path, json=body, headers=headers)

    def me(self) -> dict[str, Any]:
        """The agent console's view of its worker (``GET /api/console/flex/agent``)."""
        answer = self.client.get("/api/console/flex/agent")
        assert answer.status_code == 200, (answer.status_code, answer.text[:300])
        workers = answer.json()["workers"]
        assert len(workers) == 1, workers
        return dict(workers[0])

    def available(self) -> dict[str, Any]:
        worker = self.me()
        if not worker["available"]:
            activity = next(a for a in worker["activities"] if a["friendly_name"] == "Available")
            answer = self._post(
                f"/api/console/flex/agent/{worker['sid']}/activity", {"activity_sid": activity["sid"]}
            )
            assert answer.status_code == 200, (answer.status_code, answer.text[:300])
            worker = answer.json()
        assert worker["available"], worker
        return worker

    def act(self, worker: dict[str, Any], reservation: str, action: str) -> dict[str, Any]:
        path = f"/api/console/flex/agent/{worker['sid']}/reservations/{reservation}"
        answer = self._post(path, {"action": action})
        assert answer.status_code == 200, (action, answer.status_code, answer.text[:300])
        return dict(answer.json())

    def finish_earlier_work(self) -> None:
        """Reservations left open before (a task reserved while the agent was away): accepted if
        still offered, then completed, so that the agent has room for the next task."""
        self.sign_in()
        worker = self.available()
        for reservation in worker["reservations"]:
            if reservation["reservation_status"] == "pending":
                self.act(worker, reservation["sid"], "accept")
            self.act(worker, reservation["sid"], "complete")

    def reach(self, timeout: float = 60.0) -> dict[str, Any]:
        """An SMS to Send to Flex, from a new customer: its task offered to this agent (a pending
        reservation the console shows), accepted, then completed (the agent's room back).
        Returns the figures; ``reached`` says whether all of it worked."""
        started = time.monotonic()
        figures: dict[str, Any] = {"tasks_reached_agents": "0 of 1"}
        self.sign_in()  # a session of its own each time: signing in must work after the fault too
        worker = self.available()
        contact = new_contact("+1999")
        with httpx.Client(timeout=30) as sms:
            status = self.to_flex.send(sms, contact, "an agent please").status
        assert status == 200, f"the SMS to Send to Flex answered {status}"
        deadline = started + timeout
        offered = None
        while offered is None:
            for reservation in self.me()["reservations"]:
                if reservation["reservation_status"] == "pending" and contact in json.dumps(
                    reservation["task"]["attributes"]
                ):
                    offered = reservation
            if offered is None:
                assert time.monotonic() < deadline, f"no task offered to the agent within {timeout} s"
                time.sleep(0.3)
        figures["offered_in_seconds"] = round(time.monotonic() - started, 1)
        accepted = self.act(worker, offered["sid"], "accept")
        mine = [r for r in accepted["reservations"] if r["sid"] == offered["sid"]]
        assert mine and mine[0]["reservation_status"] == "accepted", accepted["reservations"]
        done = self.act(worker, offered["sid"], "complete")
        assert offered["sid"] not in {r["sid"] for r in done["reservations"]}, done["reservations"]
        figures["tasks_reached_agents"] = "1 of 1"
        return figures
