from __future__ import annotations

from studio.widgets.props import Prop
from studio.widgets.runtime import Outcome, WaitSpec, WidgetCall
from studio.widgets.tools import twiml_redirect_messaging
from studio.widgets.voice.voice_twiml import as_int, node, on_call, outputs_of, xml
from studio.widgets.widget import Widget


class AddTwimlRedirect(Widget):
    type = "add-twiml-redirect"
    family = "Tools & Execute Code"
    label = "TwiML Redirect"
    description = "Hand the call/message to external TwiML; it returns with ?FlowEvent=return."
    channel = "any"
    properties = [
        Prop("url", "string", required=True, liquid=True, label="URL"),
        Prop("method", "enum", allowed=("GET", "POST"), default="POST", label="Method"),
        Prop(
            "timeout",
            "integer",
            string_encoded=True,
            minimum=0,
            maximum=14400,
            default="14400",
            label="Timeout (seconds)",
            description="0 = do not wait for a return",
        ),
    ]
    events = ["return", "timeout", "fail"]
    # Query parameters of the return request are copied in verbatim.
    outputs = []
    open_outputs = True
    name_prefix = "redirect"

    # -- runtime. Voice: answer the call with <Redirect> to the user's URL and wait for its
    # TwiML to <Redirect> back to the flow webhook with ?FlowEvent=return. Messaging: fetch the
    # TwiML and send its <Message>s (``run_message``/``resume_message``).

    @classmethod
    def run(cls, call: WidgetCall) -> Outcome:
        return cls.run_voice(call) if on_call(call) else cls.run_message(call)

    @classmethod
    def resume(cls, call: WidgetCall) -> Outcome | None:
        if call.state.get("channel") == "voice":
            return cls.resume_voice(call)
        return cls.resume_message(call)

    @classmethod
    def run_voice(cls, call: WidgetCall) -> Outcome:
        url = str(call.properties.get("url") or "").strip()
        if not url.lower().startswith(("http://", "https://")):
            return Outcome(event="fail", outputs={"error": f"invalid URL {url!r}"})
        method = str(call.properties.get("method") or "POST").upper()
        timeout = as_int(call.properties.get("timeout"), 14400)
        redirect = xml(node("Redirect", url, method=method))
        wait = WaitSpec(
            timeout_seconds=float(timeout if timeout is not None else 14400), data={"channel": "voice"}
        )
        return Outcome(twiml=[redirect], wait=wait)

    @classmethod
    def resume_voice(cls, call: WidgetCall) -> Outcome | None:
        inbound = call.inbound
        if inbound is None:
            return None
        if inbound.kind == "timeout":
            return Outcome(event="timeout")
        if inbound.kind == "callback" and inbound.payload.get("FlowEvent") == "return":
            return Outcome(event="return", outputs=outputs_of(inbound.payload))
        return None

    # -- runtime, messaging branch (studio/widgets/tools/twiml_redirect_messaging.py) -------------

    @classmethod
    def run_message(cls, call: WidgetCall) -> Outcome:
        return twiml_redirect_messaging.run_message(call)

    @classmethod
    def resume_message(cls, call: WidgetCall) -> Outcome | None:
        return twiml_redirect_messaging.resume_message(call)
