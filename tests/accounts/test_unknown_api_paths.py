"""A path under the REST APIs' prefixes that names no resource here answers Twilio's 404 body
(``code`` 20404, ``more_info``) in JSON, as Twilio does, so a client raises its usual error
with a code instead of failing to read an HTML page; the console's own paths keep HTML."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from accounts.models import Account
from tests.support import basic_auth

pytestmark = pytest.mark.django_db

UNKNOWN = [
    "/v2/Flows/FW00000000000000000000000000000000/Engagements",
    "/v1/Nothing",
    "/2010-04-01/Accounts/AC00000000000000000000000000000000/Nothing.json",
    "/v3/Anything/At/All",
]


@pytest.mark.parametrize("path", UNKNOWN)
@pytest.mark.parametrize("method", ["get", "post", "delete"])
def test_it_answers_an_unknown_api_path_with_twilios_404(alice: Account, path: str, method: str) -> None:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=basic_auth(alice.sid, alice.auth_token))
    response = getattr(client, method)(path)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {
        "code": 20404,
        "message": f"The requested resource {path} was not found",
        "more_info": "https://www.twilio.com/docs/errors/20404",
        "status": 404,
    }


def test_it_answers_the_same_to_a_caller_without_credentials() -> None:
    response = APIClient().get("/v2/Nothing")
    assert response.status_code == 404 and response.json()["code"] == 20404


def test_it_keeps_html_for_console_paths() -> None:
    response = APIClient().get("/no-such-page")
    assert response.status_code == 404
    assert not response["Content-Type"].startswith("application/json")
