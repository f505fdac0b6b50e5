from __future__ import annotations

from studio.widgets.widget import Widget


class RunFunctionV2(Widget):
    """Schema-listed legacy type with no public property or event definitions (spec §2.22).

    Imported flows keep its properties and transitions verbatim; it cannot run here.
    """

    type = "run-function-v2"
    family = "Legacy"
    label = "Run Function (v2)"
    description = "Legacy schema-listed Run Function variant."
    legacy = True
    legacy_error_code = 81010
    channel = "any"
    properties = []
    events = []
    open_properties = True
    open_events = True
    open_outputs = True
