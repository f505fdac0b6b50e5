"""The agent console's side of ``bench/webchat_bench.py --agent console`` (see its docstring):
``ConsoleAgent`` speaks the console's protocol (its live socket, its reads and its replies) for
one agent holding several chats, ``BrowserAgent`` drives the real console page in Chromium for
one agent, and ``run_console_once`` plays the chats' rounds against them."""

from __future__ import annotations

import asyncio
import json
import os
import time
from typing import Any

from bench.webchat_bench import LOST_AFTER, _until, group_cpu_seconds, pct

POLL = 5.0  # seconds: console.js re-read the agent's view this often, notice or not (``events``)
SAFETY_POLL = 60.0  # seconds: console.js now, while its socket is live (``socket``)
CATCH_UP = 2.0  # seconds: console.js's CATCH_UP_MS
REPLY_TIMEOUT = 10.0  # seconds: console.js's REPLY_TIMEOUT_MS (then the reply goes by POST)


class ConsoleAgent:
    """One agent's console page over console.js's protocol (``protocol`` ``socket``, ``events`` or
    ``full``, see webchat_bench's doc). ``expect`` gives a future that resolves when a body is in
    the page."""

    def __init__(self, base: str, worker: str, session: str, protocol: str, stats: dict[str, int]) -> None:
        self.base = base
        self.worker = worker
        self.session = session
        self.protocol = protocol
        self.stats = stats
        self.reservation: dict[str, str] = {}  # conversation SID → the reservation holding it
        self.last: dict[str, int] = {}  # conversation SID → last index shown (events)
        self.pending: dict[str, dict[int, dict[str, Any]]] = {}  # heard but not yet in order
        self.fetching: set[str] = set()
        self.shown: dict[str, set[str]] = {}  # conversation SID → bodies shown
        self.waiters: dict[tuple[str, str], asyncio.Future[None]] = {}
        self.dirty = asyncio.Event()
        self.ready = asyncio.Event()
        self.stop = asyncio.Event()
        self.http: Any = None
        self.csrf: dict[str, str] = {}
        self.catch_up_now = True
        self.tasks: set[asyncio.Task[None]] = set()
        self.socket: Any = None  # the live socket while open (``socket``: replies go over it)
        self.answers: dict[str, asyncio.Future[dict[str, Any]]] = {}  # client_id → its answer
        self.sent = 0

    def expect(self, conversation: str, body: str) -> asyncio.Future[None]:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        if body in self.shown.get(conversation, ()):
            future.set_result(None)
        else:
            self.waiters[(conversation, body)] = future
        return future

    def _show(self, conversation: str, body: str) -> None:
        self.shown.setdefault(conversation, set()).add(body)
        waiter = self.waiters.pop((conversation, body), None)
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    # -- events: append in index order, fetch a gap ------------------------------------------

    def _take(self, conversation: str, message: dict[str, Any]) -> None:
        index = message.get("index")
        if not isinstance(index, int) or index <= self.last.get(conversation, -1):
            self.stats["duplicates"] += 1
            return
        self.pending.setdefault(conversation, {})[index] = message
        self._drain(conversation)

    def _drain(self, conversation: str) -> None:
        waiting = self.pending.get(conversation, {})
        last = self.last.get(conversation, -1)
        while last + 1 in waiting:
            last += 1
            self._show(conversation, str(waiting.pop(last)["body"]))
        self.last[conversation] = last
        for stale in [i for i in waiting if i <= last]:
            del waiting[stale]
        if waiting and conversation not in self.fetching:  # a gap: fetch what is missing
            self.stats["gaps"] += 1
            self.fetching.add(conversation)
            self.tasks.add(task := asyncio.get_running_loop().create_task(self._fetch(conversation)))
            task.add_done_callback(self.tasks.discard)

    async def _fetch(self, conversation: str) -> None:
        try:
            while True:
                sid = self.reservation[conversation]
                after = self.last.get(conversation, -1)
                path = f"{self.base}/api/console/flex/agent/{self.worker}/reservations/{sid}/messages"
                self.stats["range_reads"] += 1
                try:
                    data = (await self.http.get(path, params={"after": after})).json()
                except Exception:  # noqa: BLE001 - the next event, tick or reconnect tries again
                    self.stats["read_errors"] += 1
                    return
                for m in data["messages"]:
                    if m["index"] > self.last.get(conversation, -1):
                        self.pending.setdefault(conversation, {})[m["index"]] = m
                waiting = self.pending.get(conversation, {})
                last = self.last.get(conversation, -1)
                while last + 1 in waiting:
                    last += 1
                    self._show(conversation, str(waiting.pop(last)["body"]))
                self.last[conversation] = last
                if not data.get("more"):
                    break
        finally:
            self.fetching.discard(conversation)

    async def on_event(self, event: dict[str, Any]) -> None:
        conversation = str(event.get("conversation_sid") or "")
        if conversation not in self.reservation:  # not on the page yet: re-read the view
            self.dirty.set()
            return
        self.stats["events"] += 1
        self._take(conversation, event["message"])

    # -- reads of the view ---------------------------------------------------------------

    async def read(self) -> None:
        light = self.protocol in ("events", "socket")
        self.stats["view_reads"] += 1
        url = f"{self.base}/api/console/flex/agent" + ("?messages=0" if light else "")
        data = (await self.http.get(url)).json()
        for worker in data["workers"]:
            for r in worker["reservations"]:
                conversation = (r["task"]["attributes"] or {}).get("conversationSid")
                if not conversation or r["reservation_status"] == "pending":
                    continue
                self.reservation[conversation] = r["sid"]
                if not light:
                    for m in r["messages"]:
                        self._show(conversation, str(m["body"]))
                    continue
                index = r.get("last_index")
                if index is None or index <= self.last.get(conversation, -1):
                    continue
                if self.catch_up_now:  # just (re)connected: events sent meanwhile are lost
                    if conversation not in self.fetching:
                        self.fetching.add(conversation)
                        await self._fetch(conversation)
                else:  # maybe on its way: fetch only if still behind a moment later (console.js)
                    asyncio.get_running_loop().call_later(CATCH_UP, self._still_behind, conversation, index)
        self.catch_up_now = False

    def _still_behind(self, conversation: str, index: int) -> None:
        if self.last.get(conversation, -1) < index and conversation not in self.fetching:
            self.stats["late_catch_ups"] += 1
            self.fetching.add(conversation)
            self.tasks.add(task := asyncio.get_running_loop().create_task(self._fetch(conversation)))
            task.add_done_callback(self.tasks.discard)

    async def reply(self, conversation: str, body: str) -> None:
        sid = self.reservation[conversation]
        self.sent += 1
        cid = f"b{self.sent}"
        if self.protocol == "socket" and self.socket is not None:  # console.js now
            answer: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
            self.answers[cid] = answer
            frame = {"type": "reply", "reservation": sid, "body": body, "client_id": cid}
            heard: dict[str, Any] | None = None
            try:
                await self.socket.send(json.dumps(frame))
                heard = await asyncio.wait_for(answer, REPLY_TIMEOUT)
            except Exception:  # noqa: BLE001 - closed, or no answer: POST it (console.js, same id)
                self.stats["reply_fallbacks"] += 1
            finally:
                self.answers.pop(cid, None)
            if heard is not None:
                if heard.get("type") != "flex.reply":
                    raise RuntimeError(f"reply refused {heard}")
                self.stats["socket_replies"] += 1
                self._take(conversation, heard["message"])
                return
        path = f"{self.base}/api/console/flex/agent/{self.worker}/reservations/{sid}/messages"
        response = await self.http.post(path, json={"body": body, "client_id": cid}, headers=self.csrf)
        if response.status_code != 201:
            raise RuntimeError(f"reply {response.status_code} {response.text[:200]}")
        self.stats["posted_replies"] += 1
        if self.protocol in ("events", "socket"):
            self._take(conversation, response.json()["message"])
        else:
            self.dirty.set()  # console.js before: a whole re-read after sending

    async def run(self) -> None:
        import httpx
        import websockets
        from websockets.typing import Origin

        async with httpx.AsyncClient(cookies={"sessionid": self.session}, timeout=60) as http:
            self.http = http
            await http.get(f"{self.base}/flex/agent")  # the page: its csrftoken cookie
            self.csrf = {
                "X-CSRFToken": http.cookies.get("csrftoken") or "",
                "Content-Type": "application/json",
            }
            url = self.base.replace("http", "ws", 1) + "/ws/flex/live?view=agent"

            async def listen() -> None:
                while not self.stop.is_set():
                    try:
                        async with websockets.connect(
                            url,
                            origin=Origin(self.base),
                            additional_headers={"Cookie": f"sessionid={self.session}"},
                        ) as socket:
                            self.socket = socket
                            async for raw in socket:
                                event = json.loads(raw)
                                kind = event.get("type")
                                if kind in ("flex.reply", "flex.error"):
                                    waiter = self.answers.get(str(event.get("client_id")))
                                    if waiter is not None and not waiter.done():
                                        waiter.set_result(event)
                                elif kind == "flex.message" and self.protocol != "full":
                                    await self.on_event(event)
                                elif kind != "flex.typing":
                                    if kind == "flex.ready":
                                        self.catch_up_now = True
                                    self.dirty.set()  # flex.ready (a reconnect) or flex.changed
                    except Exception:  # noqa: BLE001 - the page reconnects after 2 s
                        self.stats["socket_drops"] += 1
                    self.socket = None
                    if not self.stop.is_set():
                        await asyncio.sleep(2)

            listener = asyncio.create_task(listen())
            poll = SAFETY_POLL if self.protocol == "socket" else POLL
            try:
                last = 0.0
                while not self.stop.is_set():
                    try:
                        await asyncio.wait_for(self.dirty.wait(), 0.5)
                    except TimeoutError:
                        pass
                    period = poll if self.socket is not None else POLL  # console.js: 5 s while down
                    if not self.dirty.is_set() and time.perf_counter() - last < period:
                        continue
                    self.dirty.clear()
                    try:
                        await self.read()
                    except Exception:  # noqa: BLE001 - a failed read is retried by the next
                        self.stats["read_errors"] += 1
                    last = time.perf_counter()
                    self.ready.set()
            finally:
                listener.cancel()


