"""An account's web chat deployment: the public key a page's ``<script>`` tag names.

The key is public by design (it sits in every page that embeds the chat, as Flex's
``deploymentKey`` does): it lets a visitor open a conversation with one of the account's flows,
nothing more. ``allowed_origins`` (one origin per line, empty = any page) narrows which sites may
embed it; a browser's ``Origin`` is checked on the session request and on the socket.
"""

from __future__ import annotations

from django.db import models

from accounts.models import Account
from accounts.sids import new_sid


def _key() -> str:
    return new_sid("CV")


class WebChatKey(models.Model):
    key = models.CharField(max_length=34, unique=True, default=_key, editable=False)
    account = models.OneToOneField(Account, on_delete=models.CASCADE, related_name="webchat_key")
    allowed_origins = models.TextField(blank=True, default="")
    date_created = models.DateTimeField(auto_now_add=True)

    def origins(self) -> list[str]:
        return [line.strip().rstrip("/") for line in self.allowed_origins.splitlines() if line.strip()]

    def allows(self, origin: str | None) -> bool:
        """A request without ``Origin`` is not a browser page's; any page when none are listed."""
        allowed = self.origins()
        return not allowed or not origin or origin.rstrip("/") in allowed

    @classmethod
    def for_account(cls, account: Account) -> WebChatKey:
        found, _ = cls.objects.get_or_create(account=account)
        return found

    def __str__(self) -> str:
        return self.key
