// The agent console and supervisor page (flex/templates/flex/console.html): served as a file,
// since the console's Content Security Policy allows no inline script.
"use strict";
const page = document.body.dataset.page;
const root = document.getElementById("root");
const csrf = () => (document.cookie.match(/csrftoken=([^;]+)/) || [])[1] || "";

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (key === "onclick") node.addEventListener("click", value);
    else node.setAttribute(key, value);
  }
  for (const child of children) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return node;
}

async function api(path, body) {
  const init = body === undefined ? {} : {
    method: "POST", body: JSON.stringify(body),
    headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() },
  };
  const response = await fetch("/api/console/flex/" + path, { credentials: "same-origin", ...init });
  const data = await response.json();
  if (!response.ok) throw new Error(data.message || response.statusText);
  return data;
}

function reservationCard(worker, r) {
  const act = (action) => () => api(`agent/${worker.sid}/reservations/${r.sid}`, { action }).then(refresh, alert);
  const buttons = {
    pending: [["Accept", "accept"], ["Reject", "reject"]],
    accepted: [["Wrap up", "wrap"], ["Complete", "complete"]],
    wrapping: [["Complete", "complete"]],
  }[r.reservation_status] || [];
  return el("div", { class: "reservation " + r.reservation_status, "data-reservation": r.sid },
    el("div", {}, el("strong", {}, r.task.attributes.name || r.task.sid), ` · ${r.task.channel} · ${r.reservation_status}`,
      el("span", { class: "muted" }, ` · waited ${r.task.age}s in ${r.task.queue || "-"}`)),
    el("pre", {}, JSON.stringify(r.task.attributes, null, 2)),
    ...(r.call ? [el("div", { class: "call " + r.call.state.replace(" ", "-"), "data-call": r.call.state },
      "📞 ", el("strong", {}, r.call.from || "caller"), ` · ${r.call.state}`,
      el("span", { class: "muted" }, ` · ${r.call.sid}`))] : []),
    ...(r.conversation && r.reservation_status !== "pending" ? [conversation(worker, r)] : []),
    el("div", {}, ...buttons.map(([label, action]) => el("button", { onclick: act(action), "data-action": action }, label))));
}

const drafts = {};  // what the agent is typing survives the refreshes
const typedAt = {};
const TYPING_MS = 4000;  // a visitor's "typing…" shows this long after their last notice
const visitorTyping = {};  // conversation SID → {identity, until}
const contactNames = {};  // conversation SID → the task's name (a chat identity means nothing to the agent)

function typingText(sid) {
  const t = visitorTyping[sid];
  return t && t.until > Date.now() ? `${contactNames[sid] || t.identity} is typing…` : "";
}

function showTyping(sid, identity) {
  if (typeof sid !== "string" || !sid) return;
  visitorTyping[sid] = { identity: String(identity || "The contact"), until: Date.now() + TYPING_MS };
  const paint = () => {
    for (const node of document.querySelectorAll("[data-typing]")) {
      if (node.dataset.typing === sid) node.textContent = typingText(sid);
    }
  };
  paint();
  setTimeout(paint, TYPING_MS + 50);
}

function conversation(worker, r) {
  const sid = (r.task.attributes || {}).conversationSid || "";
  if (sid && r.task.attributes.name) contactNames[sid] = String(r.task.attributes.name);
  const input = el("input", { type: "text", placeholder: "Reply to the contact…", "data-reply": r.sid, style: "width:60%" });
  input.value = drafts[r.sid] || "";
  input.addEventListener("input", () => {
    drafts[r.sid] = input.value;
    const now = Date.now();  // a conversation's visitor sees "typing…" (at most one notice per 2 s)
    if (r.conversation && now - (typedAt[r.sid] || 0) > 2000) {
      typedAt[r.sid] = now;
      if (liveSocket && liveSocket.readyState === WebSocket.OPEN) liveSocket.send(JSON.stringify({ type: "typing", reservation: r.sid }));
      else api(`agent/${worker.sid}/reservations/${r.sid}/typing`, {}).catch(() => {});
    }
  });
  const send = () => {
    if (!input.value.trim()) return;
    sendReply(worker, r, sid, input.value);
  };
  input.addEventListener("keydown", (event) => { if (event.key === "Enter") send(); });
  const shown = sid && convs[sid] ? convs[sid].messages : (r.messages || []);
  return el("div", { class: "conversation" },
    el("div", { class: "messages", "data-messages": sid }, ...shown.map(messageLine)),
    el("div", { class: "muted typing", "data-typing": sid }, typingText(sid)),
    el("div", { style: "margin:6px 0" }, input, el("button", { onclick: send, "data-action": "send" }, "Send")));
}

