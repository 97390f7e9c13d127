/* Sort the top-content table by any column and filter it by platform; no libraries, works
   offline. Cells may carry data-value (the raw number) so "1,234" sorts as a number.
   Each heading's text goes inside a <button>, so sorting works from the keyboard (Tab, then
   Enter or Space) and screen readers announce it; the heading's aria-sort says the order. */
(function () {
  "use strict";
  var each = function (list, fn) { Array.prototype.forEach.call(list, fn); };
  function key(cell, numeric) {
    var raw = cell.hasAttribute("data-value") ? cell.getAttribute("data-value") : cell.textContent;
    if (!numeric) { return raw.trim().toLowerCase(); }
    var value = parseFloat(raw);
    return isNaN(value) ? null : value;
  }
  each(document.querySelectorAll("table.sortable"), function (table) {
    var head = table.tHead.rows[0], body = table.tBodies[0];
    each(head.cells, function (th, column) {
      var numeric = th.getAttribute("data-type") === "num";
      var button = document.createElement("button");
      button.type = "button";
      while (th.firstChild) { button.appendChild(th.firstChild); }
      th.appendChild(button);
      th.setAttribute("aria-sort", "none");
      button.title = "Sort by " + button.textContent;
      button.addEventListener("click", function () {
        var ascending = th.getAttribute("aria-sort") === "descending" ||
          (th.getAttribute("aria-sort") === "none" && !numeric);
        each(head.cells, function (other) { other.setAttribute("aria-sort", "none"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = key(a.cells[column], numeric), y = key(b.cells[column], numeric);
          if (x === y) { return 0; }
          if (x === null) { return 1; }   /* missing values always last */
          if (y === null) { return -1; }
          return (x < y ? -1 : 1) * (ascending ? 1 : -1);
        });
        each(rows, function (row) { body.appendChild(row); });
      });
    });
  });
  each(document.querySelectorAll("select[data-filter-for]"), function (select) {
    var table = document.getElementById(select.getAttribute("data-filter-for"));
    select.addEventListener("change", function () {
      each(table.tBodies[0].rows, function (row) {
        row.hidden = select.value !== "" && row.getAttribute("data-platform") !== select.value;
      });
    });
  });
})();
