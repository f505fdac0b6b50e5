from __future__ import annotations

import secrets
from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from accounts.deletion import delete_account, owned_counts
from accounts.forms import AdminSignInForm
from accounts.models import Account, ApiKey, IncomingPhoneNumber, Membership, hash_secret
from accounts.sids import new_sid

admin.site.login_form = AdminSignInForm  # failed sign-ins limited per user and address


@admin.action(description="Delete the account and everything of it", permissions=["delete"])
def delete_everything(
    modeladmin: admin.ModelAdmin[Account], request: HttpRequest, queryset: QuerySet[Account]
) -> HttpResponse | None:
    """A page listing what each account holds (rows per model), then, confirmed, the deletion
    (accounts.deletion: every row reaching the account, in one transaction)."""
    if request.POST.get("confirm") != "yes":
        context = {
            **modeladmin.admin_site.each_context(request),
            "accounts": [(account, owned_counts(account)) for account in queryset],
            "title": "Delete accounts",
        }
        return TemplateResponse(request, "admin/accounts/delete_everything.html", context)
    for account in queryset:
        result = delete_account(account)
        modeladmin.message_user(request, f"Deleted {account.sid}: {result['total']} rows.", messages.SUCCESS)
    return None


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    list_display = ("sid", "friendly_name", "status", "date_created")
    actions = [delete_everything]
    list_filter = ("status",)
    search_fields = ("sid", "friendly_name")
    readonly_fields = ("sid", "auth_token", "date_created", "date_updated")


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ("sid", "friendly_name", "account", "date_created")
    search_fields = ("sid", "friendly_name", "account__sid")
    list_filter = ("date_created",)
    readonly_fields = ("sid", "secret_hash", "date_created", "date_updated")

    def save_model(self, request: HttpRequest, obj: ApiKey, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        # A new key gets its sid and secret here; only the secret's hash is stored, so this
        # message is the one time the secret is shown.
        secret = secrets.token_urlsafe(24)
        obj.sid = new_sid("SK")
        obj.secret_hash = hash_secret(secret)
        super().save_model(request, obj, form, change)
        messages.warning(request, f"API key {obj.sid} secret (shown once, copy it now): {secret}")


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "account", "role", "date_created")
    list_filter = ("role",)
    search_fields = ("user__username", "account__sid", "account__friendly_name")


@admin.register(IncomingPhoneNumber)
class IncomingPhoneNumberAdmin(admin.ModelAdmin):
    list_display = ("sid", "phone_number", "friendly_name", "account", "date_created")
    search_fields = ("sid", "phone_number", "friendly_name", "account__sid")
    readonly_fields = ("sid", "date_created", "date_updated")
