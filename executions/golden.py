"""Golden flow scenarios: ``NAME.test.json`` (+ the flow) replayed through the real entry points.

Format (docs/golden-scenarios.md has the full reference)::

    {"flow": "NAME.json" | "corpus:03-vaccine-standby.json",
     "description": "...",
     "trigger": {"type": "message", "from": "+1…", "to": "+1…", "body": "hi", "params": {…}}
              | {"type": "rest", "from": "+1…", "to": "+1…", "parameters": {…}},
     "call": {"from": "+1…", "to": "+1…", "params": {…}},        # instead of trigger: a call rings
     "outbound": {"+1…": "answered" | "busy" | {…}},             # simulated outbound call outcomes
     "http": [{"method": "POST", "url": "https://…" | "url_prefix": … | "url_pattern": …,
               "status": 200, "content_type": "…", "body": "…" | {…}, "headers": {…},
               "delay": 0.5, "once": true, "drop": true} …],
     "expect_twiml": {"verbs": ["Say", "Redirect"], "contains": ["…"]} | {"empty": true},
     "expect_messages": [ {"to", "from", "body", "body_contains", "status"} … ],   # after the trigger
     "expect_requests": [ {"method", "url", "url_prefix", "query", "form", "json", "body",
                           "body_contains", "headers"} … ],                          # after the trigger
     "turns": [ {"message": "yes", "params": {…}}, {"timeout": true}, {"fail_delivery": true},
                {"digits": "1"}, {"speech": "yes"}, {"redirect": true}, {"silence": true},
                {"action": {"DialCallStatus": "completed"}}, {"hangup": true}
                … each with optional "expect_messages", "expect_requests", "expect_twiml"],
     "expect": {"status": "ended", "widget": "NAME", "context": {subset},
                "steps": ["Trigger-incomingMessage->X", …], "log_codes": [81002],
                "transcript_contains": ["…"]}}

Messages and requests are compared in order against those made since the previous turn.
Inbound messages and calls go through the signed webhooks, REST triggers through the v2 API,
exactly as in production. With an ``http`` section every outbound HTTP request of the flow
(Make HTTP Request, Run Function, TwiML Redirect) goes to a stub server on 127.0.0.1 (see
``HttpStubs``) instead of the network; a request no stub matches fails like an unreachable host
and fails the scenario.
"""

from __future__ import annotations

import itertools
import json
import logging
import re
import secrets
import threading
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from django.conf import settings
from django.test import Client
from django.utils import timezone
from twilio.request_validator import RequestValidator

CORPUS_DIRS = (Path(settings.BASE_DIR) / "tests" / "corpus" / "studio-flows",)
CALL_TURNS = ("digits", "speech", "redirect", "silence", "action", "hangup")
_call_seq = itertools.count(1)


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


# -- the "http" section: canned responses from a loopback stub server --------------------------


def _default_port(scheme: str) -> int:
    return 443 if scheme == "https" else 80


def normalize_url(url: str) -> str:
    """Scheme and host lower-cased, a default port dropped: how recorded URLs are written."""
    parts = urlsplit(str(url))
    if not parts.scheme or not parts.netloc:
        return str(url)
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
    netloc = host if parts.port in (None, _default_port(scheme)) else f"{host}:{parts.port}"
    return parts._replace(scheme=scheme, netloc=netloc).geturl()


