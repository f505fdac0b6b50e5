from __future__ import annotations

from studio.widgets.widget import Widget


class AddMemberToChatChannel(Widget):
    """Schema-listed legacy type with no public property or event definitions (spec §2.22).

    Imported flows keep its properties and transitions verbatim; it cannot run here. Its runtime failure is Twilio error 81004.
    """

    type = "add-member-to-chat-channel"
    family = "Legacy"
    label = "Add Member to Chat Channel"
    description = "Legacy Programmable Chat: add a member to a channel."
    legacy = True
    legacy_error_code = 81004
    channel = "messaging"
    properties = []
    events = []
    open_properties = True
    open_events = True
    open_outputs = True
