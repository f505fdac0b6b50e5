"""Django admin for executions, steps, waits, inbound events, messages and calls."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from executions.inbound import retry
from executions.models import Call, Execution, InboundEvent, Message, PathCount, Step, Wait


class StuckFilter(admin.SimpleListFilter):
    """Active, idle longer than STUDIO["STUCK_AFTER_MINUTES"], no timer still to come."""

    title = "stuck"
    parameter_name = "stuck"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", "Stuck")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Execution]) -> QuerySet[Execution]:
        return retry.stuck(queryset) if self.value() == "yes" else queryset


@admin.action(description="Retry: re-queue their inbound events and fire overdue timers")
def retry_executions(modeladmin: Any, request: HttpRequest, queryset: QuerySet[Execution]) -> None:
    events, fired = retry.retry_executions(queryset)
    modeladmin.message_user(
        request, f"{events} inbound event(s) re-queued, {fired} overdue timer(s) fired.", messages.SUCCESS
    )


@admin.action(description="Retry: process these failed or pending events again")
def retry_events(modeladmin: Any, request: HttpRequest, queryset: QuerySet[InboundEvent]) -> None:
    count = retry.retry_events(queryset)
    modeladmin.message_user(request, f"{count} inbound event(s) re-queued.", messages.SUCCESS)


class StepInline(admin.TabularInline):
    model = Step
    fields = ("sid", "name", "transitioned_from", "transitioned_to", "type", "date_created")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True


@admin.register(Execution)
class ExecutionAdmin(admin.ModelAdmin):
    list_display = (
        "sid",
        "flow",
        "contact_channel_address",
        "status",
        "current_widget",
        "date_created",
        "date_updated",
    )
    list_filter = (StuckFilter, "status", "trigger_event", "date_created")
    actions = [retry_executions]
    search_fields = ("sid", "contact_channel_address", "channel_address", "flow__sid", "account__sid")
    readonly_fields = ("sid", "account", "flow", "revision", "flow_version", "date_created", "date_updated")
    list_select_related = ("flow",)
    inlines = [StepInline]


@admin.register(Step)
class StepAdmin(admin.ModelAdmin):
    list_display = (
        "sid",
        "execution",
        "name",
        "transitioned_from",
        "transitioned_to",
        "type",
        "date_created",
    )
    list_filter = ("type", "name")
    search_fields = ("sid", "execution__sid", "transitioned_from", "transitioned_to")
    readonly_fields = ("sid", "execution", "parent_step", "date_created", "date_updated")


@admin.register(Wait)
class WaitAdmin(admin.ModelAdmin):
    list_display = ("execution", "widget", "kind", "fire_at")
    list_filter = ("kind",)
    search_fields = ("execution__sid", "widget")
    readonly_fields = ("execution", "token", "date_created")


@admin.register(InboundEvent)
class InboundEventAdmin(admin.ModelAdmin):
    list_display = ("key", "flow", "kind", "contact_channel_address", "status", "date_created")
    list_filter = ("status", "kind")
    actions = [retry_events]
    search_fields = ("key", "contact_channel_address", "execution_sid", "flow__sid")
    readonly_fields = ("flow", "key", "date_created")


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ("sid", "from_address", "to_address", "status", "direction", "provider", "date_created")
    list_filter = ("status", "direction", "provider")
    search_fields = ("sid", "from_address", "to_address", "body", "account__sid")
    readonly_fields = ("sid", "account", "execution", "provider_sid", "date_created", "date_updated")


@admin.register(Call)
class CallAdmin(admin.ModelAdmin):
    list_display = ("sid", "from_address", "to_address", "status", "direction", "answered_by", "date_created")
    list_filter = ("status", "direction", "provider")
    search_fields = ("sid", "from_address", "to_address", "execution_sid", "account__sid")
    readonly_fields = ("sid", "account", "provider_sid", "date_created", "date_updated")


@admin.register(PathCount)
class PathCountAdmin(admin.ModelAdmin):
    """The canvas analytics' aggregate (executions.engine.path_counts): read, never edited."""

    list_display = ("flow", "revision", "hour", "from_widget", "event", "to_widget", "count")
    search_fields = ("flow__sid", "from_widget", "to_widget")
    list_filter = ("hour",)

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False
