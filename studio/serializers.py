"""Response bodies of the Studio v2 REST API, field for field as Twilio answers (spec §6.3)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings

from studio.models import Flow, FlowRevision


def iso(value: dt.datetime | None) -> str | None:
    """Twilio's timestamp form: ``2017-11-06T12:00:00Z`` (UTC, no fraction)."""
    if value is None:
        return None
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def base_url() -> str:
    return str(settings.PUBLIC_BASE_URL).rstrip("/")


def flow_url(flow: Flow) -> str:
    return f"{base_url()}/v2/Flows/{flow.sid}"


def webhook_url(flow: Flow) -> str:
    return f"{base_url()}/v1/Accounts/{flow.account.sid}/Flows/{flow.sid}"


def flow_json(flow: Flow, *, list_item: bool = False, revision: FlowRevision | None = None) -> dict[str, Any]:
    """A Flow resource. List items carry null ``definition``, ``valid``, ``errors``, ``warnings``."""
    url = flow_url(flow)
    body: dict[str, Any] = {
        "sid": flow.sid,
        "account_sid": flow.account.sid,
        "author_sid": flow.author_sid,
        "friendly_name": flow.friendly_name,
        "definition": None,
        "status": flow.status,
        "revision": flow.revision,
        "commit_message": flow.commit_message,
        "valid": None,
        "errors": None,
        "warnings": None,
        "date_created": iso(flow.date_created),
        "date_updated": iso(flow.date_updated),
        "webhook_url": webhook_url(flow),
        "url": url,
        "links": {
            "test_users": f"{url}/TestUsers",
            "revisions": f"{url}/Revisions",
            "executions": f"{url}/Executions",
        },
    }
    if not list_item:
        latest = revision or flow.latest_revision()
        if latest is not None:
            body.update(
                definition=latest.definition,
                valid=latest.valid,
                errors=latest.errors,
                warnings=latest.warnings,
            )
    return body


def flow_v1_json(flow: Flow) -> dict[str, Any]:
    """A Studio v1 Flow (read and delete only, spec §6.6): ``version`` where v2 says ``revision``,
    no definition; its links point at v1's Executions and (deprecated) Engagements."""
    url = f"{base_url()}/v1/Flows/{flow.sid}"
    return {
        "sid": flow.sid,
        "account_sid": flow.account.sid,
        "friendly_name": flow.friendly_name,
        "status": flow.status,
        "version": flow.revision,
        "date_created": iso(flow.date_created),
        "date_updated": iso(flow.date_updated),
        "url": url,
        "links": {"engagements": f"{url}/Engagements", "executions": f"{url}/Executions"},
    }


def revision_json(rev: FlowRevision, *, list_item: bool = False) -> dict[str, Any]:
    """A FlowRevision resource: the flow's fields as they were at that save."""
    flow = rev.flow
    return {
        "sid": flow.sid,
        "account_sid": flow.account.sid,
        "author_sid": rev.author_sid,
        "friendly_name": rev.friendly_name,
        "definition": None if list_item else rev.definition,
        "status": rev.status,
        "revision": rev.revision,
        "commit_message": rev.commit_message,
        "valid": None if list_item else rev.valid,
        "errors": None if list_item else rev.errors,
        "date_created": iso(rev.date_created),
        "date_updated": iso(rev.date_updated),
        "url": f"{flow_url(flow)}/Revisions/{rev.revision}",
    }


def flow_test_users_json(flow: Flow) -> dict[str, Any]:
    return {"sid": flow.sid, "test_users": list(flow.test_users or []), "url": f"{flow_url(flow)}/TestUsers"}
