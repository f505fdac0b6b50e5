"""Deleting an account removes everything of it: every row that reaches the account through
foreign keys (found from the app registry, so a model added later is covered too)."""

from __future__ import annotations

from collections import deque
from typing import Any

from django.apps import apps
from django.db import models, transaction

from accounts.models import Account


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
    """Delete the account and every row of it, in one transaction; returns what was deleted."""
    with transaction.atomic():
        total, per_model = Account.objects.filter(pk=account.pk).delete()
    return {"total": total, "deleted": dict(sorted(per_model.items()))}
