"""Outbound HTTP for widgets (Make HTTP Request, Run Function, TwiML Redirect).

Flow authors choose the URLs, so every request is a potential SSRF: a widget must not reach
loopback, private, link-local, multicast, reserved or unspecified addresses unless the host
(or a CIDR holding its address) is listed in ``settings.STUDIO["ALLOWED_HTTP_HOSTS"]``.

The check runs on the *resolved* address, and the connection goes to that very address (the
URL's host is replaced by the IP; ``Host`` and TLS SNI keep the name), so a DNS answer that
changes between check and connect (rebinding) cannot slip through. Redirects are followed by
hand, at most ``MAX_REDIRECTS`` hops, each hop checked the same way. One deadline
(``HTTP_TIMEOUT_SECONDS``) covers every hop; bodies are read up to ``HTTP_MAX_BODY_BYTES``.

The one exception is ``routed()``: a context manager the scenario runner (and tests) use
to send some URLs to a local stub server instead (see "Replay hook" below). It lives in a
ContextVar set only by that code, so nothing a request or a flow controls can reach it.
"""

from __future__ import annotations

import base64
import ipaddress
import socket
import time
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any
from urllib.parse import unquote, urlencode, urljoin

import httpx

from studio.conf import studio_settings
from studio.widgets.runtime import HttpError, HttpResponse

MAX_REDIRECTS = 5
REDIRECT_CODES = frozenset({301, 302, 303, 307, 308})
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
USER_AGENT = "TwilioStudio/1.0 (self-hosted)"


def _allowed_entries() -> tuple[set[str], list[ipaddress.IPv4Network | ipaddress.IPv6Network]]:
    names: set[str] = set()
    networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network] = []
    for raw in studio_settings.ALLOWED_HTTP_HOSTS or []:
        entry = str(raw).strip().lower()
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry.strip("[]"), strict=False))
        except ValueError:
            names.add(entry)
    return names, networks


