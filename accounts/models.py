"""Accounts (AC…), API keys (SK…) and console memberships."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

from django.conf import settings
from django.db import models

from accounts.sids import new_sid


def _account_sid() -> str:
    return new_sid("AC")


def _auth_token() -> str:
    return secrets.token_hex(16)


class Account(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active"
        SUSPENDED = "suspended"
        CLOSED = "closed"

    sid = models.CharField(max_length=34, unique=True, default=_account_sid, editable=False)
    friendly_name = models.CharField(max_length=255)
    auth_token = models.CharField(max_length=32, default=_auth_token, editable=False)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    # Optional credentials of a real Twilio account, used by the `twilio` provider.
    twilio_account_sid = models.CharField(max_length=34, blank=True, default="")
    twilio_auth_token = models.CharField(max_length=64, blank=True, default="")
    date_created = models.DateTimeField(auto_now_add=True)
    date_updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["date_created"]

    def __str__(self) -> str:
        return f"{self.friendly_name} ({self.sid})"

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE

    def check_token(self, token: str) -> bool:
        return hmac.compare_digest(self.auth_token.encode(), (token or "").encode())


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class ApiKey(models.Model):
    """An API key: the secret is shown once at creation and only its SHA-256 is kept."""

    sid = models.CharField(max_length=34, unique=True, editable=False)
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="api_keys")
    friendly_name = models.CharField(max_length=255, blank=True, default="")
    secret_hash = models.CharField(max_length=64, editable=False)
    date_created = models.DateTimeField(auto_now_add=True)
    date_updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["date_created"]

    def __str__(self) -> str:
        return f"{self.friendly_name or 'key'} ({self.sid})"

    @classmethod
    def create(cls, account: Account, friendly_name: str = "") -> tuple[ApiKey, str]:
        secret = secrets.token_urlsafe(24)
        key = cls.objects.create(
            sid=new_sid("SK"), account=account, friendly_name=friendly_name, secret_hash=hash_secret(secret)
        )
        return key, secret

    def check_secret(self, secret: str) -> bool:
        return hmac.compare_digest(self.secret_hash, hash_secret(secret or ""))


class Membership(models.Model):
    """A console user's access to one account, with a role."""

    class Role(models.TextChoices):
        OWNER = "owner"
        EDITOR = "editor"
        VIEWER = "viewer"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.EDITOR)
    date_created = models.DateTimeField(auto_now_add=True)

    class Meta:
        unique_together = [("user", "account")]
        ordering = ["date_created"]

    def __str__(self) -> str:
        return f"{self.user} → {self.account.sid} ({self.role})"

    @property
    def can_edit(self) -> bool:
        return self.role in (self.Role.OWNER, self.Role.EDITOR)


def account_json(account: Account) -> dict[str, Any]:
    return {"account_sid": account.sid, "auth_token": account.auth_token}


def _pn_sid() -> str:
    return new_sid("PN")


class IncomingPhoneNumber(models.Model):
    """A phone number of the account and where its calls and texts go (Twilio's
    IncomingPhoneNumbers resource): the URLs are what Twilio's console shows for the number; a
    Studio flow's webhook URL in ``sms_url``/``voice_url`` connects the number to the flow."""

    sid = models.CharField(max_length=34, unique=True, default=_pn_sid, editable=False)
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="phone_numbers")
    phone_number = models.CharField(max_length=32)
    friendly_name = models.CharField(max_length=64, blank=True, default="")
    voice_url = models.CharField(max_length=2000, blank=True, default="")
    voice_method = models.CharField(max_length=8, default="POST")
    voice_fallback_url = models.CharField(max_length=2000, blank=True, default="")
    voice_fallback_method = models.CharField(max_length=8, default="POST")
    status_callback = models.CharField(max_length=2000, blank=True, default="")
    status_callback_method = models.CharField(max_length=8, default="POST")
    sms_url = models.CharField(max_length=2000, blank=True, default="")
    sms_method = models.CharField(max_length=8, default="POST")
    sms_fallback_url = models.CharField(max_length=2000, blank=True, default="")
    sms_fallback_method = models.CharField(max_length=8, default="POST")
    date_created = models.DateTimeField(auto_now_add=True)
    date_updated = models.DateTimeField(auto_now=True)

    class Meta:
        unique_together = [("account", "phone_number")]
        ordering = ["date_created", "id"]

    def __str__(self) -> str:
        return f"{self.phone_number} ({self.sid})"
