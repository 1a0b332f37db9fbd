/* The chat page: live messages, typing, read state, history scroll-back, and reconnection.
 *
 * Protocol (docs/websocket.md): the socket sends `message` frames in `seq` order, each once per
 * connection. After every (re)connect the page sends `resume {after_seq}` with the highest seq it
 * shows, so the server replays what was missed; then it resends whatever it wrote that the server
 * has not echoed back yet, under the same `client_msg_id`, which the server stores only once.
 * Messages are kept by seq, so a replayed or repeated one is never shown twice.
 */
(function () {
  "use strict";
  var app = window.Cohortis;
  var root = document.querySelector("[data-chat]");
  if (!app || !root) return;

  var t = app.t;
  var conversationId = root.getAttribute("data-chat");
  var me = parseInt(root.getAttribute("data-me"), 10);
  var canSend = root.getAttribute("data-can-send") === "1";
  var othersRead = parseInt(root.getAttribute("data-others-read"), 10) || 0;
  var log = root.querySelector("[data-chat-log]");
  var earlier = root.querySelector("[data-chat-earlier]");
  var start = root.querySelector("[data-chat-start]");
  var typingBox = root.querySelector("[data-chat-typing]");
  var stateBox = root.querySelector("[data-chat-state]");
  var stateText = root.querySelector("[data-chat-state-text]");
  var form = root.querySelector("[data-chat-form]");
  var input = form ? form.querySelector("textarea") : null;
  var initial = JSON.parse(document.getElementById("chat-initial").textContent);
  var lang = document.documentElement.lang;

  var bySeq = new Map(); // seq -> element
  var outbox = new Map(); // client_msg_id -> {body, el, sentAt}
  var firstSeq = null;
  var lastSeq = 0;
  var readSent = initial.my_read_seq || 0;
  var loadingEarlier = false;
  var typingTimer = null;
  var lastTypingSent = 0;

  function newId() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function timeLabel(iso) {
    var date = iso ? new Date(iso) : new Date();
    var now = new Date();
    var sameDay = date.toDateString() === now.toDateString();
    var options = sameDay ? { hour: "2-digit", minute: "2-digit" }
      : { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" };
    return date.toLocaleString(lang, options);
  }

  function nearBottom() {
    return log.scrollHeight - log.scrollTop - log.clientHeight < 120;
  }
  function toBottom() { log.scrollTop = log.scrollHeight; }

  /* Something the two sides did elsewhere (a pilot proposed, an outcome confirmed), in the
   * reader's language, as a line of the timeline rather than a bubble. */
  function eventLine(message) {
    var event = message.event || {};
    var el = document.createElement("p");
    el.className = "chat-event";
    el.setAttribute("data-seq", message.seq);
    el.setAttribute("data-event", event.type || "");
    var who = (message.sender && message.sender.name) || t("someone");
    var names = { startup: event.startup_name, challenge: event.challenge_title };
    var what = t(event.type || "event", names);
    if (what === event.type) what = t("event"); // a kind this page has no sentence for
    var time = document.createElement("time");
    if (message.created_at) time.dateTime = message.created_at;
    time.textContent = timeLabel(message.created_at);
    el.appendChild(document.createTextNode(who + " · " + what + " · "));
    el.appendChild(time);
    return el;
  }

  function bubble(message, pending) {
    if (message.kind === "event") return eventLine(message);
    var mine = message.sender && message.sender.id === me;
    var el = document.createElement("div");
    el.className = "msg" + (mine ? " mine" : "") + (pending ? " pending" : "");
    el.setAttribute("data-sender", message.sender ? message.sender.id : "");
    var who = document.createElement("div");
    who.className = "msg-who";
    var name = (message.sender && message.sender.name) || "";
    var org = message.organization ? message.organization.name : "";
    who.textContent = [name, org].filter(Boolean).join(" · ") || t("someone");
    var body = document.createElement("div");
    body.className = "msg-body";
    body.textContent = message.body; // plain text, never HTML
    var meta = document.createElement("div");
    meta.className = "msg-meta";
    var time = document.createElement("time");
    if (message.created_at) time.dateTime = message.created_at;
    time.textContent = timeLabel(message.created_at);
    var status = document.createElement("span");
    status.className = "msg-status";
    meta.appendChild(time);
    meta.appendChild(status);
    el.appendChild(who);
    el.appendChild(body);
    el.appendChild(meta);
    if (pending) {
      el.setAttribute("data-client-id", message.client_msg_id);
      status.textContent = " · " + t("sending");
    } else {
      el.setAttribute("data-seq", message.seq);
    }
    return el;
  }

  /* Show the sender's name only where the speaker changes. */
  function regroup() {
    var previous = null;
    log.querySelectorAll(".msg, .chat-event").forEach(function (el) {
      if (el.classList.contains("chat-event")) { previous = null; return; }
      var sender = el.getAttribute("data-sender");
      el.querySelector(".msg-who").hidden = previous === sender;
      previous = sender;
    });
  }

  /* "Read" under my latest message the others have read, "Sent" under a later one. */
  function refreshReadState() {
    var mine = log.querySelectorAll(".msg.mine[data-seq]");
    mine.forEach(function (el) { el.querySelector(".msg-status").textContent = ""; });
    var last = mine[mine.length - 1];
    if (!last) return;
    var seq = parseInt(last.getAttribute("data-seq"), 10);
    last.querySelector(".msg-status").textContent = " · " + (seq <= othersRead ? t("read") : t("sent"));
    last.setAttribute("data-read", seq <= othersRead ? "1" : "0");
  }

  function firstPending() { return log.querySelector(".msg.pending"); }

  /* A stored message: shown once, in seq order, before my messages still on their way. */
  function show(message) {
    if (bySeq.has(message.seq)) return false;
    var stick = nearBottom();
    var el = bubble(message, false);
    if (message.sender && message.sender.id === me && outbox.has(message.client_msg_id)) {
      outbox.get(message.client_msg_id).el.remove();
      outbox.delete(message.client_msg_id);
      stick = true;
    }
    if (lastSeq && message.seq < lastSeq) {
      // Older than what is shown (history): put it in its place.
      var next = null;
      bySeq.forEach(function (other, seq) {
        if (seq > message.seq && (!next || seq < parseInt(next.getAttribute("data-seq"), 10))) next = other;
      });
      log.insertBefore(el, next);
    } else {
      log.insertBefore(el, firstPending());
    }
    bySeq.set(message.seq, el);
    lastSeq = Math.max(lastSeq, message.seq);
    if (firstSeq === null || message.seq < firstSeq) firstSeq = message.seq;
    if (stick) toBottom();
    return true;
  }

  function prepend(messages) {
    var ref = log.querySelector(".msg");
    var oldHeight = log.scrollHeight;
    messages.forEach(function (message) {
      if (bySeq.has(message.seq)) return;
      var el = bubble(message, false);
      log.insertBefore(el, ref);
      bySeq.set(message.seq, el);
      if (firstSeq === null || message.seq < firstSeq) firstSeq = message.seq;
      lastSeq = Math.max(lastSeq, message.seq);
    });
    log.scrollTop += log.scrollHeight - oldHeight;
  }

  function setHasMore(hasMore) {
    earlier.hidden = !hasMore;
    start.hidden = hasMore;
  }

  function markRead() {
    if (!canSend || document.visibilityState !== "visible" || lastSeq <= readSent) return;
    if (socket.send({ type: "read", seq: lastSeq })) readSent = lastSeq;
  }

  function setState(live) {
    stateText.textContent = live ? t("online") : t("offline");
    stateBox.querySelector(".live-dot").classList.toggle("is-live", live);
    root.setAttribute("data-connection", live ? "live" : "offline");
  }

  function flushOutbox() {
    outbox.forEach(function (item, clientId) {
      if (socket.send({ type: "send", client_msg_id: clientId, body: item.body })) {
        item.sentAt = Date.now();
      }
    });
  }

  function showTyping(user) {
    typingBox.textContent = t("typing", { name: (user && user.name) || t("someone") });
    clearTimeout(typingTimer);
    typingTimer = setTimeout(function () { typingBox.textContent = ""; }, 3500);
  }

  function onFrame(frame) {
    switch (frame.type) {
      case "message":
        if (show(frame.message)) {
          regroup();
          refreshReadState();
          if (frame.message.sender && frame.message.sender.id !== me) {
            typingBox.textContent = "";
            markRead();
          }
        }
        break;
      case "resumed":
        root.setAttribute("data-resumed", String(frame.last_seq));
        flushOutbox();
        markRead();
        break;
      case "ack":
        var item = outbox.get(frame.client_msg_id);
        if (item) item.acked = true;
        break;
      case "typing":
        if (frame.user && frame.user.id !== me) showTyping(frame.user);
        break;
      case "read":
        if (frame.user !== me && frame.seq > othersRead) {
          othersRead = frame.seq;
          refreshReadState();
        }
        break;
      case "error":
        var failed = frame.client_msg_id && outbox.get(frame.client_msg_id);
        if (failed) {
          if (frame.error && frame.error.code === "rate_limited") {
            failed.el.querySelector(".msg-status").textContent = " · " + t("failed");
            setTimeout(flushOutbox, 5000);
          } else {
            failed.el.remove();
            outbox.delete(frame.client_msg_id);
            app.toast((frame.error && frame.error.message) || t("error"));
          }
        }
        break;
    }
  }

  var socket = app.liveSocket("/ws/chat/" + conversationId + "/", {
    onopen: function () {
      setState(true);
      socket.send({ type: "resume", after_seq: lastSeq });
    },
    onclose: function () { setState(false); },
    onframe: onFrame,
  });
  window.Cohortis.chat = socket;

  // Messages I wrote and that were not echoed back in a while: send again (same id, stored once).
  setInterval(function () {
    if (!socket.isOpen()) return;
    var now = Date.now();
    outbox.forEach(function (item, clientId) {
      if (!item.sentAt || now - item.sentAt > 8000) {
        if (socket.send({ type: "send", client_msg_id: clientId, body: item.body })) item.sentAt = now;
      }
    });
  }, 2000);

  // The page's own chat: its notifications are already on screen.
  document.addEventListener("cohortis:notification", function (event) {
    var detail = event.detail || {};
    if (detail.type === "message.new" && String(detail.conversation) === conversationId) {
      event.preventDefault();
    }
  });

  document.addEventListener("visibilitychange", markRead);

  earlier.addEventListener("click", loadEarlier);
  log.addEventListener("scroll", function () {
    if (log.scrollTop < 40 && !earlier.hidden) loadEarlier();
  });

  function loadEarlier() {
    if (loadingEarlier || firstSeq === null) return;
    loadingEarlier = true;
    earlier.setAttribute("aria-busy", "true");
    fetch("/api/conversations/" + conversationId + "/messages/?limit=50&before_seq=" + firstSeq, {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (response) {
        if (!response.ok) throw new Error("history " + response.status);
        return response.json();
      })
      .then(function (page) {
        prepend(page.results);
        setHasMore(page.has_more);
        regroup();
        refreshReadState();
      })
      .catch(function () { app.toast(t("error")); })
      .finally(function () {
        loadingEarlier = false;
        earlier.removeAttribute("aria-busy");
      });
  }

  if (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var body = input.value.trim();
      if (!body) return;
      var clientId = newId();
      var el = bubble({ body: body, client_msg_id: clientId, sender: { id: me, name: "" } }, true);
      log.appendChild(el);
      outbox.set(clientId, { body: body, el: el, sentAt: 0 });
      if (socket.send({ type: "send", client_msg_id: clientId, body: body })) {
        outbox.get(clientId).sentAt = Date.now();
      }
      input.value = "";
      input.style.height = "";
      regroup();
      toBottom();
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        form.requestSubmit();
      }
    });
    input.addEventListener("input", function () {
      input.style.height = "";
      input.style.height = Math.min(input.scrollHeight, 160) + "px";
      var now = Date.now();
      if (input.value && now - lastTypingSent > 2000 && socket.send({ type: "typing" })) {
        lastTypingSent = now;
      }
    });
  }

  initial.messages.forEach(show);
  setHasMore(initial.has_more);
  regroup();
  refreshReadState();
  toBottom();
  setState(false);
})();
