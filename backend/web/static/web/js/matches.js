/* Match lists: answer a match in place, and show new or changed matches without reloading. */
(function () {
  "use strict";
  var app = window.Cohortis;
  if (!app) return;

  function replaceCard(id, html) {
    var old = document.getElementById("match-" + id);
    if (!old) return null;
    var holder = document.createElement("div");
    holder.innerHTML = html.trim();
    var card = holder.firstElementChild;
    // The tab this card is counted under, for `settle`.
    if (old.hasAttribute("data-listed")) card.setAttribute("data-listed", old.getAttribute("data-listed"));
    old.replaceWith(card);
    foldEvidence(card);
    return card;
  }

  var userId = document.body.getAttribute("data-user");

  // On a phone each card shows its best evidence pair and folds the others (one tap opens
  // them), so a list of twenty cards stays a list rather than pages of sentences.
  var phone = window.matchMedia("(max-width: 640px)");
  function foldEvidence(root) {
    if (!phone.matches || !root) return;
    root.querySelectorAll("details[data-more-evidence]").forEach(function (more) { more.open = false; });
  }
  foldEvidence(document);

  function bump(tab, delta) {
    var count = document.querySelector('[data-tab-count="' + tab + '"]');
    if (count) count.textContent = String(Math.max(0, (parseInt(count.textContent, 10) || 0) + delta));
  }

  /* A card whose match now belongs under another tab: both tabs' counts follow, and the card
     leaves the list (declined, or open again after a decline was taken back), except a
     connected one, as its conversation is the next step; true when the card stays. */
  function settle(card, tab) {
    var list = card && card.closest("[data-match-list]");
    var here = list && list.getAttribute("data-tab");
    if (!here || !tab) return true;
    var counted = card.getAttribute("data-listed") || here;
    if (counted !== tab) {
      bump(counted, -1);
      bump(tab, 1);
    }
    card.setAttribute("data-listed", tab);
    if (tab === here || tab === "connected") return true;
    var next = card.nextElementSibling || card.previousElementSibling;
    card.remove();
    if (!list.querySelector("[data-match]")) {
      var empty = document.createElement("div");
      empty.className = "empty card";
      empty.setAttribute("data-empty", "");
      empty.innerHTML = "<p></p>";
      empty.firstChild.textContent = app.t("tab_empty");
      list.appendChild(empty);
      next = empty;
    }
    if (next) {
      next.setAttribute("tabindex", "-1");
      next.focus();
    }
    return false;
  }

  /* Interested / Not for us: posted in the background, the card redrawn from the answer. */
  document.addEventListener("submit", function (event) {
    var form = event.target.closest("form[data-match-action]");
    if (!form) return;
    event.preventDefault();
    var button = form.querySelector("button[type=submit]");
    if (button) button.setAttribute("aria-busy", "true");
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRFToken": app.csrfToken() },
    })
      .then(function (response) {
        return response.json().then(function (body) { return { ok: response.ok, body: body }; });
      })
      .then(function (result) {
        if (!result.ok) {
          app.toast((result.body.error && result.body.error.message) || app.t("error"));
          if (button) button.removeAttribute("aria-busy");
          return;
        }
        var card = replaceCard(result.body.id, result.body.html);
        if (card) card.classList.remove("is-fresh");
        var stays = settle(card, result.body.tab);
        app.toast(result.body.message);
        if (!stays) return;
        var focusTarget = card && card.querySelector(".match-actions a, .match-actions button, .match-state");
        if (focusTarget) focusTarget.setAttribute("tabindex", focusTarget.getAttribute("tabindex") || "-1");
        if (focusTarget) focusTarget.focus();
      })
      .catch(function () {
        if (button) button.removeAttribute("aria-busy");
        app.toast(app.t("error"));
      });
  });

  var list = document.querySelector("[data-match-list]");
  if (!list) return;
  var challengeId = list.getAttribute("data-challenge");

  function fetchCard(matchId) {
    return fetch("/matches/" + matchId + "/card/", {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    }).then(function (response) {
      if (!response.ok) throw new Error("card " + response.status);
      return response.json();
    });
  }

  function insertCard(data) {
    var holder = document.createElement("div");
    holder.innerHTML = data.html.trim();
    var card = holder.firstElementChild;
    var empty = list.querySelector("[data-empty]");
    if (empty) empty.remove();
    var before = null;
    if (challengeId) {
      // A firm's list is in rank order.
      list.querySelectorAll("[data-match]").forEach(function (other) {
        if (!before && parseInt(other.getAttribute("data-rank"), 10) > data.rank) before = other;
      });
    } else {
      before = list.firstElementChild;
    }
    if (document.getElementById(card.id)) return; // two events raced for one card
    list.insertBefore(card, before);
    foldEvidence(card);
    // A proposal is open: the tab's count follows the list without a reload.
    var open = document.querySelector('[data-tab-count="open"]');
    if (open) open.textContent = String((parseInt(open.textContent, 10) || 0) + 1);
  }

  // "Finding startups..." until the indexer reports; then gone, or a failure with a retry.
  document.addEventListener("cohortis:notification", function (event) {
    var detail = event.detail || {};
    if (detail.type !== "matching.status") return;
    var box = document.querySelector("[data-matching-status]");
    if (!box || box.getAttribute("data-side") !== detail.side) return;
    if (box.getAttribute("data-document") !== String(detail.document)) return;
    event.preventDefault();
    box.setAttribute("data-state", detail.status);
    box.querySelectorAll("[data-when]").forEach(function (part) {
      part.hidden = part.getAttribute("data-when") !== detail.status;
    });
    box.hidden = detail.status === "ready" && detail.proposals > 0;
  });

  document.addEventListener("cohortis:notification", function (event) {
    var detail = event.detail || {};
    if (!detail.type || detail.type.indexOf("match.") !== 0) return;
    if (challengeId && String(detail.challenge) !== challengeId) return;
    var present = document.getElementById("match-" + detail.match);
    if (detail.type === "match.proposed" || detail.type === "match.applied") {
      if (present || list.getAttribute("data-live") !== "1") return;
      event.preventDefault();
      fetchCard(detail.match).then(insertCard).catch(function () { /* shown on next visit */ });
    } else if (present) {
      event.preventDefault();
      fetchCard(detail.match).then(function (data) {
        var card = replaceCard(data.id, data.html);
        if (card) card.classList.remove("is-fresh");
        settle(card, data.tab);
      }).catch(function () {});
      // What this user did, this page (or another of theirs) already said.
      if (String(detail.by) !== userId) {
        app.toast(app.t(detail.type, { startup: detail.startup_name, challenge: detail.challenge_title }));
      }
    }
  });
})();