def is_public(ip: IPAddress) -> bool:
    """True for addresses a widget may reach without an allow-list entry."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return is_public(ip.ipv4_mapped)
    blocked = (
        ip.is_loopback
        or ip.is_private
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or not ip.is_global  # shared (100.64/10), documentation, benchmarking ranges …
    )
    return not blocked


def _resolve(host: str, port: int, deadline: float) -> list[IPAddress]:
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    if time.monotonic() >= deadline:
        raise HttpError("timeout", f"timed out resolving {host}")
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise HttpError("network", f"could not resolve {host}: {exc}") from None
    out: list[IPAddress] = []
    for info in infos:
        addr = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        if addr not in out:
            out.append(addr)
    return out


def check_destination(host: str, port: int, deadline: float | None = None) -> IPAddress:
    """The address to connect to for ``host``, or HttpError("blocked")."""
    deadline = deadline if deadline is not None else time.monotonic() + 10
    host = host.lower().strip("[]")
    names, networks = _allowed_entries()
    addresses = _resolve(host, port, deadline)
    if not addresses:
        raise HttpError("network", f"could not resolve {host}")
    if host in names:
        return addresses[0]
    for addr in addresses:
        if is_public(addr) or any(addr.version == n.version and addr in n for n in networks):
            return addr
    raise HttpError(
        "blocked",
        f"requests to {host} ({addresses[0]}) are not allowed: the address is not public "
        "(add the host to STUDIO_ALLOWED_HTTP_HOSTS to allow it)",
    )


# -- Replay hook ------------------------------------------------------------------------------
# ``router(scheme, host, port)`` returns ``(loopback_ip, port)`` to send that hop to a local stub
# server over plain HTTP (path, query, Host header and body unchanged), or None for the normal,
# checked path. Set only through ``routed()``, by scenarios/stubs.py (the scenario runner, tests).
Router = Callable[[str, str, int], tuple[str, int] | None]
_router: ContextVar[Router | None] = ContextVar("studio_http_router", default=None)


@contextmanager
def routed(router: Router) -> Iterator[None]:
    """Within the block (this thread/context only), let ``router`` divert hops to a loopback stub."""
    token = _router.set(router)
    try:
        yield
    finally:
        _router.reset(token)


def _stub_for(target: httpx.URL, port: int) -> tuple[str, int] | None:
    router = _router.get()
    if router is None:
        return None
    stub = router(target.scheme, target.host.lower(), port)
    if stub is None:
        return None
    if not ipaddress.ip_address(stub[0]).is_loopback:
        raise HttpError("blocked", f"a replay stub must listen on loopback, not {stub[0]}")
    return stub


def _decode(data: bytes, response: httpx.Response) -> str:
    charset = response.charset_encoding or "utf-8"
    try:
        return data.decode(charset, errors="replace")
    except LookupError:
        return data.decode("utf-8", errors="replace")


def request(
    method: str,
    url: str,
    *,
    params: list[tuple[str, str]] | None = None,
    form: list[tuple[str, str]] | None = None,
    content: str | None = None,
    content_type: str | None = None,
    headers: dict[str, str] | None = None,
    auth: tuple[str, str] | None = None,
    timeout: float | None = None,
    max_bytes: int | None = None,
) -> HttpResponse:
    """Send one request (following redirects), checked against the address policy.

    ``params`` go to the query string; ``form`` is sent url-encoded, ``content`` as is with
    ``content_type``. Basic auth comes from ``auth`` or else the URL's userinfo. Raises
    HttpError when there is no response to report.
    """
    timeout = float(timeout if timeout is not None else studio_settings.HTTP_TIMEOUT_SECONDS)
    max_bytes = int(max_bytes if max_bytes is not None else studio_settings.HTTP_MAX_BODY_BYTES)
    deadline = time.monotonic() + timeout
    method = method.upper()
    body: bytes | None = None
    base_headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "identity", **(headers or {})}
    if form is not None:
        body = _urlencode(form).encode()
        base_headers["Content-Type"] = content_type or "application/x-www-form-urlencoded"
    elif content is not None:
        body = content.encode()
        base_headers["Content-Type"] = content_type or "text/plain"
    current = _with_params(url, params)
    origin_host: str | None = None
    with httpx.Client(follow_redirects=False, trust_env=False, verify=True) as client:
        for _hop in range(MAX_REDIRECTS + 1):
            target = _parse(current)
            if origin_host is None:
                origin_host = target.host
            hop_auth = auth
            if hop_auth is None and target.userinfo:
                user, _, password = target.userinfo.decode().partition(":")
                hop_auth = (unquote(user), unquote(password))
            if target.host != origin_host:
                hop_auth = None  # credentials never follow a redirect to another host
            response, data = _send(client, method, target, body, base_headers, hop_auth, deadline, max_bytes)
            location = response.headers.get("location")
            if response.status_code in REDIRECT_CODES and location:
                current = urljoin(str(target.copy_with(userinfo=b"")), location)
                if response.status_code == 303 or (response.status_code in (301, 302) and method == "POST"):
                    method, body = "GET", None
                    base_headers.pop("Content-Type", None)
                continue
            return HttpResponse(
                status_code=response.status_code,
                content_type=response.headers.get("content-type", ""),
                body=_decode(data, response),
                headers={k.lower(): v for k, v in response.headers.items()},
                url=str(target.copy_with(userinfo=b"")),
            )
    raise HttpError("too_many_redirects", f"more than {MAX_REDIRECTS} redirects")


def _urlencode(pairs: list[tuple[str, str]]) -> str:
    return urlencode([(str(k), str(v)) for k, v in pairs])


def _with_params(url: str, params: list[tuple[str, str]] | None) -> str:
    if not params:
        return url
    sep = "&" if "?" in url else "?"
    return url + sep + _urlencode(params)


def _parse(url: str) -> httpx.URL:
    try:
        target = httpx.URL(url.strip())
    except (httpx.InvalidURL, ValueError, TypeError) as exc:
        raise HttpError("invalid_url", f"invalid URL {url!r}: {exc}") from None
    if target.scheme not in ("http", "https") or not target.host:
        raise HttpError("invalid_url", f"invalid URL {url!r}: an absolute http(s) URL is required")
    return target


def _send(
    client: httpx.Client,
    method: str,
    target: httpx.URL,
    body: bytes | None,
    headers: dict[str, str],
    auth: tuple[str, str] | None,
    deadline: float,
    max_bytes: int,
) -> tuple[httpx.Response, bytes]:
    port = target.port or (443 if target.scheme == "https" else 80)
    extensions: dict[str, Any] = {}
    stub = _stub_for(target, port)
    if stub is not None:  # replay: the scenario runner's stub server answers for this URL
        wire = target.copy_with(scheme="http", host=stub[0], port=stub[1], userinfo=b"")
    else:
        ip = check_destination(target.host, port, deadline)
        ip_host = f"[{ip}]" if ip.version == 6 else str(ip)
        # Connect to the address that was checked; Host and SNI carry the name.
        wire = target.copy_with(host=ip_host.strip("[]"), userinfo=b"")
        if target.scheme == "https":
            extensions["sni_hostname"] = target.host
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise HttpError("timeout", f"timed out after {studio_settings.HTTP_TIMEOUT_SECONDS} s")
    host_header = target.host if target.port is None else f"{target.host}:{target.port}"
    hop_headers = {**headers, "Host": host_header}
    try:
        req = client.build_request(
            method,
            wire,
            content=body,
            headers=hop_headers,
            timeout=httpx.Timeout(remaining),
            extensions=extensions,
        )
        if auth is not None:
            token = base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
            req.headers["Authorization"] = f"Basic {token}"
        response = client.send(req, stream=True)
    except httpx.TimeoutException:
        raise HttpError("timeout", f"timed out after {studio_settings.HTTP_TIMEOUT_SECONDS} s") from None
    except httpx.HTTPError as exc:
        raise HttpError("network", f"request to {target.host} failed: {exc}") from None
    try:
        data = bytearray()
        for chunk in response.iter_raw():
            data.extend(chunk)
            if len(data) > max_bytes:
                raise HttpError("too_large", f"response body exceeds {max_bytes} bytes")
            if time.monotonic() > deadline:
                raise HttpError("timeout", f"timed out after {studio_settings.HTTP_TIMEOUT_SECONDS} s")
    except httpx.TimeoutException:
        raise HttpError("timeout", f"timed out after {studio_settings.HTTP_TIMEOUT_SECONDS} s") from None
    except httpx.HTTPError as exc:
        raise HttpError("network", f"reading the response from {target.host} failed: {exc}") from None
    finally:
        response.close()
    return response, _decompress(bytes(data), response, max_bytes)


def _decompress(data: bytes, response: httpx.Response, max_bytes: int) -> bytes:
    """iter_raw skips content decoding (so the cap counts wire bytes); undo gzip/deflate here."""
    encoding = response.headers.get("content-encoding", "").lower().strip()
    if encoding not in ("gzip", "deflate"):
        return data
    wbits = 16 + zlib.MAX_WBITS if encoding == "gzip" else zlib.MAX_WBITS
    try:
        d = zlib.decompressobj(wbits)
        out = d.decompress(data, max_bytes + 1)
    except zlib.error:
        return data
    if len(out) > max_bytes:
        raise HttpError("too_large", f"response body exceeds {max_bytes} bytes")
    return out
