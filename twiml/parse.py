"""Safe parsing of TwiML text: no DTDs, no entities, no network, size-capped.

Documents come from users' servers and Functions, so they are hostile until parsed: a DOCTYPE is
refused before the parser sees it (that rules out billion-laughs expansion and external
entities), the parser itself never resolves entities nor touches the network, and libxml2's
default depth limit stays on (no ``huge_tree``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

MAX_BYTES = 64 * 1024  # Twilio: 11750 "TwiML response body too large" above 64 kB.
INLINE_MAX_CHARS = 4000  # Twilio: 32018 for inline Twiml= on the Calls API.
MAX_DEPTH = 64

_DOCTYPE = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


@dataclass
class ParseError(Exception):
    code: int
    message: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


def _parser() -> etree.XMLParser:
    # A fresh parser per call: lxml parsers are not thread-safe.
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_blank_text=False,
        remove_comments=True,
        remove_pis=True,
    )


def to_bytes(text: str | bytes) -> bytes:
    return text.encode("utf-8") if isinstance(text, str) else bytes(text)


def parse(text: str | bytes, max_bytes: int = MAX_BYTES) -> etree._Element:
    """Parse a TwiML document and return its root element, or raise :class:`ParseError`."""
    data = to_bytes(text)
    if len(data) > max_bytes:
        raise ParseError(11750, f"TwiML response body too large: {len(data)} bytes (limit {max_bytes})")
    if not data.strip():
        raise ParseError(12100, "Document parse failure: the document is empty", 1)
    if m := _DOCTYPE.search(data):
        line = data.count(b"\n", 0, m.start()) + 1
        raise ParseError(12100, "Document parse failure: DTDs and entity declarations are not allowed", line)
    if isinstance(text, str):
        # A str is already decoded; an encoding in its XML declaration no longer applies.
        parser = etree.XMLParser(
            encoding="utf-8",
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            huge_tree=False,
            remove_comments=True,
            remove_pis=True,
        )
    else:
        parser = _parser()
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        line, column = exc.position if exc.position else (exc.lineno, None)
        raise ParseError(12100, f"Document parse failure: {exc.msg}", line or None, column) from None
    except ValueError as exc:  # e.g. unsupported encoding declaration
        raise ParseError(12100, f"Document parse failure: {exc}", 1) from None
    if root is None:
        raise ParseError(12100, "Document parse failure: no root element", 1)
    for el in root.iter():
        if isinstance(el, etree._Entity):
            raise ParseError(
                12100, "Document parse failure: entity references are not allowed", el.sourceline
            )
    return root


def depth_exceeded(root: etree._Element, limit: int = MAX_DEPTH) -> etree._Element | None:
    """The first element deeper than ``limit``, if any (iterative: never recurses)."""
    stack = [(root, 1)]
    while stack:
        el, depth = stack.pop()
        if depth > limit:
            return el
        stack.extend((c, depth + 1) for c in el if isinstance(c.tag, str))
    return None
