"""The outbound address check sees through IPv6 forms that carry an IPv4 address.

6to4 (2002::/16), IPv4-mapped (::ffff:0:0/96), IPv4-compatible (::/96), NAT64 (64:ff9b::/96
and the local-use 64:ff9b:1::/48), Teredo (2001::/32) and ISATAP interface ids all route to the
IPv4 address inside them: a private or loopback one inside is refused like the bare address.
"""

from __future__ import annotations

import ipaddress
from typing import Any

import pytest

from executions.backends import http_client
from executions.backends.http_client import HttpError, is_public

PRIVATE_INSIDE = [
    "2002:7f00:1::",  # 6to4 of 127.0.0.1
    "2002:a00:1::1",  # 6to4 of 10.0.0.1
    "2002:a9fe:a9fe::",  # 6to4 of 169.254.169.254 (cloud metadata)
    "::ffff:127.0.0.1",  # IPv4-mapped
    "::ffff:192.168.1.1",
    "::127.0.0.1",  # IPv4-compatible
    "64:ff9b::7f00:1",  # NAT64 well-known prefix
    "64:ff9b::a9fe:a9fe",
    "64:ff9b:1::a00:1",  # NAT64 local-use prefix (refused whatever it carries)
    "64:ff9b:1::808:808",
    "2001:0:a00:1:0:0:80ff:fefe",  # Teredo: server 10.0.0.1, client 127.0.0.1 (obfuscated)
    "2001:4860::5efe:7f00:1",  # ISATAP interface id carrying 127.0.0.1
    "2001:4860::200:5efe:a00:1",  # ISATAP (universal bit) carrying 10.0.0.1
]

PUBLIC_INSIDE = [
    "2002:808:808::1",  # 6to4 of 8.8.8.8
    "::ffff:8.8.8.8",
    "64:ff9b::808:808",  # NAT64 of 8.8.8.8
]


@pytest.mark.parametrize("address", PRIVATE_INSIDE)
def test_it_refuses_an_embedded_private_ipv4(address: str) -> None:
    assert not is_public(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", PUBLIC_INSIDE)
def test_it_allows_an_embedded_public_ipv4(address: str) -> None:
    assert is_public(ipaddress.ip_address(address))


def test_it_still_allows_plain_public_ipv6() -> None:
    assert is_public(ipaddress.ip_address("2001:4860:4860::8888"))


@pytest.mark.parametrize("address", ["2002:7f00:1::", "64:ff9b::7f00:1", "::ffff:7f00:1"])
def test_it_refuses_a_request_to_an_embedded_loopback(address: str, settings: Any) -> None:
    settings.STUDIO = {**settings.STUDIO, "ALLOWED_HTTP_HOSTS": []}
    with pytest.raises(HttpError) as info:
        http_client.request("GET", f"http://[{address}]:8000/x")
    assert info.value.kind == "blocked"
