"""The blocking voice verbs: Gather, Record, Dial, Enqueue, Pay.

These functions become methods of :class:`CallPlayer` (``self`` is the player).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lxml import etree

from ..schema import VOICE, Element
from .elements import nouns
from .flow import _End, _Goto
from .script import sid

if TYPE_CHECKING:
    from .call import CallPlayer


def _int(value: str | None, default: int | None) -> int | None:
    try:
        return int(value) if value not in (None, "") else default
    except ValueError:
        return default


def verb_gather(self: CallPlayer, el: etree._Element, spec: Element, url: str | None) -> None:
    inputs = (el.get("input") or "dtmf").split()
    num_digits = _int(el.get("numDigits"), None)
    finish = el.get("finishOnKey", "#")
    action = el.get("action")
    self.emit(
        "gather",
        input=inputs,
        numDigits=num_digits,
        finishOnKey=finish,
        timeout=_int(el.get("timeout"), 5),
        speechTimeout=el.get("speechTimeout") or el.get("timeout") or "5",
        language=el.get("language") or "en-US",
        hints=el.get("hints"),
        bargeIn=(el.get("bargeIn") or "true") == "true",
        action=self.resolve(url, action),
        method=el.get("method") or "POST",
    )
    for child in el:
        if isinstance(child.tag, str) and child.tag in ("Say", "Play", "Pause"):
            getattr(self, "verb_" + child.tag.lower())(child, VOICE.elements[child.tag], url)
    heard = self.script.next_input()
    if heard.kind == "hangup":
        self.emit("caller", **heard.to_dict())
        self.emit("hangup", reason="caller")
        raise _End("caller-hangup")

    extra: dict[str, Any] = {}
    if heard.kind == "digits" and "dtmf" in inputs:
        digits, finished_on = collect_digits(heard.digits, num_digits, finish)
        if digits:
            extra = {"Digits": digits, "FinishedOnKey": finished_on, "msg": "Gather End"}
    elif heard.kind == "speech" and "speech" in inputs:
        extra = {
            "SpeechResult": heard.speech,
            "Confidence": f"{heard.confidence:.8f}".rstrip("0").rstrip("."),
        }
        if "dtmf" in inputs:
            extra["msg"] = "Gather End"
    self.emit("caller", **heard.to_dict(), accepted=bool(extra))

    if not extra:
        if (el.get("actionOnEmptyResult") or "false") != "true":
            self.emit("gather-timeout", next="next-verb")
            return
        # Spec open question 4: we send empty Digits (when DTMF was allowed) so handlers that
        # read request.Digits see "" rather than a missing field.
        extra = (
            {"Digits": "", "FinishedOnKey": ""}
            if "dtmf" in inputs
            else {"SpeechResult": "", "Confidence": "0"}
        )
        extra["msg"] = "Gather End"
    self.follow(el.get("method"), action, url, **extra)


def collect_digits(keys: str, num_digits: int | None, finish: str) -> tuple[str, str]:
    """The digits Twilio submits for the keys pressed, and the key that finished input."""
    digits = ""
    for key in keys:
        if finish and key == finish:
            if digits:  # finishOnKey only ends input after at least one digit
                return digits, key
            continue
        digits += key
        if num_digits and len(digits) >= num_digits:
            return digits, ""
    return digits, ""  # the timeout submits what was entered


def verb_record(self: CallPlayer, el: etree._Element, spec: Element, url: str | None) -> None:
    outcome = self.script.next_record()
    action = el.get("action")
    self.emit(
        "record",
        maxLength=_int(el.get("maxLength"), 3600),
        timeout=_int(el.get("timeout"), 5),
        finishOnKey=el.get("finishOnKey", "1234567890*#"),
        playBeep=(el.get("playBeep") or "true") == "true",
        transcribe=(el.get("transcribe") or "false") == "true",
        action=self.resolve(url, action),
        outcome=outcome,
    )
    duration = int(outcome.get("duration", 0))
    if duration <= 0:
        # An empty recording: Twilio does not request action and goes on with the next verb.
        return
    max_length = _int(el.get("maxLength"), 3600) or 3600
    duration = min(duration, max_length)
    recording_sid = outcome.get("sid") or sid("RE")
    extra: dict[str, Any] = {
        "RecordingUrl": f"https://api.twilio.com/{self.call['ApiVersion']}/Accounts/{self.call['AccountSid']}"
        f"/Recordings/{recording_sid}",
        "RecordingDuration": duration,
        "RecordingSid": recording_sid,
    }
    digits = outcome.get("digits")
    if digits == "hangup":
        extra["Digits"] = "hangup"
        self.status = "completed"
    elif digits:
        extra["Digits"] = digits
    if digits == "hangup":
        # Twilio still requests action (CallStatus=completed), but the caller is gone.
        target = self.resolve(url, action)
        if target:
            self.request((el.get("method") or "POST").upper(), target, self.params(**extra))
        self.emit("hangup", reason="caller")
        raise _End("caller-hangup")
    self.follow(el.get("method"), action, url, **extra)


def verb_dial(self: CallPlayer, el: etree._Element, spec: Element, url: str | None) -> None:
    targets = nouns(el)
    text = (el.text or "").strip()
    if text and not targets:
        targets = [{"type": "Number", "value": text}]
    outcome = self.script.next_dial()
    status = outcome["status"]
    answered = status in ("completed", "answered")
    duration = int(outcome.get("duration", 30)) if answered else None
    self.emit(
        "dial",
        targets=targets,
        callerId=el.get("callerId"),
        timeout=_int(el.get("timeout"), 30),
        record=el.get("record"),
        status=status,
        duration=duration,
        action=self.resolve(url, el.get("action")) if el.get("action") else None,
    )
    if not el.get("action"):
        return  # no default action: the next verb runs once the dialed leg ends
    extra: dict[str, Any] = {
        "DialCallStatus": status,
        "DialCallSid": outcome.get("sid") or sid("CA"),
        "DialBridged": "true" if answered else "false",
    }
    if answered:
        extra["DialCallDuration"] = duration
    record = el.get("record") or "do-not-record"
    if answered and record not in ("do-not-record", "false"):
        rec = sid("RE")
        extra["RecordingUrl"] = (
            f"https://api.twilio.com/{self.call['ApiVersion']}/Accounts/{self.call['AccountSid']}/Recordings/{rec}"
        )
        extra["RecordingSid"] = rec
    self.follow(el.get("method"), el.get("action"), url, **extra)


def verb_enqueue(self: CallPlayer, el: etree._Element, spec: Element, url: str | None) -> None:
    name = (el.text or "").strip() or None
    workflow = el.get("workflowSid")
    held = bool(workflow and self.script.hold and not self.script.scripted_enqueue_left())
    outcome = self.script.next_enqueue()
    queue_sid = outcome.get("queue_sid") or sid("QU")
    self.emit("enqueue", queue=name, workflowSid=workflow, waitUrl=el.get("waitUrl"))
    result = outcome.get("result")
    if el.get("waitUrl") and result in (None, "leave", "hangup"):
        result = play_wait(self, el, url, queue_sid) or result
    elif held:
        # No waitUrl: the host's hold music if it has some, else Twilio's default.
        music = self.script.hold_music() if self.script.hold_music else None
        if music:
            self.emit("hold-music", source="asset", url=music)
        else:
            self.emit("hold-music", source="default")
    if held and result is None:
        outcome = hold_for_agent(self, el, workflow or "")
        queue_sid, result = outcome.get("queue_sid") or queue_sid, outcome.get("result")
    result = result or "bridged"
    queue_time = int(outcome.get("queue_time", 0))
    self.emit("dequeue", result=result, queueTime=queue_time)
    if result == "hangup":
        self.status = "completed"
    if el.get("action"):
        extra = {"QueueResult": result, "QueueSid": queue_sid, "QueueTime": queue_time}
        if result == "hangup":
            target = self.resolve(url, el.get("action"))
            self.request((el.get("method") or "POST").upper(), target or "", self.params(**extra))
        else:
            self.follow(el.get("method"), el.get("action"), url, **extra)
    if result == "hangup":
        self.emit("hangup", reason="caller")
        raise _End("caller-hangup")


def hold_for_agent(self: CallPlayer, el: etree._Element, workflow: str) -> dict[str, Any]:
    """The script's ``hold`` keeps the caller in the queue until the call leaves it (an agent
    took it and the bridged call ended, the task was canceled, or enqueuing failed)."""
    task = el.find("Task")
    self.emit("queued", workflowSid=workflow)
    assert self.script.hold is not None
    outcome = self.script.hold(
        {
            "workflow_sid": workflow,
            "task": (task.text or "{}") if task is not None else "{}",
            "priority": task.get("priority") if task is not None else None,
            "timeout": task.get("timeout") if task is not None else None,
            "call": dict(self.call),
            "on_connect": lambda agent: self.emit("connected", agent=agent),
        }
    )
    return outcome


def play_wait(self: CallPlayer, el: etree._Element, url: str | None, queue_sid: str) -> str | None:
    """Play the waitUrl document once; returns 'leave' or 'hangup' when it ends the wait."""
    target = self.resolve(url, el.get("waitUrl"))
    assert target
    params = self.params(QueueSid=queue_sid, QueuePosition=1, QueueTime=0, AvgQueueTime=0, CurrentQueueSize=1)
    root = self.fetch_document((el.get("waitUrlMethod") or "POST").upper(), target, params)
    allowed = ("Play", "Say", "Pause", "Hangup", "Redirect", "Leave", "Gather")
    for _ in range(self.max_documents):
        self.emit("document", url=target, role="waitUrl")
        for child in root:
            if not isinstance(child.tag, str):
                continue
            if child.tag == "Leave":
                self.emit("leave")
                # Spec open question 13: public code sees both 'leave' and 'redirected'; the
                # <Enqueue> docs name 'leave' for a caller who left with <Leave>.
                return "leave"
            if child.tag == "Hangup":
                return "hangup"
            if child.tag not in allowed:
                self.emit(
                    "skipped", element=child.tag, code=12200, message="not allowed in a waitUrl document"
                )
                continue
            if child.tag == "Redirect":
                target = self.resolve(target, (child.text or "").strip())
                assert target
                root = self.fetch_document((child.get("method") or "POST").upper(), target, params)
                break
            if child.tag == "Gather":
                heard = self.script.next_input()
                self.emit("caller", **heard.to_dict(), accepted=False)
                continue
            getattr(self, "verb_" + child.tag.lower())(child, VOICE.elements[child.tag], target)
        else:
            return None
    return None


def verb_pay(self: CallPlayer, el: etree._Element, spec: Element, url: str | None) -> None:
    outcome = self.script.next_pay()
    for prompt in el:
        if prompt.tag == "Prompt":
            for child in prompt:
                if isinstance(child.tag, str) and child.tag in ("Say", "Play", "Pause"):
                    getattr(self, "verb_" + child.tag.lower())(child, VOICE.elements[child.tag], url)
    result = outcome["result"]
    method = el.get("paymentMethod") or "credit-card"
    self.emit("pay", paymentMethod=method, chargeAmount=el.get("chargeAmount"), result=result)
    if result == "caller-hung-up":
        self.emit("hangup", reason="caller")
        raise _End("caller-hangup")
    if not el.get("action"):
        return
    # Parameter set is [M] in the spec: the documented names, with masked card data.
    extra: dict[str, Any] = {"Result": result, "PaymentMethod": method}
    if result == "success":
        if method == "ach-debit":
            extra.update({"BankAccountNumber": "xxxxxx1234", "BankRoutingNumber": "121000358"})
        else:
            extra.update(
                {
                    "PaymentCardNumber": outcome.get("card_number", "xxxxxxxxxxxx1111"),
                    "PaymentCardType": outcome.get("card_type", "visa"),
                    "ExpirationDate": outcome.get("expiration_date", "1230"),
                    "SecurityCode": "xxx",
                }
            )
            if (el.get("postalCode") or "true") != "false":
                extra["PaymentCardPostalCode"] = outcome.get("postal_code", "94105")
        extra["PaymentToken"] = outcome.get("token", sid("tok_")[:28])
        if el.get("chargeAmount") not in (None, "", "0", "0.00"):
            extra["PaymentConfirmationCode"] = outcome.get("confirmation_code", "ch_" + sid("")[:24])
    else:
        extra["PaymentError"] = outcome.get("error", result)
    self.follow(el.get("method"), el.get("action"), url, **extra)


__all__ = ["verb_gather", "verb_record", "verb_dial", "verb_enqueue", "verb_pay", "collect_digits", "_Goto"]
