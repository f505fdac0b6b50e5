"""The runtime contract between widgets and the engine (see executions/ENGINE.md).

Plain data and protocols only: a widget's ``run``/``resume`` receives a ``WidgetCall`` and returns
an ``Outcome``; everything it needs from the outside world (sending messages, HTTP, placing calls,
subflows, Flex, Functions, credentials) it asks of ``call.services``, which the engine implements.
Widget modules therefore never import the engine (``studio`` never imports ``executions``; an
import-linter contract in pyproject.toml enforces it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from accounts.input_guards import parse_json

# -- runtime vocabulary ------------------------------------------------------------------
# Plain data shared by the engine (executions.engine) and widget ``run``/``resume`` methods.
# Kept here, not in executions/, so widget modules never import the engine (studio → twiml
# only; executions → studio).


@dataclass(frozen=True)
class Inbound:
    """An event arriving at a waiting execution.

    ``kind``: ``"message"`` (inbound SMS/chat: Twilio's webhook parameters in ``payload``),
    ``"timeout"`` (a Wait fired), ``"message_status"`` (an outbound message of this execution
    changed status: ``{"MessageSid", "MessageStatus", "ErrorCode"}``), ``"callback"`` (a
    TwiML action/redirect URL of the waiting widget was requested: the request parameters),
    ``"call_status"`` (voice status callback, e.g. hangup), ``"request"``/``"call"`` (a new
    REST request or call reaching an execution that is already active).
    """

    kind: str
    payload: dict[str, Any]
    key: str = ""


@dataclass
class WaitSpec:
    """Returned by a widget that suspends the execution until an event arrives.

    ``timeout_seconds`` arms a ``Wait`` row that delivers ``Inbound("timeout")`` to the
    widget's ``resume``; ``data`` is handed back as ``call.state`` on resume.
    """

    timeout_seconds: float | None = None
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class SendMessageEffect:
    """Ask the engine to send a message; it is accepted in the transaction, dispatched after commit."""

    to: str
    from_: str
    body: str = ""
    media_urls: list[str] = field(default_factory=list)


@dataclass
class Outcome:
    """What a widget run/resume returns.

    - ``event``: the transition to take (``None`` together with ``wait`` = suspend).
    - ``transition``: the exact transition object to follow (split ``match`` branches); when
      absent the engine follows the first transition whose ``event`` equals ``event``.
    - ``outputs``: stored as ``widgets.NAME`` (replacing the previous entry); None = unchanged.
    - ``variables``: merged into ``flow.variables``.
    - ``twiml``: TwiML verbs (without ``<Response>``) that answer the current voice webhook;
      the engine concatenates the verbs of every widget that ran during the request.
    - ``wait``: suspend here (see WaitSpec).
    - ``error``/``error_code``: a fatal error; the execution ends with an error step.
    - ``warnings``: ``(code, message)`` pairs recorded on the execution log.
    """

    event: str | None = None
    transition: dict[str, Any] | None = None
    outputs: dict[str, Any] | None = None
    variables: dict[str, Any] | None = None
    twiml: list[str] = field(default_factory=list)
    wait: WaitSpec | None = None
    error: str | None = None
    error_code: int | None = None
    warnings: list[tuple[int, str]] = field(default_factory=list)


class HttpError(Exception):
    """A request that produced no usable response.

    ``kind``: ``invalid_url``, ``blocked`` (address not allowed), ``timeout``, ``too_large``,
    ``too_many_redirects`` or ``network`` (refused, reset, DNS failure, TLS error).
    """

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


class NetworkDeferred(Exception):
    """Raised by ``Services.http_request``/``invoke_function`` when the engine will not wait on
    the network inside a transaction: the widget is parked ("awaiting network"), the caller
    commits, the request is made outside any transaction and the widget runs again from its
    start, its earlier requests answered from ``answers`` in order. Widgets never catch it."""

    def __init__(self, request: dict[str, Any], answers: list[dict[str, Any]]) -> None:
        super().__init__("awaiting network")
        self.request = request
        self.answers = answers


@dataclass
class HttpResponse:
    status_code: int
    content_type: str
    body: str
    headers: dict[str, str] = field(default_factory=dict)
    url: str = ""

    @property
    def media_type(self) -> str:
        return self.content_type.split(";", 1)[0].strip().lower()


def json_object(response: HttpResponse) -> dict[str, Any] | None:
    """The body parsed, when it is a JSON *object* served as JSON (arrays/strings are not)."""
    media = response.media_type
    if media != "application/json" and not media.endswith("+json"):
        return None
    try:
        value = parse_json(response.body)
    except ValueError:  # invalid, too deep, or not Unicode: the body stays text
        return None
    return value if isinstance(value, dict) else None


class SubflowError(Exception):
    """The subflow cannot run (81024): unknown flow, no such revision, no published revision."""


class FlexError(Exception):
    """A Flex task could not be created (Send to Flex takes ``failedToEnqueue``)."""


class ConversationError(Exception):
    """A conversation could not be started, resumed or written to (the widget's ``failed``)."""


# ``Outcome(wait=WaitSpec(data={SUBFLOW_PLAN_KEY: plan}))`` asks the runner to push a subflow frame.
SUBFLOW_PLAN_KEY = "subflow"


class Services(Protocol):
    """What a widget may ask of the engine while it runs (inside the execution's transaction).

    The engine's implementation is ``executions.engine.services.DbServices``; tests may pass any
    object with the methods a widget calls."""

    def send_message(self, to: str, from_: str, body: str, media_urls: list[str]) -> dict[str, Any]:
        """Accept an outbound message (dispatched after commit); returns the Message resource
        fields (``Sid``, ``Status``, ``ErrorCode`` …). ``Status == "failed"`` means the
        Messaging API refused it."""
        ...

    def callback_url(self, widget: str, **params: str) -> str:
        """An absolute URL that resumes this execution at ``widget`` with ``Inbound("callback")``
        (voice action/redirect targets). Extra ``params`` are added to the query string."""
        ...

    def place_call(self, widget: str, params: dict[str, Any]) -> dict[str, Any]:
        """Place an outbound call (Calls API parameters) whose answer resumes ``widget``; created in
        the transaction, dialled after commit. Returns the Call resource fields."""
        ...

    def http_request(
        self,
        method: str,
        url: str,
        *,
        params: list[tuple[str, str]] | None = None,
        form: list[tuple[str, str]] | None = None,
        content: str | None = None,
        content_type: str | None = None,
        headers: dict[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        signed: bool = False,
    ) -> HttpResponse:
        """One HTTP request through the server's guarded client (address policy, timeouts, size
        caps). ``signed`` adds ``X-Twilio-Signature`` made with the account's auth token, as
        Twilio signs its requests to Functions and TwiML apps. Raises ``HttpError``."""
        ...

    def credentials(self) -> tuple[str, str]:
        """The account's SID and auth token (for Twilio API URLs the flow calls)."""
        ...

    def load_subflow(self, flow_sid: str, revision: str) -> dict[str, Any]:
        """The plan of the child flow at ``revision`` (``LatestPublished``, ``LatestRevision`` or a
        number) as seen from this execution; raises ``SubflowError``."""
        ...

    def create_flex_task(
        self, workflow_sid: str, channel: str, attributes: dict[str, Any], priority: int, timeout: int
    ) -> str:
        """Create a TaskRouter Task for this contact; returns its SID (``WT…``); raises ``FlexError``."""
        ...

    def start_conversation(self, properties: dict[str, Any]) -> dict[str, Any]:
        """Start Conversation: create one (participants, timers, a studio webhook to this flow)
        and make it this execution's channel; returns the widget's outputs. Raises
        ``ConversationError``."""
        ...

    def resume_conversation(self, conversation_sid: str, service_sid: str) -> dict[str, Any]:
        """Resume Conversation: attach an existing conversation as this execution's channel."""
        ...

    def invoke_function(
        self, function_sid: str, parameters: list[tuple[str, str]], environment_sid: str = ""
    ) -> HttpResponse | None:
        """Run a Function deployed on this server (in ``environment_sid`` when given, else its
        service's most recently deployed environment) and return its HTTP answer; ``None`` when it
        is not live here (there): call its URL instead.
        Raises ``HttpError`` when the function produced no answer."""
        ...


@dataclass
class WidgetCall:
    """Everything a widget's ``run``/``resume`` receives.

    ``properties`` are rendered (Liquid) except ``Widget.unrendered`` keys; ``raw`` is the
    state object as written in the flow; ``context`` is the execution context (read it, do
    not mutate it; return ``outputs``/``variables`` instead). ``render(template)`` renders
    any further template (raises ``TemplateError``). ``inbound`` and ``state`` are set on
    resume only.
    """

    name: str
    type: str
    properties: dict[str, Any]
    raw: dict[str, Any]
    transitions: list[dict[str, Any]]
    context: dict[str, Any]
    render: Callable[[str], str]
    services: Services
    trigger_kind: str = ""
    inbound: Inbound | None = None
    state: dict[str, Any] = field(default_factory=dict)
    previous_outputs: dict[str, Any] | None = None


class TemplateError(Exception):
    """A Liquid template failed to parse or render (Studio warning 81018)."""
