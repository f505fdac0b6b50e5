"""Media uploads for Conversations (Twilio's Media Content Service, served on
``mcs.us1.twilio.com`` there, on this host here): ``POST /v1/Services/{IS}/Media`` takes the
file as the raw request body with its ``Content-Type`` (``?Filename=`` optional, as a browser
upload's name) and answers the media resource (``ME…``); a message then names it by
``MediaSid``. ``GET …/Media/{ME}`` fetches the resource, ``GET …/Media/{ME}/Content`` the bytes.

``links.content_direct_temporary`` is a short-lived signed URL (``…/ContentDirectTemporary?
Expires=…&Signature=…``) that serves the bytes to anyone holding it, without credentials, as
Twilio's does; SMS copies of a message carry such links as MediaUrl (longer-lived).

Not done: multipart uploads; a file is at most ``MAX_MEDIA_BYTES``.
"""

from __future__ import annotations

import re
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.auth import request_account as account_of
from accounts.errors import TwilioAPIError, not_found, twilio_error_response
from conversations import services
from conversations.api import ConversationsView
from conversations.media_rows import temporary_url, valid_signature
from conversations.models import ConversationMedia, ConversationService
from conversations.serializers import iso

MAX_MEDIA_BYTES = 5 * 1024 * 1024
CONTENT_TYPE = re.compile(r"^[a-z0-9][a-z0-9!#$&^_.+-]{0,63}/[a-z0-9][a-z0-9!#$&^_.+-]{0,63}$")


def media_json(m: ConversationMedia) -> dict[str, Any]:
    url = f"/v1/Services/{m.service.sid}/Media/{m.sid}"  # relative, as the MCS answers
    return {
        "sid": m.sid,
        "account_sid": m.service.account.sid,
        "service_sid": m.service.sid,
        "date_created": iso(m.date_created),
        "date_upload_updated": iso(m.date_updated),
        "date_updated": iso(m.date_updated),
        "links": {
            "content": f"{url}/Content",
            "content_direct_temporary": temporary_url(m.service.sid, m.sid),
        },
        "size": m.size,
        "content_type": m.content_type,
        "filename": m.filename or None,
        "author": m.author,
        "category": "media",
        "message_sid": m.message_sid or None,
        "channel_sid": m.conversation_sid or None,
        "url": url,
        "is_multipart_upstream": False,
    }


def media_for(service: ConversationService, sid: str) -> ConversationMedia | None:
    return (
        ConversationMedia.objects.select_related("service__account").filter(service=service, sid=sid).first()
    )


class MediaCreate(ConversationsView):
    def post(self, request: Request, service_sid: str) -> Response:
        service = services.service_for(account_of(request), service_sid)
        content_type = str(request.META.get("CONTENT_TYPE") or "").split(";")[0].strip().lower()
        if not CONTENT_TYPE.match(content_type) or content_type.startswith(
            ("multipart/", "application/x-www-form-urlencoded")
        ):
            raise TwilioAPIError(400, 20001, "Invalid Content-Type: the media's own type, such as image/png")
        raw = str(request.META.get("CONTENT_LENGTH") or "0")
        declared = int(raw) if raw.isdigit() and len(raw) < 12 else 0
        if declared > MAX_MEDIA_BYTES:
            raise TwilioAPIError(413, 20001, f"Media larger than {MAX_MEDIA_BYTES} bytes")
        # Read from the stream: request.body would stop at Django's form-data ceiling (2.5 MB).
        content = request._request.read(MAX_MEDIA_BYTES + 1)
        if len(content) > MAX_MEDIA_BYTES:
            raise TwilioAPIError(413, 20001, f"Media larger than {MAX_MEDIA_BYTES} bytes")
        if not content:
            raise TwilioAPIError(400, 20001, "The request body (the media's bytes) is empty")
        filename = str(request.query_params.get("Filename") or "")[:256]
        media = ConversationMedia.objects.create(
            account=service.account,
            service=service,
            content_type=content_type,
            filename=filename,
            size=len(content),
            content=content,
        )
        return Response(media_json(media), status=201)


class MediaDetail(ConversationsView):
    def get(self, request: Request, service_sid: str, sid: str) -> Response:
        media = media_for(services.service_for(account_of(request), service_sid), sid)
        if media is None:
            raise not_found(f"The requested resource /Media/{sid} was not found")
        return Response(media_json(media))

    def delete(self, request: Request, service_sid: str, sid: str) -> Response:
        media = media_for(services.service_for(account_of(request), service_sid), sid)
        if media is None:
            raise not_found(f"The requested resource /Media/{sid} was not found")
        media.delete()
        return Response(status=204)


def content_response(media: ConversationMedia) -> HttpResponse:
    response = HttpResponse(bytes(media.content), content_type=media.content_type)
    # The bytes are the uploader's: never rendered as a page of this origin.
    response["Content-Disposition"] = "attachment" + (
        f'; filename="{re.sub(r"[^A-Za-z0-9._-]", "_", media.filename)}"' if media.filename else ""
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


class MediaContent(ConversationsView):
    @extend_schema(responses={(200, "*/*"): OpenApiTypes.BINARY})  # the upload's own type
    def get(self, request: Request, service_sid: str, sid: str) -> HttpResponse:
        media = media_for(services.service_for(account_of(request), service_sid), sid)
        if media is None:
            raise not_found(f"The requested resource /Media/{sid}/Content was not found")
        return content_response(media)


@require_GET
def media_temporary(request: HttpRequest, service_sid: str, sid: str) -> HttpResponse:
    """The bytes for whoever holds an unexpired signed link (no credentials, as Twilio's)."""
    expires = str(request.GET.get("Expires") or "")
    signature = str(request.GET.get("Signature") or "")
    if not valid_signature(service_sid, sid, expires, signature):
        return twilio_error_response(403, 20403, "The link is invalid or has expired")
    media = (
        ConversationMedia.objects.select_related("service").filter(service__sid=service_sid, sid=sid).first()
    )
    if media is None:
        return twilio_error_response(404, 20404, f"The requested resource /Media/{sid} was not found")
    response = content_response(media)
    response["Cache-Control"] = "private, max-age=60"
    return response
