from __future__ import annotations

from studio.widgets.base import Prop, Widget, kv_array


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
