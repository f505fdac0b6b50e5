"""Outbound network from the sandbox goes through the host's proxy: TLS end to end, fetch, requests, urllib."""

from __future__ import annotations

import json
import ssl
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from serverless.runtime import Bundle, invoke
from tests.serverless.runtime.support import request

Bundles = Callable[[dict[str, bytes]], Bundle]
TLS = Path(__file__).resolve().parent / "tls"  # a self-signed certificate for 127.0.0.1 peers (test only)

FILES = {
    "functions/node-tls.js": b"""const https = require('https');
exports.handler = async (c, e, cb) => {
  const viaHttps = await new Promise((ok) => https.get(e.url + '/https', { rejectUnauthorized: false }, (res) => {
    let body = ''; res.on('data', (d) => { body += d; }); res.on('end', () => ok(body));
  }).on('error', (err) => ok('ERR ' + err.message)));
  const viaFetch = await (await fetch(e.url.replace('https:', 'http:').replace(e.tlsPort, e.plainPort) + '/fetch')).text();
  cb(null, { viaHttps, viaFetch });
};""",
    "functions/py-tls.py": b"""import ssl
import urllib.request

import requests

def handler(context, event, callback):
    insecure = ssl.create_default_context()
    insecure.check_hostname = False
    insecure.verify_mode = ssl.CERT_NONE
    via_urllib = urllib.request.urlopen(event["url"] + "/urllib", context=insecure).read().decode()
    via_requests = requests.get(event["url"] + "/requests", verify=False).text
    callback(None, {"urllib": via_urllib, "requests": via_requests})
""",
}


class Echo(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = f"reached {self.path}".encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


def _serve(tls: bool) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Echo)
    if tls:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(TLS / "cert.pem", TLS / "key.pem")
        server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture
def peers(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[int, int]]:
    secure, plain = _serve(tls=True), _serve(tls=False)
    # loopback peers are refused unless allowed: as if STUDIO_ALLOWED_HTTP_HOSTS=127.0.0.1/32
    monkeypatch.setattr("serverless.runtime.worker.allowed_hosts", lambda: ["127.0.0.1/32"])
    yield secure.server_address[1], plain.server_address[1]
    for server in (secure, plain):
        server.shutdown()
        server.server_close()


def test_it_tunnels_node_https_and_fetch_to_allowed_hosts(bundles: Bundles, peers: tuple[int, int]) -> None:
    tls_port, plain_port = peers
    event = {"url": f"https://127.0.0.1:{tls_port}", "tlsPort": str(tls_port), "plainPort": str(plain_port)}
    result = invoke(request(bundles(FILES), "/node-tls", event))
    assert json.loads(result.body) == {"viaHttps": "reached /https", "viaFetch": "reached /fetch"}


def test_it_tunnels_python_urllib_and_requests_over_tls(bundles: Bundles, peers: tuple[int, int]) -> None:
    result = invoke(request(bundles(FILES), "/py-tls", {"url": f"https://127.0.0.1:{peers[0]}"}))
    assert json.loads(result.body) == {"urllib": "reached /urllib", "requests": "reached /requests"}
