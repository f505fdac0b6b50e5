from __future__ import annotations

from studio.widgets.widget import Widget


class CreateTask(Widget):
    """Schema-listed legacy type with no public property or event definitions (spec §2.22).

    Imported flows keep its properties and transitions verbatim; it cannot run here. Its runtime failure is Twilio error 81015.
    """

    type = "create-task"
    family = "Legacy"
    label = "Create Task"
    description = "Legacy TaskRouter task creation (superseded by Send to Flex)."
    legacy = True
    legacy_error_code = 81015
    channel = "any"
    properties = []
    events = []
    open_properties = True
    open_events = True
    open_outputs = True
