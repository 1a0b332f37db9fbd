/* The conversation list: a new message moves its conversation to the top, with its preview and
 * one more unread, without reloading. */
(function () {
  "use strict";
  var list = document.querySelector("[data-convo-list]");
  if (!list || !window.Cohortis) return;

  document.addEventListener("cohortis:notification", function (event) {
    var detail = event.detail || {};
    if (detail.type !== "message.new") return;
    var item = list.querySelector('[data-conversation="' + detail.conversation + '"]');
    if (!item) return; // a conversation opened since the page loaded: the toast links to it
    event.preventDefault();
    item.querySelector(".convo-last").textContent = detail.preview || "";
    var count = item.querySelector(".unread [data-n]");
    if (!count) {
      var badge = document.createElement("span");
      badge.className = "count unread";
      count = document.createElement("span");
      count.setAttribute("data-n", "");
      var label = document.createElement("span");
      label.className = "visually-hidden";
      label.textContent = " " + window.Cohortis.t("unread");
      badge.appendChild(count);
      badge.appendChild(label);
      item.querySelector(".convo-meta").appendChild(badge);
    }
    count.textContent = String((parseInt(count.textContent, 10) || 0) + 1);
    item.classList.add("is-unread");
    list.insertBefore(item, list.firstElementChild);
  });
})();
