"""Helpers for execution tests: signed webhooks, the engine without HTTP."""

from __future__ import annotations

import itertools
from typing import Any

from django.conf import settings
from django.db import transaction

from accounts.signing import twilio_signature
from executions.engine import store
from executions.models import Execution, Message
from studio.widgets.runtime import Inbound

_seq = itertools.count(1)


def webhook_path(flow: Any) -> str:
    return f"/v1/Accounts/{flow.account.sid}/Flows/{flow.sid}"


def sign(account: Any, path: str, params: dict[str, Any]) -> str:
    return twilio_signature(account.auth_token, settings.PUBLIC_BASE_URL + path, params)


def message_params(frm: str, to: str, body: str, sid: str | None = None, **extra: Any) -> dict[str, str]:
    params = {
        "MessageSid": sid or f"SM{next(_seq):032x}",
        "AccountSid": "AC" + "0" * 32,
        "From": frm,
        "To": to,
        "Body": body,
        "NumMedia": "0",
    }
    params.update({k: str(v) for k, v in extra.items()})
    return params


def post_webhook(client: Any, flow: Any, params: dict[str, str], *, signature: str | None = None) -> Any:
    path = webhook_path(flow)
    sig = sign(flow.account, path, params) if signature is None else signature
    headers = {"HTTP_X_TWILIO_SIGNATURE": sig} if sig else {}
    return client.post(path, params, **headers)


def send_sms(client: Any, flow: Any, frm: str, to: str, body: str, **kw: Any) -> Any:
    return post_webhook(client, flow, message_params(frm, to, body, **kw))


def start_rest(
    flow: Any, to: str = "+15551230000", frm: str = "+15550001111", data: dict[str, Any] | None = None
) -> Execution:
    with transaction.atomic():
        ex = store.create_execution(
            flow,
            flow.revision_for(to) or flow.latest_revision(),
            contact=to,
            channel=frm,
            trigger_event="incomingRequest",
            trigger={"from": frm, "to": to, "parameters": data or {}},
            data=data or {},
        )
        store.run_start(store.lock(ex.pk))
    return Execution.objects.get(pk=ex.pk)


def deliver(execution: Execution, kind: str, payload: dict[str, Any] | None = None, **kw: Any) -> Execution:
    with transaction.atomic():
        store.deliver(store.lock(execution.pk), Inbound(kind=kind, payload=payload or {}), **kw)
    return Execution.objects.get(pk=execution.pk)


def bodies(**filters: Any) -> list[str]:
    """Bodies of the messages flows sent (inbound messages are listed too, as on Twilio)."""
    sent = Message.objects.filter(**filters).exclude(direction="inbound")
    return list(sent.order_by("date_created", "id").values_list("body", flat=True))


def step_names(execution: Execution) -> list[str]:
    return [
        f"{s.transitioned_from}-{s.name}->{s.transitioned_to}"
        for s in execution.steps.order_by("date_created", "id")
    ]
