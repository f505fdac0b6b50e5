from __future__ import annotations

from django.apps import AppConfig


class ServerlessConfig(AppConfig):
    name = "serverless"
    verbose_name = "Functions & Assets"
    default_auto_field = "django.db.models.BigAutoField"
