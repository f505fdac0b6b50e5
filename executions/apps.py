from __future__ import annotations

from typing import Any

from django.apps import AppConfig


class ExecutionsConfig(AppConfig):
    name = "executions"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Imported here, not at module level: Django loads models after app configs, and the
        # wiring imports modules that use them.
        from accounts.deletion import account_deleting
        from executions.wiring import install_ports

        install_ports()
        account_deleting.connect(_executions_first, dispatch_uid="executions-before-account")


def _executions_first(sender: Any, account: Any, **kwargs: Any) -> None:
    """An account's executions go in batches before the account (accounts.deletion)."""
    from executions.engine.retention import delete_account_executions

    delete_account_executions(account.pk)
