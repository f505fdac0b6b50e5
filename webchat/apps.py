from __future__ import annotations

from django.apps import AppConfig


class WebChatConfig(AppConfig):
    name = "webchat"
    verbose_name = "Web chat"
    default_auto_field = "django.db.models.BigAutoField"
