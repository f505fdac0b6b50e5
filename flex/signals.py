"""New accounts get Flex's defaults when ``settings.FLEX_SEED_NEW_ACCOUNTS`` is on."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction

from accounts.models import Account


def seed_new_account(sender: Any, instance: Account, created: bool, raw: bool = False, **kwargs: Any) -> None:
    if not created or raw or not getattr(settings, "FLEX_SEED_NEW_ACCOUNTS", False):
        return
    from flex.flex_defaults import seed_account

    account_id = instance.pk
    transaction.on_commit(lambda: seed_account(Account.objects.get(pk=account_id)))
