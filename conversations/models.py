"""Conversations v1 resources, each owned by one account (issue #14).

SID prefixes as Twilio's: IS conversation service, CH conversation, MB participant, IM message,
WH conversation-scoped webhook, IG address configuration, US user, RL role, ME media.
"""

from __future__ import annotations

import json
import secrets
from typing import Any

from django.db import models

from accounts.models import Account
from accounts.sids import new_sid


def _is() -> str:
    return new_sid("IS")


def _ch() -> str:
    return new_sid("CH")


def _mb() -> str:
    return new_sid("MB")


def _im() -> str:
    return new_sid("IM")


def _wh() -> str:
    return new_sid("WH")


def _ig() -> str:
    return new_sid("IG")


def _us() -> str:
    return new_sid("US")


def _rl() -> str:
    return new_sid("RL")


def new_roster_version() -> int:
    """Random, so that no value recurs (not even for a primary key reused after a rollback)."""
    return secrets.randbits(62) + 1


class ConversationService(models.Model):
    """A conversation service (``IS…``); every account has one default, made on first use."""

    sid = models.CharField(max_length=34, unique=True, default=_is, editable=False)
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="conversation_services")
    friendly_name = models.CharField(max_length=255)
    is_default = models.BooleanField(default=False)
    # The service's Configuration, its Notifications and its Webhooks (conversations.settings):
    # {"configuration": {...}, "notifications": {...}, "webhooks": {...}}, defaults filled on read.
    settings = models.JSONField(default=dict, blank=True)
    date_created = models.DateTimeField(auto_now_add=True)
    date_updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["date_created", "id"]

    def __str__(self) -> str:
        return f"{self.friendly_name} ({self.sid})"


class ConversationsConfiguration(models.Model):
    """An account's ``/v1/Configuration`` and ``/v1/Configuration/Webhooks`` (made on first write;
    the default service is the one with ``is_default``)."""

    account = models.OneToOneField(Account, on_delete=models.CASCADE, related_name="+")
    values = models.JSONField(default=dict, blank=True)
    date_updated = models.DateTimeField(auto_now=True)


class Conversation(models.Model):
    class State(models.TextChoices):
        ACTIVE = "active"
        INACTIVE = "inactive"
        CLOSED = "closed"

    sid = models.CharField(max_length=34, unique=True, default=_ch, editable=False)
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="conversations")
    service = models.ForeignKey(ConversationService, on_delete=models.CASCADE, related_name="conversations")
    friendly_name = models.CharField(max_length=256, blank=True, default="")
    unique_name = models.CharField(max_length=256, null=True, blank=True)
    attributes = models.TextField(default="{}")
    messaging_service_sid = models.CharField(max_length=34, blank=True, default="")
    state = models.CharField(max_length=8, choices=State.choices, default=State.ACTIVE)
    # Timers: durations (seconds) as given, and the instants they fire (re-armed by activity).
    timers_inactive = models.PositiveIntegerField(null=True, blank=True)
    timers_closed = models.PositiveIntegerField(null=True, blank=True)
    date_inactive = models.DateTimeField(null=True, blank=True, db_index=True)
    date_closed = models.DateTimeField(null=True, blank=True, db_index=True)
    next_index = models.PositiveIntegerField(default=0)  # the index the next message gets
    # Changed (to a fresh random value, never reused) whenever a participant or webhook of the
    # conversation is saved or deleted: processes cache both per (conversation, roster_version).
    roster_version = models.BigIntegerField(default=new_roster_version)
    date_created = models.DateTimeField(auto_now_add=True)
    date_updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["date_created", "id"]
        constraints = [
            models.UniqueConstraint(fields=["service", "unique_name"], name="conv_unique_name_per_service")
        ]

    def __str__(self) -> str:
        return self.sid


class Participant(models.Model):
    sid = models.CharField(max_length=34, unique=True, default=_mb, editable=False)
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="participants")
    identity = models.CharField(max_length=256, null=True, blank=True)  # chat participants
    address = models.CharField(max_length=64, blank=True, default="")  # messaging binding (SMS)
    proxy_address = models.CharField(max_length=64, blank=True, default="")
    attributes = models.TextField(default="{}")
    role_sid = models.CharField(max_length=34, blank=True, default="")
    last_read_message_index = models.IntegerField(null=True, blank=True)
    last_read_timestamp = models.DateTimeField(null=True, blank=True)
    notification_level = models.CharField(max_length=8, default="default")  # default | muted
    date_created = models.DateTimeField(auto_now_add=True)
    date_updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["date_created", "id"]
        constraints = [
            models.UniqueConstraint(fields=["conversation", "identity"], name="conv_participant_identity"),
        ]

    def attrs_dict(self) -> dict[str, Any]:
        try:
            value = json.loads(self.attributes or "{}")
        except ValueError:
            return {}
        return value if isinstance(value, dict) else {}

    @property
    def is_sms(self) -> bool:
        return bool(self.address)

    def messaging_binding(self) -> dict[str, Any] | None:
        if not self.address:
            return None
        return {"type": "sms", "address": self.address, "proxy_address": self.proxy_address}


class ConversationMessage(models.Model):
    sid = models.CharField(max_length=34, unique=True, default=_im, editable=False)
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages")
    index = models.PositiveIntegerField()
    author = models.CharField(max_length=256, default="system")
    body = models.TextField(blank=True, default="")
    media = models.JSONField(default=list, blank=True)  # [{"sid","content_type","filename","size","url"}]
    attributes = models.TextField(default="{}")
    participant_sid = models.CharField(max_length=34, blank=True, default="")
    # The sender's own id for the message (web chat's ``client_id``): a resend finds the first one.
    client_id = models.CharField(max_length=64, blank=True, default="")
    # SMS delivery summary: {total, sent, delivered, read, undelivered, failed} or None.
    delivery = models.JSONField(null=True, blank=True)
    date_created = models.DateTimeField(auto_now_add=True)
    date_updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["index"]
        constraints = [
            models.UniqueConstraint(fields=["conversation", "index"], name="conv_message_index"),
            models.UniqueConstraint(
                fields=["conversation", "author", "client_id"],
                condition=~models.Q(client_id=""),
                name="conv_message_client_id",
            ),
        ]