// The agent's replies go over the live socket when it is open (no HTTP request per reply); each
// carries a client_id, so a reply whose answer the socket did not bring (it closed meanwhile, or
// the answer is late) is sent again by POST with the same id, and stored once.
let liveSocket = null;
const sending = new Map();  // client_id → the reply on its way
const REPLY_TIMEOUT_MS = 10000;

function clientId() {
  return "r" + Date.now().toString(36) + Math.random().toString(36).slice(2, 10);
}

function replied(p, message) {
  sending.delete(p.cid);
  clearTimeout(p.timer);
  if (drafts[p.reservation] === p.body) drafts[p.reservation] = "";
  for (const node of document.querySelectorAll("[data-reply]")) {  // not what was typed since
    if (node.dataset.reply === p.reservation && node.value === p.body) node.value = "";
  }
  // A conversation's message is appended (its own event, heard too, is then a duplicate); an SMS
  // task's history has no index: read it again.
  if (p.sid && convs[p.sid] && message && Number.isInteger(message.index)) take(p.sid, message);
  else refresh();
}

function failed(p, error) {
  sending.delete(p.cid);
  clearTimeout(p.timer);
  alert(error && error.message ? error.message : String(error));
}

function byPost(p) {
  clearTimeout(p.timer);
  if (p.posted) return;
  p.posted = true;
  api(`agent/${p.worker}/reservations/${p.reservation}/messages`, { body: p.body, client_id: p.cid })
    .then((data) => replied(p, data && data.message), (error) => failed(p, error));
}

function sendReply(worker, r, sid, body) {
  const p = { cid: clientId(), worker: worker.sid, reservation: r.sid, sid, body, timer: null, posted: false };
  sending.set(p.cid, p);
  if (liveSocket && liveSocket.readyState === WebSocket.OPEN) {
    liveSocket.send(JSON.stringify({ type: "reply", reservation: r.sid, body, client_id: p.cid }));
    p.timer = setTimeout(() => { if (sending.has(p.cid)) byPost(p); }, REPLY_TIMEOUT_MS);
  } else byPost(p);
}

function answered(notice) {  // the socket's answer to one of this page's replies
  const p = typeof notice.client_id === "string" ? sending.get(notice.client_id) : null;
  if (!p) return;
  if (notice.type === "flex.reply") replied(p, notice.message);
  // The socket knows the workers its user had when it opened: a worker linked since is asked by POST.
  else if (notice.status === 404) byPost(p);
  else failed(p, new Error(String(notice.message || "The reply was refused")));
}

// One message as a line; every part of it (body, author, media names) is text, never markup.
function messageLine(m) {
  const direction = m.direction === "inbound" ? "inbound" : "outbound";
  const attrs = { class: "message " + direction, "data-message": direction };
  if (Number.isInteger(m.index)) attrs["data-index"] = String(m.index);
  const media = (Array.isArray(m.media) ? m.media : []).map((item) =>
    el("span", { class: "muted media" }, ` [${(item && (item.filename || item.content_type)) || "media"}]`));
  return el("div", attrs, el("span", { class: "muted" }, direction === "inbound" ? "contact: " : "you/flow: "),
    String(m.body ?? ""), ...media);
}

// The conversations on the page, by conversation SID: their messages in index order, the last
// index shown, messages heard ahead of a gap, and the reservation through which to read them.
// A conversation message comes as a ``flex.message`` event on the socket and is appended; one
// whose index is not the next one (an event lost, or a reconnect) makes the page fetch the
// missing range; one already shown is dropped. Re-reads of the view carry each conversation's
// ``last_index`` only, not its history.
const convs = {};

function track(worker, r, sid) {
  const c = convs[sid] || (convs[sid] = { messages: [], last: -1, seeded: false, pending: new Map(), fetching: false, again: false });
  c.worker = worker.sid;
  c.reservation = r.sid;
  return c;
}

function append(sid, c, m) {  // m.index > c.last
  c.messages.push(m);
  c.last = m.index;
  if (m.direction === "inbound" && visitorTyping[sid]) {  // their message ends their typing
    delete visitorTyping[sid];
    for (const node of document.querySelectorAll("[data-typing]")) if (node.dataset.typing === sid) node.textContent = "";
  }
  for (const node of document.querySelectorAll("[data-messages]")) {
    if (node.dataset.messages === sid) node.append(messageLine(m));
  }
}

