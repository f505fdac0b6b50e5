from __future__ import annotations

from django.apps import AppConfig


class ExecutionsConfig(AppConfig):
    name = "executions"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Imported here, not at module level: Django loads models after app configs, and the
        # wiring imports modules that use them.
        from executions.wiring import install_ports

        install_ports()
