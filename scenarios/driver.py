"""Replaying a scenario through the engine's public entry points.

Inbound messages and calls go through the signed flow webhook, REST triggers through the v2
Executions API, exactly as in production; timers fire through the sweeper, failed deliveries
through the simulator provider. With an ``http`` section every outbound HTTP request of the flow
(Make HTTP Request, Run Function, TwiML Redirect) goes to ``scenarios.stubs.HttpStubs`` instead
of the network; a request no stub matches fails like an unreachable host and fails the scenario.
Each scenario runs on a temporary account, deleted afterwards.

The requests go through Django's test client, in this process (``ReplayClient``): a replay is run
from a console request or a command, and its requests belong to it.
"""

from __future__ import annotations

import base64
import itertools
import json
import secrets
from contextlib import ExitStack
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.dispatch import Signal
from django.test import Client
from django.test.client import ClientHandler
from django.utils import timezone
from lxml import etree

from accounts.models import Account
from accounts.signing import HEADER, twilio_signature
from config.celery import app
from executions.engine.timers import sweep
from executions.inbound import drain
from executions.inbound.requests import signed_url
from executions.messaging.providers import simulator
from executions.models import Call, Execution, Message, Wait
from executions.voice import calls
from scenarios import checks, spec
from scenarios.checks import Report
from scenarios.stubs import HttpStubs
from studio.models import Flow, FlowRevision
from twiml import validate

_call_seq = itertools.count(1)


def _closes_connections(signal: Signal) -> bool:
    """Whether ``close_old_connections`` listens to ``signal`` (read, not toggled: toggling would
    leave a request of another thread without it for a moment)."""
    with signal.lock:
        return any(key[0] == id(close_old_connections) for key, *_ in signal.receivers)


class ReplayHandler(ClientHandler):
    """Django's test-client handler, leaving the request signals wired as it found them.

    Django's handler unwires ``close_old_connections`` around its own signals and then wires it,
    whether it was wired before or not. A replay run by a caller that had unwired it (the test
    client itself, a fuzzer or a harness holding a transaction open around its requests) got it
    wired again, and the end of the caller's request then closed the connection in the middle of
    its transaction: on PostgreSQL every later statement failed ("Cannot open a new connection
    in an atomic block"); SQLite's in-memory test database ignores a close, so it went unseen."""

    def __call__(self, environ: dict[str, Any]) -> Any:
        wired = {signal: _closes_connections(signal) for signal in (request_started, request_finished)}
        try:
            return super().__call__(environ)
        finally:
            for signal, was in wired.items():
                if not was:
                    signal.disconnect(close_old_connections)


class ReplayClient(Client):
    def __init__(self) -> None:
        super().__init__()
        self.handler = ReplayHandler(enforce_csrf_checks=False)


class ScenarioError(Exception):
    """The replay cannot go on (e.g. a turn needs a verb the last answer lacks)."""