# The page's own DOM (console.js, before and after this change alike): a reservation's card holds
# its task's attributes (the conversation SID) in a <pre>, its conversation's lines in
# .conversation, its reply field [data-reply=WR].
_CARD = "(ch) => [...document.querySelectorAll('[data-reservation]')].find((n) => (n.querySelector('pre') || {}).textContent.includes(ch))"
SHOWN_JS = f"([ch, body]) => {{ const card = ({_CARD})(ch); const c = card && card.querySelector('.conversation'); return Boolean(c && c.textContent.includes(body)); }}"
ALL_CARDS_JS = f"(chs) => chs.every((ch) => Boolean(({_CARD})(ch)))"
RESERVATION_JS = f"(ch) => (({_CARD})(ch) || {{dataset: {{}}}}).dataset.reservation"


class BrowserAgent:
    """One agent's console in Chromium (``--browser``): the real page and console.js, the agent's
    session; a question is "shown" when its text is in the conversation's card, and the reply is
    typed into the card's field and sent with Enter (then the field is left, as a person clicks on)."""

    def __init__(self, base: str, session: str, conversations: list[str]) -> None:
        self.base = base
        self.session = session
        self.conversations = conversations
        self.ready = asyncio.Event()
        self.stop = asyncio.Event()
        self.page: Any = None
        self.lock = asyncio.Lock()  # one person types one reply at a time

    def expect(self, conversation: str, body: str) -> Any:
        return asyncio.ensure_future(
            self.page.wait_for_function(
                SHOWN_JS, arg=[conversation, body], polling="raf", timeout=LOST_AFTER * 1000
            )
        )

    async def reply(self, conversation: str, body: str) -> None:
        async with self.lock:
            sid = await self.page.evaluate(RESERVATION_JS, conversation)
            field = f'[data-reply="{sid}"]'
            await self.page.fill(field, body)
            await self.page.press(field, "Enter")
            await self.page.evaluate("document.activeElement && document.activeElement.blur()")

    async def run(self) -> None:
        from playwright.async_api import async_playwright

        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
            context = await browser.new_context()
            await context.add_cookies([{"name": "sessionid", "value": self.session, "url": self.base}])
            self.page = await context.new_page()
            await self.page.goto(f"{self.base}/flex/agent")
            await self.page.wait_for_function(ALL_CARDS_JS, arg=self.conversations, timeout=120_000)
            self.ready.set()
            await self.stop.wait()
            await browser.close()


