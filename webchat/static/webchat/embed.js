/* The embeddable web chat: one <script src=".../webchat/embed.js" data-key="CV…" data-flow="FW…">
 * tag puts a launcher on any page. A visitor fills the pre-engagement form, gets a chat of their
 * own (a conversation with the flow) and talks over a WebSocket; the flow's and then an agent's
 * replies arrive live. The chat survives reloads and dropped connections: the page keeps its
 * token and the last message index it showed, reconnects with both, and resends what was not
 * acknowledged (the server never doubles a resent message). Every text is shown as text. */
(function () {
  "use strict";
  var script = document.currentScript || document.querySelector('script[src*="/webchat/embed.js"][data-key]');
  if (!script) return;
  var base = new URL(script.src, location.href).origin;
  var key = script.getAttribute("data-key") || "";
  var flow = script.getAttribute("data-flow") || "";
  var title = script.getAttribute("data-title") || "Chat with us";
  var botName = script.getAttribute("data-bot-name") || "Assistant";
  var storeKey = "studio-webchat:" + key + ":" + flow;

  function load() { try { return JSON.parse(localStorage.getItem(storeKey) || "null"); } catch (e) { return null; } }
  function save() { try { localStorage.setItem(storeKey, JSON.stringify(chat)); } catch (e) { /* private mode */ } }
  function forget() { chat = null; try { localStorage.removeItem(storeKey); } catch (e) { /* private mode */ } }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) { node.setAttribute(name, attrs[name]); });
    (children || []).forEach(function (child) {
      node.append(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  var host = el("div", { "data-studio-webchat": "" });
  var root = host.attachShadow({ mode: "open" });
  root.append(el("link", { rel: "stylesheet", href: base + "/webchat/embed.css" }));
  var launcher = el("button", { type: "button", class: "launcher", "data-webchat": "launcher", "aria-label": title }, [title]);
  var status = el("span", { class: "status", "data-webchat": "status" }, [""]);
  var closeButton = el("button", { type: "button", class: "close", "aria-label": "Close" }, ["\u00d7"]);
  var nameInput = el("input", { "data-webchat": "name", maxlength: "64", autocomplete: "name" });
  var questionInput = el("textarea", { "data-webchat": "question", maxlength: "1600", rows: "3" });
  var form = el("form", { class: "form", "data-webchat": "form" }, [
    el("label", {}, ["Your name", nameInput]),
    el("label", {}, ["How can we help?", questionInput]),
    el("button", { type: "submit", "data-webchat": "start" }, ["Start chat"]),
  ]);
  var list = el("div", { class: "messages", "data-webchat": "messages", "aria-live": "polite" });
  var typing = el("div", { class: "typing", "data-webchat": "typing", hidden: "" }, [""]);
  var errorLine = el("div", { class: "error", "data-webchat": "error", hidden: "" }, [""]);
  var input = el("input", { "data-webchat": "input", maxlength: "1600", placeholder: "Type a message" });
  var composer = el("form", { class: "composer" }, [input, el("button", { type: "submit", "data-webchat": "send" }, ["Send"])]);
  var restart = el("button", { type: "button", "data-webchat": "restart" }, ["Start a new chat"]);
  var ended = el("div", { class: "ended", "data-webchat": "ended", hidden: "" }, ["This chat has ended. ", restart]);
  var panel = el("section", { class: "panel", "data-webchat": "panel", hidden: "" }, [
    el("header", {}, [el("strong", {}, [title]), status, closeButton]),
    form, list, typing, errorLine, ended, composer,
  ]);
  root.append(launcher, panel);

  var chat = load();           // {conversation_sid, identity, token, socket_path, last, outbox}
  var socket = null;
  var retry = 500;
  var typingTimer = null;
  var lastTyping = 0;

  function setStatus(text) { status.textContent = text; status.setAttribute("data-state", text); }

  function showError(text) {
    errorLine.textContent = text;
    errorLine.hidden = !text;
  }

  function layout() {
    var open = !!chat;
    form.hidden = open;
    list.hidden = !open;
    composer.hidden = !open || chat.closed;
    ended.hidden = !open || !chat.closed;
  }

  function authorLabel(author) {
    if (chat && author === chat.identity) return "You";
    if (author === "system") return botName;
    return author;
  }

  function bubble(message, pending) {
    var mine = chat && message.author === chat.identity;
    var node = el("div", {
      class: "msg " + (mine ? "mine" : "theirs"),
      "data-message": mine ? "visitor" : (message.author === "system" ? "bot" : "agent"),
      "data-author": message.author || "",
    }, [el("span", { class: "who" }, [authorLabel(message.author)]), el("span", { class: "body" }, [message.body || ""])]);
    (message.media || []).forEach(function (item) {
      if (item && typeof item.url === "string" && /^https?:\/\//.test(item.url)) {
        node.append(el("a", { href: item.url, target: "_blank", rel: "noopener noreferrer" }, [item.filename || "attachment"]));
      }
    });
    if (pending) node.setAttribute("data-pending", pending);
    else node.setAttribute("data-index", String(message.index));
    return node;
  }

  function clientIdOf(message) {
    try { return JSON.parse(message.attributes || "{}").clientId || ""; } catch (e) { return ""; }
  }

  function shown(index) {
    return list.querySelector('[data-index="' + index + '"]');
  }

  // Messages can arrive out of order (two web processes push them): each is drawn once, in index
  // order, and chat.last (where a reconnect's history starts) moves only over an unbroken run of
  // indexes, so a message still on its way when the socket drops comes with the history.
  function show(message) {
    if (typeof message.index !== "number" || message.index <= chat.last || shown(message.index)) return;
    var cid = message.author === chat.identity ? clientIdOf(message) : "";
    var waiting = cid && list.querySelector('[data-pending="' + cid + '"]');
    var node = bubble(message, "");
    var later = null;
    list.querySelectorAll("[data-index]").forEach(function (n) {
      if (!later && Number(n.getAttribute("data-index")) > message.index) later = n;
    });
    if (waiting && !later) waiting.replaceWith(node);
    else {
      if (waiting) waiting.remove();
      if (later) list.insertBefore(node, later); else list.append(node);
    }
    while (shown(chat.last + 1)) chat.last += 1;
    if (cid) chat.outbox = chat.outbox.filter(function (m) { return m.client_id !== cid; });
    save();
    if (message.author !== chat.identity) typing.hidden = true;
    list.scrollTop = list.scrollHeight;
  }

  function closed() {
    chat.closed = true;
    save();
    layout();
    setStatus("closed");
  }

  function send(frame) {
    if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(frame));
  }

  function connect() {
    if (!chat || chat.closed) return;
    var url = base.replace(/^http/, "ws") + chat.socket_path + "?token=" + encodeURIComponent(chat.token) + "&since=" + chat.last;
    setStatus(socket ? "reconnecting" : "connecting");
    var ws = new WebSocket(url);
    socket = ws;
    ws.onopen = function () {
      retry = 500;
      setStatus("live");
      chat.outbox.forEach(function (m) { send({ type: "message", body: m.body, client_id: m.client_id }); });
    };
    ws.onmessage = function (event) {
      var frame;
      try { frame = JSON.parse(event.data); } catch (e) { return; }
      if (frame.type === "history") {
        (frame.messages || []).forEach(show);
        // The history is every message after `since`: none older is still to come.
        (frame.messages || []).forEach(function (m) {
          if (typeof m.index === "number" && m.index > chat.last) chat.last = m.index;
        });
        save();
        if (frame.state === "closed") closed();
      } else if (frame.type === "message" && frame.message) {
        show(frame.message);
      } else if (frame.type === "state") {
        if (frame.state === "closed") closed();
      } else if (frame.type === "typing") {
        typing.textContent = authorLabel(frame.identity) + " is typing\u2026";
        typing.hidden = false;
        clearTimeout(typingTimer);
        typingTimer = setTimeout(function () { typing.hidden = true; }, 3000);
      } else if (frame.type === "error") {
        showError(frame.message || "Something went wrong");
        if (frame.client_id) {
          chat.outbox = chat.outbox.filter(function (m) { return m.client_id !== frame.client_id; });
          var failed = list.querySelector('[data-pending="' + frame.client_id + '"]');
          if (failed) failed.setAttribute("data-failed", "true");
          save();
        }
      }
    };
    ws.onclose = function (event) {
      if (socket !== ws) return;
      if (event.code === 4403 || event.code === 4404) { forget(); list.replaceChildren(); layout(); setStatus(""); return; }
      if (chat && chat.closed) return;
      setStatus("reconnecting");
      setTimeout(connect, retry);
      retry = Math.min(retry * 2, 10000);
    };
  }

  function start(event) {
    event.preventDefault();
    showError("");
    var button = form.querySelector("button");
    button.disabled = true;
    fetch(base + "/webchat/v1/sessions", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ key: key, flow: flow, friendlyName: nameInput.value, question: questionInput.value, location: location.href }),
    }).then(function (response) {
      return response.json().then(function (body) { return { ok: response.ok, body: body }; });
    }).then(function (result) {
      button.disabled = false;
      if (!result.ok) { showError(result.body.message || "The chat could not start"); return; }
      chat = { conversation_sid: result.body.conversation_sid, identity: result.body.identity, token: result.body.token,
               socket_path: result.body.socket_path, last: -1, outbox: [], closed: false };
      save();
      list.replaceChildren();
      layout();
      connect();
      input.focus();
    }).catch(function () { button.disabled = false; showError("The chat could not start: no connection"); });
  }

  function submit(event) {
    event.preventDefault();
    var body = input.value.trim();
    if (!body || !chat) return;
    var cid = "c" + Date.now().toString(36) + Math.random().toString(36).slice(2, 10);
    chat.outbox.push({ client_id: cid, body: body });
    save();
    list.append(bubble({ author: chat.identity, body: body }, cid));
    list.scrollTop = list.scrollHeight;
    input.value = "";
    showError("");
    lastTyping = 0;  // the first keystroke of the next message is announced at once
    send({ type: "message", body: body, client_id: cid });
  }

  launcher.addEventListener("click", function () {
    panel.hidden = !panel.hidden;
    if (!panel.hidden && chat && !socket) connect();
  });
  closeButton.addEventListener("click", function () { panel.hidden = true; });
  form.addEventListener("submit", start);
  composer.addEventListener("submit", submit);
  input.addEventListener("input", function () {
    var now = Date.now();
    if (now - lastTyping > 2000) { lastTyping = now; send({ type: "typing" }); }
  });
  restart.addEventListener("click", function () {
    if (socket) { var old = socket; socket = null; old.close(); }
    forget();
    list.replaceChildren();
    layout();
    setStatus("");
  });

  layout();
  if (chat) {  // a reload: the chat goes on where it was, messages from the start redrawn
    chat.last = -1;
    chat.outbox = chat.outbox || [];
    chat.outbox.forEach(function (m) { list.append(bubble({ author: chat.identity, body: m.body }, m.client_id)); });
  }
  (document.body || document.documentElement).append(host);
})();
