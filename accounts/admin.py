from __future__ import annotations

from django.contrib import admin

from accounts.models import Account, ApiKey, Membership


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    list_display = ("sid", "friendly_name", "status", "date_created")
    list_filter = ("status",)
    search_fields = ("sid", "friendly_name")
    readonly_fields = ("sid", "auth_token", "date_created", "date_updated")


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ("sid", "friendly_name", "account", "date_created")
    search_fields = ("sid", "friendly_name", "account__sid")
    list_filter = ("date_created",)
    readonly_fields = ("sid", "secret_hash", "date_created", "date_updated")


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "account", "role", "date_created")
    list_filter = ("role",)
    search_fields = ("user__username", "account__sid", "account__friendly_name")
