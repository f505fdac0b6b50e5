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
  const input = el("input", { type: "text", placeholder: "Reply to the contact…", "data-reply": r.sid, style: "width:60%" });
  input.value = drafts[r.sid] || "";
  input.addEventListener("input", () => {
    drafts[r.sid] = input.value;
    const now = Date.now();  // a conversation's visitor sees "typing…" (at most one notice per 2 s)
    if (r.conversation && now - (typedAt[r.sid] || 0) > 2000) {
      typedAt[r.sid] = now;
      api(`agent/${worker.sid}/reservations/${r.sid}/typing`, {}).catch(() => {});
    }
  });
  const send = () => {
    if (!input.value.trim()) return;
    api(`agent/${worker.sid}/reservations/${r.sid}/messages`, { body: input.value }).then(() => {
      drafts[r.sid] = "";
      refresh();
    }, alert);
  };
  input.addEventListener("keydown", (event) => { if (event.key === "Enter") send(); });
  const lines = r.messages.map((m) => el("div", { class: "message " + m.direction, "data-message": m.direction },
    el("span", { class: "muted" }, m.direction === "inbound" ? "contact: " : "you/flow: "), m.body));
  const sid = (r.task.attributes || {}).conversationSid || "";
  if (sid && r.task.attributes.name) contactNames[sid] = String(r.task.attributes.name);
  return el("div", { class: "conversation" }, ...lines,
    el("div", { class: "muted typing", "data-typing": sid }, typingText(sid)),
    el("div", { style: "margin:6px 0" }, input, el("button", { onclick: send, "data-action": "send" }, "Send")));
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

async function load() {
  if (page === "agent") renderAgent(await api("agent"));
  else renderSupervisor(await api("supervisor"));
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
  socket.onopen = () => { live.textContent = "live"; refresh(); };
  socket.onmessage = (event) => {
    let notice = null;
    try { notice = JSON.parse(event.data); } catch (error) { notice = null; }
    if (notice && notice.type === "flex.typing") showTyping(notice.conversation_sid, notice.identity);
    else refresh();
  };
  socket.onclose = () => { live.textContent = "reconnecting…"; setTimeout(connect, 2000); };
}

refresh();
connect();
setInterval(refresh, page === "agent" ? 5000 : 2000); // ages tick; a lost notice costs one period