async def one_console_chat(
    base: str,
    chat: dict[str, str],
    agent: ConsoleAgent | BrowserAgent,
    rounds: int,
    out: dict[str, list[float]],
    interval: float,
    offset: float,
) -> None:
    import websockets

    url = base.replace("http", "ws", 1) + chat["path"]
    conversation = chat["conversation"]
    # (a generous handshake timeout: a server busy with the consoles' reads answers late, and
    # this measures messages, not handshakes)
    async with websockets.connect(f"{url}?token={chat['visitor']}&since=999999", open_timeout=60) as visitor:
        await visitor.recv()  # history
        await asyncio.sleep(1 + offset)
        for r in range(rounds):
            question = f"question {r} {conversation[-6:]}"
            seen = agent.expect(conversation, question)
            started = time.perf_counter()
            await visitor.send(json.dumps({"type": "message", "body": question, "client_id": f"q{r}"}))
            try:
                await asyncio.wait_for(seen, LOST_AFTER)
            except TimeoutError:
                raise RuntimeError(
                    f"{question!r} not shown in the console within {LOST_AFTER:.0f} s"
                ) from None
            heard = time.perf_counter()
            answer = f"answer {r} {conversation[-6:]}"
            await agent.reply(conversation, answer)
            await _until(visitor, answer)
            back = time.perf_counter()
            out["visitor_to_agent"].append((heard - started) * 1000)
            out["agent_to_visitor"].append((back - heard) * 1000)
            out["round_trip"].append((back - started) * 1000)
            await asyncio.sleep(max(0.0, interval - (back - started)))


