"""VOICE HOOK — the voice engineer fills this in.

``executions.webhooks`` routes a flow webhook that carries ``CallSid`` and no ``MessageSid``
here and answers with the returned TwiML document. See ENGINE.md § Voice for the intended
shape (create the execution with ``trigger_event="incomingCall"``, run it, wrap
``result.twiml`` in ``<Response>``); callbacks of voice widgets come back through
``executions.webhooks.execution_callback``.
"""

from __future__ import annotations

from typing import Any

from studio.models import Flow

EMPTY = '<?xml version="1.0" encoding="UTF-8"?><Response/>'


def handle_call(flow: Flow, params: dict[str, Any]) -> str:
    """An incoming (or status-updated) call for ``flow``; returns a TwiML document."""
    return EMPTY


def twiml_document(verbs: list[str]) -> str:
    if not verbs:
        return EMPTY
    return '<?xml version="1.0" encoding="UTF-8"?><Response>' + "".join(verbs) + "</Response>"
