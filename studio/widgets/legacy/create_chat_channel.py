from __future__ import annotations

from studio.widgets.widget import Widget


class CreateChatChannel(Widget):
    """Schema-listed legacy type with no public property or event definitions (spec §2.22).

    Imported flows keep its properties and transitions verbatim; it cannot run here. Its runtime failure is Twilio error 81006.
    """

    type = "create-chat-channel"
    family = "Legacy"
    label = "Create Chat Channel"
    description = "Legacy Programmable Chat: create a channel."
    legacy = True
    legacy_error_code = 81006
    channel = "messaging"
    properties = []
    events = []
    open_properties = True
    open_events = True
    open_outputs = True
