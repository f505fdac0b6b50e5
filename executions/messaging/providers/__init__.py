"""Message providers: ``simulator`` (built in, default) and ``twilio`` (a real account).

A provider *accepts* a message inside the engine's transaction (the Messaging API's answer:
queued, or failed with an error code) and *dispatches* it after commit.
"""

from __future__ import annotations

from executions.engine.ports import Provider
from executions.messaging.providers.simulator import SimulatorProvider
from executions.messaging.providers.twilio import TwilioProvider
from studio.conf import studio_settings


def provider_name(account: object | None = None) -> str:
    """``twilio`` for an account that has its Twilio credentials set (sends for real through
    that account); otherwise the configured default (``STUDIO_PROVIDER``, ``simulator``)."""
    if getattr(account, "twilio_account_sid", "") and getattr(account, "twilio_auth_token", ""):
        return "twilio"
    return str(studio_settings.PROVIDER or "simulator")


def get_provider(name: str | None = None, account: object | None = None) -> Provider:
    name = name or provider_name(account)
    if name == "twilio":
        return TwilioProvider()
    return SimulatorProvider()
