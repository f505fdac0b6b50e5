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


# The errors any operation can answer, each with Twilio's error body: a parameter refused, no or
# wrong credentials, a role or CSRF refusal, an unknown (or another account's) resource, a unique
# name or stale revision in the way, a body over the size limit, the account's rate limit.
ERROR_RESPONSES = {
    "400": "A parameter is missing or invalid",
    "401": "No credentials, or wrong ones",
    "403": "The role may not do this, or the CSRF token is missing",
    "404": "No such resource in this account",
    "409": "A unique name is taken, or the revision is stale",
    "413": "The request body is too large",
    "415": "The body's content type is not one the operation takes",
    "429": "Too many requests: the account's rate limit (Retry-After says when to try again)",
}

TWILIO_ERROR = {
    "type": "object",
    "properties": {
        "code": {"type": "integer"},
        "message": {"type": "string"},
        "more_info": {"type": "string"},
        "status": {"type": "integer"},
        "details": {"type": "object", "additionalProperties": {}},
    },
    "required": ["code", "message", "more_info", "status"],
}


def document_error_responses(result: dict[str, Any], generator: Any, request: Any, public: bool) -> Any:
    """drf-spectacular post-processing hook: every API operation documents the errors it can
    answer (``ERROR_RESPONSES``) with Twilio's error body, so clients and fuzzers know them."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("TwilioError", TWILIO_ERROR)
    body = {"application/json": {"schema": {"$ref": "#/components/schemas/TwilioError"}}}
    for path, operations in result.get("paths", {}).items():
        if path.startswith("/api/schema"):
            continue
        for method, operation in operations.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            responses = operation.setdefault("responses", {})
            for status, description in ERROR_RESPONSES.items():
                responses.setdefault(status, {"description": description, "content": body})
    return result
