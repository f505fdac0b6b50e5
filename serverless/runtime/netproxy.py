"""The only way out of a sandbox: a per-worker Unix socket whose other end applies the address policy.

Workers have no network interface but their own loopback. Their runtime (node/netshim.js, pyworker/netshim.py)
turns every outbound TCP connection into a connection to /net/proxy.sock that first sends one line,
"<host> <port>\\n". Here we resolve the host (the sandbox has no DNS), refuse loopback, private, link-local and
other non-public addresses unless the host (or a CIDR holding its address) is in STUDIO_ALLOWED_HTTP_HOSTS or is
the host:port of the invocation's api_base_url, connect to the checked address (never re-resolving it, so DNS
rebinding cannot swap it), and splice bytes both ways. TLS runs end to end through the splice.
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import select
import socket
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
CONNECT_TIMEOUT = 5.0


def allowed_hosts() -> list[str]:
    """STUDIO_ALLOWED_HTTP_HOSTS from Django's settings when configured, else from the environment."""
    try:
        from django.conf import settings

        if settings.configured:
            studio = getattr(settings, "STUDIO", None)
            value = studio.get("ALLOWED_HTTP_HOSTS") if isinstance(studio, dict) else None
            if value is None:
                value = getattr(studio, "allowed_http_hosts", None)
            if value is not None:
                return [str(v) for v in value]
    except ImportError:
        pass
    return [h.strip() for h in os.environ.get("STUDIO_ALLOWED_HTTP_HOSTS", "").split(",") if h.strip()]


def is_public(ip: IPAddress) -> bool:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return is_public(ip.ipv4_mapped)
    return ip.is_global and not (ip.is_multicast or ip.is_reserved or ip.is_loopback or ip.is_link_local)


class Policy:
    def __init__(self, allowed: list[str], api_base_url: str) -> None:
        self.names: set[str] = set()
        self.networks: list[Network] = []
        for raw in allowed:
            entry = raw.strip().lower()
            try:
                self.networks.append(ipaddress.ip_network(entry.strip("[]"), strict=False))
            except ValueError:
                self.names.add(entry)
        api = urlsplit(api_base_url)
        default_port = 443 if api.scheme == "https" else 80
        self.api = ((api.hostname or "").lower(), api.port or default_port)

    def check(self, host: str, port: int) -> tuple[IPAddress | None, str]:
        """(address to connect to, "") or (None, why it is refused)."""
        host = host.lower().strip("[]")
        try:
            addresses: list[IPAddress] = [ipaddress.ip_address(host)]
        except ValueError:
            try:
                infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
            except (OSError, UnicodeError) as exc:
                return None, f"could not resolve {host}: {exc}"
            addresses = [ipaddress.ip_address(str(i[4][0]).split("%", 1)[0]) for i in infos]
        if not addresses:
            return None, f"could not resolve {host}"
        if (host, port) == self.api or host in self.names or f"{host}:{port}" in self.names:
            return addresses[0], ""
        for addr in addresses:
            if is_public(addr) or any(addr.version == n.version and addr in n for n in self.networks):
                return addr, ""
        return None, (
            f"outbound connection to {host}:{port} ({addresses[0]}) refused: the address is not public "
            "(add the host to STUDIO_ALLOWED_HTTP_HOSTS to allow it)"
        )


class Proxy:
    """Listens on <dir>/proxy.sock for one worker; `policy` and `on_refused` follow its current invocation."""

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="fn-net-"))
        os.chmod(self.dir, 0o755)
        self.path = self.dir / "proxy.sock"
        self.server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.server.bind(str(self.path))
        os.chmod(self.path, 0o777)  # the worker's uid differs from ours
        self.server.listen(64)
        self.policy = Policy([], "")
        self.on_refused: Callable[[str], None] = lambda message: None
        self._closed = False
        threading.Thread(target=self._accept, name="fn-net-proxy", daemon=True).start()

    def close(self) -> None:
        self._closed = True
        with contextlib.suppress(OSError):
            self.server.shutdown(socket.SHUT_RDWR)
        self.server.close()
        with contextlib.suppress(OSError):
            self.path.unlink()
            self.dir.rmdir()

    def _accept(self) -> None:
        while not self._closed:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), name="fn-net-conn", daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(CONNECT_TIMEOUT)
            head = b""
            try:
                while b"\n" not in head and len(head) < 512:
                    chunk = conn.recv(512)
                    if not chunk:
                        return
                    head += chunk
            except OSError:
                return
            line, _, rest = head.partition(b"\n")
            try:
                host, port_text = line.decode("ascii").rsplit(" ", 1)
                port = int(port_text)
            except (UnicodeDecodeError, ValueError):
                return
            address, why = self.policy.check(host, port)
            if address is None:
                self.on_refused(why)
                return
            try:
                upstream = socket.create_connection((str(address), port), timeout=CONNECT_TIMEOUT)
            except OSError as exc:
                self.on_refused(f"outbound connection to {host}:{port} failed: {exc}")
                return
            with upstream:
                if rest:
                    upstream.sendall(rest)
                _splice(conn, upstream)


def _splice(a: socket.socket, b: socket.socket) -> None:
    a.setblocking(True)
    b.setblocking(True)
    peers = {a: b, b: a}
    open_ends = {a, b}
    while open_ends:
        readable, _, _ = select.select(list(open_ends), [], [], 60)
        if not readable:
            return  # idle for a minute: the invocation that opened it is long over
        for sock in readable:
            try:
                data = sock.recv(65536)
            except OSError:
                return
            if not data:
                open_ends.discard(sock)
                with contextlib.suppress(OSError):
                    peers[sock].shutdown(socket.SHUT_WR)
                continue
            try:
                peers[sock].sendall(data)
            except OSError:
                return
