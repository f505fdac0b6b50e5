"""The transcript of a simulated call, and the control-flow signals of the interpreter."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from lxml import etree


@dataclass
class Transcript:
    events: list[dict[str, Any]] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)
    ended: str = ""  # hangup | completed | rejected | caller-hangup | error | loop-limit

    def to_dict(self) -> dict[str, Any]:
        return {"events": self.events, "requests": self.requests, "ended": self.ended}

    def of_type(self, kind: str) -> list[dict[str, Any]]:
        return [e for e in self.events if e["type"] == kind]


class _End(Exception):
    def __init__(self, reason: str):
        self.reason = reason


class _Goto(Exception):
    """Control moves to another document (an action response or a Redirect)."""

    def __init__(self, root: etree._Element, url: str | None):
        self.root, self.url = root, url


def full_url(method: str, url: str, params: dict[str, str]) -> str:
    """The URL Twilio requests: for GET the parameters go in the query string."""
    if method != "GET" or not params:
        return url
    parts = urlsplit(url)
    query = parts.query + ("&" if parts.query else "") + urlencode(params)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))
