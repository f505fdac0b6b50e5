"""Outbound TCP from the sandbox goes through the host's policy proxy (see serverless/runtime/netproxy.py).

The sandbox has no network interface and no DNS: names resolve to placeholder addresses remembered here, and a
TCP connect() becomes a connection to the proxy's Unix socket that announces "<host> <port>" and is then swapped
into the caller's socket (dup2), so requests, urllib, http.client, ssl and the twilio client work unchanged.
"""

from __future__ import annotations

import errno
import ipaddress
import os
import socket
from typing import Any

SOCKET = os.environ.get("STUDIO_NET_SOCKET", "")
SERVICES = {"http": 80, "https": 443}
_real_connect = socket.socket.connect
_real_getaddrinfo = socket.getaddrinfo
_real_setsockopt = socket.socket.setsockopt
_hosts: dict[str, str] = {}  # placeholder address -> host name
_placeholders: dict[str, str] = {}


def _placeholder(host: str) -> str:
    if host not in _placeholders:
        n = len(_placeholders) + 1
        address = f"198.18.{(n >> 8) & 255}.{n & 255}"  # the benchmarking range: never a real peer
        _placeholders[host] = address
        _hosts[address] = host
    return _placeholders[host]


def getaddrinfo(host: Any, port: Any, family: int = 0, type: int = 0, proto: int = 0, flags: int = 0) -> Any:
    name = host.decode() if isinstance(host, bytes) else host
    try:
        if name is None:
            raise ValueError
        ipaddress.ip_address(str(name).strip("[]"))
    except ValueError:
        if name is None or name == "":
            return _real_getaddrinfo(host, port, family, type, proto, flags)
        number = (
            SERVICES.get(str(port), 0) if isinstance(port, str) and not port.isdigit() else int(port or 0)
        )
        address = _placeholder(str(name).lower())
        return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (address, number))]
    return _real_getaddrinfo(host, port, family, type, proto, flags)


def connect(self: socket.socket, address: Any) -> None:
    if self.family not in (socket.AF_INET, socket.AF_INET6) or not (self.type & socket.SOCK_STREAM):
        _real_connect(self, address)
        return
    host, port = str(address[0]), int(address[1])
    host = _hosts.get(host, host)
    timeout = self.gettimeout()
    tunnel = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        _real_connect(tunnel, SOCKET)
        tunnel.sendall(f"{host} {port}\n".encode())
        os.dup2(tunnel.fileno(), self.fileno())
    finally:
        tunnel.close()
    self.settimeout(timeout)


def connect_ex(self: socket.socket, address: Any) -> int:
    try:
        connect(self, address)
    except OSError as exc:
        return exc.errno or 1
    return 0


def setsockopt(self: socket.socket, level: int, option: int, value: Any, *rest: Any) -> None:
    """TCP options (TCP_NODELAY, set by http.client after connecting) mean nothing on the tunnel: ignored."""
    try:
        _real_setsockopt(self, level, option, value, *rest)
    except OSError as exc:
        if level != socket.IPPROTO_TCP or exc.errno != errno.EOPNOTSUPP:
            raise


def install() -> None:
    socket.getaddrinfo = getaddrinfo
    socket.socket.connect = connect  # type: ignore[method-assign,assignment]
    socket.socket.connect_ex = connect_ex  # type: ignore[method-assign,assignment]
    socket.socket.setsockopt = setsockopt  # type: ignore[method-assign,assignment]
