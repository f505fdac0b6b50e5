"""Every model has a Django admin whose list, search, filters and change page render."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.apps import apps
from django.contrib import admin
from django.test import Client

pytestmark = pytest.mark.django_db

OUR_APPS = ("accounts", "studio", "executions", "webchat")


@pytest.fixture
def root(django_user_model: Any) -> Client:
    user = django_user_model.objects.create_superuser(username="root", password="pw", email="r@example.org")
    client = Client()
    client.force_login(user)
    return client


def our_models() -> list[Any]:
    return [m for app in OUR_APPS for m in apps.get_app_config(app).get_models()]


def test_it_registers_every_model_in_the_admin() -> None:
    missing = [m.__name__ for m in our_models() if m not in admin.site._registry]
    assert missing == []


@pytest.mark.parametrize("model", our_models(), ids=lambda m: m.__name__)
def test_it_renders_each_admin_list_with_a_search(root: Client, model: Any) -> None:
    url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
    assert root.get(url).status_code == 200
    if admin.site._registry[model].search_fields:
        assert root.get(url, {"q": "AC"}).status_code == 200


def test_it_keeps_account_sids_and_tokens_read_only(root: Client, alice: Any) -> None:
    html = root.get(f"/admin/accounts/account/{alice.pk}/change/").content.decode()
    assert alice.auth_token in html
    assert 'name="auth_token"' not in html and 'name="sid"' not in html


def test_it_creates_an_api_key_in_the_admin_and_shows_its_secret_once(root: Client, alice: Any) -> None:
    from accounts.models import ApiKey
    from tests.support import basic_auth

    response = root.post(
        "/admin/accounts/apikey/add/", {"account": alice.pk, "friendly_name": "ci"}, follow=True
    )
    key = ApiKey.objects.get(friendly_name="ci")
    assert key.sid.startswith("SK") and len(key.sid) == 34
    found = re.search(r"shown once, copy it now\): ([\w-]+)", response.content.decode())
    assert found, "the secret is shown once after saving"
    secret = found.group(1)
    assert key.check_secret(secret) and secret not in key.secret_hash
    api = Client()
    assert api.get("/v2/Flows", HTTP_AUTHORIZATION=basic_auth(key.sid, secret)).status_code == 200
    root.post("/admin/accounts/apikey/add/", {"account": alice.pk, "friendly_name": "second"})
    assert ApiKey.objects.count() == 2
