"""Deleting an account removes every row of it, in every app, and nothing of other accounts.

The models checked come from the app registry (any model with a foreign key chain to Account),
so a model added later is checked too; and every model with its own ``account`` key must hold
rows of the account before it is deleted, so the check never passes on an empty table."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import models
from django.test import Client

from accounts.models import Account
from tests.operations.populate import populate

pytestmark = pytest.mark.django_db(transaction=True)


def chains_to_account() -> dict[type[models.Model], str]:
    """Every model, and a lookup from it to its account id, by walking foreign keys outward."""
    found: dict[type[models.Model], str] = {}
    frontier = {Account: "id"}
    while frontier:
        reached: dict[type[models.Model], str] = {}
        for model in apps.get_models():
            if model in found or model is Account:
                continue
            for f in model._meta.concrete_fields:
                if f.is_relation and f.related_model in frontier and not f.null:
                    tail = frontier[f.related_model]
                    reached[model] = f"{f.name}_id" if f.related_model is Account else f"{f.name}__{tail}"
                    break
        found.update(reached)
        frontier = reached  # type: ignore[assignment]
    return found


def with_account_key() -> list[type[models.Model]]:
    return [
        m
        for m in apps.get_models()
        if any(f.is_relation and f.related_model is Account for f in m._meta.concrete_fields)
    ]


def counts(account_pk: int) -> dict[str, int]:
    return {
        m._meta.label: m._default_manager.filter(**{path: account_pk}).count()
        for m, path in chains_to_account().items()
    }


def totals() -> dict[str, int]:
    return {m._meta.label: m._default_manager.count() for m in chains_to_account()}


@pytest.fixture
def two(alice: Any, bob: Any) -> tuple[Any, Any]:
    populate(alice)
    populate(bob)
    return alice, bob


def test_every_model_with_an_account_key_has_rows_to_delete(two: tuple[Any, Any]) -> None:
    alice, _ = two
    empty = [m._meta.label for m in with_account_key() if counts(alice.pk)[m._meta.label] == 0]
    assert empty == [], "populate() must create rows of every model with an account key"
    assert len(chains_to_account()) > len(with_account_key())  # steps, timers, TaskRouter rows…


def assert_only_bob_left(alice_pk: int, bob_before: dict[str, int]) -> None:
    assert not Account.objects.filter(pk=alice_pk).exists()
    assert {label: n for label, n in counts(alice_pk).items() if n} == {}
    # Nothing orphaned or unlinked either: every table holds exactly bob's rows.
    assert totals() == bob_before


def test_the_command_deletes_everything_of_the_account_and_nothing_else(two: tuple[Any, Any]) -> None:
    alice, bob = two
    bob_before = counts(bob.pk)
    out = io.StringIO()
    call_command("delete_account", alice.sid, "--yes", stdout=out)
    assert f"deleted account {alice.sid}" in out.getvalue()
    assert "executions.Step" in out.getvalue()
    assert_only_bob_left(alice.pk, bob_before)


def test_the_command_refuses_without_confirmation_and_an_unknown_sid(two: tuple[Any, Any]) -> None:
    alice, _ = two
    with pytest.raises(CommandError, match="--yes"):
        call_command("delete_account", alice.sid, stdin=io.StringIO("no\n"), stdout=io.StringIO())
    assert Account.objects.filter(pk=alice.pk).exists()
    with pytest.raises(CommandError, match="no account"):
        call_command("delete_account", "AC" + "0" * 32, "--yes")


def test_the_admin_action_confirms_then_deletes_everything_of_the_account(
    two: tuple[Any, Any], django_user_model: Any
) -> None:
    alice, bob = two
    bob_before = counts(bob.pk)
    root = django_user_model.objects.create_superuser(username="root", password="pw", email="r@example.org")
    client = Client()
    client.force_login(root)
    form = {"action": "delete_everything", "_selected_action": [str(alice.pk)]}

    page = client.post("/admin/accounts/account/", form)
    assert page.status_code == 200 and b"executions.Step" in page.content
    assert Account.objects.filter(pk=alice.pk).exists()  # asked, not done

    done = client.post("/admin/accounts/account/", {**form, "confirm": "yes"}, follow=True)
    assert f"Deleted {alice.sid}".encode() in done.content
    assert_only_bob_left(alice.pk, bob_before)


def test_it_deletes_executions_in_batches_without_loading_their_steps(
    two: tuple[Any, Any], settings: Any
) -> None:
    """Django's cascade would load every step (to clear their parent links) before deleting them."""
    from django.db.models.signals import post_init

    from accounts.deletion import delete_account
    from executions.models import Step

    alice, bob = two
    settings.STUDIO = {**settings.STUDIO, "PURGE_BATCH": 1}
    bob_before = counts(bob.pk)
    loaded: list[Any] = []

    def note(sender: Any, instance: Any, **kwargs: Any) -> None:
        loaded.append(instance)

    post_init.connect(note, sender=Step)
    try:
        result = delete_account(alice)
    finally:
        post_init.disconnect(note, sender=Step)
    assert loaded == []
    assert result["deleted"]["executions.Step"] > 0 and result["deleted"]["executions.Execution"] == 2
    assert_only_bob_left(alice.pk, bob_before)
