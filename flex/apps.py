from __future__ import annotations

from django.apps import AppConfig


class FlexConfig(AppConfig):
    name = "flex"
    verbose_name = "Flex and TaskRouter"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from accounts.models import Account
        from flex import tasks  # noqa: F401 - registers the after-commit jobs (flex.jobs)
        from flex.signals import seed_new_account

        post_save.connect(seed_new_account, sender=Account, dispatch_uid="flex-seed-new-account")
        from django.apps import apps

        if apps.is_installed("conversations"):  # agents in a conversation hear of its messages
            from conversations.services import on_message_added, on_typing
            from flex.conversation import notify_agents, relay_visitor_typing

            on_message_added(notify_agents)
            on_typing(relay_visitor_typing)  # the visitor's "typing…" on the agent's console
