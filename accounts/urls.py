"""The account-level REST resources (2010-04-01 API)."""

from __future__ import annotations

from django.urls import path

from accounts import console_api, keys_api, phone_numbers_api

ACCOUNT = "2010-04-01/Accounts/<str:account_sid>"

urlpatterns = [
    path(f"{ACCOUNT}/Keys.json", keys_api.KeyList.as_view(), name="keys"),
    path(f"{ACCOUNT}/Keys/<str:sid>.json", keys_api.KeyDetail.as_view(), name="key"),
    path(
        f"{ACCOUNT}/IncomingPhoneNumbers.json", phone_numbers_api.NumberList.as_view(), name="phone-numbers"
    ),
    path(
        f"{ACCOUNT}/IncomingPhoneNumbers/<str:sid>.json",
        phone_numbers_api.NumberDetail.as_view(),
        name="phone-number",
    ),
]

urlpatterns += [
    path("api/console/accounts", console_api.Accounts.as_view(), name="console-accounts"),
    path("api/console/accounts/switch", console_api.SwitchAccount.as_view(), name="console-accounts-switch"),
    path("api/console/members", console_api.Members.as_view(), name="console-members"),
    path("api/console/members/<int:pk>", console_api.MemberDetail.as_view(), name="console-member"),
    path("api/console/keys", console_api.Keys.as_view(), name="console-keys"),
    path("api/console/keys/<str:sid>", console_api.KeyDetail.as_view(), name="console-key"),
    path("api/console/twilio", console_api.TwilioCredentials.as_view(), name="console-twilio"),
]
