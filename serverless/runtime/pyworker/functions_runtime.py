"""What a Python function sees besides `twilio`: Response, the context object and Runtime.

A function file `name.py` defines `handler(context, event, callback)` (or `async def handler`). `Response` and
`Runtime` are also injected into the function's module, so `Response()` works without an import; TwiML comes from
the twilio package (`from twilio.twiml.voice_response import VoiceResponse`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response as HttpResponse
from twilio.rest import Client

COOKIE = "Set-Cookie"


class Response:
    """Twilio.Response for Python: every setter returns the response (chainable); camelCase aliases too."""

    def __init__(
        self, status_code: int = 200, body: Any = None, headers: dict[str, Any] | None = None
    ) -> None:
        self.status_code = status_code
        self.body = body
        self.headers: dict[str, Any] = {}
        for key, value in (headers or {}).items():
            self.append_header(key, value)

    def set_status_code(self, status_code: int) -> Response:
        self.status_code = int(status_code)
        return self

    def set_body(self, body: Any) -> Response:
        self.body = body
        return self

    def append_header(self, key: str, value: Any) -> Response:
        if isinstance(value, dict):
            raise TypeError("Header value cannot be an object")
        name = COOKIE if key.lower() == COOKIE.lower() else key
        values = value if isinstance(value, list) else [value]
        existing = self.headers.get(name)
        if existing is None:
            self.headers[name] = values if name == COOKIE or isinstance(value, list) else value
        else:
            self.headers[name] = (existing if isinstance(existing, list) else [existing]) + values
        return self

    def set_headers(self, headers: dict[str, Any]) -> Response:
        self.headers = {}
        for key, value in headers.items():
            self.append_header(key, value)
        return self

    def set_cookie(self, key: str, value: str, attributes: list[str] | None = None) -> Response:
        cookie = f"{key}={value}" + (";" + ";".join(attributes) if attributes else "")
        return self.append_header(COOKIE, cookie)

    def remove_cookie(self, key: str) -> Response:
        kept = [c for c in self.headers.get(COOKIE, []) if not str(c).startswith(f"{key}=")]
        self.headers[COOKIE] = [*kept, f"{key}=;Max-Age=0"]
        return self

    setStatusCode = set_status_code
    setBody = set_body
    appendHeader = append_header
    setHeaders = set_headers
    setCookie = set_cookie
    removeCookie = remove_cookie


class LocalHttpClient(TwilioHttpClient):
    """Sends every request for https://*.twilio.com/<path> to this server's API (Basic auth unchanged)."""

    def __init__(self, api_base_url: str) -> None:
        super().__init__()
        self.api_base_url = api_base_url.rstrip("/")

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> HttpResponse:
        parts = urlsplit(url)
        if self.api_base_url and (parts.hostname or "").endswith(".twilio.com"):
            url = self.api_base_url + parts.path + (f"?{parts.query}" if parts.query else "")
            headers = dict(kwargs.get("headers") or {})
            headers["X-Twilio-Host"] = parts.hostname or ""
            kwargs["headers"] = headers
        return super().request(method, url, *args, **kwargs)


class Context(dict[str, Any]):
    """The context: the given keys by attribute or item (context.DOMAIN_NAME, context["PATH"])."""

    def __init__(self, values: dict[str, Any], api_base_url: str) -> None:
        super().__init__(values)
        self._api_base_url = api_base_url

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None

    def get_twilio_client(self, **options: Any) -> Client:
        sid, token = self.get("ACCOUNT_SID", ""), self.get("AUTH_TOKEN", "")
        if not (isinstance(sid, str) and sid.startswith("AC") and token):
            raise ValueError(
                "get_twilio_client() needs ACCOUNT_SID and AUTH_TOKEN (include the service's credentials)"
            )
        return Client(sid, token, http_client=LocalHttpClient(self._api_base_url), **options)

    getTwilioClient = get_twilio_client


class Asset(dict[str, Any]):
    def __init__(self, path: str) -> None:
        super().__init__(path=path)
        self.path = path

    def open(self) -> str:
        with open(self.path, encoding="utf-8") as handle:
            return handle.read()


class Runtime:
    def __init__(self, functions: dict[str, str], assets: dict[str, str]) -> None:
        self._functions = functions
        self._assets = assets

    def get_assets(self) -> dict[str, Asset]:
        return {path: Asset(file) for path, file in self._assets.items()}

    def get_functions(self) -> dict[str, dict[str, str]]:
        return {path.lstrip("/"): {"path": file} for path, file in self._functions.items()}

    getAssets = get_assets
    getFunctions = get_functions


Callback = Callable[..., None]
