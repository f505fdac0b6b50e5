"""Pages of the single-page console app (built by Vite into frontend/dist)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import ensure_csrf_cookie

DIST_INDEX = settings.BASE_DIR / "frontend" / "dist" / "index.html"

FALLBACK = """<!doctype html><html><head><meta charset="utf-8"><title>Open Studio</title></head>
<body><p>The console app is not built. Run <code>make run</code> (it builds frontend/dist).</p></body></html>"""


@login_required
@ensure_csrf_cookie
def app(request: HttpRequest, **_: str) -> HttpResponse:
    html = DIST_INDEX.read_text() if DIST_INDEX.exists() else FALLBACK
    return HttpResponse(html)
