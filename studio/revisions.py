"""Saving flows: validation, numbered immutable revisions, publishing, stale-save detection.

Both the Studio v2 REST API and the console API go through these functions so that the
rules (revision n+1 on every save, published revisions must be valid, a save based on an
old revision is refused) live in one place.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from accounts.errors import TwilioAPIError
from accounts.models import Account
from studio import widgets
from studio.models import Flow, FlowRevision
from studio.validation import validate_definition

VALIDATION_FAILED = 81022
SCHEMA_URL = "https://schemas.twilio.com/studio/draft/2019-09/flow-definition"


@dataclass
class Checked:
    """The outcome of validating a definition, as JSON-ready problem lists."""

    errors: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.errors


class StaleRevision(Exception):
    """A save was based on a revision that is no longer the latest."""

    def __init__(self, flow: Flow):
        super().__init__(f"flow {flow.sid} is at revision {flow.revision}")
        self.flow = flow


def _problem_json(problem: Any) -> dict[str, Any]:
    if isinstance(problem, dict):
        out = dict(problem)
    else:  # a dataclass-like object from the validator
        out = {k: v for k, v in vars(problem).items() if not k.startswith("_")}
    out.setdefault("message", "")
    out.setdefault("property_path", "#")
    return out


def validate(definition: Any) -> Checked:
    """Validate a definition with the widget library's validator."""
    if not isinstance(definition, dict):
        return Checked(
            errors=[{"message": "the flow definition must be a JSON object", "property_path": "#"}]
        )
    result = validate_definition(definition)
    return Checked(
        errors=[_problem_json(p) for p in result.errors],
        warnings=[_problem_json(p) for p in result.warnings],
    )


def validation_error(checked: Checked, message: str = "Flow definition validation failed") -> TwilioAPIError:
    return TwilioAPIError(
        400, VALIDATION_FAILED, message, {"errors": checked.errors, "warnings": checked.warnings}
    )


def parse_definition(raw: Any, name: str = "Definition") -> dict[str, Any]:
    """A definition from a request: a JSON string (form bodies) or an object (JSON bodies)."""
    if isinstance(raw, (bytes, bytearray)):
        raw = raw.decode("utf-8", errors="replace")
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError as exc:
            raise TwilioAPIError(400, 20001, f"Invalid parameter {name}: not valid JSON ({exc})") from None
    if not isinstance(raw, dict):
        raise TwilioAPIError(400, 20001, f"Invalid parameter {name}: must be a JSON object")
    return raw


def blank_definition(description: str = "A New Flow") -> dict[str, Any]:
    """What a new flow starts with: only the Trigger, every event unconnected."""
    trigger = widgets.get("trigger")
    events = (
        list(trigger.events)
        if trigger is not None
        else ["incomingMessage", "incomingCall", "incomingRequest"]
    )
    return {
        "description": description,
        "states": [
            {
                "name": "Trigger",
                "type": "trigger",
                "transitions": [{"event": event} for event in events],
                "properties": {"offset": {"x": 0, "y": 0}},
            }
        ],
        "initial_state": "Trigger",
        "flags": {"allow_concurrent_calls": True},
    }


def widget_count(definition: dict[str, Any]) -> int:
    states = definition.get("states")
    return len(states) if isinstance(states, list) else 0