class ConversationWebhook(models.Model):
    class Target(models.TextChoices):
        WEBHOOK = "webhook"
        STUDIO = "studio"
        TRIGGER = "trigger"

    sid = models.CharField(max_length=34, unique=True, default=_wh, editable=False)
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="webhooks")
    target = models.CharField(max_length=8, choices=Target.choices)
    url = models.CharField(max_length=2048, blank=True, default="")
    method = models.CharField(max_length=4, default="POST")
    filters = models.JSONField(default=list, blank=True)
    triggers = models.JSONField(default=list, blank=True)
    flow_sid = models.CharField(max_length=34, blank=True, default="")
    replay_after = models.IntegerField(null=True, blank=True)
    date_created = models.DateTimeField(auto_now_add=True)
    date_updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["date_created", "id"]


class AddressConfiguration(models.Model):
    """An address (a number) whose inbound messages open conversations automatically."""

    sid = models.CharField(max_length=34, unique=True, default=_ig, editable=False)
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="conversation_addresses")
    type = models.CharField(max_length=16, default="sms")
    address = models.CharField(max_length=64)
    friendly_name = models.CharField(max_length=256, blank=True, default="")
    auto_creation_enabled = models.BooleanField(default=True)
    auto_creation_type = models.CharField(max_length=8, default="default")  # webhook | studio | default
    conversation_service = models.ForeignKey(
        ConversationService, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    studio_flow_sid = models.CharField(max_length=34, blank=True, default="")
    studio_retry_count = models.PositiveSmallIntegerField(default=0)
    webhook_url = models.CharField(max_length=2048, blank=True, default="")
    webhook_method = models.CharField(max_length=4, default="POST")
    webhook_filters = models.JSONField(default=list, blank=True)
    date_created = models.DateTimeField(auto_now_add=True)
    date_updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["date_created", "id"]
        constraints = [
            models.UniqueConstraint(fields=["account", "type", "address"], name="conv_address_per_account")
        ]


class ConversationRole(models.Model):
    """A role (``RL…``) of a conversation service: ``service`` roles are a user's in the service,
    ``conversation`` roles a participant's in a conversation; each grants named permissions."""

    class Type(models.TextChoices):
        CONVERSATION = "conversation"
        SERVICE = "service"

    sid = models.CharField(max_length=34, unique=True, default=_rl, editable=False)
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    service = models.ForeignKey(ConversationService, on_delete=models.CASCADE, related_name="roles")
    friendly_name = models.CharField(max_length=64)
    type = models.CharField(max_length=12, choices=Type.choices)
    permissions = models.JSONField(default=list)
    date_created = models.DateTimeField(auto_now_add=True)
    date_updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["date_created", "id"]
        constraints = [
            models.UniqueConstraint(fields=["service", "friendly_name"], name="conv_role_name_per_service")
        ]


class ConversationUser(models.Model):
    """A chat user (``US…``) of a conversation service, named by its ``identity``."""

    sid = models.CharField(max_length=34, unique=True, default=_us, editable=False)
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    service = models.ForeignKey(ConversationService, on_delete=models.CASCADE, related_name="users")
    identity = models.CharField(max_length=256)
    friendly_name = models.CharField(max_length=256, blank=True, default="")
    attributes = models.TextField(default="{}")
    role = models.ForeignKey(
        ConversationRole, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    date_created = models.DateTimeField(auto_now_add=True)
    date_updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["date_created", "id"]
        constraints = [models.UniqueConstraint(fields=["service", "identity"], name="conv_user_identity")]


def _me() -> str:
    return new_sid("ME")


class ConversationMedia(models.Model):
    """A file uploaded to a service's Media Content Service (``ME…``), named by a message's
    ``MediaSid``. Kept in the database: media here are chat attachments of a few megabytes."""

    sid = models.CharField(max_length=34, unique=True, default=_me, editable=False)
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    service = models.ForeignKey(ConversationService, on_delete=models.CASCADE, related_name="media")
    content_type = models.CharField(max_length=128)
    filename = models.CharField(max_length=256, blank=True, default="")
    size = models.PositiveIntegerField(default=0)
    author = models.CharField(max_length=256, default="system")
    content = models.BinaryField()
    message_sid = models.CharField(max_length=34, blank=True, default="")
    conversation_sid = models.CharField(max_length=34, blank=True, default="")
    date_created = models.DateTimeField(auto_now_add=True)
    date_updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["date_created", "id"]


def _cr() -> str:
    return new_sid("CR")


class PushCredential(models.Model):
    """A push credential (``CR…``, ``/v1/Credentials``) as Twilio lists it. This server sends no
    push notification: the secrets a create or update carries (certificate, private key, API key,
    secret) are checked for presence and dropped, never stored."""

    class Type(models.TextChoices):
        APN = "apn"
        GCM = "gcm"
        FCM = "fcm"

    sid = models.CharField(max_length=34, unique=True, default=_cr, editable=False)
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    type = models.CharField(max_length=4, choices=Type.choices)
    friendly_name = models.CharField(max_length=64, blank=True, default="")
    sandbox = models.BooleanField(null=True, blank=True)
    date_created = models.DateTimeField(auto_now_add=True)
    date_updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["date_created", "id"]
