"""Helpers for voice tests: signed call webhooks and callbacks, TwiML parsing, simulated calls."""

from __future__ import annotations

import itertools
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.test import Client
from lxml import etree

from executions.models import Execution
from tests.executions.support import sign, webhook_path
from twiml import validate

_seq = itertools.count(1)
CALLER, NUMBER = "+15551230000", "+15550001111"


def call_params(frm: str = CALLER, to: str = NUMBER, sid: str | None = None, **extra: Any) -> dict[str, str]:
    params = {
        "CallSid": sid or f"CA{next(_seq):032x}",
        "AccountSid": "AC" + "0" * 32,
        "From": frm,
        "To": to,
        "Caller": frm,
        "Called": to,
        "CallStatus": "ringing",
        "Direction": "inbound",
        "ApiVersion": "2010-04-01",
    }
    params.update({k: str(v) for k, v in extra.items()})
    return params


def post_signed(path_qs: str, account: Any, params: dict[str, str]) -> Any:
    signature = sign(account, path_qs, params)
    return Client().post(path_qs, params, HTTP_X_TWILIO_SIGNATURE=signature)


def ring(flow: Any, params: dict[str, str] | None = None) -> Any:
    """A call reaches the flow's webhook; returns the HTTP response."""
    return post_signed(webhook_path(flow), flow.account, params or call_params())


def twiml_of(response: Any) -> etree._Element:
    assert response.status_code == 200, response.content[:300]
    text = response.content.decode()
    problems = [p for p in validate(text) if p.severity == "error"]
    assert not problems, (problems, text)
    return etree.fromstring(response.content)


def verbs(root: etree._Element) -> list[str]:
    return [el.tag for el in root if isinstance(el.tag, str)]


def action_of(root: etree._Element, tag: str) -> str:
    """The action URL of the first ``tag`` verb (or the text of a ``<Redirect>``)."""
    el = root.find(tag)
    assert el is not None, etree.tostring(root)
    return el.get("action") if tag != "Redirect" else (el.text or "")


def follow(account: Any, url: str, **params: Any) -> Any:
    """Twilio requesting an action/redirect URL of ours, signed, with call parameters."""
    parts = urlsplit(url)
    base = settings.PUBLIC_BASE_URL.rstrip("/")
    assert url.startswith(base), url
    path_qs = parts.path + (f"?{parts.query}" if parts.query else "")
    payload = {k: str(v) for k, v in params.items()}
    payload.setdefault("CallStatus", "in-progress")
    return post_signed(path_qs, account, payload)


def hang_up(flow: Any, params: dict[str, str], status: str = "completed") -> Any:
    """The call's status callback reaches the flow webhook."""
    return ring(flow, {**params, "CallStatus": status})


def execution() -> Execution:
    return Execution.objects.order_by("-id").first()  # type: ignore[return-value]
