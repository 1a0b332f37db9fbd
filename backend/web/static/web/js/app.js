/* Every page: the language switch, the live notification socket and badge, toasts.
 *
 * The socket (/ws/notifications/, see docs/websocket.md) sends {"type": "notification",
 * "event": {...}}. Each event is first offered to the page as a cancelable
 * `cohortis:notification` DOM event; a page that shows it in place (a chat already open,
 * a match list that inserts the card) cancels it, and then it adds no badge and no toast.
 */
(function () {
  "use strict";

  var strings = {};
  try {
    strings = JSON.parse(document.getElementById("js-strings").textContent);
  } catch (e) { /* no strings: keys are shown */ }

  function t(key, values) {
    var text = strings[key] || key;
    if (values) {
      text = text.replace(/%\((\w+)\)s/g, function (_, name) {
        return values[name] == null ? "" : String(values[name]);
      });
    }
    return text;
  }

  function toast(text, href) {
    var box = document.querySelector("[data-toasts]");
    if (!box) return;
    var item = document.createElement("div");
    item.className = "toast";
    if (href) {
      var link = document.createElement("a");
      link.href = href;
      link.textContent = text;
      item.appendChild(link);
    } else {
      item.textContent = text;
    }
    box.appendChild(item);
    setTimeout(function () { item.remove(); }, 6000);
  }

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    if (input) return input.value;
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function socketUrl(path) {
    var scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
    return scheme + "//" + window.location.host + path;
  }

  /* A socket that reconnects with growing pauses; `onopen` runs after every (re)connect. */
  function liveSocket(path, handlers) {
    var socket = null;
    var attempt = 0;
    var stopped = false;
    var holdUntil = 0;
    var timer = null;

    function connect() {
      timer = null;
      if (stopped) return;
      var wait = holdUntil - Date.now();
      if (wait > 0) {
        timer = setTimeout(connect, wait);
        return;
      }
      socket = new WebSocket(socketUrl(path));
      socket.onopen = function () {
        attempt = 0;
        if (handlers.onopen) handlers.onopen();
      };
      socket.onmessage = function (message) {
        var frame;
        try { frame = JSON.parse(message.data); } catch (e) { return; }
        if (handlers.onframe) handlers.onframe(frame);
      };
      socket.onclose = function (event) {
        socket = null;
        if (handlers.onclose) handlers.onclose(event);
        // 4401/4403/4404: refused for good (signed out, not allowed, not found).
        if (stopped || (event.code >= 4400 && event.code < 4500)) return;
        attempt += 1;
        var delay = Math.min(10000, 400 * Math.pow(2, attempt - 1)) + Math.random() * 300;
        timer = setTimeout(connect, delay);
      };
    }

    connect();
    return {
      send: function (frame) {
        if (socket && socket.readyState === WebSocket.OPEN) {
          socket.send(JSON.stringify(frame));
          return true;
        }
        return false;
      },
      isOpen: function () { return !!socket && socket.readyState === WebSocket.OPEN; },
      /* Drop the connection as a network failure would, staying away for `holdMs`. */
      drop: function (holdMs) {
        holdUntil = Date.now() + (holdMs || 0);
        if (socket) socket.close();
      },
      stop: function () {
        stopped = true;
        if (timer) clearTimeout(timer);
        if (socket) socket.close();
      },
    };
  }

  window.Cohortis = { t: t, toast: toast, csrfToken: csrfToken, liveSocket: liveSocket };

  /* -- language switch: submit on change, keeping what a form on the page holds ------------ */
  // The switch reloads the page; what was typed into a form marked data-keep-on-language comes
  // back in the new language (for this tab only: sessionStorage; never a password). A form that
  // the server had refused, switched untouched, is sent again, so its errors come back too, now
  // in the new language (the same values meet the same errors: nothing is saved).
  var draftKey = "cohortis.draft." + location.pathname;
  var keptForm = document.querySelector("form[data-keep-on-language]");

  function formValues(form) {
    var values = [];
    Array.prototype.forEach.call(form.elements, function (field) {
      if (!field.name || field.disabled || field.type === "password" || field.type === "file" ||
          field.name === "csrfmiddlewaretoken") return;
      if ((field.type === "checkbox" || field.type === "radio") && !field.checked) return;
      if (field.tagName === "SELECT" && field.multiple) {
        Array.prototype.forEach.call(field.selectedOptions, function (option) {
          values.push([field.name, option.value]);
        });
      } else {
        values.push([field.name, field.value]);
      }
    });
    return values;
  }

  var refused = keptForm && document.querySelector("[data-form-alert]") ? JSON.stringify(formValues(keptForm)) : null;
  document.querySelectorAll("[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () {
      if (keptForm && select.form.hasAttribute("data-lang-form")) {
        var values = formValues(keptForm);
        var draft = { values: values, resend: refused !== null && refused === JSON.stringify(values) };
        try { sessionStorage.setItem(draftKey, JSON.stringify(draft)); } catch (e) { /* full */ }
      }
      select.form.submit();
    });
  });
  var draft = null;
  try { draft = JSON.parse(sessionStorage.getItem(draftKey) || "null"); } catch (e) { draft = null; }
  if (draft && draft.values && keptForm) {
    sessionStorage.removeItem(draftKey);
    var byName = {};
    draft.values.forEach(function (pair) { (byName[pair[0]] = byName[pair[0]] || []).push(pair[1]); });
    Array.prototype.forEach.call(keptForm.elements, function (field) {
      if (!field.name || !(field.name in byName) || field.type === "hidden") return;
      if (field.type === "checkbox" || field.type === "radio") {
        field.checked = byName[field.name].indexOf(field.value) !== -1;
      } else {
        field.value = byName[field.name][0];
      }
      field.dispatchEvent(new Event("input", { bubbles: true }));
    });
    if (draft.resend) {
      // The button it was sent with (a form may have several: draft, publish), else its first.
      var button = keptForm.querySelector("button[data-resend]") ||
        keptForm.querySelector("button[type=submit]");
      keptForm.requestSubmit(button || undefined);
    }
  }

  /* -- panels folded on a phone, open where there is room beside the content --------------- */
  if (window.matchMedia("(min-width: 861px)").matches) {
    document.querySelectorAll("details[data-open-wide]").forEach(function (panel) { panel.open = true; });
  }

  /* -- a form with errors: move focus to its alert so a screen reader hears it ------------- */
  var alertBox = document.querySelector("[data-form-alert]");
  if (alertBox) {
    var firstBad = document.querySelector(".has-error input, .has-error select, .has-error textarea");
    (firstBad || alertBox).focus();
  }

  /* -- notifications ------------------------------------------------------------------------- */
  var root = document.querySelector("[data-notify]");
  if (!root) return;
  var userId = document.body.getAttribute("data-user");
  var storeKey = "cohortis.notifications." + userId;
  var badge = root.querySelector("[data-notify-badge]");
  var toggle = root.querySelector("[data-notify-toggle]");
  var panel = root.querySelector("[data-notify-panel]");
  var list = root.querySelector("[data-notify-list]");
  var liveState = root.querySelector("[data-live-state]");

  // The bell lists the server's stored notifications (`/api/notifications/`, read after every
  // (re)connect, so nothing sent while the socket was down is missed) and keeps the latest in
  // localStorage, so every tab shows the same list. Live events carry the stored `id`, so a
  // replayed one and its live copy are one item. Chat messages are not in the bell: they toast
  // and count on the Conversations link.
  function load() {
    try {
      return JSON.parse(localStorage.getItem(storeKey)) || { unseen: 0, items: [] };
    } catch (e) {
      return { unseen: 0, items: [] };
    }
  }
  function save(state) {
    try { localStorage.setItem(storeKey, JSON.stringify(state)); } catch (e) { /* full */ }
  }
  function itemOf(event, at) {
    return { id: event.id, text: describe(event), href: linkFor(event), at: at, type: event.type };
  }
  function postSeen(body) {
    return fetch("/api/notifications/seen/", {
      method: "POST",
      credentials: "same-origin",
      headers: {
        Accept: "application/json",
        "Content-Type": "application/json",
        "X-CSRFToken": csrfToken(),
      },
      body: JSON.stringify(body),
    }).then(function (response) { return response.ok ? response.json() : null; })
      .catch(function () { return null; });
  }
  function catchUp() {
    fetch("/api/notifications/?limit=20", {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    }).then(function (response) {
      if (!response.ok) throw new Error(String(response.status));
      return response.json();
    }).then(function (page) {
      state = {
        unseen: page.unseen,
        items: page.results.map(function (row) {
          return itemOf(Object.assign({ id: row.id }, row.event), Date.parse(row.created_at));
        }),
      };
      save(state);
      render(state);
    }).catch(function () { /* offline: the next reconnect tries again */ });
  }

  function linkFor(event) {
    var kind = document.body.getAttribute("data-kind");
    if (event.type === "message.new" || event.type === "conversation.opened" ||
        event.type === "conversation.invited") {
      return "/conversations/" + event.conversation + "/";
    }
    if (/^(pilot|outcome)\./.test(event.type || "") && event.conversation) {
      return "/conversations/" + event.conversation + "/";
    }
    if (event.type === "cohort.invited") return "/invitations/";
    if (event.type === "review.assigned") return "/matches/" + event.match + "/review/";
    if (event.type && event.type.indexOf("match.") === 0) {
      if (event.status === "connected") return "/conversations/";
      return kind === "startup" ? "/challenges/" + event.challenge + "/"
        : "/challenges/" + event.challenge + "/matches/";
    }
    return "/";
  }

  function describe(event) {
    var values = {
      startup: event.startup_name,
      challenge: event.challenge_title,
      cohort_name: event.cohort_name,
    };
    if (event.type === "message.new") {
      var who = (event.organization && event.organization.name) || (event.sender && event.sender.name);
      return (who ? who + ": " : "") + (event.preview || t("message.new"));
    }
    return strings[event.type] ? t(event.type, values) : t("event");
  }

  function render(state) {
    if (state.unseen > 0) {
      badge.hidden = false;
      badge.textContent = state.unseen > 99 ? "99+" : String(state.unseen);
    } else {
      badge.hidden = true;
      badge.textContent = "";
    }
    list.textContent = "";
    if (!state.items.length) {
      var empty = document.createElement("li");
      empty.className = "muted";
      empty.textContent = t("no_events");
      list.appendChild(empty);
      return;
    }
    state.items.forEach(function (item) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = item.href;
      a.textContent = item.text;
      var time = document.createElement("time");
      time.dateTime = new Date(item.at).toISOString();
      time.textContent = new Date(item.at).toLocaleTimeString(document.documentElement.lang, {
        hour: "2-digit", minute: "2-digit",
      });
      a.appendChild(time);
      li.appendChild(a);
      list.appendChild(li);
    });
  }

  var state = load();
  render(state);
  // Signing out forgets this user's notifications on this browser.
  document.querySelectorAll("form[data-sign-out]").forEach(function (form) {
    form.addEventListener("submit", function () { localStorage.removeItem(storeKey); });
  });
  window.addEventListener("storage", function (event) {
    if (event.key === storeKey) {
      state = load();
      render(state);
    }
  });

  toggle.addEventListener("click", function () {
    var open = panel.hidden;
    panel.hidden = !open;
    toggle.setAttribute("aria-expanded", String(open));
    if (open && state.unseen > 0) {
      var newest = state.items.length ? state.items[0].id : 0;
      state.unseen = 0;
      save(state);
      render(state);
      postSeen({ up_to: newest }).then(function (answer) {
        if (answer && answer.unseen !== state.unseen) catchUp();
      });
    }
  });
  document.addEventListener("click", function (event) {
    if (!panel.hidden && !root.contains(event.target)) {
      panel.hidden = true;
      toggle.setAttribute("aria-expanded", "false");
    }
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && !panel.hidden) {
      panel.hidden = true;
      toggle.setAttribute("aria-expanded", "false");
      toggle.focus();
    }
  });

  function receive(event) {
    var offered = new CustomEvent("cohortis:notification", { detail: event, cancelable: true });
    var shownInPage = !document.dispatchEvent(offered);
    // Where matching stands is for the page that waits on it; the proposals are notified.
    if (event.type === "matching.status") return;
    // No toast for what this user did themselves (their page said so), nor for the
    // conversation a connection opens (the connection's own toast links to it).
    var quiet = String(event.by) === userId || event.type === "conversation.opened";
    if (!shownInPage && !quiet) toast(describe(event), linkFor(event));
    if (event.type === "message.new") {
      if (!shownInPage) {
        var total = document.querySelector("[data-unread-total]");
        if (total) {
          total.textContent = String((parseInt(total.textContent, 10) || 0) + 1);
          total.hidden = false;
        }
      }
      return;
    }
    state = load();
    if (state.items.some(function (item) { return item.id === event.id; })) return;
    state.items.unshift(itemOf(event, Date.now()));
    state.items = state.items.slice(0, 20);
    if (shownInPage) {
      postSeen({ ids: [event.id] });  // the page showed it in place: nothing new for the bell
    } else {
      state.unseen += 1;
    }
    save(state);
    render(state);
  }

  window.Cohortis.notifications = liveSocket("/ws/notifications/", {
    onopen: function () {
      catchUp();
      liveState.classList.add("is-live");
      liveState.title = t("online");
      document.body.setAttribute("data-notifications", "live");
    },
    onclose: function () {
      liveState.classList.remove("is-live");
      liveState.title = t("offline");
      document.body.setAttribute("data-notifications", "offline");
    },
    onframe: function (frame) {
      if (frame.type === "notification" && frame.event) receive(frame.event);
    },
  });
})();
