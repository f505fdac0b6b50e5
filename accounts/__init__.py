"""Accounts (AC… SID and auth token), API keys (SK…), console users and roles, and the auth every
API uses (HTTP Basic AccountSid:AuthToken or SK:secret, console sessions); Twilio's error shape,
paging and request signing (``signing``) shared by every app.

May import: Django and DRF only. No other app of the project (import contracts in pyproject.toml).
"""
