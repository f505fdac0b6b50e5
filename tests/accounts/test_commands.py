"""Management commands that set accounts and console users up."""

from __future__ import annotations

import io
import json
import socket
from typing import Any

import pytest
from django.core.management import call_command

from accounts.models import Account, Membership

pytestmark = pytest.mark.django_db


def test_it_creates_an_account_and_prints_its_credentials_as_json() -> None:
    out = io.StringIO()
    call_command("createaccount", "--name", "Acme", "--json", stdout=out)
    creds = json.loads(out.getvalue())
    account = Account.objects.get(sid=creds["account_sid"])
    assert account.friendly_name == "Acme" and account.auth_token == creds["auth_token"]


def test_it_creates_a_console_user_with_a_role(alice: Account, django_user_model: Any) -> None:
    call_command(
        "createconsoleuser",
        "--username",
        "erin",
        "--password",
        "pw",
        "--account",
        alice.sid,
        "--role",
        "viewer",
        stdout=io.StringIO(),
    )
    user = django_user_model.objects.get(username="erin")
    assert user.check_password("pw")
    assert Membership.objects.get(user=user).role == "viewer"


def test_it_bootstraps_a_demo_account_once(tmp_path: Any, monkeypatch: Any) -> None:
    from accounts.management.commands import bootstrap

    monkeypatch.setattr(bootstrap, "CREDENTIALS_FILE", tmp_path / "creds.json")
    first = io.StringIO()
    call_command("bootstrap", stdout=first)
    call_command("bootstrap", stdout=io.StringIO())
    assert Account.objects.count() == 1
    creds = json.loads((tmp_path / "creds.json").read_text())
    assert creds["username"] == "admin" and creds["password"] in first.getvalue()


def test_the_network_guard_fails_a_connection_outside_loopback() -> None:
    from tests.support import NetworkAccessInTest

    with pytest.raises(NetworkAccessInTest):
        socket.create_connection(("192.0.2.1", 80), timeout=0.1)
