// Sortable tables, as progressive enhancement (no library, no CDN). Without JavaScript a table
// keeps the server's order; with it, every <table data-sortable> gets a <button type="button">
// inside each sortable <th scope="col">, and clicking it (or Enter/Space, natively) reorders
// the <tbody> rows.
//
// Column kind, from the header cell: data-sort-type="number" | "text" | "none" (not sortable);
// without it, a <th class="num"> is a number column and any other a text column. A number
// column sorts descending on its first click, a text column ascending; the next click on the
// same column reverses. The active <th> carries aria-sort="ascending|descending" (the only
// state: no visible text is added; the CSS draws ▲/▼ from it); the others carry none (WAI-ARIA: only the sorted header has it).
//
// Cell value: the cell's data-sort attribute when present (raw, unlocalised: "55.50",
// "-3.00", "" for missing), otherwise its text. Numbers read either decimal separator
// ("68,0" in Vietnamese, "68.0" in English; an ambiguous "1.234"/"1,234" follows the page's
// language), "a/b" reads as the ratio a ÷ b, and "—" or empty is missing. Missing values sort
// last in both directions; text compares with localeCompare in the page's language
// (<html lang>). The sort is stable: rows that tie keep the order they had before the click.
//
// This sorts the rows on screen only, so the dashboards mark a table data-sortable only when
// every row is on screen (one page, or ?page=all). A paged table has no data-sortable: its
// headers are links (?sort=<column>&dir=asc|desc) and the server sorts every row with the same
// keys before paging (dashboards/views.py _rows_page). A header the server sorted by arrives
// with its aria-sort, and a click on it reverses that order.
(function () {
  "use strict";

  var LANG = document.documentElement.lang || undefined;
  var MISSING = /^[\s\u2014\u2013-]*$/; // empty, "—", "–" or "-"

  /** The page language's decimal separator: "," for Vietnamese (and other comma locales). */
  function decimalSeparator() {
    try {
      return (1.5).toLocaleString(LANG).indexOf(",") >= 0 ? "," : ".";
    } catch (e) {
      return ".";
    }
  }
  var DECIMAL = decimalSeparator();

  /** A localised number token ("68,0", "1.234,5", "12.0", "−3") as a JS number, or NaN. */
  function readNumber(token) {
    var t = token.replace(/[\s\u00a0\u202f]/g, "").replace(/\u2212/g, "-");
    var comma = t.lastIndexOf(",");
    var point = t.lastIndexOf(".");
    var dec = null;
    if (comma >= 0 && point >= 0) {
      dec = comma > point ? "," : "."; // the later separator is the decimal one
    } else if (comma >= 0 || point >= 0) {
      var sep = comma >= 0 ? "," : ".";
      var parts = t.split(sep);
      var grouped = parts.length > 2 || parts[parts.length - 1].length === 3;
      // "1.234.567" groups thousands; "68,0" is a decimal; "1,234" is up to the language
      dec = parts.length > 2 ? null : grouped ? (DECIMAL === sep ? sep : null) : sep;
      if (dec === null) t = t.split(sep).join("");
    }
    if (dec !== null) {
      var thousands = dec === "," ? "." : ",";
      t = t.split(thousands).join("").replace(dec, ".");
    }
    return /^[+-]?\d+(\.\d+)?$/.test(t) ? parseFloat(t) : NaN;
  }

  /** The sort value of a cell: a number (number columns), a string (text columns), or null
   * for a missing value. */
  function valueOf(cell, numeric) {
    if (!cell) return null;
    var raw = cell.getAttribute("data-sort");
    var fromAttribute = raw !== null;
    var text = fromAttribute ? raw : cell.textContent;
    text = text.replace(/\s+/g, " ").trim();
    if (MISSING.test(text)) return null;
    if (!numeric) return text;
    if (fromAttribute) {
      var n = parseFloat(text);
      return isFinite(n) ? n : null;
    }
    var ratio = text.match(/^([+-]?[\d.,]+)\s*\/\s*([\d.,]+)$/);
    if (ratio) {
      var a = readNumber(ratio[1]);
      var b = readNumber(ratio[2]);
      return isFinite(a) && isFinite(b) && b !== 0 ? a / b : null;
    }
    var token = text.match(/[+\-\u2212]?\d[\d.,\u00a0\u202f]*/);
    if (!token) return null;
    var value = readNumber(token[0].replace(/[.,\u00a0\u202f]+$/, ""));
    return isFinite(value) ? value : null;
  }

  function compareText(a, b) {
    try {
      return a.localeCompare(b, LANG);
    } catch (e) {
      return a.localeCompare(b); // an unknown language tag
    }
  }

  /** Reorder the rows of ``tbody`` by column ``index``; ``direction`` is 1 (ascending) or
   * -1 (descending). Missing values last either way; ties keep their current order. */
  function sortRows(tbody, index, numeric, direction) {
    var rows = Array.prototype.slice.call(tbody.rows);
    var keyed = rows.map(function (row, position) {
      return {row: row, position: position, value: valueOf(row.cells[index], numeric)};
    });
    keyed.sort(function (x, y) {
      if (x.value === null || y.value === null) {
        if (x.value === null && y.value === null) return x.position - y.position;
        return x.value === null ? 1 : -1;
      }
      var c = numeric ? (x.value < y.value ? -1 : x.value > y.value ? 1 : 0)
                      : compareText(x.value, y.value);
      return c !== 0 ? c * direction : x.position - y.position;
    });
    var fragment = document.createDocumentFragment();
    keyed.forEach(function (k) { fragment.appendChild(k.row); });
    tbody.appendChild(fragment);
  }

  function kindOf(th) {
    var kind = th.getAttribute("data-sort-type");
    if (kind === "number" || kind === "text" || kind === "none") return kind;
    return th.classList.contains("num") ? "number" : "text";
  }

  /** Whether every body row has one cell per header (a "nothing to show" row spanning the
   * table, or several bodies, leave the table as it is). */
  function isRegular(table, headers) {
    if (table.tBodies.length !== 1) return false;
    var rows = table.tBodies[0].rows;
    if (rows.length < 2) return false;
    for (var i = 0; i < rows.length; i++) {
      if (rows[i].cells.length !== headers.length) return false;
    }
    return true;
  }

  function enhance(table) {
    if (!table.tHead || table.getAttribute("data-sortable-ready") !== null) return;
    var headerRow = table.tHead.rows[table.tHead.rows.length - 1];
    var headers = Array.prototype.slice.call(headerRow.cells);
    if (!isRegular(table, headers)) return;
    var tbody = table.tBodies[0];
    table.setAttribute("data-sortable-ready", "");

    headers.forEach(function (th, index) {
      var kind = kindOf(th);
      if (th.getAttribute("scope") !== "col" || kind === "none") return;
      var numeric = kind === "number";
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort";
      while (th.firstChild) button.appendChild(th.firstChild);
      th.appendChild(button);
      button.addEventListener("click", function () {
        var current = th.getAttribute("aria-sort");
        var next;
        if (current === "descending") next = "ascending";
        else if (current === "ascending") next = "descending";
        else next = numeric ? "descending" : "ascending";
        sortRows(tbody, index, numeric, next === "ascending" ? 1 : -1);
        headers.forEach(function (other) { other.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", next);
      });
    });
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("table[data-sortable]"), enhance);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