class HttpStubs:
    """Canned HTTP responses, served on 127.0.0.1 while ``active()`` is entered.

    One small server per origin (scheme, host, port) the flow calls, started on first use;
    ``executions.backends.http_client.routed`` sends that origin's hops there (the flow and its URLs are
    not rewritten). Every request is recorded in ``requests`` (method, url, headers, query,
    form, json, body, matched).
    """

    def __init__(self, stubs: list[dict[str, Any]]) -> None:
        if not isinstance(stubs, list):
            raise ValueError('"http" must be a list of stubs')
        for stub in stubs:
            if not isinstance(stub, dict) or not any(k in stub for k in ("url", "url_prefix", "url_pattern")):
                raise ValueError(f"http stub {stub!r} needs url, url_prefix or url_pattern")
        self.stubs = [dict(s) for s in stubs]
        self.used: set[int] = set()
        self.requests: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        self.servers: dict[tuple[str, str, int], ThreadingHTTPServer] = {}

    # routing (called by http_client for every hop inside ``active()``)
    def route(self, scheme: str, host: str, port: int) -> tuple[str, int]:
        key = (scheme, host, port)
        with self.lock:
            server = self.servers.get(key)
            if server is None:
                server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler(scheme, host, port))
                server.daemon_threads = True
                threading.Thread(target=server.serve_forever, name=f"golden-http-{host}", daemon=True).start()
                self.servers[key] = server
        return "127.0.0.1", server.server_address[1]

    def active(self) -> Any:
        from executions.backends import http_client

        return http_client.routed(self.route)

    def close(self) -> None:
        for server in self.servers.values():
            server.shutdown()
            server.server_close()
        self.servers.clear()

    def match(self, method: str, url: str) -> dict[str, Any] | None:
        bare = url.split("?", 1)[0]
        with self.lock:
            for i, stub in enumerate(self.stubs):
                if i in self.used:
                    continue
                if stub.get("method") and str(stub["method"]).upper() != method:
                    continue
                if "url" in stub:
                    want = normalize_url(stub["url"])
                    hit = want == (url if "?" in want else bare)
                elif "url_prefix" in stub:
                    hit = url.startswith(normalize_url(stub["url_prefix"]))
                else:
                    hit = re.search(str(stub["url_pattern"]), url) is not None
                if hit:
                    if stub.get("once"):
                        self.used.add(i)
                    return stub
        return None

    def record(self, method: str, url: str, headers: dict[str, str], body: bytes) -> dict[str, Any]:
        text = body.decode("utf-8", errors="replace")
        media = headers.get("content-type", "").split(";", 1)[0].strip().lower()
        entry: dict[str, Any] = {
            "method": method,
            "url": url,
            "headers": headers,
            "query": _flat(parse_qs(urlsplit(url).query, keep_blank_values=True)),
            "body": text,
        }
        if media == "application/x-www-form-urlencoded":
            entry["form"] = _flat(parse_qs(text, keep_blank_values=True))
        elif media == "application/json" or media.endswith("+json"):
            try:
                entry["json"] = json.loads(text)
            except ValueError:
                pass
        with self.lock:
            self.requests.append(entry)
        return entry

    def _handler(self, scheme: str, host: str, port: int) -> type[BaseHTTPRequestHandler]:
        stubs = self
        origin = f"{scheme}://{host}" + ("" if port == _default_port(scheme) else f":{port}")

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet
                pass

            def handle_one(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                headers = {k.lower(): v for k, v in self.headers.items()}
                entry = stubs.record(self.command, origin + self.path, headers, body)
                stub = stubs.match(self.command, origin + self.path)
                entry["matched"] = stub is not None
                if stub is None or stub.get("drop"):
                    self.close_connection = True  # no response: the client sees a network error
                    return
                if stub.get("delay"):
                    time.sleep(float(stub["delay"]))
                raw = stub.get("body", "")
                if isinstance(raw, str):
                    payload, ctype = raw.encode(), "text/plain; charset=utf-8"
                else:
                    payload, ctype = json.dumps(raw).encode(), "application/json"
                self.send_response(int(stub.get("status", 200)))
                self.send_header("Content-Type", str(stub.get("content_type") or ctype))
                self.send_header("Content-Length", str(len(payload)))
                for name, value in (stub.get("headers") or {}).items():
                    self.send_header(str(name), str(value))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = handle_one

        return Handler


def _flat(parsed: dict[str, list[str]]) -> dict[str, Any]:
    return {k: v[0] if len(v) == 1 else v for k, v in parsed.items()}


def request_mismatches(want: dict[str, Any], got: dict[str, Any]) -> list[str]:
    """How a recorded request differs from an ``expect_requests`` entry."""
    out: list[str] = []
    if "method" in want and str(want["method"]).upper() != got["method"]:
        out.append(f"method expected {want['method']!r}, got {got['method']!r}")
    if "url" in want and normalize_url(want["url"]) != got["url"]:
        out.append(f"url expected {want['url']!r}, got {got['url']!r}")
    if "url_prefix" in want and not got["url"].startswith(normalize_url(want["url_prefix"])):
        out.append(f"url {got['url']!r} does not start with {want['url_prefix']!r}")
    if "body" in want and want["body"] != got["body"]:
        out.append(f"body expected {want['body']!r}, got {got['body']!r}")
    if "body_contains" in want and str(want["body_contains"]) not in got["body"]:
        out.append(f"body {got['body'][:80]!r} lacks {want['body_contains']!r}")
    for key in ("query", "form", "json"):
        if key in want:
            out.extend(subset_mismatches(want[key], got.get(key), key))
    if "headers" in want:
        lowered = {str(k).lower(): v for k, v in want["headers"].items()}
        out.extend(subset_mismatches(lowered, got["headers"], "headers"))
    return out


# -- TwiML --------------------------------------------------------------------------------------


def twiml_mismatches(root: Any, expect: dict[str, Any] | None) -> list[str]:
    from lxml import etree

    if expect is None:
        return []
    text = etree.tostring(root, encoding="unicode")
    if expect.get("empty"):
        return [] if len(root) == 0 else [f"expected <Response/>, got {text}"]
    out: list[str] = []
    verbs = [el.tag for el in root if isinstance(el.tag, str)]
    if "verbs" in expect and verbs != expect["verbs"]:
        out.append(f"verbs expected {expect['verbs']}, got {verbs}: {text}")
    for fragment in expect.get("contains", []):
        if fragment not in text:
            out.append(f"{fragment!r} not in {text}")
    return out


class ScenarioError(Exception):
    """The replay cannot go on (e.g. a turn needs a verb the last answer lacks)."""


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
        self.seen_requests = 0
        self.http = HttpStubs(spec["http"]) if "http" in spec else None
        trigger = spec.get("trigger") or {}
        self.contact = str(trigger.get("to" if trigger.get("type") == "rest" else "from") or "+15550000001")
        self.channel = str(trigger.get("from" if trigger.get("type") == "rest" else "to") or "+15550000002")
        self.call_params: dict[str, str] = {}
        self.root: Any = None

    def cleanup(self) -> None:
        if self.http is not None:
            self.http.close()
        self.account.delete()

    def fail(self, message: str) -> None:
        self.report.failures.append(message)

    def execution(self) -> Any:
        return self.flow.executions.order_by("-id").first()

    def sign(self, path: str, payload: dict[str, str]) -> str:
        return RequestValidator(self.account.auth_token).compute_signature(
            settings.PUBLIC_BASE_URL + path, payload
        )

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
        response = self.client.post(
            self.webhook, payload, HTTP_X_TWILIO_SIGNATURE=self.sign(self.webhook, payload)
        )
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
        from executions.engine.timers import sweep
        from executions.models import Wait

        execution = self.execution()
        waits = Wait.objects.filter(execution=execution)
        if not waits.exists():
            self.fail("timeout turn: the execution has no armed timer")
            return
        waits.update(fire_at=timezone.now())
        sweep()

    def fail_delivery(self) -> None:
        from executions.messaging.providers.simulator import fail

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

    # -- voice --------------------------------------------------------------------------------

    def post_call(self, path_qs: str, payload: dict[str, str]) -> None:
        from lxml import etree

        from twiml import validate

        response = self.client.post(path_qs, payload, HTTP_X_TWILIO_SIGNATURE=self.sign(path_qs, payload))
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
        from lxml import etree

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
        from executions.models import Message

        new = [
            m
            for m in Message.objects.filter(account=self.account).exclude(direction="inbound").order_by("id")
            if m.pk not in self.seen
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

    def check_requests(self, label: str, expected: list[dict[str, Any]] | None) -> None:
        if self.http is None:
            if expected:
                self.fail(f'{label}: expect_requests needs an "http" section')
            return
        new = self.http.requests[self.seen_requests :]
        self.seen_requests += len(new)
        for req in new:
            if not req.get("matched"):
                self.fail(f"{label}: unexpected request {req['method']} {req['url']} (no http stub matches)")
        if expected is None:
            return
        if len(new) != len(expected):
            got = [f"{r['method']} {r['url']}" for r in new]
            self.fail(f"{label}: expected {len(expected)} request(s), got {len(new)}: {got}")
            return
        for i, (want, got_req) in enumerate(zip(expected, new, strict=True)):
            for problem in request_mismatches(want, got_req):
                self.fail(f"{label} request {i}: {problem}")

    def check_step(self, label: str, step: dict[str, Any]) -> None:
        self.check_requests(label, step.get("expect_requests"))
        self.check_messages(label, step.get("expect_messages"))
        if "expect_twiml" in step:
            if self.root is None:
                self.fail(f"{label}: expect_twiml but no TwiML was returned")
            else:
                for problem in twiml_mismatches(self.root, step["expect_twiml"]):
                    self.fail(f"{label} TwiML: {problem}")

    def run(self) -> None:
        from executions.voice import calls

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
                elif any(k in turn for k in CALL_TURNS):
                    self.call_turn(turn)
                else:
                    self.inbound(str(turn.get("message", "")), turn.get("params"))
                self.check_step(f"turn {i}", turn)
        except ScenarioError as exc:
            self.fail(str(exc))

    def check_final(self, expect: dict[str, Any]) -> None:
        from executions.models import Call

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
        if "steps" in expect:
            steps = [
                f"{s.transitioned_from}-{s.name}->{s.transitioned_to}" for s in execution.steps.order_by("id")
            ]
            if steps != expect["steps"]:
                self.fail(f"steps: expected {expect['steps']}, got {steps}")
        if "context" in expect:
            for problem in subset_mismatches(expect["context"], execution.context, "context"):
                self.fail(problem)
        if "log_codes" in expect:
            codes = sorted({e.get("code") for e in execution.log if e.get("code")})
            if codes != expect["log_codes"]:
                self.fail(f"log_codes: expected {expect['log_codes']}, got {codes}")
        if "transcript_contains" in expect:
            said = json.dumps(
                [c.transcript for c in Call.objects.filter(account=self.account)], ensure_ascii=False
            )
            for fragment in expect["transcript_contains"]:
                if fragment not in said:
                    self.fail(f"transcript: {fragment!r} not in the call transcript")


def run_file(path: str | Path) -> Report:
    """Replay one scenario; the data it creates is deleted afterwards."""
    from config.celery import app

    path = Path(path)
    report = Report(name=path.name.removesuffix(".test.json"))
    spec = json.loads(path.read_text())
    if not isinstance(spec, dict):
        raise ValueError("a scenario is a JSON object")
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
    parser.add_argument(
        "--verbose", action="store_true", dest="details", help="print every difference, not only the first"
    )


def _quiet() -> ExitStack:
    """Silence per-task INFO logging (eager Celery) while scenarios run."""
    stack = ExitStack()
    for name in ("celery", "kombu", "httpx", "executions", "django.request"):
        logger = logging.getLogger(name)
        stack.callback(logger.setLevel, logger.level)
        logger.setLevel(logging.CRITICAL)
    return stack


def command(cmd: Any, opts: dict[str, Any]) -> None:
    """Replay scenarios against the configured database (temporary account, removed afterwards).

    One line per scenario: ``PASS name`` or ``FAIL name: first difference`` (every difference
    with ``--verbose``); exit status 1 when any failed.
    """
    from django.core.management.base import CommandError

    files: list[Path] = []
    for item in opts["files"]:
        path = Path(item)
        if path.is_dir():
            found = sorted(path.glob("*.test.json"))
            if not found:
                raise CommandError(f"{item}: no *.test.json scenarios in this folder")
            files.extend(found)
        else:
            files.append(path)
    verbose = bool(opts.get("details")) or int(opts.get("verbosity") or 1) >= 2
    failed = 0
    with _quiet():
        for path in files:
            try:
                report = run_file(path)
            except (OSError, ValueError) as exc:
                report = Report(name=path.name.removesuffix(".test.json"), failures=[f"cannot load: {exc}"])
            except Exception as exc:  # noqa: BLE001 - one broken scenario must not stop the run
                report = Report(name=path.name.removesuffix(".test.json"), failures=[f"error: {exc!r}"])
            if report.ok:
                cmd.stdout.write(f"PASS {report.name}")
            else:
                more = len(report.failures) - 1
                extra = f" (+{more} more)" if more and not verbose else ""
                cmd.stdout.write(f"FAIL {report.name}: {report.failures[0]}{extra}")
                if verbose:
                    for failure in report.failures[1:]:
                        cmd.stdout.write(f"  {failure}")
            failed += not report.ok
    cmd.stdout.write(f"{len(files) - failed} passed, {failed} failed")
    if failed:
        raise CommandError(f"{failed} of {len(files)} scenarios failed", returncode=1)
