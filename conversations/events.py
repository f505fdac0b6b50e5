"""The service-level and account-level event webhooks of Conversations: the ``PreWebhookUrl`` and
``PostWebhookUrl`` of ``/v1/Services/{IS}/Configuration/Webhooks`` (else of the account's
``/v1/Configuration/Webhooks``), for the events their ``Filters`` name.

- **Pre-action** (``onMessageAdd``, ``onConversationAdd``, ``onParticipantAdd``, ``…Update``,
  ``…Remove``): called synchronously before the action, outside any transaction this module
  opens, with Twilio's documented maximum of 5 seconds. A 2xx answer lets the action go on; a
  2xx JSON object may change the fields Twilio lets a pre-action hook change (``MODIFIABLE``).
  Any other answer rejects the action (``rejected()``, HTTP 403). A hook that gives no answer
  within the 5 seconds lets the action go on unmodified, as Twilio documents for a timed-out
  pre-action webhook (fail open); so does one that is unreachable or that the address policy
  refuses (no request is sent to it), logged as a warning.
- **Post-action** (``onMessageAdded`` …): registered with ``transaction.on_commit`` and sent
  from a small thread pool, never inside a transaction nor in the request's critical path.
  One attempt (``RetryCount`` 0); a failure is logged, the action stays.

Both are form posts (or GETs, per ``Method``) signed with the account's auth token
(``X-Twilio-Signature``) through the guarded HTTP client (``executions.backends.http_client``):
internal addresses are refused unless allow-listed, as for widgets.

Which actions fire them: actions of chat participants (the web chat visitor, agents, SDK
``Source``), inbound SMS and the engine; a REST API call only when it carries
``X-Twilio-Webhook-Enabled: true`` (Twilio's rule: REST actions fire no webhooks by default).
A configuration whose ``Target`` is ``flex`` routes to Flex, not to a URL: nothing is sent.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction

from accounts.errors import TwilioAPIError
from accounts.signing import twilio_signature
from conversations.models import ConversationsConfiguration, ConversationService
from executions.backends import http_client
from studio.widgets.runtime import HttpResponse

log = logging.getLogger(__name__)

PRE_TIMEOUT_SECONDS = 5.0  # "Conversations webhooks have a maximum timeout of 5 seconds"
POST_WORKERS = 4

# The fields a pre-action hook's JSON answer may change, per event: answer key → form field.
_MESSAGE = {"body": "Body", "author": "Author", "attributes": "Attributes"}
_CONVERSATION = {
    "friendlyName": "FriendlyName",
    "friendly_name": "FriendlyName",
    "uniqueName": "UniqueName",
    "unique_name": "UniqueName",
    "attributes": "Attributes",
}
_PARTICIPANT = {"attributes": "Attributes"}
MODIFIABLE: dict[str, dict[str, str]] = {
    "onMessageAdd": _MESSAGE,
    "onMessageUpdate": _MESSAGE,
    "onConversationAdd": _CONVERSATION,
    "onConversationUpdate": _CONVERSATION,
    "onParticipantAdd": _PARTICIPANT,
    "onParticipantUpdate": _PARTICIPANT,
    "onUserUpdate": {
        "friendlyName": "FriendlyName",
        "friendly_name": "FriendlyName",
        "attributes": "Attributes",
    },
}


def enabled_by(request: Any) -> bool:
    """A REST call fires the event webhooks only with ``X-Twilio-Webhook-Enabled: true``."""
    return str(request.headers.get("X-Twilio-Webhook-Enabled", "")).strip().lower() == "true"


def stamp(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z") if moment else ""


@dataclass(frozen=True)
class Target:
    url: str
    method: str
    token: str


# The effective settings per service, kept per process for CACHE_SECONDS (a message reads none
# in the common case, as its roster): a change made in this process clears them at once
# (``forget``, on save of a service, an account configuration or an account); one made in
# another process is seen within CACHE_SECONDS.
CACHE_SECONDS = 5.0
_cache: dict[int, tuple[float, dict[str, Any], str]] = {}


def forget(*_args: Any, **_kwargs: Any) -> None:
    _cache.clear()


def _settings(service: Any) -> tuple[dict[str, Any], str]:
    """The service's webhook settings when they name a URL, else the account's; and the
    account's auth token (what signs them)."""
    now = time.monotonic()
    cached = _cache.get(service.pk)
    if cached is not None and cached[0] > now:
        return cached[1], cached[2]
    row = (
        ConversationService.objects.filter(pk=service.pk)
        .values_list("settings", "account_id", "account__auth_token")
        .first()
    )
    stored: dict[str, Any] = {}
    token = ""
    if row is not None:
        settings, account_id, token = row
        stored = dict((settings or {}).get("webhooks") or {})
        if not (stored.get("pre_webhook_url") or stored.get("post_webhook_url")):
            values = (
                ConversationsConfiguration.objects.filter(account_id=account_id)
                .values_list("values", flat=True)
                .first()
            )
            stored = dict((values or {}).get("webhooks") or {})
            if stored.get("target", "webhook") != "webhook":
                stored = {}  # Target flex: Twilio routes these events to Flex, not to a URL
    if len(_cache) > 10_000:
        _cache.clear()
    _cache[service.pk] = (now + CACHE_SECONDS, stored, str(token or ""))
    return stored, str(token or "")


