from __future__ import annotations

from django.apps import AppConfig


class FlexConfig(AppConfig):
    name = "flex"
    verbose_name = "Flex and TaskRouter"
    default_auto_field = "django.db.models.BigAutoField"
