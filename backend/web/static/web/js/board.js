/* The cohort board: drag a startup's card to another column to move it there.
 *
 * Each card already holds one form per move the operator may make (the buttons, which stay the
 * way to do it with a keyboard); a drop submits the form for the column it lands on, so the
 * server's rules decide exactly as for a click. Columns a card cannot move to take no drop.
 */
(function () {
  "use strict";

  var board = document.querySelector("[data-board]");
  if (!board) return;
  var dragged = null;

  function columnAt(target) {
    return target instanceof Element ? target.closest("[data-column]") : null;
  }
  function accepts(column) {
    return dragged !== null && column !== null &&
      dragged.getAttribute("data-moves").split(" ").indexOf(column.getAttribute("data-column")) !== -1;
  }
  function clear() {
    board.querySelectorAll(".can-drop, .is-over").forEach(function (column) {
      column.classList.remove("can-drop", "is-over");
    });
    if (dragged) dragged.classList.remove("is-dragging");
    dragged = null;
  }

  board.addEventListener("dragstart", function (event) {
    var card = event.target instanceof Element ? event.target.closest("[data-moves]") : null;
    if (!card) return;
    dragged = card;
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.getAttribute("data-startup"));
    card.classList.add("is-dragging");
    board.querySelectorAll("[data-column]").forEach(function (column) {
      if (accepts(column)) column.classList.add("can-drop");
    });
  });
  board.addEventListener("dragover", function (event) {
    var column = columnAt(event.target);
    if (!accepts(column)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    column.classList.add("is-over");
  });
  board.addEventListener("dragleave", function (event) {
    var column = columnAt(event.target);
    if (column && !column.contains(event.relatedTarget)) column.classList.remove("is-over");
  });
  board.addEventListener("drop", function (event) {
    var column = columnAt(event.target);
    if (!accepts(column)) return;
    event.preventDefault();
    var form = dragged.querySelector('form[data-move-to="' + column.getAttribute("data-column") + '"]');
    clear();
    if (form) form.submit();
  });
  board.addEventListener("dragend", clear);
})();
