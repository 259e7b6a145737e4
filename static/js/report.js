/*
 * The official report forms on the response page (surveys/_report_forms.html): live totals and
 * shares, the registers' figures taken with one click, answered counts per section and part,
 * fields and sections shown only when their condition holds, the production table's rows, and
 * links to a field opening its section. (The confirmation before submitting is
 * static/js/forms.js's, for every button[data-confirm] of the site: one question, once.)
 *
 * Everything here is a convenience: the server computes every calculation again when it saves
 * (its value is the one stored), checks every value and decides what is missing. No framework,
 * no CDN.
 */
(function () {
  "use strict";
  var form = document.getElementById("response-form");
  if (!form || !form.classList.contains("report")) { return; }
  var lang = form.getAttribute("data-lang") || document.documentElement.lang || "vi";
  var vi = lang.indexOf("en") !== 0;

  // ---------------------------------------------------------------- numbers
  function parse(text) {
    if (text === null || text === undefined) { return null; }
    var t = String(text).replace(/[\s\u00a0\u202f\u2009%]/g, "");
    if (!t) { return null; }
    if (vi) { t = t.replace(/\./g, "").replace(",", "."); } else { t = t.replace(/,/g, ""); }
    if (!/^[+-]?\d+(\.\d+)?$/.test(t)) { return null; }
    return parseFloat(t);
  }
  function format(n, decimals) {
    if (n === null || isNaN(n)) { return ""; }
    return new Intl.NumberFormat(vi ? "vi-VN" : "en-US", { maximumFractionDigits: decimals }).format(n);
  }
  function byName(name) { return form.querySelectorAll("[name='" + name + "']"); }
  function factor(name) {
    var unit = form.querySelector("select[name='" + name + "__unit']");
    if (!unit || !unit.getAttribute("data-factors")) { return 1; }
    try {
      var f = JSON.parse(unit.getAttribute("data-factors"))[unit.value];
      return typeof f === "number" ? f : 1;
    } catch (e) { return 1; }
  }
  function numberOf(name) {
    var output = document.getElementById("id_" + name);
    if (output && output.tagName === "OUTPUT") { return parse(output.textContent); }
    var inputs = byName(name);
    if (!inputs.length) { return null; }
    var n = parse(inputs[0].value);
    return n === null ? null : n * factor(name);
  }

  // ---------------------------------------------------------------- calculations
  function calculate() {
    for (var round = 0; round < 2; round++) {
      form.querySelectorAll("output[data-calc]").forEach(function (out) {
        var terms = (out.getAttribute("data-terms") || "").split(",");
        var decimals = parseInt(out.getAttribute("data-decimals") || "5", 10);
        var result = null;
        if (out.getAttribute("data-calc") === "share") {
          var part = numberOf(terms[0]), whole = numberOf(terms[1]);
          if (part !== null && whole) { result = Math.round(10000 * part / whole) / 100; }
          decimals = 2;
        } else {
          terms.forEach(function (t) {
            var n = numberOf(t);
            if (n !== null) { result = (result || 0) + n; }
          });
          if (result !== null) { result = Math.round(result * 1e5) / 1e5; }
        }
        out.textContent = format(result, decimals);
      });
    }
  }

  // ---------------------------------------------------------------- values of a field
  function valueOf(name) {
    var inputs = byName(name);
    if (!inputs.length) { return null; }
    var first = inputs[0];
    if (first.type === "radio") {
      var checked = form.querySelector("[name='" + name + "']:checked");
      return checked ? checked.value : "";
    }
    if (first.type === "checkbox") {
      return Array.prototype.filter.call(inputs, function (i) { return i.checked; })
        .map(function (i) { return i.value; }).join(";");
    }
    return first.value;
  }

  function answered(field) {
    var out = field.querySelector("output");
    if (out) { return out.textContent.trim() !== ""; }
    var controls = field.querySelectorAll("input:not([type=hidden]), textarea, select:not([name$='__unit'])");
    if (!controls.length) {
      var shown = field.querySelector(".value");
      return !!shown && shown.textContent.trim() !== "" && shown.textContent.trim().charAt(0) !== "—";
    }
    return Array.prototype.some.call(controls, function (c) {
      if (c.type === "radio" || c.type === "checkbox") { return c.checked; }
      return c.value.trim() !== "";
    });
  }

  function count() {
    form.querySelectorAll("details.part").forEach(function (part) {
      var partDone = 0, partTotal = 0;
      part.querySelectorAll("details[data-section]").forEach(function (section) {
        if (section.hidden) { return; }
        var done = 0, total = 0;
        var rows = section.querySelector("[data-production]");
        if (rows) {
          var items = rows.querySelectorAll("[data-row]");
          total = Math.max(items.length, 1);
          items.forEach(function (row) {
            var full = Array.prototype.every.call(
              row.querySelectorAll("input[type=text], textarea, select"),
              function (c) { return c.value.trim() !== ""; });
            if (full) { done++; }
          });
        } else {
          section.querySelectorAll("[data-answerable]").forEach(function (field) {
            if (field.hidden) { return; }
            total++;
            if (answered(field)) { done++; }
          });
        }
        var badge = section.querySelector("[data-count=section]");
        if (badge) { badge.textContent = done + "/" + total; }
        partDone += done; partTotal += total;
      });
      var partBadge = part.querySelector("[data-count=part]");
      if (partBadge) { partBadge.textContent = partDone + "/" + partTotal; }
    });
  }

  // ---------------------------------------------------------------- conditions
  function conditions() {
    form.querySelectorAll("[data-show-if]").forEach(function (el) {
      var value = valueOf(el.getAttribute("data-show-if"));
      if (value === null) { return; }  // the item is not an input here: the server decided
      var above = el.getAttribute("data-show-above");
      if (above !== null) {  // shown when the item's number is above (B.4 P4.1 > 0)
        var number = parse(value);
        el.hidden = value !== "" && !(number !== null && number > Number(above));
        return;
      }
      var wanted = el.getAttribute("data-show-value");
      el.hidden = value !== "" && value !== wanted;
    });
  }

  // ---------------------------------------------------------------- registers' figures
  function setOrigin(name, origin) {
    var hidden = form.querySelector("input[name='" + name + "__origin']");
    if (hidden) { hidden.value = origin; }
    var field = hidden && hidden.closest("[data-field]");
    var note = field && field.querySelector("[data-origin-note]");
    if (note) { note.hidden = origin !== "registers"; }
  }
  var applying = false;
  form.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-use]");
    if (!button) { return; }
    var name = button.getAttribute("data-use");
    var value = JSON.parse(button.getAttribute("data-value"));
    applying = true;
    byName(name).forEach(function (input) {
      if (input.type === "radio") { input.checked = input.value === value; }
      else if (input.type === "checkbox") { input.checked = value.indexOf(input.value) >= 0; }
      else { input.value = value; }
    });
    var unit = form.querySelector("select[name='" + name + "__unit']");
    if (unit) { unit.selectedIndex = 0; }
    setOrigin(name, "registers");
    var first = byName(name)[0];
    if (first) { first.dispatchEvent(new Event("change", { bubbles: true })); }
    applying = false;
    button.textContent = button.getAttribute("data-used") || button.textContent;
  });

  function typed(event) {
    if (applying || !event.target.name) { return; }
    var name = event.target.name.replace(/__unit$/, "");
    if (form.querySelector("input[name='" + name + "__origin']")) { setOrigin(name, ""); }
  }

  // ---------------------------------------------------------------- production rows
  form.addEventListener("click", function (event) {
    var add = event.target.closest("button[data-add-row]");
    if (add) {
      var box = add.closest("[data-production]");
      var template = box.querySelector("template[data-row-template]");
      var list = box.querySelector("[data-rows]");
      var next = 0;
      list.querySelectorAll("[name^='prod-']").forEach(function (i) {
        var n = parseInt(i.name.split("-")[1], 10);
        if (!isNaN(n) && n >= next) { next = n + 1; }
      });
      var html = template.innerHTML.replace(/__i__/g, String(next));
      list.insertAdjacentHTML("beforeend", html);
      var added = list.lastElementChild.querySelector("textarea, input");
      if (added) { added.focus(); }
      count();
      return;
    }
    var remove = event.target.closest("button[data-remove-row]");
    if (remove) {
      remove.closest("[data-row]").remove();
      form.dispatchEvent(new Event("change", { bubbles: true }));
      count();
    }
  });

  // ---------------------------------------------------------------- links
  function reveal(id) {
    var target = id && document.getElementById(id);
    if (!target) { return; }
    for (var el = target.parentElement; el; el = el.parentElement) {
      if (el.tagName === "DETAILS") { el.open = true; }
    }
    target.scrollIntoView({ block: "center" });
    var control = target.querySelector("input:not([type=hidden]), textarea, select");
    if (control) { control.focus({ preventScroll: true }); }
  }
  document.addEventListener("click", function (event) {
    var link = event.target.closest("a[href^='#']");
    if (link) { reveal(link.getAttribute("href").slice(1)); }
  });
  window.addEventListener("hashchange", function () { reveal(window.location.hash.slice(1)); });

  function refresh(event) {
    if (event) { typed(event); }
    calculate();
    conditions();
    count();
  }
  form.addEventListener("input", refresh);
  form.addEventListener("change", refresh);
  calculate();
  conditions();
  count();
  if (window.location.hash) { reveal(window.location.hash.slice(1)); }
})();
