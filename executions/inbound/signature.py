"""``X-Twilio-Signature`` checks of the Django views, through ``accounts.signing``.

The signed URL is ``settings.PUBLIC_BASE_URL`` + path + query (``executions.inbound.requests``,
shared with the fast path); the key is the account's auth token.
"""

from __future__ import annotations

from django.http import HttpRequest

from accounts.models import Account
from executions.inbound.requests import signature_valid


def signature_status(request: HttpRequest, account: Account) -> int:
    """0 when the signature is valid, else the HTTP status to answer (401 missing, 403 wrong)."""
    signature = request.headers.get("X-Twilio-Signature", "")
    if not signature:
        return 401
    params = request.POST if request.method == "POST" else {}
    return 0 if signature_valid(account.auth_token, request.get_full_path(), params, signature) else 403
