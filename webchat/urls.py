from __future__ import annotations

from django.urls import path

from webchat import views

urlpatterns = [
    path("webchat/embed.js", views.embed_js, name="webchat-embed-js"),
    path("webchat/embed.css", views.embed_css, name="webchat-embed-css"),
    path("webchat/v1/sessions", views.open_session, name="webchat-sessions"),
    path("webchat/demo", views.demo_page, name="webchat-demo"),
]
