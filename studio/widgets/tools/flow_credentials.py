"""Where a flow may send its account's credentials (Make HTTP Request's "Authenticate with Twilio").

Editors publish flows, and a flow runs with the account's SID and auth token when it sets
``add_twilio_auth``: left open, an editor without API access could act as the account (mint API
keys, read the account's token through the account resource). So the credentials go only to the
API paths an editor may use in the console anyway, and only for the flow's own account:

- Studio v2: ``/v2/Flows…`` (flows, revisions, executions, steps and their context);
- Messaging and Voice, 2010 API: ``/2010-04-01/Accounts/{own AC}/Messages…`` and ``…/Calls…``.

Never API keys, the account resource or the accounts list, the console API or the admin. The path
is matched as sent: no dot segments, no percent-encoding (a server could decode them into another
path after the check), no empty segments.
"""

from __future__ import annotations

import re

SID = r"[0-9a-fA-F]{32}"
STUDIO = re.compile(rf"/v2/Flows(/FW{SID}(/(Revisions|Executions|TestUsers)(/[A-Za-z0-9]+)*)?)?")
ACCOUNT_RESOURCES = re.compile(
    rf"/2010-04-01/Accounts/(?P<account>AC{SID})/(Messages|Calls)(/[A-Za-z0-9]+)*(\.json)?"
)


def allowed_path(path: str, account_sid: str) -> bool:
    """Whether a flow of ``account_sid`` may send its credentials to ``path`` (see the module)."""
    if "%" in path or "//" in path or any(part in (".", "..") for part in path.split("/")):
        return False
    if STUDIO.fullmatch(path):
        return True
    match = ACCOUNT_RESOURCES.fullmatch(path)
    return match is not None and match["account"] == account_sid
