from __future__ import annotations

from django.apps import AppConfig


class ScenariosConfig(AppConfig):
    """Listed before ``studio`` in INSTALLED_APPS: its ``flows`` command (with ``test``) wins."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "scenarios"
