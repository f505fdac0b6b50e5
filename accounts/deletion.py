"""Deleting an account removes everything of it: every row that reaches the account through
foreign keys (found from the app registry, so a model added later is covered too)."""

from __future__ import annotations

from collections import deque
from typing import Any

from django.apps import apps
from django.db import models, transaction
from django.dispatch import Signal

from accounts.models import Account

# Sent (with ``account=``) inside the deletion's transaction, before the account's own delete:
# an app with big tables deletes its rows in batches here (executions: steps by the million),
# where Django's cascade would load them all into memory first.
account_deleting = Signal()


def ownership_paths() -> dict[type[models.Model], str]:
    """For every model whose foreign keys lead to ``Account``: the shortest lookup path from it to
    the account id (``account_id``, ``execution__account_id``, …), preferring required keys."""
    paths: dict[type[models.Model], str] = {Account: "id"}
    queue: deque[type[models.Model]] = deque([Account])
    while queue:
        target = queue.popleft()
        for model in apps.get_models():
            if model in paths:
                continue
            links = [
                f
                for f in model._meta.concrete_fields
                if f.is_relation and f.related_model is target and f.name != "parent_step"
            ]
            if not links:
                continue
            link = sorted(links, key=lambda f: f.null)[0]
            tail = paths[target]
            paths[model] = f"{link.name}_id" if target is Account else f"{link.name}__{tail}"
            queue.append(model)
    del paths[Account]
    return paths


def owned_counts(account: Account) -> dict[str, int]:
    """Rows of ``account`` per model label (``executions.Step``: 12, …), those with rows only."""
    counts = {}
    for model, path in ownership_paths().items():
        n = model._default_manager.filter(**{path: account.pk}).count()
        if n:
            counts[model._meta.label] = n
    return counts


def delete_account(account: Account) -> dict[str, Any]:
    """Delete the account and every row of it, in one transaction; returns what was deleted
    (rows per model label, and their total)."""
    with transaction.atomic():
        deleted = {**owned_counts(account), Account._meta.label: 1}
        account_deleting.send(sender=Account, account=account)
        Account.objects.filter(pk=account.pk).delete()
    return {"total": sum(deleted.values()), "deleted": dict(sorted(deleted.items()))}
