from __future__ import annotations

from django.urls import path

from webchat import simulator, views

urlpatterns = [
    path("webchat/embed.js", views.embed_js, name="webchat-embed-js"),
    path("webchat/embed.css", views.embed_css, name="webchat-embed-css"),
    path("webchat/v1/sessions", views.open_session, name="webchat-sessions"),
    path("webchat/demo", views.DemoPage.as_view(), name="webchat-demo"),
    path(
        "api/console/flows/<str:sid>/simulate/webchat",
        simulator.SimulateWebChat.as_view(),
        name="console-flow-simulate-webchat",
    ),
    path(
        "api/console/flows/<str:sid>/simulate/webchat/<str:conversation_sid>/close",
        simulator.SimulateWebChatClose.as_view(),
        name="console-flow-simulate-webchat-close",
    ),
]
