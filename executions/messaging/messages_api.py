"""The simulator's Twilio-compatible Messages resource (``/2010-04-01/Accounts/{AC}/Messages``).

The official client reads what flows sent (``client.api.base_url = ...``) and can send through
the configured provider. Paging uses the 2010 API envelope (``messages``, ``page``,
``page_size``, ``first_page_uri``, ``next_page_uri``, ``previous_page_uri``, ``uri``, …).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from dateutil import parser
from django.db import transaction
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api2010 import API, page_of, path_account, rfc2822
from accounts.errors import TwilioAPIError, missing_parameter, not_found
from executions.engine.ports import ports
from executions.messaging.providers import get_provider
from executions.models import Message


def message_json(message: Message) -> dict[str, Any]:
    uri = f"{API}/Accounts/{message.account.sid}/Messages/{message.sid}.json"
    return {
        "account_sid": message.account.sid,
        "api_version": "2010-04-01",
        "body": message.body,
        "date_created": rfc2822(message.date_created),
        "date_sent": rfc2822(message.date_sent),
        "date_updated": rfc2822(message.date_updated),
        "direction": message.direction,
        "error_code": message.error_code,
        "error_message": message.error_message or None,
        "from": message.from_address,
        "messaging_service_sid": message.messaging_service_sid or None,
        "num_media": str(len(message.media_urls or [])),
        "num_segments": str(message.num_segments),
        "price": None,
        "price_unit": "USD",
        "sid": message.sid,
        "status": message.status,
        "subresource_uris": {"media": uri.replace(".json", "/Media.json")},
        "to": message.to_address,
        "uri": uri,
    }


def _day(raw: str, name: str) -> dt.date:
    try:
        return parser.isoparse(raw).date()
    except (ValueError, OverflowError):
        raise TwilioAPIError(400, 20001, f"Invalid parameter {name}") from None


class MessageList(APIView):
    def get(self, request: Request, account_sid: str) -> Response:
        account = path_account(request, account_sid, "Messages.json")
        params = request.query_params
        qs = Message.objects.select_related("account").filter(account=account)
        filters: dict[str, str] = {}
        for name, field in (("To", "to_address"), ("From", "from_address")):
            if params.get(name):
                qs = qs.filter(**{field: params[name]})
                filters[name] = params[name]
        for name, lookup in (("DateSent", "date"), ("DateSent<", "date__lte"), ("DateSent>", "date__gte")):
            if params.get(name):
                day = _day(params[name], name)
                qs = qs.filter(**{f"date_sent__{lookup}": day})
                filters[name] = params[name]
        base = f"{API}/Accounts/{account.sid}/Messages.json"
        return Response(
            page_of(params, qs, key="messages", base=base, filters=filters, serialize=message_json)
        )

    def post(self, request: Request, account_sid: str) -> Response:
        account = path_account(request, account_sid, "Messages.json")
        data = request.data
        to = data.get("To")
        sender = data.get("From") or data.get("MessagingServiceSid")
        if not to:
            raise missing_parameter("To")
        if not sender:
            raise missing_parameter("From")
        media = data.getlist("MediaUrl") if hasattr(data, "getlist") else list(data.get("MediaUrl") or [])
        body = data.get("Body") or ""
        if not body and not media:
            raise TwilioAPIError(400, 21602, "Message body is required.")
        provider = get_provider(account=account)
        message = Message(
            account=account,
            to_address=str(to),
            from_address=str(sender),
            body=str(body),
            media_urls=[str(m) for m in media],
            provider=provider.name,
        )
        if message.from_address.startswith("MG"):
            message.messaging_service_sid = message.from_address
        provider.accept(message)
        if message.status == Message.Status.FAILED:
            raise TwilioAPIError(400, message.error_code or 21211, message.error_message or "Message refused")
        with transaction.atomic():
            message.save()
            sid = message.sid
            transaction.on_commit(lambda: ports().queue_dispatch([sid]))
        message.refresh_from_db()
        return Response(message_json(message), status=201)


class MessageDetail(APIView):
    def get(self, request: Request, account_sid: str, sid: str) -> Response:
        account = path_account(request, account_sid, "Messages.json")
        message = Message.objects.select_related("account").filter(account=account, sid=sid).first()
        if message is None:
            raise not_found(
                f"The requested resource /2010-04-01/Accounts/{account_sid}/Messages/{sid}.json was not found"
            )
        return Response(message_json(message))
