"""The benchmark floor: the same server answering a trivial view with ``<Response/>``.

Mounted at ``/bench/floor`` only when ``STUDIO_BENCH_FLOOR=1`` (see config/urls.py).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

EMPTY = '<?xml version="1.0" encoding="UTF-8"?><Response/>'


@csrf_exempt
def floor(request: HttpRequest) -> HttpResponse:
    return HttpResponse(EMPTY, content_type="text/xml")
