"""``GET /api/console/webhooks``: the URLs to paste into Twilio for each flow of the account.

A Studio flow takes incoming messages, incoming calls and the call's status callback at one
address, its webhook URL (``/v1/Accounts/{AC}/Flows/{FW}``, POST), as Twilio's own does: the
phone number's "A message comes in", "A call comes in" and "Call status changes" all point
there. Message status callbacks are set by the engine on each message it sends.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.auth import ConsoleSessionAuthentication, IsAccountAuthenticated, request_account
from studio.console_api import OBJ, TAG
from studio.models import Flow
from studio.serializers import base_url, webhook_url


class Webhooks(APIView):
    authentication_classes = [ConsoleSessionAuthentication]
    permission_classes = [IsAccountAuthenticated]

    @extend_schema(operation_id="console_webhooks", tags=TAG, responses=OBJ)
    def get(self, request: Request) -> Response:
        flows = Flow.objects.select_related("account").filter(account=request_account(request))
        rows = []
        for flow in flows.order_by("friendly_name", "id"):
            url = webhook_url(flow)
            rows.append(
                {
                    "flow_sid": flow.sid,
                    "friendly_name": flow.friendly_name,
                    "published": flow.published_revision is not None,
                    "messaging": url,
                    "voice": url,
                    "status_callback": url,
                    "method": "POST",
                }
            )
        return Response({"base_url": base_url(), "flows": rows})