def save_revision(
    flow: Flow,
    *,
    definition: dict[str, Any],
    status: str,
    commit_message: str | None = None,
    friendly_name: str | None = None,
    author: Any = None,
    author_sid: str | None = None,
    expected_revision: int | None = None,
    checked: Checked | None = None,
    allow_invalid_draft: bool = False,
) -> FlowRevision:
    """Store ``definition`` as revision n+1 of ``flow`` and update the flow's summary.

    Published revisions must be valid; drafts may be invalid only when ``allow_invalid_draft``
    (the console saves work in progress; the REST API refuses it like Twilio does).
    """
    if status not in (Flow.Status.DRAFT, Flow.Status.PUBLISHED):
        raise TwilioAPIError(400, 20001, "Invalid parameter Status: must be draft or published")
    checked = checked or validate(definition)
    if not checked.valid and (status == Flow.Status.PUBLISHED or not allow_invalid_draft):
        raise validation_error(checked)
    with transaction.atomic():
        # The row lock serialises concurrent saves of one flow: each gets its own number and a
        # save based on an older revision is detected instead of silently overwriting.
        locked = Flow.objects.select_for_update().get(pk=flow.pk)
        if expected_revision is not None and expected_revision != locked.revision:
            raise StaleRevision(locked)
        number = locked.revision + 1
        if friendly_name:
            locked.friendly_name = friendly_name
        revision = FlowRevision.objects.create(
            flow=locked,
            revision=number,
            definition=copy.deepcopy(definition),
            status=status,
            friendly_name=locked.friendly_name,
            commit_message=commit_message,
            author=author if getattr(author, "pk", None) else None,
            author_sid=author_sid,
            valid=checked.valid,
            errors=checked.errors,
            warnings=checked.warnings,
        )
        locked.revision = number
        locked.status = status
        if status == Flow.Status.PUBLISHED:
            locked.published_revision = number
        locked.commit_message = commit_message
        locked.author_sid = author_sid
        locked.valid = checked.valid
        locked.widget_count = widget_count(definition)
        locked.save()
    # Callers keep using their instance: bring it up to date.
    for name in (
        "friendly_name",
        "revision",
        "status",
        "published_revision",
        "commit_message",
        "author_sid",
        "valid",
        "widget_count",
        "date_updated",
    ):
        setattr(flow, name, getattr(locked, name))
    return revision


def create_flow(
    account: Account,
    *,
    friendly_name: str,
    definition: dict[str, Any],
    status: str = Flow.Status.DRAFT,
    commit_message: str | None = None,
    author: Any = None,
    author_sid: str | None = None,
    allow_invalid_draft: bool = False,
) -> tuple[Flow, FlowRevision]:
    checked = validate(definition)
    if not checked.valid and (status == Flow.Status.PUBLISHED or not allow_invalid_draft):
        raise validation_error(checked)
    with transaction.atomic():
        flow = Flow.objects.create(account=account, friendly_name=friendly_name)
        revision = save_revision(
            flow,
            definition=definition,
            status=status,
            commit_message=commit_message,
            author=author,
            author_sid=author_sid,
            checked=checked,
            allow_invalid_draft=allow_invalid_draft,
        )
    return flow, revision


def publish(
    flow: Flow,
    *,
    expected_revision: int | None = None,
    author: Any = None,
    author_sid: str | None = None,
    commit_message: str | None = None,
) -> FlowRevision:
    """Publish the latest revision's definition as a new published revision."""
    latest = flow.latest_revision()
    if latest is None:  # pragma: no cover - every flow has at least one revision
        raise TwilioAPIError(400, 20001, "The flow has no revision to publish")
    return save_revision(
        flow,
        definition=latest.definition,
        status=Flow.Status.PUBLISHED,
        commit_message=commit_message if commit_message is not None else latest.commit_message,
        author=author,
        author_sid=author_sid,
        expected_revision=expected_revision,
    )


def find_revision(flow: Flow, token: str) -> FlowRevision | None:
    """A revision by number or by the tokens ``LatestPublished`` / ``LatestRevision``.

    Raises 81021 for anything else (Twilio's "revision must be integer or LatestPublished").
    """
    if token == "LatestPublished":
        return flow.latest_published()
    if token in ("LatestRevision", "LatestDraft"):
        return flow.latest_revision()
    try:
        number = int(token)
    except (TypeError, ValueError):
        raise TwilioAPIError(
            400, 81021, "Revision must be an integer or one of LatestPublished, LatestRevision"
        ) from None
    return flow.revisions.filter(revision=number).first()
