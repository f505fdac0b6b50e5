"""API authentication as Twilio does it, and console session authentication.

API: HTTP Basic with ``AccountSid:AuthToken`` or ``ApiKeySid:Secret``. A valid principal is
always bound to exactly one account; views look resources up *within* ``request.account`` so
another account's sid answers 404, never the object.
Console: Django session + CSRF; the account is the user's membership (``X-Account-Sid`` picks
one when the user belongs to several; else the one the session switched to, else the first).
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Any

from rest_framework import authentication, permissions
from rest_framework.request import Request

from accounts import limits
from accounts.errors import TwilioAPIError
from accounts.models import Account, ApiKey, Membership


@dataclass
class ApiPrincipal:
    """The caller of the API: an account, through its auth token or one of its API keys."""

    account: Account
    key_sid: str | None = None
    membership: Membership | None = None

    is_authenticated = True
    is_anonymous = False

    @property
    def can_edit(self) -> bool:
        return self.membership is None or self.membership.can_edit


def parse_basic(header: str) -> tuple[str, str] | None:
    if not header or not header.lower().startswith("basic "):
        return None
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    username, sep, password = decoded.partition(":")
    return (username, password) if sep else None


def authenticate_basic(username: str, password: str, account_sid: str | None = None) -> Account | None:
    """The account these credentials open, or None. ``account_sid`` binds the URL's account."""
    account: Account | None
    if username.startswith("SK"):
        key = ApiKey.objects.select_related("account").filter(sid=username).first()
        if key is None or not key.check_secret(password):
            return None
        account = key.account
    else:
        account = Account.objects.filter(sid=username).first()
        if account is None or not account.check_token(password):
            return None
    if account_sid is not None and account.sid != account_sid:
        return None
    return account


def ensure_active(account: Account) -> None:
    if not account.is_active:
        raise TwilioAPIError(401, 20005, "Account not active")


class TwilioBasicAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[ApiPrincipal, Account] | None:
        creds = parse_basic(request.META.get("HTTP_AUTHORIZATION", ""))
        if creds is None:
            return None
        # Guessing tokens: past the failures allowed per address, every attempt from it waits,
        # right or wrong (an answer would tell the guesser which one was right).
        address = limits.client_address(request)
        failures = limits.rate("API_AUTH_FAILURES_PER_ADDRESS")
        wait = limits.exhausted("api-auth", address, failures)
        if wait is not None:
            message = "Too many failed authentications from this address"
            raise TwilioAPIError(429, 20429, message, retry_after=limits.retry_after(wait))
        account = authenticate_basic(*creds)
        if account is None:
            limits.count("api-auth", address, failures)
            raise TwilioAPIError(401, 20003, "Authenticate")
        ensure_active(account)
        key_sid = creds[0] if creds[0].startswith("SK") else None
        request.account = account  # type: ignore[attr-defined]
        return ApiPrincipal(account=account, key_sid=key_sid), account

    def authenticate_header(self, request: Request) -> str:
        return 'Basic realm="Twilio API"'


# The account a console session switched to (accounts.console_api.SwitchAccount).
SESSION_ACCOUNT_KEY = "console_account_sid"


def membership_for(user: Any, account_sid: str | None) -> Membership | None:
    qs = Membership.objects.select_related("account").filter(user=user)
    if account_sid:
        qs = qs.filter(account__sid=account_sid)
    return qs.order_by("date_created").first()


class ConsoleSessionAuthentication(authentication.SessionAuthentication):
    """Session + CSRF, resolved to one account through the user's membership."""

    def authenticate(self, request: Request) -> tuple[ApiPrincipal, Account] | None:
        result = super().authenticate(request)
        if result is None:
            return None
        user = result[0]
        asked = request.META.get("HTTP_X_ACCOUNT_SID")
        membership = membership_for(user, asked or request.session.get(SESSION_ACCOUNT_KEY))
        if membership is None and not asked:
            membership = membership_for(user, None)  # switched to an account since left
        if membership is None:
            raise TwilioAPIError(403, 20403, "This user has no access to that account")
        ensure_active(membership.account)
        request.account = membership.account  # type: ignore[attr-defined]
        principal = ApiPrincipal(account=membership.account, membership=membership)
        principal.user = user  # type: ignore[attr-defined]
        return principal, membership.account

    def authenticate_header(self, request: Request) -> str:
        return 'Session realm="console"'


class IsAccountAuthenticated(permissions.BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        return isinstance(request.user, ApiPrincipal)


class CanEditOrReadOnly(permissions.BasePermission):
    """Viewers read; owners and editors write."""

    def has_permission(self, request: Request, view: Any) -> bool:
        if not isinstance(request.user, ApiPrincipal):
            return False
        if request.method in permissions.SAFE_METHODS:
            return True
        if not request.user.can_edit:
            raise TwilioAPIError(403, 20403, "Your role does not allow changes on this account")
        return True


def request_account(request: Request) -> Account:
    account = getattr(request, "account", None) or getattr(request._request, "account", None)
    if account is None:  # pragma: no cover - permission classes prevent this
        raise TwilioAPIError(401, 20003, "Authenticate")
    return account
