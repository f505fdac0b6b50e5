"""``X-Twilio-Signature`` checks, exactly as twilio's RequestValidator computes them.

The signed URL is ``settings.PUBLIC_BASE_URL`` + path + query (the externally visible URL,
so proxies in front of the app do not break signatures); the key is the account's auth token.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from twilio.request_validator import RequestValidator

from accounts.models import Account


def public_url(request: HttpRequest) -> str:
    return settings.PUBLIC_BASE_URL.rstrip("/") + request.get_full_path()


def signature_status(request: HttpRequest, account: Account) -> int:
    """0 when the signature is valid, else the HTTP status to answer (401 missing, 403 wrong)."""
    signature = request.headers.get("X-Twilio-Signature", "")
    if not signature:
        return 401
    validator = RequestValidator(account.auth_token)
    params = request.POST if request.method == "POST" else {}
    return 0 if validator.validate(public_url(request), params, signature) else 403
