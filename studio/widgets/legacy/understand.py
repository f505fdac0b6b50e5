from __future__ import annotations

from studio.widgets.widget import Widget


class Understand(Widget):
    """Schema-listed legacy type with no public property or event definitions (spec §2.22).

    Imported flows keep its properties and transitions verbatim; it cannot run here. Its runtime failure is Twilio error 81013.
    """

    type = "understand"
    family = "Legacy"
    label = "Understand"
    description = "Legacy Twilio Understand (Autopilot predecessor)."
    legacy = True
    legacy_error_code = 81013
    channel = "any"
    properties = []
    events = []
    open_properties = True
    open_events = True
    open_outputs = True
