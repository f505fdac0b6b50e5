"""Sign-in forms (console and admin) that count failures per user and per address.

Past ``LOGIN_FAILURES_PER_USER`` failures for a username, or ``LOGIN_FAILURES_PER_ADDRESS`` from
an address, every attempt (right password or not) is refused with a clear message until the
window ends; the view answers 429 (``request.login_throttled``).
"""

from __future__ import annotations

import math
from typing import Any

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm

from accounts import limits


class ThrottledSignIn:
    """Mixin for Django's authentication forms (they keep the request as ``self.request``)."""

    request: Any
    cleaned_data: dict[str, Any]

    def clean(self) -> dict[str, Any]:
        username = str(self.cleaned_data.get("username") or "").strip().lower()
        address = limits.client_address(self.request) if self.request is not None else "unknown"
        per_user = limits.rate("LOGIN_FAILURES_PER_USER")
        per_address = limits.rate("LOGIN_FAILURES_PER_ADDRESS")
        waits = [
            limits.exhausted("login-user", username, per_user),
            limits.exhausted("login-address", address, per_address),
        ]
        wait = max((w for w in waits if w is not None), default=None)
        if wait is not None:
            if self.request is not None:
                self.request.login_throttled = True
            minutes = max(1, math.ceil(wait / 60))
            raise forms.ValidationError(
                f"Too many failed sign-in attempts. Try again in {minutes} minute{'s' if minutes > 1 else ''}.",
                code="throttled",
            )
        try:
            return super().clean()  # type: ignore[misc, no-any-return]
        except forms.ValidationError:
            limits.count("login-user", username, per_user)
            limits.count("login-address", address, per_address)
            raise


class ConsoleAuthenticationForm(ThrottledSignIn, AuthenticationForm):
    pass


class AdminSignInForm(ThrottledSignIn, AdminAuthenticationForm):
    pass
