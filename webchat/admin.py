from __future__ import annotations

from django.contrib import admin

from webchat.models import WebChatKey


@admin.register(WebChatKey)
class WebChatKeyAdmin(admin.ModelAdmin):
    """The account's public web chat key; ``allowed_origins`` (one per line) limits which sites
    may embed the chat."""

    list_display = ("key", "account", "date_created")
    search_fields = ("key", "account__sid", "account__friendly_name")
    readonly_fields = ("key", "date_created")
