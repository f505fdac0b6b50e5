"""Warm Functions invocations: this runtime (bubblewrap sandbox included) beside `twilio-run start`.

    .venv/bin/python bench/functions_bench.py [--runs 3] [--requests 200] [--write-readme]

Both serve the same two functions of the corpus: hello-world (a string) and hello-voice (TwiML). twilio-run (the
Serverless Toolkit's local runtime, npm `twilio-run`) is installed with npm into var/bench-functions/ by this
script and started with its defaults (`twilio-run start`: a forked process per request, live reload on). This
runtime is measured two ways: `invoke()` called directly (what the app's views and the Run Function widget do),
and behind a minimal stdlib HTTP front, so the HTTP hop is counted as it is for twilio-run. For each: latency
p50/p99 at concurrency 1, and invocations/s at concurrency 1 and 16 (keep-alive HTTP/1.1 clients on threads).
Prints JSON per run and the medians; --write-readme replaces the Functions section of bench/README.md.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from serverless.runtime import FunctionFile, InvokeRequest, invoke, prepare_bundle, shutdown_pool  # noqa: E402

WORK = ROOT / "var" / "bench-functions"
CORPUS = ROOT / "tests" / "corpus" / "functions"
SOURCES = {
    "/hello-world": CORPUS / "hello-world" / "functions" / "hello-world.js",
    "/hello-voice": CORPUS / "hello-voice" / "functions" / "hello-voice.protected.js",
}
TOOLKIT = {"twilio-run": "5.0.1", "@twilio/runtime-handler": "2.1.0", "twilio": "4.23.0"}
MARK_START = "<!-- functions-bench:start -->"
MARK_END = "<!-- functions-bench:end -->"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def toolkit_project() -> Path:
    project = WORK / "project"
    (project / "functions").mkdir(parents=True, exist_ok=True)
    for source in SOURCES.values():
        # twilio-run does not check signatures: the protected file is served as is
        shutil.copy(source, project / "functions" / source.name)
    package = {"name": "functions-bench", "version": "1.0.0", "private": True, "dependencies": TOOLKIT}
    (project / "package.json").write_text(json.dumps(package, indent=2))
    if not (project / "node_modules" / ".bin" / "twilio-run").exists():
        subprocess.run(["npm", "install", "--no-audit", "--no-fund"], cwd=project, check=True)
    return project


def wait_port(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise RuntimeError(f"nothing listens on {port}")


def start_twilio_run(project: Path, *flags: str) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    env = {**os.environ, "FORCE_COLOR": "0"}
    process = subprocess.Popen(
        [
            str(project / "node_modules" / ".bin" / "twilio-run"),
            "start",
            "--port",
            str(port),
            "--no-logs",
            *flags,
        ],
        cwd=project,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    wait_port(port)
    return process, port


def our_bundle() -> Any:
    files = {f"functions/{s.name}": s.read_bytes() for s in SOURCES.values()}
    functions = [
        FunctionFile(path, "public", f"ZH{i:032x}", f"functions/{s.name}", "node")
        for i, (path, s) in enumerate(SOURCES.items())
    ]
    return prepare_bundle("ZB" + "b" * 32, WORK / "bundle", files, functions, (), None)


def our_request(bundle: Any, path: str) -> InvokeRequest:
    context = {"DOMAIN_NAME": "bench.example.com", "PATH": path}
    return InvokeRequest(
        bundle, path, context, {"request": {"headers": {}, "cookies": {}}}, "http://127.0.0.1:9"
    )


def start_front(bundle: Any) -> tuple[ThreadingHTTPServer, int]:
    class Front(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = (
            True  # headers and body leave in separate writes: no 40 ms delayed-ACK stall
        )

        def do_GET(self) -> None:
            result = invoke(our_request(bundle, self.path.split("?")[0]))
            self.send_response(result.status)
            for key, value in result.headers:
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(result.body)))
            self.end_headers()
            self.wfile.write(result.body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Front)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, int(server.server_address[1])


def http_caller(port: int, path: str) -> Callable[[], Callable[[], None]]:
    def per_thread() -> Callable[[], None]:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

        def call() -> None:
            conn.request("GET", path)
            response = conn.getresponse()
            body = response.read()
            if response.status != 200 or not body:
                raise RuntimeError(f"{path} answered {response.status}: {body[:300]!r}")

        return call

    return per_thread


def direct_caller(bundle: Any, path: str) -> Callable[[], Callable[[], None]]:
    def per_thread() -> Callable[[], None]:
        def call() -> None:
            result = invoke(our_request(bundle, path))
            if result.status != 200:
                raise RuntimeError(f"{path} answered {result.status}: {result.error}")

        return call

    return per_thread


def measure(make: Callable[[], Callable[[], None]], concurrency: int, total: int) -> dict[str, float]:
    # warm-up at the measured concurrency, so every worker the pool will use is started before timing
    warmers = [
        threading.Thread(target=lambda: [call() for call in [make()] for _ in range(3)])
        for _ in range(concurrency)
    ]
    for thread in warmers:
        thread.start()
    for thread in warmers:
        thread.join()
    latencies: list[float] = []
    lock = threading.Lock()
    per_thread = max(1, total // concurrency)

    def worker() -> None:
        call = make()
        mine = []
        for _ in range(per_thread):
            started = time.perf_counter()
            call()
            mine.append((time.perf_counter() - started) * 1000)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "p50_ms": round(latencies[len(latencies) // 2], 2),
        "p99_ms": round(latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))], 2),
        "per_s": round(len(latencies) / elapsed, 1),
    }


def one_run(
    bundle: Any, front_port: int, toolkit_ports: tuple[int, int], requests: int, toolkit_requests: int
) -> dict[str, Any]:
    run: dict[str, Any] = {}
    for path in SOURCES:
        targets = {
            "studio invoke()": direct_caller(bundle, path),
            "studio over HTTP": http_caller(front_port, path),
            "twilio-run start": http_caller(toolkit_ports[0], path),
            "twilio-run start --no-fork-process --no-live": http_caller(toolkit_ports[1], path),
        }
        for name, make in targets.items():
            count = toolkit_requests if name == "twilio-run start" else requests
            c1 = measure(make, 1, count)
            c16 = measure(make, 16, count)
            run[f"{path} | {name}"] = {
                "p50_ms": c1["p50_ms"],
                "p99_ms": c1["p99_ms"],
                "c1_per_s": c1["per_s"],
            }
            run[f"{path} | {name}"]["c16_per_s"] = c16["per_s"]
            run[f"{path} | {name}"]["c16_p50_ms"] = c16["p50_ms"]
    return run


def medians(runs: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for key in runs[0]:
        out[key] = {field: round(statistics.median(r[key][field] for r in runs), 2) for field in runs[0][key]}
    return out


def table(figures: dict[str, dict[str, float]], runs: int) -> str:
    lines = [
        MARK_START,
        f"Medians of {runs} runs (`.venv/bin/python bench/functions_bench.py --runs {runs} --write-readme`), "
        f"this container ({os.cpu_count()} CPUs shared with other work), Node {node_version()}.",
        "",
        "| Function | Runtime | p50 (c=1) | p99 (c=1) | inv/s (c=1) | inv/s (c=16) | p50 (c=16) |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for key, f in figures.items():
        path, name = key.split(" | ")
        lines.append(
            f"| {path} | {name} | {f['p50_ms']} ms | {f['p99_ms']} ms | {f['c1_per_s']} | {f['c16_per_s']} "
            f"| {f['c16_p50_ms']} ms |"
        )
    lines += ["", "Cost ratio: our p50 over twilio-run's p50 at c=1 (target ≤ 1.5):", ""]
    for path in SOURCES:
        for toolkit in ("twilio-run start", "twilio-run start --no-fork-process --no-live"):
            theirs = figures[f"{path} | {toolkit}"]["p50_ms"]
            for name in ("studio invoke()", "studio over HTTP"):
                ours = figures[f"{path} | {name}"]["p50_ms"]
                lines.append(f"- {path}, {name} vs `{toolkit}`: {ours / theirs:.4f}×")
    lines.append(MARK_END)
    return "\n".join(lines)


def node_version() -> str:
    return subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip()


def write_readme(section: str) -> None:
    readme = ROOT / "bench" / "README.md"
    text = readme.read_text()
    if MARK_START in text:
        before, rest = text.split(MARK_START, 1)
        after = rest.split(MARK_END, 1)[1]
        text = before + section + after
    else:
        text = text.rstrip("\n") + "\n\n## Functions runtime (warm invocations)\n\n" + section + "\n"
    readme.write_text(text)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--requests", type=int, default=320, help="per measurement of this runtime")
    parser.add_argument(
        "--toolkit-requests", type=int, default=32, help="per measurement of twilio-run (~1/s)"
    )
    parser.add_argument("--write-readme", action="store_true")
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    project = toolkit_project()
    bundle = our_bundle()
    toolkit, toolkit_port = start_twilio_run(project)
    in_process, in_process_port = start_twilio_run(project, "--no-fork-process", "--no-live")
    front, front_port = start_front(bundle)
    try:
        runs = []
        for index in range(args.runs):
            ports = (toolkit_port, in_process_port)
            run = one_run(bundle, front_port, ports, args.requests, args.toolkit_requests)
            print(json.dumps({"run": index + 1, **run}), flush=True)
            runs.append(run)
    finally:
        front.shutdown()
        for process in (toolkit, in_process):
            os.killpg(process.pid, 15)
            process.wait(timeout=10)
        shutdown_pool()
    figures = medians(runs)
    section = table(figures, args.runs)
    print(section)
    if args.write_readme:
        write_readme(section)


if __name__ == "__main__":
    main()