class Replay:
    def __init__(self, scenario: spec.Scenario, report: Report) -> None:
        self.spec, self.report = scenario.spec, report
        self.account = Account.objects.create(friendly_name=f"golden {report.name}")
        self.flow = Flow.objects.create(
            account=self.account,
            friendly_name=report.name,
            status="published",
            revision=1,
            published_revision=1,
        )
        FlowRevision.objects.create(
            flow=self.flow,
            revision=1,
            definition=scenario.definition,
            status="published",
            friendly_name=report.name,
        )
        self.client = ReplayClient()
        self.seen: set[int] = set()
        self.seen_requests = 0
        self.http = HttpStubs(self.spec["http"]) if "http" in self.spec else None
        trigger = self.spec.get("trigger") or {}
        rest = trigger.get("type") == "rest"
        self.contact = str(trigger.get("to" if rest else "from") or "+15550000001")
        self.channel = str(trigger.get("from" if rest else "to") or "+15550000002")
        self.call_params: dict[str, str] = {}
        self.root: Any = None

    def cleanup(self) -> None:
        if self.http is not None:
            self.http.close()
        self.account.delete()

    def fail(self, message: str) -> None:
        self.report.failures.append(message)

    def execution(self) -> Execution | None:
        return self.flow.executions.order_by("-id").first()

    def sign(self, path: str, payload: dict[str, str]) -> str:
        return twilio_signature(self.account.auth_token, signed_url(path), payload)

    @property
    def webhook(self) -> str:
        return f"/v1/Accounts/{self.account.sid}/Flows/{self.flow.sid}"

    # -- messaging ----------------------------------------------------------------------------

    def inbound(self, body: str, params: dict[str, Any] | None = None) -> None:
        payload = {
            "MessageSid": "SM" + secrets.token_hex(16),
            "AccountSid": self.account.sid,
            "From": self.contact,
            "To": self.channel,
            "Body": body,
            "NumMedia": "0",
        }
        payload.update({k: str(v) for k, v in (params or {}).items()})
        response = self.client.post(self.webhook, payload, headers={HEADER: self.sign(self.webhook, payload)})
        if response.status_code != 200:
            self.fail(f"webhook answered {response.status_code}: {response.content[:200]!r}")
        # The webhook drains the event it recorded once it commits: inside a caller's transaction
        # that is at the caller's commit, after the replay has looked. Drained here, in any case
        # (nothing is left to drain otherwise).
        drain.drain()

    def rest(self, trigger: dict[str, Any]) -> None:
        auth = base64.b64encode(f"{self.account.sid}:{self.account.auth_token}".encode()).decode()
        data = {
            "To": self.contact,
            "From": self.channel,
            "Parameters": json.dumps(trigger.get("parameters") or {}),
        }
        response = self.client.post(
            f"/v2/Flows/{self.flow.sid}/Executions", data, HTTP_AUTHORIZATION=f"Basic {auth}"
        )
        if response.status_code != 201:
            self.fail(f"REST create answered {response.status_code}: {response.content[:200]!r}")

    def timeout(self) -> None:
        waits = Wait.objects.filter(execution=self.execution())
        if not waits.exists():
            self.fail("timeout turn: the execution has no armed timer")
            return
        waits.update(fire_at=timezone.now())
        sweep()

    def fail_delivery(self) -> None:
        execution = self.execution()
        waiting = ((execution.wait_state or {}).get("data") or {}) if execution else {}
        sid = waiting.get("outbound", {}).get("Sid")
        if not sid:
            self.fail("fail_delivery turn: nothing is waiting on a sent message")
            return
        simulator.fail(sid)

    # -- voice --------------------------------------------------------------------------------

    def post_call(self, path_qs: str, payload: dict[str, str]) -> None:
        response = self.client.post(path_qs, payload, headers={HEADER: self.sign(path_qs, payload)})
        if response.status_code != 200:
            raise ScenarioError(f"{path_qs} answered {response.status_code}: {response.content[:200]!r}")
        text = response.content.decode()
        problems = [p for p in validate(text) if p.severity == "error"]
        if problems:
            self.fail(f"invalid TwiML {problems}: {text}")
        self.root = etree.fromstring(response.content)

    def ring(self, call: dict[str, Any]) -> None:
        frm, to = str(call.get("from", "+15551230000")), str(call.get("to", "+15550001111"))
        self.contact, self.channel = frm, to
        self.call_params = {
            "CallSid": f"CA{next(_call_seq):032x}",
            "AccountSid": self.account.sid,
            "From": frm,
            "To": to,
            "Caller": frm,
            "Called": to,
            "CallStatus": "ringing",
            "Direction": "inbound",
            "ApiVersion": "2010-04-01",
            **{k: str(v) for k, v in (call.get("params") or {}).items()},
        }
        self.post_call(self.webhook, self.call_params)

    def follow(self, url: str | None, **extra: str) -> None:
        base = settings.PUBLIC_BASE_URL.rstrip("/")
        if not url or not url.startswith(base):
            raise ScenarioError(f"cannot follow {url!r}: not a URL of this server ({base})")
        parts = urlsplit(url)
        path_qs = parts.path + (f"?{parts.query}" if parts.query else "")
        payload = {k: self.call_params[k] for k in ("From", "To", "CallSid", "AccountSid")}
        payload["CallStatus"] = "in-progress"
        payload.update(extra)
        self.post_call(path_qs, payload)

    def call_turn(self, turn: dict[str, Any]) -> None:
        root = self.root
        if root is None:
            raise ScenarioError('a call turn needs a call ("call": {…}) that got TwiML')
        if turn.get("hangup"):
            self.post_call(self.webhook, {**self.call_params, "CallStatus": "completed"})
        elif "digits" in turn or "speech" in turn:
            gather = root.find("Gather")
            if gather is None:
                raise ScenarioError(f"no <Gather> to answer in {etree.tostring(root, encoding='unicode')}")
            if "digits" in turn:
                self.follow(gather.get("action"), Digits=str(turn["digits"]))
            else:
                self.follow(gather.get("action"), SpeechResult=str(turn["speech"]), Confidence="0.92")
        elif turn.get("redirect") or turn.get("silence"):
            redirect = root.find("Redirect")
            if redirect is None:
                raise ScenarioError(f"no <Redirect> to follow in {etree.tostring(root, encoding='unicode')}")
            self.follow(redirect.text)
        else:
            verb = next((el for el in root if el.get("action")), None)
            if verb is None:
                raise ScenarioError(f"no verb with an action in {etree.tostring(root, encoding='unicode')}")
            self.follow(verb.get("action"), **{k: str(v) for k, v in turn["action"].items()})

    # -- checks -------------------------------------------------------------------------------

    def check_messages(self, label: str, expected: list[dict[str, Any]] | None) -> None:
        sent = Message.objects.filter(account=self.account).exclude(direction="inbound").order_by("id")
        new = [m for m in sent if m.pk not in self.seen]
        self.seen.update(m.pk for m in new)
        if expected is not None:
            self.report.failures.extend(checks.message_mismatches(label, expected, new))

    def check_requests(self, label: str, expected: list[dict[str, Any]] | None) -> None:
        if self.http is None:
            if expected:
                self.fail(f'{label}: expect_requests needs an "http" section')
            return
        new = self.http.requests[self.seen_requests :]
        self.seen_requests += len(new)
        self.report.failures.extend(checks.requests_mismatches(label, expected, new))

    def check_step(self, label: str, step: dict[str, Any]) -> None:
        self.check_requests(label, step.get("expect_requests"))
        self.check_messages(label, step.get("expect_messages"))
        if "expect_twiml" in step:
            if self.root is None:
                self.fail(f"{label}: expect_twiml but no TwiML was returned")
            else:
                for problem in checks.twiml_mismatches(self.root, step["expect_twiml"]):
                    self.fail(f"{label} TwiML: {problem}")

    def check_final(self, expect: dict[str, Any]) -> None:
        execution = self.execution()
        if execution is None:
            self.fail("no execution was created")
            return
        execution.refresh_from_db()
        transcripts = (c.transcript for c in Call.objects.filter(account=self.account))
        self.report.failures.extend(checks.final_mismatches(expect, execution, transcripts))

    # -- the replay ---------------------------------------------------------------------------

    def run(self) -> None:
        outbound = self.spec.get("outbound") or {}
        for number, outcome in outbound.items():
            calls.script_outcome(number, outcome)
        try:
            with ExitStack() as stack:
                if self.http is not None:
                    stack.enter_context(self.http.active())
                self.replay()
        finally:
            for number in outbound:
                calls.script_outcome(number, None)
        self.check_final(self.spec.get("expect") or {})

    def replay(self) -> None:
        trigger = self.spec.get("trigger") or {}
        try:
            if "call" in self.spec:
                self.ring(self.spec.get("call") or {})
            elif trigger.get("type") == "rest":
                self.rest(trigger)
            else:
                self.inbound(str(trigger.get("body", "")), trigger.get("params"))
            self.check_step("trigger", self.spec)
            for i, turn in enumerate(self.spec.get("turns") or [], start=1):
                if turn.get("timeout"):
                    self.timeout()
                elif turn.get("fail_delivery"):
                    self.fail_delivery()
                elif any(k in turn for k in spec.CALL_TURNS):
                    self.call_turn(turn)
                else:
                    self.inbound(str(turn.get("message", "")), turn.get("params"))
                self.check_step(f"turn {i}", turn)
        except ScenarioError as exc:
            self.fail(str(exc))


def run_file(path: str | Path) -> Report:
    """Replay one scenario; the data it creates is deleted afterwards."""
    return run_scenario(spec.load(path))


def run_scenario(scenario: spec.Scenario) -> Report:
    """Replay a loaded scenario (a file's, or a flow's saved test against its draft)."""
    report = Report(name=scenario.name)
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True  # the replay needs its tasks done before it checks
    replay = Replay(scenario, report)
    try:
        replay.run()
    finally:
        app.conf.task_always_eager = eager
        replay.cleanup()
    return report
