"""Helpers shared by tests (import from here, never from conftest)."""

from __future__ import annotations

import base64
import ipaddress
import socket
from pathlib import Path
from typing import Any

CORPUS_DIR = Path(__file__).resolve().parent / "corpus" / "studio-flows"


def basic_auth(username: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex


class NetworkAccessInTest(RuntimeError):
    pass


def _check_address(sock: socket.socket, address: Any) -> None:
    if sock.family not in (socket.AF_INET, socket.AF_INET6):
        return
    host = address[0] if isinstance(address, tuple) else address
    try:
        ip = ipaddress.ip_address(str(host).split("%")[0])
    except ValueError:
        raise NetworkAccessInTest(f"test tried to connect to unresolved host {host!r}") from None
    if not ip.is_loopback:
        raise NetworkAccessInTest(f"test tried to open a network connection to {address!r}")


def _guarded_connect(self: socket.socket, address: Any) -> Any:
    _check_address(self, address)
    return _real_connect(self, address)


def _guarded_connect_ex(self: socket.socket, address: Any) -> Any:
    _check_address(self, address)
    return _real_connect_ex(self, address)
