"""An interactive simulated call: the browser is the caller, one turn at a time.

``start`` rings the flow's number and plays what the caller meets until the call waits at a
``<Gather>`` (or ends); ``answer`` gives that Gather the caller's keys, words, silence or hang-up
and plays on to the next wait. Every request goes through the signed webhook and the engine's
callbacks in-process (``calls.fetcher_for``), as a scripted call's do; only the caller differs.

Between turns the call keeps, in ``Call.options["live"]``, the document it waits in, the index
of the waiting Gather and the call's parameters; the resumed player starts at that Gather (its
prompt is not played twice). When the call ends, the status callback reports it as Twilio would.
"""

from __future__ import annotations

import copy
from typing import Any

from django.utils import timezone
from lxml import etree

from accounts.models import Account
from executions.models import Call, Execution
from executions.voice import calls
from studio.models import Flow
from twiml import CallScript, Transcript
from twiml.interpreter import CallPlayer
from twiml.interpreter import verbs as _verbs
from twiml.interpreter.flow import _End
from twiml.schema import Element

LIVE = "live"


class _NeedInput(Exception):
    """The caller has not answered yet."""


class _Paused(Exception):
    def __init__(self, gather: etree._Element, url: str | None) -> None:
        super().__init__("waiting at a Gather")
        self.gather, self.url = gather, url


class _LiveScript(CallScript):
    def next_input(self) -> Any:
        if self._cursor["inputs"] >= len(self.inputs):
            raise _NeedInput
        return super().next_input()


class _LivePlayer(CallPlayer):
    def verb_gather(self, el: etree._Element, spec: Element, url: str | None) -> None:
        try:
            _verbs.verb_gather(self, el, spec, url)
        except _NeedInput:
            raise _Paused(el, url) from None


def _play(player: _LivePlayer, run: Any) -> tuple[Transcript, dict[str, Any] | None]:
    """Run until the call ends (None) or waits at a Gather (what to keep until the answer)."""
    try:
        run()
    except _Paused as paused:
        root = paused.gather.getparent()
        return player.transcript, {
            "document": etree.tostring(root, encoding="unicode"),
            "index": list(root).index(paused.gather),
            "url": paused.url,
            "call": player.call,
            "gather": player.transcript.of_type("gather")[-1] if player.transcript.of_type("gather") else {},
        }
    except _End as end:
        player.transcript.ended = end.reason
    return player.transcript, None


def _body(call: Call, new_events: list[dict[str, Any]], waiting: dict[str, Any] | None) -> dict[str, Any]:
    execution = Execution.objects.filter(initiated_by=call.sid).order_by("-id").first()
    return {
        "call_sid": call.sid,
        "execution_sid": execution.sid if execution else None,
        "status": call.status,
        "waiting": (waiting or {}).get("gather") or None,
        "events": new_events,
        "transcript": call.transcript,
    }


def _keep(call: Call, transcript: Transcript, waiting: dict[str, Any] | None, account: Account) -> None:
    """Add this turn's events to the call's transcript; finish the call when it ended."""
    kept = dict(call.transcript or {})
    kept["events"] = list(kept.get("events") or []) + transcript.events
    kept["requests"] = list(kept.get("requests") or []) + transcript.requests
    if waiting is not None:
        kept["turns"] = int(kept.get("turns", 0)) + 1  # each wait its own number (see answer)
        call.options = {**(call.options or {}), LIVE: {**waiting, "turn": kept["turns"]}}
        call.status = Call.Status.IN_PROGRESS
        call.transcript = kept
        call.save(update_fields=["options", "status", "transcript", "date_updated"])
        return
    kept["ended"] = transcript.ended
    status = "completed"
    if transcript.ended == "rejected":
        rejects = [e for e in transcript.events if e["type"] == "reject"]
        status = "busy" if rejects and rejects[-1].get("reason") == "busy" else "no-answer"
    call.options = {k: v for k, v in (call.options or {}).items() if k != LIVE}
    call.save(update_fields=["options"])
    calls._finish(call, status, kept)
    calls.status_callback(
        account,
        call.status_callback,
        "POST",
        calls.call_params(call, CallDuration=call.duration, CallStatus=status),
    )


def start(flow: Flow, *, from_: str, to: str) -> dict[str, Any]:
    """Ring the flow's number from ``from_``; play until the call waits for the caller or ends."""
    account = flow.account
    url = calls.flow_webhook_url(account.sid, flow.sid)
    call = Call.objects.create(
        account=account,
        from_address=from_,
        to_address=to,
        direction="inbound",
        status=Call.Status.RINGING,
        url=url,
        status_callback=url,
        start_time=timezone.now(),
    )
    script = _LiveScript(call={"AccountSid": account.sid, "CallSid": call.sid, "From": from_, "To": to})
    player = _LivePlayer(script, calls.fetcher_for(account))
    player.status = "ringing"

    def run() -> None:
        root = player.fetch_document("POST", url, player.params())
        player.status = "in-progress"
        player.run(root, url)

    transcript, waiting = _play(player, run)
    _keep(call, transcript, waiting, account)
    return _body(call, transcript.events, waiting)


def answer(call: Call, heard: dict[str, Any]) -> dict[str, Any]:
    """The caller answers the Gather the call waits at: ``{"digits"}``, ``{"speech"}``,
    ``{"silence": true}`` (the Gather times out) or ``{"hangup": true}``."""
    live = (call.options or {}).get(LIVE)
    # Claim the wait: of two answers racing for one Gather, one plays on, the other is refused.
    claimed = Call.objects.filter(pk=call.pk, options__live__turn=(live or {}).get("turn", -1)).update(
        options={k: v for k, v in (call.options or {}).items() if k != LIVE}
    )
    if not live or not claimed:
        raise ValueError("the call is not waiting for the caller")
    call.refresh_from_db()
    account = call.account
    root = etree.fromstring(live["document"].encode())
    rest = copy.deepcopy(root)
    for child in list(rest)[: int(live["index"])]:
        rest.remove(child)
    player = _LivePlayer(_LiveScript(inputs=[heard], call=dict(live["call"])), calls.fetcher_for(account))
    player.call = dict(live["call"])
    transcript, waiting = _play(player, lambda: player.run(rest, live.get("url")))
    # The resumed Gather announced itself again: keep what the caller did from there on.
    first = next((i for i, e in enumerate(transcript.events) if e["type"] == "caller"), 0)
    transcript.events = transcript.events[first:]
    _keep(call, transcript, waiting, account)
    return _body(call, transcript.events, waiting)
