from __future__ import annotations

import re
from typing import Any

from studio.widgets.props import Prop, kv_array
from studio.widgets.runtime import HttpError, Outcome, WidgetCall, json_object
from studio.widgets.tools.make_http_request import kv_pairs
from studio.widgets.widget import Widget

ENVIRONMENT_SID = re.compile(r"ZE[0-9a-f]{32}")


class RunFunction(Widget):
    type = "run-function"
    family = "Tools & Execute Code"
    label = "Run Function"
    description = "Call a Function (10 s, 64 kB); JSON object replies are merged into parsed."
    channel = "any"
    properties = [
        # SID fields are free text: real exports carry placeholders like YOUR_SERVICE_SID or
        # ${var.x} that deploy tooling substitutes.
        Prop("service_sid", "string", label="Service", description="ZS… or default"),
        Prop("environment_sid", "string", label="Environment", description="ZE…"),
        Prop("function_sid", "string", label="Function", description="ZH…"),
        Prop("url", "string", required=True, liquid=True, label="Function URL"),
        kv_array("parameters", "Function parameters"),
    ]
    # Note: the failure event is "fail", not "failed".
    events = ["success", "fail"]
    outputs = ["body", "content_type", "status_code", "parsed", 'headers["x-twilio-function-concurrency"]']
    name_prefix = "function"

    # -- runtime ---------------------------------------------------------------------------
    failure_event = "fail"

    @classmethod
    def run(cls, call: WidgetCall) -> Outcome:
        url = str(call.properties.get("url") or "").strip()
        pairs = kv_pairs(call.properties.get("parameters"))
        previous = call.previous_outputs or {}
        kept_parsed = previous.get("parsed") if isinstance(previous.get("parsed"), dict) else None
        try:
            # A function deployed on this server runs here; any other URL is called over HTTP,
            # signed as Studio signs it so that protected Functions accept it (serverless §2.6).
            function_sid = str(call.properties.get("function_sid") or "").strip()
            # Only a real SID picks the environment: exports often carry placeholders here.
            environment_sid = str(call.properties.get("environment_sid") or "").strip()
            environment_sid = environment_sid if ENVIRONMENT_SID.fullmatch(environment_sid) else ""
            response = call.services.invoke_function(function_sid, pairs, environment_sid)
            if response is None:
                response = call.services.http_request("POST", url, form=pairs, signed=True)
        except HttpError as exc:
            kept = {"parsed": kept_parsed} if kept_parsed is not None else {}
            return Outcome(event="fail", outputs=kept, warnings=[(81010, f"{call.name}: {exc.message}")])
        outputs: dict[str, Any] = {
            "status_code": response.status_code,
            "content_type": response.content_type,
            "body": response.body,
        }
        concurrency = response.headers.get("x-twilio-function-concurrency")
        if concurrency is not None:
            outputs["headers"] = {"x-twilio-function-concurrency": concurrency}
        # parsed is merged across runs and left alone by non-JSON replies (spec §2.A).
        parsed = json_object(response)
        if parsed is not None:
            outputs["parsed"] = {**(kept_parsed or {}), **parsed}
        elif kept_parsed is not None:
            outputs["parsed"] = kept_parsed
        if 200 <= response.status_code < 400:
            return Outcome(event="success", outputs=outputs)
        message = f"{call.name}: the Function answered {response.status_code}"
        return Outcome(event="fail", outputs=outputs, warnings=[(81010, message)])
