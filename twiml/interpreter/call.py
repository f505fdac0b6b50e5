"""Play a voice document as Twilio would for one simulated call.

The interpreter walks the verbs top to bottom, records what the caller meets as typed events,
and when a verb's action fires it builds the request Twilio would make (URL resolved against the
current document's URL, method, form parameters), hands it to the fetcher and goes on with the
returned document. Redirects and action fetches are bounded so a redirect loop ends the call.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urljoin

from lxml import etree

from ..parse import ParseError, parse
from ..schema import VOICE, Element
from ..validator import validate_tree
from . import verbs as _verbs
from .elements import attrs_of, nouns, parameters
from .flow import Transcript, _End, _Goto, full_url
from .script import CallScript, Fetcher, sid

API_VERSION = "2010-04-01"
# Twilio documents no number; a Studio flow has a 1,000-step limit, a call should not need more
# than a few dozen documents. Hitting the bound ends the call like an application error.
MAX_DOCUMENTS = 50


class CallPlayer:
    def __init__(
        self,
        script: CallScript | None = None,
        fetcher: Fetcher | None = None,
        max_documents: int = MAX_DOCUMENTS,
    ):
        self.script = script or CallScript()
        self.fetcher = fetcher
        self.max_documents = max_documents
        self.transcript = Transcript()
        self.documents = 0
        c = dict(self.script.call)
        c.setdefault("AccountSid", "AC" + "0" * 32)
        c.setdefault("CallSid", sid("CA"))
        c.setdefault("From", "+15005550001")
        c.setdefault("To", "+15005550006")
        c.setdefault("Direction", "inbound")
        c.setdefault("ApiVersion", API_VERSION)
        # Legacy duplicates Twilio still sends on every voice request (spec §4.1).
        c.setdefault("Caller", c["From"])
        c.setdefault("Called", c["To"])
        self.call = c
        self.status = "in-progress"

    # -- events and requests -------------------------------------------------------------
    def emit(self, kind: str, /, **data: Any) -> None:
        self.transcript.events.append({"type": kind, **{k: v for k, v in data.items() if v is not None}})

    def params(self, **extra: Any) -> dict[str, str]:
        p = dict(self.call)
        p["CallStatus"] = self.status
        p.update({k: str(v) for k, v in extra.items() if v is not None})
        return p

    def request(self, method: str, url: str, params: dict[str, str]) -> tuple[int, str] | None:
        """Make one request through the fetcher; None when there is no fetcher."""
        entry: dict[str, Any] = {
            "method": method,
            "url": url,
            "full_url": full_url(method, url, params),
            "params": params,
        }
        self.transcript.requests.append(entry)
        self.emit("request", method=method, url=url, params=params)
        if self.fetcher is None:
            self.emit("error", code=11200, message=f"No fetcher: cannot request {url}")
            raise _End("error")
        try:
            status, body = self.fetcher(method, url, params)
        except Exception as exc:  # the fetcher's transport failed: Twilio's 11205
            self.emit("error", code=11205, message=f"HTTP connection failure: {exc}")
            raise _End("error") from None
        entry["status"] = status
        if not 200 <= status < 300:
            # spec §3: HTTP errors from your server (4xx/5xx) give 11217; Twilio then ends the call.
            self.emit("error", code=11217, message=f"HTTP {status} from {url}")
            raise _End("error")
        return status, body

    def fetch_document(self, method: str, url: str, params: dict[str, str]) -> etree._Element:
        self.documents += 1
        if self.documents > self.max_documents:
            self.emit(
                "error", code=11200, message=f"more than {self.max_documents} documents: redirect loop?"
            )
            raise _End("loop-limit")
        _, body = self.request(method, url, params)  # type: ignore[misc]
        return self.load(body)

    def load(self, text: str | bytes) -> etree._Element:
        try:
            root = parse(text)
        except ParseError as exc:
            self.emit("error", code=exc.code, message=exc.message, line=exc.line)
            raise _End("error") from None
        for p in validate_tree(root, "voice"):
            if p.code in (12100, 12102, 11750):
                self.emit("error", code=p.code, message=p.message, line=p.line)
                raise _End("error")
            self.emit("warning", code=p.code, message=p.message, line=p.line, path=p.path)
        return root

    def resolve(self, doc_url: str | None, target: str | None) -> str | None:
        if target:
            return urljoin(doc_url, target) if doc_url else target
        return doc_url

    def follow(self, method: str | None, url: str | None, doc_url: str | None, **extra: Any) -> None:
        """Request an action/redirect URL and move control to the returned document."""
        target = self.resolve(doc_url, url)
        if not target:
            self.emit("error", code=11200, message="no URL to request (the document has no URL)")
            raise _End("error")
        m = (method or "POST").upper()
        root = self.fetch_document(m, target, self.params(**extra))
        raise _Goto(root, target)

    # -- running ---------------------------------------------------------------------------
    def run(self, root: etree._Element, url: str | None) -> Transcript:
        try:
            while True:
                try:
                    self.run_document(root, url)
                    self.emit("hangup", reason="end-of-document")
                    raise _End("completed")
                except _Goto as go:
                    root, url = go.root, go.url
        except _End as end:
            self.transcript.ended = end.reason
            if end.reason in ("completed", "hangup", "caller-hangup"):
                self.status = "completed"
        return self.transcript

    def run_document(self, root: etree._Element, url: str | None) -> None:
        if root.tag != "Response":
            self.emit("error", code=12102, message="The root element must be Response")
            raise _End("error")
        self.emit("document", url=url)
        for el in root:
            if not isinstance(el.tag, str):
                continue
            spec = VOICE.child(VOICE.root, el.tag)
            if spec is None or el.tag in VOICE.suspect_top_level:
                # Twilio logs 12200 and skips what it does not understand (spec §3).
                self.emit("skipped", element=el.tag, code=12200)
                continue
            handler = getattr(self, "verb_" + el.tag.lower(), None)
            if handler is None:
                self.emit(el.tag.lower(), **attrs_of(el, spec))
                continue
            handler(el, spec, url)

    # -- simple verbs ---------------------------------------------------------------------
    def verb_say(self, el: etree._Element, spec: Element, url: str | None) -> None:
        self.emit(
            "say",
            text=" ".join("".join(el.itertext()).split()),
            # Twilio's classic default voice is "man" [M]; accounts can change it.
            voice=el.get("voice") or "man",
            language=el.get("language") or spec.default("language"),
            loop=_verbs._int(el.get("loop"), 1),
            ssml=any(isinstance(c.tag, str) for c in el) or None,
        )

    def verb_play(self, el: etree._Element, spec: Element, url: str | None) -> None:
        media = (el.text or "").strip()
        self.emit(
            "play",
            url=self.resolve(url, media) if media else None,
            digits=el.get("digits"),
            loop=_verbs._int(el.get("loop"), 1),
        )

    def verb_pause(self, el: etree._Element, spec: Element, url: str | None) -> None:
        self.emit("pause", length=_verbs._int(el.get("length"), 1))

    def verb_hangup(self, el: etree._Element, spec: Element, url: str | None) -> None:
        self.emit("hangup", reason="hangup-verb", parameters=parameters(el) or None)
        raise _End("hangup")

    def verb_reject(self, el: etree._Element, spec: Element, url: str | None) -> None:
        self.emit("reject", reason=el.get("reason") or "rejected")
        self.status = "busy" if el.get("reason") == "busy" else "no-answer"
        raise _End("rejected")

    def verb_leave(self, el: etree._Element, spec: Element, url: str | None) -> None:
        # Outside an Enqueue waitUrl document there is no queue to leave.
        self.emit("skipped", element="Leave", code=12200, message="<Leave> outside a queue")

    def verb_redirect(self, el: etree._Element, spec: Element, url: str | None) -> None:
        target = (el.text or "").strip()
        method = el.get("method") or "POST"
        self.emit("redirect", url=self.resolve(url, target), method=method)
        self.follow(method, target, url)

    def verb_echo(self, el: etree._Element, spec: Element, url: str | None) -> None:
        self.emit("echo")

    def verb_sms(self, el: etree._Element, spec: Element, url: str | None) -> None:
        self.emit(
            "sms",
            to=el.get("to") or self.call["From"],
            **{"from": el.get("from") or self.call["To"]},
            body=(el.text or "").strip(),
            action=self.resolve(url, el.get("action")) if el.get("action") else None,
        )
        if el.get("action"):
            self.follow(el.get("method"), el.get("action"), url, SmsSid=sid("SM"), SmsStatus="sent")

    def verb_start(self, el: etree._Element, spec: Element, url: str | None) -> None:
        self.emit("start", forks=nouns(el))

    def verb_stop(self, el: etree._Element, spec: Element, url: str | None) -> None:
        self.emit("stop", forks=nouns(el))

    def verb_connect(self, el: etree._Element, spec: Element, url: str | None) -> None:
        self.emit(
            "connect",
            targets=nouns(el),
            action=self.resolve(url, el.get("action")) if el.get("action") else None,
        )
        if el.get("action"):
            self.follow(el.get("method"), el.get("action"), url)

    def verb_refer(self, el: etree._Element, spec: Element, url: str | None) -> None:
        self.emit("refer", targets=nouns(el))
        if el.get("action"):
            # Parameter names unverified (spec open question 3).
            self.follow(
                el.get("method"),
                el.get("action"),
                url,
                ReferCallStatus="completed",
                ReferSipResponseCode="202",
            )

    # -- blocking verbs, in their own module ------------------------------------------------
    verb_gather = _verbs.verb_gather
    verb_record = _verbs.verb_record
    verb_dial = _verbs.verb_dial
    verb_enqueue = _verbs.verb_enqueue
    verb_pay = _verbs.verb_pay
