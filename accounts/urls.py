"""The account-level REST resources (2010-04-01 API)."""

from __future__ import annotations

from django.urls import path

from accounts import keys_api, phone_numbers_api

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
