"""Golden flow scenarios: ``NAME.test.json`` (+ the flow) replayed through the real entry points.

Format::

    {"flow": "NAME.json" | "corpus:03-vaccine-standby.json",
     "description": "...",
     "trigger": {"type": "message", "from": "+1…", "to": "+1…", "body": "hi", "params": {…}}
              | {"type": "rest", "from": "+1…", "to": "+1…", "parameters": {…}},
     "expect_messages": [ {"to", "from", "body", "body_contains", "status"} … ],   # after the trigger
     "turns": [ {"message": "yes", "params": {…}, "expect_messages": [...]},
                {"timeout": true, "expect_messages": [...]},
                {"fail_delivery": true, "expect_messages": [...]} ],
     "expect": {"status": "ended", "widget": "NAME", "context": {subset}, "steps": ["Trigger-incomingMessage->X", …]}}

Messages are compared in order against those sent since the previous turn. Inbound messages go
through the signed webhook and REST triggers through the v2 API, exactly as in production.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.test import Client
from django.utils import timezone
from twilio.request_validator import RequestValidator

CORPUS_DIRS = (Path(settings.BASE_DIR) / "tests" / "corpus" / "studio-flows",)


@dataclass
class Report:
    name: str
    failures: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures


def load_flow(spec: dict[str, Any], base: Path) -> dict[str, Any]:
    ref = str(spec.get("flow") or "")
    if ref.startswith("corpus:"):
        name = ref.split(":", 1)[1]
        candidates = [d / name for d in CORPUS_DIRS]
    else:
        candidates = [base / ref]
    for path in candidates:
        if path.exists():
            data = json.loads(path.read_text())
            return data if "states" in data else data.get("definition", data)
    raise FileNotFoundError(f"flow {ref!r} not found")


def subset_mismatches(expected: Any, actual: Any, path: str = "") -> list[str]:
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [f"{path or '.'}: expected an object, got {actual!r}"]
        out: list[str] = []
        for key, value in expected.items():
            if key not in actual:
                out.append(f"{path}.{key}: missing")
            else:
                out.extend(subset_mismatches(value, actual[key], f"{path}.{key}"))
        return out
    if expected != actual:
        return [f"{path or '.'}: expected {expected!r}, got {actual!r}"]
    return []


class Replay:
    def __init__(self, spec: dict[str, Any], definition: dict[str, Any], report: Report) -> None:
        from accounts.models import Account
        from studio.models import Flow, FlowRevision

        self.spec, self.report = spec, report
        self.account = Account.objects.create(friendly_name=f"golden {report.name}")
        self.flow = Flow.objects.create(
            account=self.account,
            friendly_name=report.name,
            status="published",
            revision=1,
            published_revision=1,
        )
        FlowRevision.objects.create(
            flow=self.flow, revision=1, definition=definition, status="published", friendly_name=report.name
        )
        self.client = Client()
        self.seen: set[int] = set()
        trigger = spec.get("trigger") or {}
        self.contact = str(trigger.get("to" if trigger.get("type") == "rest" else "from") or "+15550000001")
        self.channel = str(trigger.get("from" if trigger.get("type") == "rest" else "to") or "+15550000002")

    def cleanup(self) -> None:
        self.account.delete()

    def fail(self, message: str) -> None:
        self.report.failures.append(message)

    def execution(self) -> Any:
        return self.flow.executions.order_by("-id").first()

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
        path = f"/v1/Accounts/{self.account.sid}/Flows/{self.flow.sid}"
        signature = RequestValidator(self.account.auth_token).compute_signature(
            settings.PUBLIC_BASE_URL + path, payload
        )
        response = self.client.post(path, payload, HTTP_X_TWILIO_SIGNATURE=signature)
        if response.status_code != 200:
            self.fail(f"webhook answered {response.status_code}: {response.content[:200]!r}")

    def rest(self, trigger: dict[str, Any]) -> None:
        import base64

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
        from executions.models import Wait
        from executions.sweeper import sweep

        execution = self.execution()
        waits = Wait.objects.filter(execution=execution)
        if not waits.exists():
            self.fail("timeout turn: the execution has no armed timer")
            return
        waits.update(fire_at=timezone.now())
        sweep()

    def fail_delivery(self) -> None:
        from executions.providers.simulator import fail

        execution = self.execution()
        sid = (
            ((execution.wait_state or {}).get("data") or {}).get("outbound", {}).get("Sid")
            if execution
            else None
        )
        if not sid:
            self.fail("fail_delivery turn: nothing is waiting on a sent message")
            return
        fail(sid)

    def check_messages(self, label: str, expected: list[dict[str, Any]] | None) -> None:
        from executions.models import Message

        new = [
            m for m in Message.objects.filter(account=self.account).order_by("id") if m.pk not in self.seen
        ]
        self.seen.update(m.pk for m in new)
        if expected is None:
            return
        if len(new) != len(expected):
            got = [m.body[:60] for m in new]
            self.fail(f"{label}: expected {len(expected)} message(s), got {len(new)}: {got}")
            return
        for i, (want, msg) in enumerate(zip(expected, new, strict=True)):
            actual = {"to": msg.to_address, "from": msg.from_address, "body": msg.body, "status": msg.status}
            for key in ("to", "from", "body", "status"):
                if key in want and want[key] != actual[key]:
                    self.fail(f"{label} message {i}: {key} expected {want[key]!r}, got {actual[key]!r}")
            if "body_contains" in want and str(want["body_contains"]) not in msg.body:
                self.fail(f"{label} message {i}: body {msg.body[:80]!r} lacks {want['body_contains']!r}")

    def run(self) -> None:
        trigger = self.spec.get("trigger") or {}
        if trigger.get("type") == "rest":
            self.rest(trigger)
        else:
            self.inbound(str(trigger.get("body", "")), trigger.get("params"))
        self.check_messages("trigger", self.spec.get("expect_messages"))
        for i, turn in enumerate(self.spec.get("turns") or [], start=1):
            if turn.get("timeout"):
                self.timeout()
            elif turn.get("fail_delivery"):
                self.fail_delivery()
            else:
                self.inbound(str(turn.get("message", "")), turn.get("params"))
            self.check_messages(f"turn {i}", turn.get("expect_messages"))
        self.check_final(self.spec.get("expect") or {})

    def check_final(self, expect: dict[str, Any]) -> None:
        execution = self.execution()
        if execution is None:
            self.fail("no execution was created")
            return
        execution.refresh_from_db()
        if "status" in expect and execution.status != expect["status"]:
            self.fail(
                f"status: expected {expect['status']!r}, got {execution.status!r}; log={execution.log[-3:]}"
            )
        if "widget" in expect and execution.current_widget != expect["widget"]:
            self.fail(f"widget: expected {expect['widget']!r}, got {execution.current_widget!r}")
        if "context" in expect:
            for problem in subset_mismatches(expect["context"], execution.context, "context"):
                self.fail(problem)
        if "steps" in expect:
            steps = [
                f"{s.transitioned_from}-{s.name}->{s.transitioned_to}" for s in execution.steps.order_by("id")
            ]
            if steps != expect["steps"]:
                self.fail(f"steps: expected {expect['steps']}, got {steps}")


def run_file(path: str | Path) -> Report:
    """Replay one scenario; the data it creates is deleted afterwards."""
    from config.celery import app

    path = Path(path)
    report = Report(name=path.name.removesuffix(".test.json"))
    spec = json.loads(path.read_text())
    definition = load_flow(spec, path.parent)
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True  # the replay needs its tasks done before it checks
    replay = Replay(spec, definition, report)
    try:
        replay.run()
    finally:
        app.conf.task_always_eager = eager
        replay.cleanup()
    return report


# -- manage.py flows test FILE… -------------------------------------------------------------


def add_arguments(parser: Any) -> None:
    parser.add_argument("files", nargs="+", help="scenario files (NAME.test.json) or folders holding them")


def command(cmd: Any, opts: dict[str, Any]) -> None:
    """Replay scenarios against the configured database (temporary account, removed afterwards)."""
    from django.core.management.base import CommandError

    files: list[Path] = []
    for item in opts["files"]:
        path = Path(item)
        files.extend(sorted(path.glob("*.test.json")) if path.is_dir() else [path])
    failed = 0
    for path in files:
        try:
            report = run_file(path)
        except (OSError, ValueError) as exc:
            report = Report(name=path.name, failures=[f"cannot load: {exc}"])
        cmd.stdout.write(f"{'PASS' if report.ok else 'FAIL'} {report.name}")
        for failure in report.failures:
            cmd.stdout.write(f"  {failure}")
        failed += not report.ok
    cmd.stdout.write(f"{len(files) - failed} passed, {failed} failed")
    if failed:
        raise CommandError(f"{failed} of {len(files)} scenarios failed", returncode=1)
