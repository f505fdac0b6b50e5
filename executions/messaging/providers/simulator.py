"""The built-in provider: messages are stored, never sent anywhere.

Failures can be provoked to exercise ``failed``/``deliveryFailure`` paths:
- refused at once (the Messaging API says no): empty To/From/body, or a To listed in
  ``STUDIO["SIMULATOR_REJECT_TO"]`` (default: Twilio's magic ``+15005550001`` invalid number,
  ``+15005550009`` not SMS-capable);
- accepted, then undelivered (30003) after commit: a To listed in
  ``STUDIO["SIMULATOR_UNDELIVERABLE_TO"]`` (default ``+15005550004``), or ``fail(sid)``.
"""

from __future__ import annotations

from django.utils import timezone

from executions.engine.store import message_status_changed
from executions.models import Message
from studio.conf import studio_settings

REJECT_TO_DEFAULT = {"+15005550001": 21211, "+15005550009": 21614}


class SimulatorProvider:
    name = "simulator"
    # Nothing leaves the process: the engine dispatches right after commit, without a task.
    dispatch_inline = True

    def accept(self, message: Message) -> None:
        reject = dict(REJECT_TO_DEFAULT)
        for number in studio_settings.SIMULATOR_REJECT_TO:
            reject[str(number)] = 21211
        if not message.to_address:
            self._refuse(message, 21604, "A 'To' phone number is required.")
        elif not message.from_address:
            self._refuse(message, 21603, "A 'From' phone number is required.")
        elif not message.body and not message.media_urls:
            self._refuse(message, 21602, "Message body is required.")
        elif message.to_address in reject:
            self._refuse(
                message, reject[message.to_address], f"The 'To' number {message.to_address} is not valid."
            )
        else:
            message.status = Message.Status.QUEUED

    def _refuse(self, message: Message, code: int, text: str) -> None:
        message.status = Message.Status.FAILED
        message.error_code = code
        message.error_message = text

    def dispatch(self, message: Message) -> None:
        self.dispatch_many([message])

    def dispatch_many(self, messages: list[Message]) -> None:
        """Deliver (or fail) queued messages: one UPDATE for all the delivered ones."""
        undeliverable = set(studio_settings.SIMULATOR_UNDELIVERABLE_TO)
        now = timezone.now()
        delivered: list[Message] = []
        for message in messages:
            if message.status != Message.Status.QUEUED:
                continue
            message.date_updated = now
            if message.to_address in undeliverable:
                message.status = Message.Status.UNDELIVERED
                message.error_code = 30003
                message.error_message = "Unreachable destination handset"
                message.save(update_fields=["status", "error_code", "error_message", "date_updated"])
            else:
                message.status = Message.Status.DELIVERED
                message.date_sent = now
                delivered.append(message)
        if delivered:
            Message.objects.filter(pk__in=[m.pk for m in delivered]).update(
                status=Message.Status.DELIVERED, date_sent=now, date_updated=now
            )


def fail(
    sid: str, error_code: int = 30003, error_message: str = "Unreachable destination handset"
) -> Message:
    """Test/console hook: mark a message undelivered and tell the execution that sent it."""
    message = Message.objects.get(sid=sid)
    message.status = Message.Status.UNDELIVERED
    message.error_code = error_code
    message.error_message = error_message
    message.save(update_fields=["status", "error_code", "error_message", "date_updated"])
    message_status_changed(message)
    return message
