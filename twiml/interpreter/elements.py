"""What the call player reports of an element: its attributes, <Parameter>s and nouns."""

from __future__ import annotations

from typing import Any

from lxml import etree

from ..names import unqualified
from ..schema import Element


def attrs_of(el: etree._Element, spec: Element | None = None) -> dict[str, Any]:
    return {unqualified(str(k)): v for k, v in el.attrib.items()}


def parameters(el: etree._Element) -> dict[str, str]:
    return {p.get("name", ""): p.get("value", "") for p in el if p.tag == "Parameter"}


def nouns(el: etree._Element) -> list[dict[str, Any]]:
    out = []
    for child in el:
        if not isinstance(child.tag, str):
            continue
        item: dict[str, Any] = {"type": child.tag, **attrs_of(child)}
        text = (child.text or "").strip()
        if text:
            item["value"] = text
        params = parameters(child)
        if params:
            item["parameters"] = params
        out.append(item)
    return out
