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

        from conversations.services import on_message_added
        from flex.conversation import message_heard

        on_message_added(message_heard)  # agents see their conversations' new messages live
