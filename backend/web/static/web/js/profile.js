/* The profile editor's preview: redrawn from the form as you type. */
(function () {
  "use strict";
  var form = document.querySelector("[data-profile-form]");
  var preview = document.querySelector("[data-preview]");
  if (!form || !preview) return;

  function value(name) {
    var field = form.elements.namedItem(name);
    if (!field) return "";
    if (field.type === "checkbox") return field.checked;
    if (field.tagName === "SELECT") return field.options[field.selectedIndex] ? field.options[field.selectedIndex].text : "";
    return field.value.trim();
  }

  function setText(key, text) {
    var node = preview.querySelector('[data-preview-text="' + key + '"]');
    if (node) node.textContent = text;
  }

  function setItems(selector, items, tagName, className) {
    var node = preview.querySelector(selector);
    if (!node) return;
    node.textContent = "";
    items.forEach(function (item) {
      var el = document.createElement(tagName);
      if (className) el.className = className;
      el.textContent = item;
      node.appendChild(el);
    });
  }

  function split(text, pattern) {
    return text.split(pattern).map(function (s) { return s.trim(); }).filter(Boolean);
  }

  function refresh() {
    setText("name", value("name"));
    setText("pitch", value("pitch"));
    var summary = value("summary");
    setText("summary", summary.length > 420 ? summary.slice(0, 419) + "…" : summary);
    setText("stage", value("stage"));
    var trl = value("trl");
    setText("trl", trl);
    var trlBox = preview.querySelector("[data-preview-trl]");
    if (trlBox) trlBox.hidden = !trl;
    setText("place", [value("city"), value("region")].filter(Boolean).join(", "));
    setItems('[data-preview-list="technology_tags"]', split(value("technology_tags"), /[,，;；\n]+/), "span", "tag");
    setItems('[data-preview-lines="capabilities"]', split(value("capabilities"), /\n+/), "li");
    var published = preview.querySelector("[data-preview-published] .pill");
    if (published) {
      var on = value("published");
      published.className = "pill " + (on ? "pill-open" : "pill-draft");
      published.textContent = on ? published.getAttribute("data-on") : published.getAttribute("data-off");
    }
  }

  form.addEventListener("input", refresh);
  form.addEventListener("change", refresh);
  // From the start too: after a refused save the form holds what was typed, and the preview
  // shows the same, not a mix of the stored profile and the typed values.
  refresh();
})();
