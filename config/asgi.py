"""ASGI entry: HTTP through Django, WebSocket through Channels (live execution traces).

The inbound-message webhook's common case is answered in front of Django
(``executions.inbound.fast_path``), a call's turns beside it (``executions.inbound.call_path``);
everything else reaches Django.
"""

from __future__ import annotations

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from config.routing import websocket_urlpatterns  # noqa: E402
from executions.inbound.call_path import CallPath  # noqa: E402
from executions.inbound.fast_path import FlowWebhookFastPath  # noqa: E402
from executions.live.origin import CredentialsOrOriginValidator  # noqa: E402
from executions.voice.asgi import VoiceRoutes  # noqa: E402
from webchat.routing import VisitorSockets  # noqa: E402

django_application = ProtocolTypeRouter(
    {
        # A call's turns are answered in one thread hop without Django's request cycle
        # (executions.inbound.call_path); what they leave to Django runs its middleware in one
        # hop (executions.voice.asgi).
        "http": CallPath(VoiceRoutes(django_asgi_app)),
        # Scripts' handshakes carry credentials and no Origin (executions/live/origin.py).
        # The web chat's visitor sockets come from other sites' pages, with a token (webchat.routing).
        "websocket": VisitorSockets(
            CredentialsOrOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns)))
        ),
    }
)
application = FlowWebhookFastPath(django_application)
