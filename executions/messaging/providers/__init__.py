"""Message providers: ``simulator`` (built in, default) and ``twilio`` (a real account).

A provider *accepts* a message inside the engine's transaction (the Messaging API's answer:
queued, or failed with an error code) and *dispatches* it after commit.
"""

from __future__ import annotations

from typing import Protocol

from django.conf import settings

from executions.models import Message


class Provider(Protocol):
    name: str
    # Optional ``dispatch_inline = True``: dispatch in the committing process right after commit
    # (no network, nothing slow) instead of through the ``dispatch_message`` task.

    def accept(self, message: Message) -> None:
        """Set ``status`` (queued | failed) and ``error_code`` on an unsaved message."""
        ...

    def dispatch(self, message: Message) -> None:
        """Hand the accepted message over (after commit); update its status."""
        ...


def provider_name(account: object | None = None) -> str:
    """``twilio`` for an account that has its Twilio credentials set (sends for real through
    that account); otherwise the configured default (``STUDIO_PROVIDER``, ``simulator``)."""
    if getattr(account, "twilio_account_sid", "") and getattr(account, "twilio_auth_token", ""):
        return "twilio"
    return str(getattr(settings, "STUDIO", {}).get("PROVIDER", "simulator") or "simulator")


def get_provider(name: str | None = None, account: object | None = None) -> Provider:
    name = name or provider_name(account)
    if name == "twilio":
        from executions.messaging.providers.twilio import TwilioProvider

        return TwilioProvider()
    from executions.messaging.providers.simulator import SimulatorProvider

    return SimulatorProvider()
