"""Python keyword → Twilio attribute name, the same way twilio-python maps them."""

from __future__ import annotations

# twilio-python's TwiML.MAP: names that are Python keywords or not identifiers.
SPECIAL = {
    "from_": "from",
    "xml_lang": "xml:lang",
    "interpret_as": "interpret-as",
    "for_": "for",
    "break_": "break",
}
XML_NS = "http://www.w3.org/XML/1998/namespace"


def lower_camel(name: str) -> str:
    """``status_callback_event`` → ``statusCallbackEvent``; names without '_' pass unchanged."""
    if not name or "_" not in name:
        return name
    joined = "".join(part.title() for part in name.split("_"))
    return joined[0].lower() + joined[1:]


def twilio_name(name: str) -> str:
    """The attribute name Twilio uses for a Python keyword (snake_case or camelCase)."""
    return lower_camel(SPECIAL.get(name, name))


def element_name(method: str) -> str:
    """A twilio-python style method name (``say_as``, ``whats_app``) → candidate element names.

    Returns the PascalCase form; callers also try the lower-case SSML form.
    """
    return "".join(part[:1].upper() + part[1:] for part in method.rstrip("_").split("_"))


def qualified(attr: str) -> str:
    """Twilio attribute name → the name lxml needs (``xml:lang`` gets its namespace)."""
    if attr.startswith("xml:"):
        return "{" + XML_NS + "}" + attr[4:]
    return attr


def unqualified(attr: str) -> str:
    """lxml attribute name → Twilio's spelling (``{XML_NS}lang`` → ``xml:lang``)."""
    if attr.startswith("{" + XML_NS + "}"):
        return "xml:" + attr.split("}", 1)[1]
    return attr
