from __future__ import annotations

from studio.widgets.widget import Widget


class UpdateSyncObject(Widget):
    """Schema-listed legacy type with no public property or event definitions (spec §2.22).

    Imported flows keep its properties and transitions verbatim; it cannot run here. Its runtime failure is Twilio error 81012.
    """

    type = "update-sync-object"
    family = "Legacy"
    label = "Update Sync Object"
    description = "Legacy: update a Sync document/list/map."
    legacy = True
    legacy_error_code = 81012
    channel = "any"
    properties = []
    events = []
    open_properties = True
    open_events = True
    open_outputs = True
