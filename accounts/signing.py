"""``X-Twilio-Signature``: the one implementation, for requests we sign and requests we check.

Twilio signs a webhook with HMAC-SHA1, keyed by the account's auth token, over the full URL it
requested followed by every POST parameter as ``name + value``, names sorted, each name's values
sorted, a repeated (name, value) pair counted once. Checking accepts the URL with and without its
default port, because Twilio's own signers disagree on it. Both match the official ``twilio``
package's ``RequestValidator`` (a parity test holds them together, tests/accounts/test_signing.py);
this module is ours so that callers share one pure function, not one object per token.

Only form parameters are signed here: the ``bodySHA256`` variant for JSON bodies is not used by
any request this project sends or receives.

Pure: no Django, no project imports (``accounts`` imports no other app).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import ParseResult, urlparse

HEADER = "X-Twilio-Signature"

# A dict of str (or of lists of str), a QueryDict (``getlist``), or (name, value) pairs.
Params = Mapping[str, Any] | Iterable[tuple[str, str]]


def _pairs(params: Params | None) -> list[tuple[str, str]]:
    """Every (name, value) once, in the order Twilio concatenates them."""
    if not params:
        return []
    if isinstance(params, Mapping):
        getlist = getattr(params, "getlist", None)
        found: set[tuple[str, str]] = set()
        for name in params:
            values = getlist(name) if getlist is not None else params[name]
            if isinstance(values, list | tuple):
                found.update((name, value) for value in values)
            else:
                found.add((name, values))
        return sorted(found)
    return sorted(set(params))


def twilio_signature(auth_token: str, url: str, params: Params | None = None) -> str:
    """The ``X-Twilio-Signature`` Twilio sends for a request of ``url`` carrying ``params``
    (POST parameters; a GET request signs its URL alone, its query string included)."""
    payload = url + "".join(name + value for name, value in _pairs(params))
    return base64.b64encode(_digest(auth_token, payload)).decode()


def _digest(auth_token: str, payload: str) -> bytes:
    """HMAC-SHA1 in one call (OpenSSL's one-shot: no ``HMAC`` object built per request)."""
    return hmac.digest(auth_token.encode(), payload.encode(), hashlib.sha1)


def _without_port(uri: ParseResult) -> str:
    if not uri.port:
        return uri.geturl()
    return uri._replace(netloc=uri.netloc.split(":")[0]).geturl()


def _with_port(uri: ParseResult) -> str:
    if uri.port:
        return uri.geturl()
    port = 443 if uri.scheme == "https" else 80
    return uri._replace(netloc=f"{uri.netloc}:{port}").geturl()


def valid_signature(auth_token: str, url: str, params: Params | None, signature: str) -> bool:
    """Whether ``signature`` is Twilio's for ``url`` and ``params`` (with or without the port)."""
    if not signature:
        return False
    uri = urlparse(url)
    given = signature.encode("utf-8", "replace")
    payload = "".join(name + value for name, value in _pairs(params))
    ok = False
    for variant in (_without_port(uri), _with_port(uri)):
        digest = _digest(auth_token, variant + payload)
        # Both variants are always computed and compared in constant time, as twilio's validator does.
        ok |= hmac.compare_digest(base64.b64encode(digest), given)
    return ok
