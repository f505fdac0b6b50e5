"""Django admin for flows and their revisions: searchable, filtered, sids read-only.

Revisions are immutable, so their admin is read-only; saves go through the API or console.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from studio.models import Flow, FlowRevision


class FlowRevisionInline(admin.TabularInline):
    model = FlowRevision
    fields = ("revision", "status", "valid", "commit_message", "author", "date_created")
    readonly_fields = fields
    ordering = ("-revision",)
    extra = 0
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Flow)
class FlowAdmin(admin.ModelAdmin):
    list_display = ("sid", "friendly_name", "account", "status", "revision", "published_revision", "valid")
    list_filter = ("status", "valid", "account")
    search_fields = ("sid", "friendly_name", "account__sid", "account__friendly_name")
    readonly_fields = (
        "sid",
        "account",
        "status",
        "revision",
        "published_revision",
        "commit_message",
        "author_sid",
        "valid",
        "widget_count",
        "date_created",
        "date_updated",
    )
    fields = ("friendly_name", "test_users", *readonly_fields)
    list_select_related = ("account",)
    date_hierarchy = "date_created"
    inlines = [FlowRevisionInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # A flow needs a first revision: create flows through the API, console or `flows import`.
        return False


@admin.register(FlowRevision)
class FlowRevisionAdmin(admin.ModelAdmin):
    list_display = ("flow_sid", "revision", "friendly_name", "status", "valid", "author", "date_created")
    list_filter = ("status", "valid", "flow__account")
    search_fields = ("flow__sid", "friendly_name", "commit_message", "flow__account__sid")
    list_select_related = ("flow", "author")
    ordering = ("-date_created",)

    @admin.display(description="flow sid", ordering="flow__sid")
    def flow_sid(self, obj: FlowRevision) -> str:
        return obj.flow.sid

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in FlowRevision._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Viewable (read-only form) but never saved: revisions are immutable.
        return request.method in ("GET", "HEAD")
