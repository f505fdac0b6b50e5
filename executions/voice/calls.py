"""Calls: placing them (Calls API, make-outgoing-call-v2) and simulating them.

A simulated call is played by ``twiml``'s interpreter. Its requests to this server (the flow
webhook, engine callbacks) are made in-process through the URL resolver, signed with the
account's auth token exactly as Twilio signs them, so they go through the same views and
signature checks as production traffic. Requests to other hosts go over HTTP.

Outcomes of outbound simulated calls are scriptable: ``STUDIO["SIMULATOR_CALL_OUTCOMES"]``
(or ``script_outcome(to, ...)`` at runtime) maps a ``To`` number to ``"answered"`` (default),
``"busy"``, ``"no-answer"``, ``"failed"``, ``"machine"`` or a dict
``{"status", "answered_by", "script": {CallScript fields}}``.
"""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from django.conf import settings
from django.db import transaction
from django.test import RequestFactory
from django.urls import Resolver404, resolve
from django.utils import timezone

from accounts.models import Account
from accounts.signing import twilio_signature
from executions.messaging.providers import provider_name
from executions.models import Call
from studio.conf import studio_settings
from twiml import CallScript, Transcript
from twiml.interpreter import CallPlayer
from twiml.interpreter.flow import _End

# Twilio's magic test numbers: +15005550001 is invalid (REST error), +15005550002… can't be
# routed. Tests and the console add their own through script_outcome().
MAGIC_OUTCOMES: dict[str, Any] = {
    "+15005550002": "failed",
    "+15005550003": "busy",
    "+15005550004": "no-answer",
}
_scripted: dict[str, Any] = {}
ENDED = ("completed", "busy", "no-answer", "failed", "canceled")


def script_outcome(to: str, outcome: Any) -> None:
    """Decide what happens to the next simulated calls to ``to`` (None removes the rule)."""
    if outcome is None:
        _scripted.pop(to, None)
    else:
        _scripted[to] = outcome


def outcome_for(call: Call) -> dict[str, Any]:
    configured = studio_settings.SIMULATOR_CALL_OUTCOMES
    raw = _scripted.get(call.to_address, configured.get(call.to_address, MAGIC_OUTCOMES.get(call.to_address)))
    raw = raw if raw is not None else call.options.get("outcome", "answered")
    out: dict[str, Any] = {"status": raw} if isinstance(raw, str) else dict(raw)
    status = str(out.get("status") or "answered")
    if status == "machine":
        status = "answered"
        out.setdefault("answered_by", "machine_start")
    out["status"] = status
    return out


# -- in-process requests, signed like Twilio's -----------------------------------------------


def public_base() -> str:
    return settings.PUBLIC_BASE_URL.rstrip("/")


def signed_request(account: Account, method: str, url: str, params: dict[str, str]) -> tuple[int, str]:
    """Request ``url`` as Twilio would (``X-Twilio-Signature`` with the account's token)."""
    method = method.upper()
    full = url
    if method == "GET" and params:
        full = url + ("&" if "?" in url else "?") + urllib.parse.urlencode(params)
    signature = twilio_signature(account.auth_token, full, params if method == "POST" else {})
    base = public_base()
    if full.startswith(base + "/"):
        return _local(method, full[len(base) :], params, signature)
    return _remote(method, full, params, signature)


def _local(method: str, path_qs: str, params: dict[str, str], signature: str) -> tuple[int, str]:
    path = path_qs.split("?", 1)[0]
    try:
        match = resolve(path)
    except Resolver404:
        return 404, ""
    factory = RequestFactory()
    if method == "POST":
        request = factory.post(path_qs, params, HTTP_X_TWILIO_SIGNATURE=signature)
    else:
        request = factory.get(path_qs, HTTP_X_TWILIO_SIGNATURE=signature)
    response = match.func(request, *match.args, **match.kwargs)
    body = response.content.decode() if hasattr(response, "content") else ""
    return response.status_code, body


def _remote(method: str, url: str, params: dict[str, str], signature: str) -> tuple[int, str]:
    data = urllib.parse.urlencode(params).encode() if method == "POST" else None
    req = urllib.request.Request(url, data=data, method=method, headers={"X-Twilio-Signature": signature})
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:  # noqa: S310 - user-configured TwiML URL
            return resp.status, resp.read(65536).decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, ""


def fetcher_for(account: Account) -> Any:
    def fetch(method: str, url: str, params: dict[str, str]) -> tuple[int, str]:
        return signed_request(account, method, url, params)

    return fetch


def flow_webhook_url(account_sid: str, flow_sid: str) -> str:
    return f"{public_base()}/v1/Accounts/{account_sid}/Flows/{flow_sid}"


# -- playing a call --------------------------------------------------------------------------


def play(
    account: Account,
    script: CallScript,
    *,
    url: str = "",
    method: str = "POST",
    twiml: str = "",
    ringing: bool = True,
    first_params: dict[str, str] | None = None,
) -> Transcript:
    """Answer a call: request ``url`` (or play ``twiml``) and follow it to the end."""
    player = CallPlayer(script, fetcher_for(account))
    if twiml:
        try:
            root = player.load(twiml)
        except _End as end:
            player.transcript.ended = end.reason
            return player.transcript
        return player.run(root, None)
    player.status = "ringing" if ringing else "in-progress"
    try:
        root = player.fetch_document(method, url, player.params(**(first_params or {})))
    except _End as end:
        player.transcript.ended = end.reason
        return player.transcript
    player.status = "in-progress"
    return player.run(root, url)


def status_callback(account: Account, url: str, method: str, params: dict[str, str]) -> None:
    if url:
        signed_request(account, method or "POST", url, params)


