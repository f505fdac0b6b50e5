"""The flow webhook (Twilio's ``/v1/Accounts/{AC}/Flows/{FW}``) and engine callbacks.

Messaging: signature checked, the event recorded (a redelivered MessageSid is recorded once),
``<Response/>`` answered at once; the flow runs in a Celery worker's batch (``executions.inbound.drain``;
in-process when embedded). Under ASGI the common case is answered before Django by
``executions.inbound.fast_path``, with the same semantics.
Voice (``CallSid`` without ``MessageSid``) goes to ``executions.voice.turns.handle_call``.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from accounts import limits
from accounts.errors import too_many_requests, twilio_error_response
from accounts.input_guards import holds_nul
from accounts.models import Account
from executions.engine import network, store
from executions.inbound import drain, intake
from executions.inbound.requests import merged_params, message_pair
from executions.inbound.signature import signature_status
from executions.models import Execution, Message
from executions.voice import turns
from executions.voice.queries import Prepared
from studio.models import Flow
from studio.widgets.runtime import Inbound

log = logging.getLogger(__name__)


def _xml(document: str, status: int = 200) -> HttpResponse:
    return HttpResponse(document, content_type="text/xml", status=status)


def _params(request: HttpRequest) -> dict[str, Any]:
    return merged_params(request.POST if request.method == "POST" else request.GET, request.GET)


def _holds_nul(params: dict[str, Any]) -> bool:
    """A NUL in a field (a multipart body: NulGuardMiddleware reads only url-encoded forms),
    which PostgreSQL cannot store."""
    return holds_nul(*(text for key, value in params.items() for text in (key, str(value))))


def _nul_refused() -> HttpResponse:
    return twilio_error_response(400, 20001, "Invalid request: a value holds a NUL character")


def _authorised(request: HttpRequest, account_sid: str) -> Account | HttpResponse:
    account = Account.objects.filter(sid=account_sid).first()
    if account is None or not account.is_active:
        return twilio_error_response(404, 20404, "The requested resource was not found")
    return _signature_refused(request, account) or account


def _signature_refused(request: HttpRequest, account: Account) -> HttpResponse | None:
    status = signature_status(request, account)
    if status == 401:
        return twilio_error_response(401, 20003, "Missing X-Twilio-Signature")
    if status:
        return twilio_error_response(403, 20403, "Invalid X-Twilio-Signature")
    return None


_FLOW: Prepared[Flow] = Prepared(
    lambda account, sid: (
        Flow.objects.select_related("account").filter(account__sid=account, sid=sid).order_by()[:1]
    ),  # sids are unique: no ORDER BY to build
    "account",
    "sid",
)


def _authorised_flow(request: HttpRequest, account_sid: str, flow_sid: str) -> Flow | HttpResponse:
    """The flow and its account in one query; the same answers as ``_authorised`` + a lookup."""
    found = _FLOW.run(account=account_sid, sid=flow_sid)  # compiled once: a call's every turn
    flow = found[0] if found else None
    if flow is None:  # which 404 (or 401/403 first) is the account check's to say
        account = _authorised(request, account_sid)
        if isinstance(account, HttpResponse):
            return account
        return twilio_error_response(404, 20404, f"The requested resource /Flows/{flow_sid} was not found")
    if not flow.account.is_active:
        return twilio_error_response(404, 20404, "The requested resource was not found")
    return _signature_refused(request, flow.account) or flow


@csrf_exempt
@require_http_methods(["GET", "POST"])
def flow_webhook(request: HttpRequest, account_sid: str, flow_sid: str) -> HttpResponse:
    flow = _authorised_flow(request, account_sid, flow_sid)
    if isinstance(flow, HttpResponse):
        return flow
    wait = limits.webhook_wait(account_sid)  # signed requests only: strangers spend no budget
    if wait is not None:
        return too_many_requests(limits.retry_after(wait))
    params = _params(request)
    if _holds_nul(params):
        return _nul_refused()
    if params.get("FlowEvent"):
        return _flow_event(flow, params)
    if params.get("CallSid") and not params.get("MessageSid"):
        return _xml(turns.handle_call(flow, params))
    if intake.record(flow, params) is not None:
        transaction.on_commit(_kick)
    return _xml(turns.EMPTY)


def _kick() -> None:
    """The event is committed: the webhook answers 200 whatever happens next. A database error
    while draining (embedded mode drains right here) leaves it pending for the sweeper's rescue
    (``drain.rescue``), as Twilio would otherwise log an 11200 for a message already accepted.
    So does a broker that cannot be reached (Redis restarting): the kick is lost, not the event."""
    try:
        drain.kick()
    except Exception:  # noqa: BLE001 - DatabaseError, redis' ConnectionError, kombu's OperationalError
        log.exception("draining after an inbound webhook failed; the sweeper will rescue the event")


def _flow_event(flow: Flow, params: dict[str, Any]) -> HttpResponse:
    """``?FlowEvent=return`` from external TwiML (TwiML Redirect): resume the waiting widget."""
    contact, channel = message_pair(params)
    session = str(params.get("CallSid") or "")
    with network.collect() as later, transaction.atomic():
        qs = Execution.objects.filter(flow=flow, status=Execution.Status.ACTIVE)
        by_call = qs.filter(session_key=session).first() if session else None
        candidate = by_call or qs.filter(contact_channel_address=contact, channel_address=channel).first()
        if candidate is None:
            return _xml(turns.EMPTY)
        execution = store.lock(candidate.pk)
        result = store.deliver(execution, Inbound(kind="callback", payload=params))
    return _xml(turns.twiml_document(result.twiml + later))


@csrf_exempt
@require_http_methods(["GET", "POST"])
def execution_callback(
    request: HttpRequest, account_sid: str, flow_sid: str, execution_sid: str
) -> HttpResponse:
    """Action/redirect URLs of waiting widgets (``Services.callback_url``).

    A turn of a call: one statement reads the execution with its account and flow (the
    account and signature checks follow; anything unusual takes the general path below for
    the same answers), then ``turns.play_callback`` runs and saves it."""
    params = _params(request)
    if _holds_nul(params):
        return _nul_refused()
    widget = str(params.pop("Widget", "") or "") or None
    seq_text = str(params.pop("Seq", "") or "")
    seq = int(seq_text) if seq_text.isdigit() else None
    execution = turns.read_for_callback(account_sid, flow_sid, execution_sid)
    if execution is not None and execution.account.is_active:
        refused = _signature_refused(request, execution.account)
        if refused is not None:
            return refused
        inbound = Inbound(kind="callback", payload=params)
        # Committed: a widget parked on the network has continued (its TwiML included).
        return _xml(turns.twiml_document(turns.play_callback(execution, inbound, widget=widget, seq=seq)))
    account = _authorised(request, account_sid)
    if isinstance(account, HttpResponse):
        return account
    return twilio_error_response(
        404, 20404, f"The requested resource /Executions/{execution_sid} was not found"
    )


@csrf_exempt
@require_http_methods(["POST"])
def message_status(request: HttpRequest, account_sid: str, message_sid: str) -> HttpResponse:
    """Status callbacks for messages sent through the ``twilio`` provider."""
    account = _authorised(request, account_sid)
    if isinstance(account, HttpResponse):
        return account
    if _holds_nul(_params(request)):
        return _nul_refused()
    message = Message.objects.filter(account=account, sid=message_sid).first()
    if message is None:
        return twilio_error_response(404, 20404, "The requested resource was not found")
    status = str(request.POST.get("MessageStatus") or request.POST.get("SmsStatus") or "")
    if status and status != message.status:
        message.status = status
        code = request.POST.get("ErrorCode")
        message.error_code = int(code) if code and code.isdigit() else message.error_code
        message.save(update_fields=["status", "error_code", "date_updated"])
        if status in (Message.Status.FAILED, Message.Status.UNDELIVERED):
            store.message_status_changed(message)
    return HttpResponse(status=204)