async def run_console_once(
    base: str,
    chats: list[dict[str, str]],
    rounds: int,
    serve_pgid: int,
    interval: float,
    protocol: str,
    browser: bool = False,
) -> dict[str, Any]:
    keys = (
        "events",
        "duplicates",
        "gaps",
        "range_reads",
        "late_catch_ups",
        "view_reads",
        "read_errors",
        "socket_drops",
        "socket_replies",
        "posted_replies",
        "reply_fallbacks",
    )
    stats = dict.fromkeys(keys, 0)
    agents: dict[str, ConsoleAgent | BrowserAgent] = {}
    for chat in chats:
        if chat["worker"] not in agents:
            agents[chat["worker"]] = ConsoleAgent(base, chat["worker"], chat["session"], protocol, stats)
    in_browser = chats[0]["worker"] if browser else None  # the first agent: the real page
    if in_browser:
        mine = [c["conversation"] for c in chats if c["worker"] == in_browser]
        agents[in_browser] = BrowserAgent(base, chats[0]["session"], mine)
    by_browser: dict[str, list[float]] = {"visitor_to_agent": [], "agent_to_visitor": [], "round_trip": []}
    runners = [asyncio.create_task(a.run()) for a in agents.values()]
    await asyncio.wait_for(asyncio.gather(*(a.ready.wait() for a in agents.values())), 120)
    out: dict[str, list[float]] = {"visitor_to_agent": [], "agent_to_visitor": [], "round_trip": []}
    for key in keys:
        stats[key] = 0
    started = time.perf_counter()
    cpu_before = group_cpu_seconds(serve_pgid)
    spread = interval if interval > 1.0 else 0.0
    results = await asyncio.gather(
        *(
            one_console_chat(
                base,
                c,
                agents[c["worker"]],
                rounds,
                by_browser if c["worker"] == in_browser else out,
                interval,
                spread * n / len(chats),
            )
            for n, c in enumerate(chats)
        ),
        return_exceptions=True,
    )
    cpu_spent = group_cpu_seconds(serve_pgid) - cpu_before
    seconds = time.perf_counter() - started
    for a in agents.values():
        a.stop.set()
    await asyncio.gather(*runners, return_exceptions=True)
    errors = [repr(r) for r in results if isinstance(r, BaseException)]
    summary: dict[str, Any] = {
        "agent": f"console ({protocol})",
        "chats": len(chats),
        "agents": len(agents),
        "messages": 2 * (len(out["round_trip"]) + len(by_browser["round_trip"])),
        "errors": len(errors),
        "seconds": round(seconds, 1),
        "interval_s": interval,
        "load_average": os.getloadavg()[0],
        # The consoles' re-reads are in it (every 5 s, or 60 s with ``socket``: the console's cost too).
        "serve_cpu_ms_per_message": round(cpu_spent * 1000 / max(1, 2 * len(out["round_trip"])), 2),
        "console": dict(stats),
    }
    for leg, values in out.items():
        if values:
            summary[leg] = {"p50_ms": pct(values, 0.5), "p99_ms": pct(values, 0.99)}
    if in_browser:  # the chats of the agent in Chromium, apart
        summary["browser"] = {
            leg: {"p50_ms": pct(v, 0.5), "p99_ms": pct(v, 0.99), "n": len(v)}
            for leg, v in by_browser.items()
            if v
        }
    if errors:
        summary["first_error"] = errors[0]
    return summary
