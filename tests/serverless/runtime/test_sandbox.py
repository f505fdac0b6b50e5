"""Bad input: every failure is a clear, logged error confined to its own worker; others keep serving."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from serverless.runtime import Bundle, check_bundle, invoke, sandbox
from tests.serverless.runtime.support import ApiServer, bundle_of, request

Bundles = Callable[[dict[str, bytes]], Bundle]
PROJECT_FILE = str(Path(__file__).resolve())

BAD = {
    "functions/ok.js": b"exports.handler = (c, e, cb) => cb(null, 'still here');",
    "functions/silent.js": b"exports.handler = (c, e, cb) => { console.log('started'); };",
    "functions/hog.js": b"exports.handler = () => { const a = []; for (;;) a.push(new Array(1e6).fill(7)); };",
    "functions/forks.js": b"""const cp = require('child_process');
exports.handler = (c, e, cb) => {
  const refused = [];
  for (let i = 0; i < 200; i++) {
    cp.spawn(process.execPath, ['-e', 'setTimeout(()=>{}, 5000)']).on('error', (err) => refused.push(err.code));
  }
  setTimeout(() => cb(null, { refused: refused.length, codes: [...new Set(refused)] }), 300);
};""",
    "functions/bigfile.js": b"""const fs = require('fs');
exports.handler = (c, e, cb) => {
  const chunk = Buffer.alloc(1 << 20, 1);
  try { for (let i = 0; i < 200; i++) fs.appendFileSync('/tmp/big', chunk); } catch (err) { return cb(err); }
  cb(null, 'wrote it all');
};""",
    "functions/snoop.js": b"""const fs = require('fs');
exports.handler = (c, e, cb) => {
  const out = { environ: fs.readFileSync('/proc/self/environ', 'utf8'), commands: fs.readdirSync('/proc').filter(p => /^\\d+$/.test(p))
    .map(p => { try { return fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\\0')[0]; } catch (err) { return 'gone'; } }) };
  try { fs.readFileSync(e.file, 'utf8'); out.project = 'READ'; } catch (err) { out.project = err.code; }
  try { fs.writeFileSync('/bundle/functions/ok.js', 'x'); out.write = 'WROTE'; } catch (err) { out.write = err.code; }
  cb(null, out);
};""",
    "functions/outbound.js": b"""const http = require('http');
exports.handler = (c, e, cb) => {
  http.get(e.url, (res) => { let body = ''; res.on('data', d => body += d); res.on('end', () => cb(null, { status: res.statusCode, body })); })
    .on('error', (err) => cb(null, { error: err.code || err.message }));
};""",
}


def test_it_reports_syntax_errors_and_missing_handlers_at_check_time(tmp_path: Path) -> None:
    files = {
        "functions/good.js": b"exports.handler = (c, e, cb) => cb(null, 1);",
        "functions/broken.js": b"exports.handler = (c, e, cb) => { cb(null, 'x' };",
        "functions/nohandler.js": b"exports.other = 1;",
        "functions/broken.py": b"def handler(context, event, callback:\n    pass\n",
    }
    errors = check_bundle(bundle_of(tmp_path, files))
    assert len(errors) == 3
    assert any(e.startswith("functions/broken.js: SyntaxError:") for e in errors)
    assert any("functions/nohandler.js" in e and "handler" in e for e in errors)
    assert any(e.startswith("functions/broken.py: SyntaxError:") for e in errors)
    assert check_bundle(bundle_of(tmp_path / "good", {"functions/good.js": files["functions/good.js"]})) == []


def test_it_times_out_a_handler_that_never_calls_back_with_504(bundles: Bundles) -> None:
    started = time.monotonic()
    result = invoke(request(bundles(BAD), "/silent", timeout_seconds=1.0))
    assert time.monotonic() - started < 5
    assert result.status == 504 and (result.error or "").startswith("runtime application timed out")
    assert [line.level for line in result.logs] == ["info", "error"]
    assert invoke(request(bundles(BAD), "/ok")).body == b"still here"


def test_it_stops_a_function_that_allocates_without_bound(bundles: Bundles) -> None:
    result = invoke(request(bundles(BAD), "/hog"))
    assert result.status == 500 and "memory limit" in (result.error or "")
    assert result.logs[-1].level == "error"
    assert invoke(request(bundles(BAD), "/ok")).body == b"still here"


def test_it_caps_the_processes_a_function_can_start(bundles: Bundles) -> None:
    result = invoke(request(bundles(BAD), "/forks"))
    body = json.loads(result.body)
    assert (
        "EAGAIN" in body["codes"] and body["refused"] > 130
    )  # the limit is 64 tasks, node's threads included
    assert invoke(request(bundles(BAD), "/ok")).body == b"still here"


def test_it_caps_the_size_of_files_a_function_writes(bundles: Bundles) -> None:
    result = invoke(request(bundles(BAD), "/bigfile"))
    assert result.status == 500 and "EFBIG" in (result.error or "")


def test_it_hides_the_project_the_environment_and_other_processes(bundles: Bundles) -> None:
    result = invoke(request(bundles(BAD), "/snoop", {"file": PROJECT_FILE}))
    body = json.loads(result.body)
    assert body["project"] == "ENOENT" and body["write"] == "EROFS"
    variables = dict(item.split("=", 1) for item in body["environ"].split("\0") if item)
    assert set(variables) <= {
        "HOME",
        "TMPDIR",
        "PATH",
        "LANG",
        "TZ",
        "STUDIO_NET_SOCKET",
        "NODE_PATH",
        "NODE_ENV",
    } | {
        "STUDIO_REPLY_FD",
        "PWD",
    }
    assert set(body["commands"]) <= {
        sandbox.BWRAP,
        sandbox.node_binary(),
        "gone",
    }  # nothing of the host's processes


def test_it_refuses_loopback_addresses_but_reaches_the_api(bundles: Bundles, api_server: ApiServer) -> None:
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]
        refused = invoke(request(bundles(BAD), "/outbound", {"url": f"http://127.0.0.1:{port}/"}))
    assert json.loads(refused.body)["error"] in {"ECONNRESET", "EPIPE", "socket hang up"}
    assert any("refused: the address is not public" in line.message for line in refused.logs)
    allowed = invoke(
        request(bundles(BAD), "/outbound", {"url": f"{api_server.url}/ping"}, api_base_url=api_server.url)
    )
    assert json.loads(allowed.body)["status"] == 200 and api_server.requests[0]["path"] == "/ping"


def test_it_fails_closed_without_bubblewrap(bundles: Bundles, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sandbox, "BWRAP", "/nonexistent/bwrap")
    sandbox.probe.cache_clear()
    try:
        result = invoke(
            request(
                bundles({"functions/fresh.js": b"exports.handler = (c, e, cb) => cb(null, 1);"}), "/fresh"
            )
        )
    finally:
        sandbox.probe.cache_clear()
    assert result.status == 500 and "never run unsandboxed" in (result.error or "")
