"""OpenAPI descriptions of the project's authentication classes (drf-spectacular extensions).

Imported from ``StudioConfig.ready`` so they are registered before the schema is generated.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class TwilioBasicScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.auth.TwilioBasicAuthentication"
    name = "twilioBasic"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "http",
            "scheme": "basic",
            "description": "AccountSid:AuthToken or ApiKeySid:Secret",
        }


class ConsoleSessionScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.auth.ConsoleSessionAuthentication"
    name = "consoleSession"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "apiKey",
            "in": "cookie",
            "name": "sessionid",
            "description": "The console session cookie; unsafe methods also need X-CSRFToken",
        }
