"""Studio v2 REST API (placeholder until the Flows work lands: an empty list proves auth end to end)."""

from __future__ import annotations

from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.auth import request_account


class FlowList(APIView):
    def get(self, request: Request) -> Response:
        request_account(request)
        return Response(
            {
                "flows": [],
                "meta": {
                    "page": 0,
                    "page_size": 50,
                    "first_page_url": "/v2/Flows?PageSize=50&Page=0",
                    "previous_page_url": None,
                    "next_page_url": None,
                    "url": "/v2/Flows?PageSize=50&Page=0",
                    "key": "flows",
                },
            }
        )
