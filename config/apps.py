"""The project package as an app: it registers the server's own system checks (config.security)."""

from __future__ import annotations

from django.apps import AppConfig


class ServerConfig(AppConfig):
    name = "config"
    label = "server"
    verbose_name = "Server"

    def ready(self) -> None:
        from config import security  # noqa: F401 - registers the production SECRET_KEY check