function settle(sid, c) {  // heard messages that now follow in order are shown
  while (c.pending.has(c.last + 1)) {
    const m = c.pending.get(c.last + 1);
    c.pending.delete(c.last + 1);
    append(sid, c, m);
  }
  for (const index of [...c.pending.keys()]) if (index <= c.last) c.pending.delete(index);
}

function take(sid, m) {
  const c = convs[sid];
  if (!c) {  // a conversation not on the page yet (a task just accepted): read the view
    refresh();
    return;
  }
  if (!m || !Number.isInteger(m.index) || m.index <= c.last) return;  // shown already
  if (!c.seeded) {  // its history is being read: that read (and this message) will tell
    c.pending.set(m.index, m);
    fetchMissing(sid);
    return;
  }
  c.pending.set(m.index, m);
  settle(sid, c);
  if (c.pending.size) fetchMissing(sid);  // a gap before it
}

// What the page lacks of a conversation: its last 100 messages the first time, then the range
// after the last index shown (``more``: ask again). The range read is authoritative: an index it
// does not hold does not exist (a deleted message), so the page moves past it.
async function fetchMissing(sid) {
  const c = convs[sid];
  if (c.fetching) {
    c.again = true;
    return;
  }
  c.fetching = true;
  try {
    do {
      c.again = false;
      const query = c.seeded ? `?after=${c.last}` : "";
      const data = await api(`agent/${c.worker}/reservations/${c.reservation}/messages${query}`);
      c.seeded = true;
      const before = c.last;
      for (const m of data.messages || []) if (Number.isInteger(m.index) && m.index > c.last) append(sid, c, m);
      settle(sid, c);
      // Again while the range goes on, when a message heard meanwhile asked for it, or when heard
      // messages still wait past a gap and this read moved (they are newer than it).
      if (data.more || (c.pending.size && c.last > before)) c.again = true;
    } while (c.again);
  } catch (error) {
    // the next re-read of the view (a tick, a reconnect) finds the conversation behind again
  } finally {
    c.fetching = false;
  }
}

// A read of the view: each held conversation's ``last_index`` against what the page shows. Just
// after (re)connecting, what is missing is fetched at once: events sent while the socket was down
// are lost. Otherwise a message may simply be on its way (committed, its event not yet here):
// the page fetches only if it is still behind a moment later.
const CATCH_UP_MS = 2000;
let catchUpNow = true;

function behind(sid, c, index) {
  setTimeout(() => { if (convs[sid] === c && c.last < index) fetchMissing(sid); }, CATCH_UP_MS);
}

function adopt(data) {
  const seen = new Set();
  for (const worker of data.workers || []) {
    for (const r of worker.reservations || []) {
      const sid = (r.task && r.task.attributes || {}).conversationSid;
      if (!sid || !r.conversation || r.reservation_status === "pending") continue;
      seen.add(sid);
      const c = track(worker, r, sid);
      if (Array.isArray(r.messages) && r.messages.length) {  // a view with histories
        for (const m of r.messages) if (Number.isInteger(m.index) && m.index > c.last) { c.messages.push(m); c.last = m.index; }
        c.seeded = true;
        settle(sid, c);
      }
      if (!c.seeded || (catchUpNow && r.last_index > c.last)) fetchMissing(sid);
      else if (Number.isInteger(r.last_index) && r.last_index > c.last) behind(sid, c, r.last_index);
    }
  }
  catchUpNow = false;
  for (const sid of Object.keys(convs)) if (!seen.has(sid)) delete convs[sid];
}

function renderAgent(data) {
  root.replaceChildren();
  if (!data.workers.length) {
    root.append(el("section", {}, "No TaskRouter worker is linked to you. A worker whose attributes hold ",
      el("code", {}, `"contact_uri": "${data.contact_uri}"`), " is yours."));
    return;
  }
  for (const worker of data.workers) {
    const activities = worker.activities.map((a) => el("button", {
      class: a.sid === worker.activity_sid ? "current" : "", "data-activity": a.friendly_name,
      onclick: () => api(`agent/${worker.sid}/activity`, { activity_sid: a.sid }).then(refresh, alert),
    }, a.friendly_name));
    const reservations = worker.reservations.map((r) => reservationCard(worker, r));
    root.append(el("section", { "data-worker": worker.sid },
      el("h2", {}, `${worker.friendly_name} — `, el("span", { id: "activity" }, worker.activity_name)),
      el("div", {}, ...activities),
      el("h2", { style: "margin-top:12px" }, "Tasks"),
      ...(reservations.length ? reservations : [el("p", { class: "muted" }, "No task for you right now.")])));
  }
}

