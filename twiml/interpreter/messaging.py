"""Turn a messaging document into the outbound messages it describes."""

from __future__ import annotations

from typing import Any
from urllib.parse import urljoin

from ..parse import ParseError, parse
from ..validator import Problem, validate_tree


class TwiMLError(ValueError):
    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(f"{p.code}: {p.message}" for p in problems))
        self.problems = problems


def messages_from(
    twiml: str | bytes, *, inbound: dict[str, str] | None = None, url: str | None = None
) -> list[dict[str, Any]]:
    """The messages a messaging document sends, in order, then a trailing redirect if any.

    Each item is ``{"type": "message", "to", "from", "body", "media": [...], "action", "method",
    "status_callback"}`` or ``{"type": "redirect", "url", "method"}``. ``to``/``from`` default to
    a reply to ``inbound`` (its From/To). Raises :class:`TwiMLError` for a document Twilio would
    refuse (12100, 12102, 11750, or errors such as an empty <Message>).
    """
    inbound = inbound or {}
    try:
        root = parse(twiml)
    except ParseError as exc:
        raise TwiMLError([Problem(exc.code, exc.message, exc.line)]) from None
    errors = [p for p in validate_tree(root, "messaging") if p.severity == "error"]
    if errors:
        raise TwiMLError(errors)
    out: list[dict[str, Any]] = []

    def resolve(target: str | None) -> str | None:
        return urljoin(url, target) if (url and target) else target

    for el in root:
        if el.tag == "Message":
            body = (el.text or "") + "".join((c.tail or "") for c in el)
            body += "".join((c.text or "") for c in el if c.tag == "Body")
            out.append(
                {
                    "type": "message",
                    "to": el.get("to") or inbound.get("From"),
                    "from": el.get("from") or inbound.get("To"),
                    "body": body.strip(),
                    "media": [resolve((c.text or "").strip()) for c in el if c.tag == "Media"],
                    "action": resolve(el.get("action")),
                    "method": el.get("method") or "POST",
                    "status_callback": resolve(el.get("statusCallback")),
                }
            )
        elif el.tag == "Redirect":
            out.append(
                {
                    "type": "redirect",
                    "url": resolve((el.text or "").strip()),
                    "method": el.get("method") or "POST",
                }
            )
            break  # nothing after a Redirect runs
    return out
