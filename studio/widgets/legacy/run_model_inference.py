from __future__ import annotations

from studio.widgets.props import Prop
from studio.widgets.widget import Widget


class RunModelInference(Widget):
    """Seen only in a community flow-to-Terraform converter (spec §2.0, unverified).

    Treated like the schema-only legacy types: imported verbatim, not runnable here, events
    unknown. ``primitive_sid`` is the one property that source shows.
    """

    type = "run-model-inference"
    family = "Legacy"
    label = "Run Model Inference"
    description = "Unverified type: run an AI model primitive. Kept verbatim on import."
    legacy = True
    channel = "any"
    properties = [Prop("primitive_sid", "string", label="Primitive SID")]
    events = []
    open_properties = True
    open_events = True
    open_outputs = True
