"""Sends through a real Twilio account (the account's ``twilio_account_sid``/``twilio_auth_token``).

Never reached in tests except with a client pointed at a local stub (``base_url``).
"""

from __future__ import annotations

from typing import Any

from executions.models import Message


class TwilioProvider:
    name = "twilio"

    def __init__(self, base_url: str | None = None) -> None:
        self.base_url = base_url

    def client(self, message: Message) -> Any:
        from twilio.rest import Client  # on use: accounts on the simulator never load the SDK

        account = message.account
        client = Client(account.twilio_account_sid, account.twilio_auth_token)
        if self.base_url:
            client.api.base_url = self.base_url
        return client

    def accept(self, message: Message) -> None:
        account = message.account
        if not account.twilio_account_sid or not account.twilio_auth_token:
            message.status = Message.Status.FAILED
            message.error_code = 20003
            message.error_message = "No Twilio credentials configured for this account"
        elif not message.to_address or not message.from_address:
            message.status = Message.Status.FAILED
            message.error_code = 21604 if not message.to_address else 21603
            message.error_message = "To and From are required"
        else:
            message.status = Message.Status.QUEUED

    def dispatch(self, message: Message) -> None:
        from twilio.base.exceptions import TwilioException, TwilioRestException  # with the SDK, on use

        if message.status != Message.Status.QUEUED:
            return
        kwargs: dict[str, Any] = {"to": message.to_address, "body": message.body}
        if message.from_address.startswith("MG"):
            kwargs["messaging_service_sid"] = message.from_address
        else:
            kwargs["from_"] = message.from_address
        if message.media_urls:
            kwargs["media_url"] = list(message.media_urls)
        try:
            sent = self.client(message).messages.create(**kwargs)
        except TwilioRestException as exc:
            message.status = Message.Status.FAILED
            message.error_code = exc.code
            message.error_message = str(exc.msg)[:255]
        except TwilioException as exc:
            message.status = Message.Status.FAILED
            message.error_code = 30008
            message.error_message = str(exc)[:255]
        else:
            message.provider_sid = sent.sid or ""
            message.status = sent.status or Message.Status.SENT
        message.save(update_fields=["status", "error_code", "error_message", "provider_sid", "date_updated"])