def target(service: Any, event: str, *, pre: bool) -> Target | None:
    """Where ``event`` goes for ``service``, or None (no URL, or not in the Filters)."""
    stored, token = _settings(service)
    url = stored.get("pre_webhook_url" if pre else "post_webhook_url")
    if not url or not token or event not in (stored.get("filters") or []):
        return None
    return Target(url=str(url), method=str(stored.get("method") or "POST").upper(), token=token)


def signed_request(
    url: str, method: str, form: dict[str, str], token: str, timeout: float | None = None
) -> HttpResponse:
    """One signed request, as Twilio signs its webhooks; raises ``HttpError`` without answer."""
    pairs = list(form.items())
    if method.upper() == "GET":
        signed = http_client._with_params(url, pairs)
        headers = {"X-Twilio-Signature": twilio_signature(token, signed, [])}
        return http_client.request("GET", url, params=pairs, headers=headers, timeout=timeout)
    headers = {"X-Twilio-Signature": twilio_signature(token, url, pairs)}
    return http_client.request("POST", url, form=pairs, headers=headers, timeout=timeout)


def rejected(event: str) -> TwilioAPIError:
    return TwilioAPIError(403, 20403, f"The {event} pre-action webhook rejected the action")


def pre(service: Any, event: str, params: dict[str, str]) -> dict[str, str]:
    """Ask the pre-action hook about ``event``; returns the form fields its answer changes
    (empty when there is no hook or nothing to change). Raises ``rejected()`` otherwise."""
    where = target(service, event, pre=True)
    if where is None:
        return {}
    form = {"EventType": event, "RetryCount": "0", **params}
    try:
        answer = signed_request(where.url, where.method, form, where.token, PRE_TIMEOUT_SECONDS)
    except http_client.HttpError as exc:  # no answer: Twilio goes on with the action unmodified
        log.warning("pre-action webhook %s for %s gave no answer: %s", where.url, event, exc)
        return {}
    if not 200 <= answer.status_code < 300:
        raise rejected(event)
    return _changes(event, answer)


def _changes(event: str, answer: HttpResponse) -> dict[str, str]:
    allowed = MODIFIABLE.get(event) or {}
    if not allowed or not answer.body.strip():
        return {}
    try:
        document = json.loads(answer.body)
    except ValueError:
        return {}  # a 2xx that is not JSON: allowed, unchanged
    if not isinstance(document, dict):
        return {}
    out: dict[str, str] = {}
    for key, field in allowed.items():
        value = document.get(key)
        if value is None:
            continue
        out[field] = value if isinstance(value, str) else json.dumps(value)
    return out


_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def _submit(where: Target, form: dict[str, str]) -> None:
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=POST_WORKERS, thread_name_prefix="conversation-hooks")
    _pool.submit(_deliver, where, form)


def _deliver(where: Target, form: dict[str, str]) -> None:
    try:
        answer = signed_request(where.url, where.method, form, where.token)
        if not 200 <= answer.status_code < 300:
            log.warning("post-action webhook %s answered %s", where.url, answer.status_code)
    except Exception:  # Twilio logs a failed post-action webhook; the action stays
        log.warning("post-action webhook %s failed", where.url, exc_info=True)


def post(service: Any, event: str, params: dict[str, str]) -> None:
    """Send ``event`` to the post-action hook once the caller's transaction commits."""
    where = target(service, event, pre=False)
    if where is None:
        return
    form = {**params, "EventType": event, "RetryCount": "0"}
    transaction.on_commit(lambda: _submit(where, form), robust=True)