def call_params(call: Call, **extra: Any) -> dict[str, str]:
    params = {
        "AccountSid": call.account.sid,
        "ApiVersion": "2010-04-01",
        "CallSid": call.sid,
        "CallStatus": call.status,
        "Called": call.to_address,
        "Caller": call.from_address,
        "Direction": call.direction,
        "From": call.from_address,
        "To": call.to_address,
    }
    params.update({k: str(v) for k, v in extra.items() if v is not None})
    return params


# -- placing calls ---------------------------------------------------------------------------


def create(
    account: Account,
    *,
    to: str,
    from_: str,
    url: str = "",
    method: str = "POST",
    twiml: str = "",
    status_callback: str = "",
    status_callback_method: str = "POST",
    timeout: int = 60,
    options: dict[str, Any] | None = None,
    execution_sid: str = "",
    widget: str = "",
) -> Call:
    """A queued call, dialled after the surrounding transaction commits."""
    call = Call.objects.create(
        account=account,
        to_address=to,
        from_address=from_,
        url=url,
        method=(method or "POST").upper(),
        twiml=twiml,
        status_callback=status_callback,
        status_callback_method=(status_callback_method or "POST").upper(),
        timeout=timeout,
        options=options or {},
        execution_sid=execution_sid,
        widget=widget,
    )
    sid = call.sid
    transaction.on_commit(lambda: dispatch(sid))
    return call


def place_for_execution(
    execution: Any, widget: str, params: dict[str, Any], answer_url: str
) -> dict[str, Any]:
    """make-outgoing-call-v2: the call's answer requests ``answer_url`` (the widget's callback);
    its status callbacks go to the flow webhook (busy/no-answer/failed, then the hangup)."""
    call = create(
        execution.account,
        to=str(params.get("To") or ""),
        from_=str(params.get("From") or ""),
        url=answer_url + "&StudioEvent=answered",
        status_callback=flow_webhook_url(execution.account.sid, execution.flow.sid),
        timeout=int(params.get("Timeout") or 60),
        options={k: v for k, v in params.items() if k not in ("To", "From", "Timeout")},
        execution_sid=execution.sid,
        widget=widget,
    )
    return {"Sid": call.sid, "Status": call.status}


def dispatch(sid: str) -> None:
    """Dial a queued call (the simulator plays it to the end, in-process)."""
    call = Call.objects.select_related("account").filter(sid=sid).first()
    if call is None or call.status != Call.Status.QUEUED:
        return
    if provider_name(call.account) == "twilio":
        _dispatch_twilio(call)
        return
    simulate_outbound(call)


def simulate_outbound(call: Call) -> Call:
    outcome = outcome_for(call)
    status = str(outcome["status"])
    account = call.account
    if status in ("busy", "no-answer", "failed", "canceled"):
        _finish(call, status, {})
        status_callback(account, call.status_callback, call.status_callback_method, call_params(call))
        return call
    call.status = Call.Status.IN_PROGRESS
    call.start_time = timezone.now()
    answered_by = ""
    if call.options.get("MachineDetection"):
        answered_by = str(outcome.get("answered_by") or "human")
    call.answered_by = answered_by
    call.save(update_fields=["status", "start_time", "answered_by", "date_updated"])
    script_fields = dict(outcome.get("script") or {})
    script = CallScript(**script_fields)
    script.call.update(
        {
            "AccountSid": account.sid,
            "CallSid": call.sid,
            "From": call.from_address,
            "To": call.to_address,
            "Direction": "outbound-api",
        }
    )
    first = {"AnsweredBy": answered_by, "MachineDetectionDuration": "1800" if answered_by else None}
    transcript = play(
        account,
        script,
        url=call.url,
        method=call.method,
        twiml=call.twiml,
        ringing=False,
        first_params={k: v for k, v in first.items() if v},
    )
    _finish(call, "completed", transcript.to_dict())
    status_callback(
        account,
        call.status_callback,
        call.status_callback_method,
        call_params(call, CallDuration=call.duration),
    )
    return call


def _finish(call: Call, status: str, transcript: dict[str, Any]) -> None:
    now = timezone.now()
    call.status = status
    call.end_time = now
    call.duration = int((now - call.start_time).total_seconds()) if call.start_time else 0
    call.transcript = transcript
    call.save(update_fields=["status", "end_time", "duration", "transcript", "date_updated"])


def _dispatch_twilio(call: Call) -> None:  # pragma: no cover - needs a real account
    from twilio.rest import Client  # on use: only the twilio provider loads the SDK

    client = Client(studio_settings.TWILIO_ACCOUNT_SID, studio_settings.TWILIO_AUTH_TOKEN)
    kwargs: dict[str, Any] = {"to": call.to_address, "from_": call.from_address, "timeout": call.timeout}
    if call.url:
        kwargs.update(url=call.url, method=call.method)
    else:
        kwargs["twiml"] = call.twiml
    if call.status_callback:
        kwargs.update(
            status_callback=call.status_callback,
            status_callback_method=call.status_callback_method,
            status_callback_event=["completed"],
        )
    for key, arg in (
        ("MachineDetection", "machine_detection"),
        ("MachineDetectionTimeout", "machine_detection_timeout"),
        ("SendDigits", "send_digits"),
        ("Record", "record"),
        ("RecordingChannels", "recording_channels"),
        ("RecordingStatusCallback", "recording_status_callback"),
        ("Trim", "trim"),
    ):
        if call.options.get(key) not in (None, ""):
            kwargs[arg] = call.options[key]
    created = client.calls.create(**kwargs)
    call.provider, call.provider_sid, call.status = "twilio", created.sid, created.status or "queued"
    call.save(update_fields=["provider", "provider_sid", "status", "date_updated"])