function renderSupervisor(data) {
  root.replaceChildren();
  for (const ws of data.workspaces) {
    const queues = el("table", {}, el("tr", {}, el("th", {}, "Queue"), el("th", {}, "Waiting"), el("th", {}, "Oldest"),
      el("th", {}, "Available / eligible workers")),
      ...ws.queues.map((q) => el("tr", { "data-queue": q.friendly_name }, el("td", {}, q.friendly_name),
        el("td", {}, q.waiting.length), el("td", {}, q.waiting.length ? `${q.waiting[0].age}s` : "-"),
        el("td", {}, `${q.available_workers} / ${q.eligible_workers}`))));
    const workers = el("table", {}, el("tr", {}, el("th", {}, "Worker"), el("th", {}, "Activity"), el("th", {}, "Tasks"),
      el("th", {}, "In activity for")),
      ...ws.workers.map((w) => el("tr", { "data-worker": w.friendly_name }, el("td", {}, w.friendly_name),
        el("td", {}, w.activity_name), el("td", {}, w.open_reservations), el("td", {}, `${w.since}s`))));
    root.append(el("section", {}, el("h2", {}, ws.friendly_name), queues, el("h2", { style: "margin-top:12px" }, "Workers"), workers));
  }
}

let lastRead = 0;

async function load() {
  if (page === "agent") {
    const data = await api("agent?messages=0");  // the conversations' messages: from their events
    adopt(data);
    renderAgent(data);
    lastRead = Date.now();
  } else renderSupervisor(await api("supervisor"));
}

// One read at a time. A notice (or tick) that comes while a read is under way asks for one more
// read after it: that read may have been answered before the change the notice announces was
// committed, and two reads at once could be answered out of order (an older state drawn last).
let reading = null;
let again = false;
let deferred = false;  // a refresh skipped while the agent types: done when the field loses focus

function typingReply() {
  const active = document.activeElement;
  return Boolean(active && active.dataset && active.dataset.reply);
}

function refresh() {
  if (reading) {
    again = true;
    return reading;
  }
  reading = (async () => {
    do {
      again = false;
      if (typingReply()) {  // no redraw under the agent's cursor
        deferred = true;
        break;
      }
      try {
        await load();
      } catch (error) {
        root.replaceChildren(el("section", {}, "Could not load: " + error.message));
      }
    } while (again);
  })().finally(() => { reading = null; });
  return reading;
}

root.addEventListener("focusout", () => {
  if (!deferred) return;
  deferred = false;
  setTimeout(refresh, 0);  // once the focus has left the reply field
});

function connect() {
  const socket = new WebSocket(`${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws/flex/live${page === "agent" ? "?view=agent" : ""}`);
  const live = document.getElementById("live");
  // (Re)connected: notices sent while the socket was down are lost, so read the state again.
  // Conversations are compared by their last index: a gap is fetched, nothing is re-read whole.
  socket.onopen = () => { liveSocket = socket; live.textContent = "live"; catchUpNow = true; refresh(); };
  socket.onmessage = (event) => {
    let notice = null;
    try { notice = JSON.parse(event.data); } catch (error) { notice = null; }
    if (notice && notice.type === "flex.typing") showTyping(notice.conversation_sid, notice.identity);
    else if (notice && notice.type === "flex.message") {
      if (page === "agent" && typeof notice.conversation_sid === "string") take(notice.conversation_sid, notice.message);
    } else if (notice && (notice.type === "flex.reply" || notice.type === "flex.error")) answered(notice);
    else refresh();
  };
  socket.onclose = () => {
    if (liveSocket === socket) liveSocket = null;
    for (const p of [...sending.values()]) byPost(p);  // their answers will not come: POST them (same id)
    live.textContent = "reconnecting…";
    setTimeout(connect, 2000);
  };
}

// While the agent's socket is live, its events and notices keep the page current: the view is
// re-read on (re)connecting and, as a safety net, once a minute. Without the socket, every 5 s.
// The supervisor page re-reads every 2 s (its ages tick).
const SAFETY_MS = 60000;

function tick() {
  if (page !== "agent") return refresh();
  const live = liveSocket !== null && liveSocket.readyState === WebSocket.OPEN;
  if (!live || Date.now() - lastRead >= SAFETY_MS) refresh();
}

refresh();
connect();
setInterval(tick, page === "agent" ? 5000 : 2000);
