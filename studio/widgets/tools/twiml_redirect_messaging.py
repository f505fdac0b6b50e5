"""TwiML Redirect (spec §2.20), messaging branch: fetch the external TwiML and play it.

For a messaging execution the engine stands in for Twilio's messaging webhook handling: it
requests the URL (method, 10 s, 64 kB; same address policy as Make HTTP Request), sends every
``<Message>`` through the provider, follows ``<Redirect>`` to other documents (bounded), and
hands control back to the flow when a ``<Redirect>`` targets the flow webhook with
``?FlowEvent=return`` (its other query parameters become ``widgets.NAME.*``). A document that
does not return leaves the widget waiting for a later ``?FlowEvent=return`` request (served by
``executions.inbound.webhook``) until ``timeout`` seconds pass (``0`` = do not wait: ``timeout`` at
once). ``fail``: the URL cannot be fetched (invalid, refused, timed out) or the TwiML is
invalid; HTTP error statuses from the target are *not* failures (spec) — nothing is sent.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlsplit

from studio.widgets.runtime import HttpError, Outcome, WaitSpec, WidgetCall
from twiml.interpreter.messaging import messages_from

MAX_DOCUMENTS = 10
DEFAULT_TIMEOUT = 14400


def _timeout(value: Any) -> int:
    try:
        return min(max(int(str(value).strip()), 0), DEFAULT_TIMEOUT)
    except (TypeError, ValueError):
        return DEFAULT_TIMEOUT


def return_params(url: str) -> dict[str, str] | None:
    """The query parameters of a flow-webhook ``?FlowEvent=return`` URL, else None."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    if query.get("FlowEvent") != "return" or "/Flows/" not in parts.path:
        return None
    query.pop("FlowEvent", None)
    return query


def _inbound(call: WidgetCall) -> dict[str, str]:
    """The webhook parameters Twilio would send with the request (the triggering message)."""
    ctx = call.context
    trigger = ctx.get("trigger") or {}
    message = trigger.get("message") or trigger.get("conversation") or {}
    out = {k: v if isinstance(v, str) else str(v) for k, v in message.items() if not isinstance(v, dict)}
    out.setdefault("From", str((ctx.get("contact") or {}).get("channel", {}).get("address", "")))
    out.setdefault("To", str((ctx.get("flow") or {}).get("channel", {}).get("address", "")))
    return out


def _fail(call: WidgetCall, message: str) -> Outcome:
    return Outcome(event="fail", outputs={}, warnings=[(81014, f"{call.name}: {message}")])


def run_message(call: WidgetCall) -> Outcome:
    url = str(call.properties.get("url") or "").strip()
    method = str(call.properties.get("method") or "POST").strip().upper()
    timeout = _timeout(call.properties.get("timeout"))
    inbound = _inbound(call)
    params = sorted(inbound.items())
    warnings: list[tuple[int, str]] = []
    for _ in range(MAX_DOCUMENTS):
        back = return_params(url)
        if back is not None:
            return Outcome(event="return", outputs=back, warnings=warnings)
        try:  # signed as Twilio signs its requests to TwiML apps
            if method == "GET":
                response = call.services.http_request("GET", url, params=params, signed=True)
            else:
                response = call.services.http_request("POST", url, form=params, signed=True)
        except HttpError as exc:
            return _fail(call, exc.message)
        if not 200 <= response.status_code < 300:
            warnings.append((11200, f"{call.name}: {url} answered {response.status_code}"))
            break
        try:
            items = messages_from(response.body, inbound=inbound, url=response.url or url)
        except Exception as exc:  # TwiMLError and parser errors: the document is unusable
            return _fail(call, f"invalid TwiML from {url}: {exc}")
        redirect = None
        for item in items:
            if item["type"] == "redirect":
                redirect = item
                continue
            sent = call.services.send_message(
                str(item.get("to") or ""), str(item.get("from") or ""), item["body"], list(item["media"])
            )
            if sent.get("Status") == "failed":
                warnings.append((81011, f"{call.name}: message to {item.get('to')} was refused"))
        if redirect is None or not redirect.get("url"):
            break
        url, method = str(redirect["url"]), str(redirect.get("method") or "POST").upper()
    else:
        warnings.append((11200, f"{call.name}: more than {MAX_DOCUMENTS} redirects"))
    if timeout == 0:
        return Outcome(event="timeout", outputs={}, warnings=warnings)
    wait = WaitSpec(timeout_seconds=float(timeout), data={"channel": "messaging"})
    return Outcome(wait=wait, warnings=warnings)


def resume_message(call: WidgetCall) -> Outcome | None:
    inbound = call.inbound
    if inbound is None:
        return None
    if inbound.kind == "timeout":
        return Outcome(event="timeout", outputs={})
    if inbound.kind == "callback" and inbound.payload.get("FlowEvent") == "return":
        outputs = {k: v for k, v in inbound.payload.items() if k != "FlowEvent"}
        return Outcome(event="return", outputs=outputs)
    return None  # e.g. an inbound message while the external app has control (81002)
