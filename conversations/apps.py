from __future__ import annotations

from django.apps import AppConfig


class ConversationsConfig(AppConfig):
    name = "conversations"
    verbose_name = "Conversations"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from conversations.models import ConversationWebhook, Participant
        from conversations.roster import on_change

        # The per-process roster cache is keyed by the conversation's roster_version (roster.py).
        for model in (Participant, ConversationWebhook):
            post_save.connect(on_change, sender=model, dispatch_uid=f"roster-save-{model.__name__}")
            post_delete.connect(on_change, sender=model, dispatch_uid=f"roster-delete-{model.__name__}")

        from accounts.models import Account
        from conversations.events import forget
        from conversations.models import ConversationsConfiguration, ConversationService

        # The per-process cache of the event webhooks' settings (events.py).
        for changed in (ConversationService, ConversationsConfiguration, Account):
            post_save.connect(forget, sender=changed, dispatch_uid=f"event-hooks-{changed.__name__}")
