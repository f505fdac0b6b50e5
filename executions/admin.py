"""Django admin for executions, steps, waits, inbound events, messages and calls."""

from __future__ import annotations

from django.contrib import admin

from executions.models import Call, Execution, InboundEvent, Message, Step, Wait


class StepInline(admin.TabularInline):
    model = Step
    fields = ("sid", "name", "transitioned_from", "transitioned_to", "type", "date_created")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True


@admin.register(Execution)
class ExecutionAdmin(admin.ModelAdmin):
    list_display = ("sid", "flow", "contact_channel_address", "status", "current_widget", "date_created")
    list_filter = ("status", "trigger_event", "date_created")
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
    list_filter = ("kind", "status")
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
