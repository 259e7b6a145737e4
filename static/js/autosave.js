/*
 * Autosave of the response form: drafts save as the person types.
 *
 * Loaded by one <script defer src=".../autosave.js" data-url="<autosave endpoint>"> on the
 * response page, only when the respondent may edit. No framework, no CDN.
 *
 * - every change is kept at once in localStorage (key "ecopark:autosave:<url>"), so a closed
 *   tab or a lost connection loses nothing;
 * - 1.5 s after the last keystroke the whole form is POSTed to the endpoint, which saves it
 *   with surveys.services.response_save_answers and the form's version (all or nothing):
 *   200 → the new version goes into the hidden "version" field; 400 → the fields that could
 *   not be read are named (nothing saved; sent again on the next change); 409 → someone else
 *   saved: both values are shown and nothing is overwritten;
 * - on load, changes the server did not receive are restored (same version) or offered for
 *   restoring (the response was saved since);
 * - the texts come from the endpoint (GET), in the page's language.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  var url = script && script.getAttribute("data-url");
  var form = document.getElementById("response-form") || document.querySelector("form.survey");
  if (!url || !form || !window.fetch) { return; }
  var versionInput = form.querySelector("input[name=version]");
  var storageKey = "ecopark:autosave:" + url;
  var DELAY = 1500;
  var texts = {};
  var timer = null;
  var inflight = null;
  var changedSinceSend = false;
  var stopped = false;

  var status = document.createElement("p");
  status.id = "autosave-status";
  status.className = "autosave-status";
  status.setAttribute("role", "status");
  status.setAttribute("aria-live", "polite");
  var actions = form.querySelector(".actions");
  if (actions) { actions.appendChild(status); } else { form.appendChild(status); }

  function show(text, kind) {
    status.textContent = text || "";
    status.className = "autosave-status" + (kind ? " " + kind : "");
  }

  function fields() {
    var out = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.name === "csrfmiddlewaretoken" || el.name === "version" ||
          el.type === "submit" || el.type === "button" || el.type === "file") { return; }
      if (el.type === "radio" || el.type === "checkbox") {
        if (!(el.name in out)) { out[el.name] = ""; }
        if (el.checked) { out[el.name] = el.value; }
      } else {
        out[el.name] = el.value;
      }
    });
    return out;
  }

  function apply(values) {
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || !(el.name in values) || el.disabled) { return; }
      if (el.type === "radio" || el.type === "checkbox") {
        el.checked = values[el.name] === el.value;
      } else {
        el.value = values[el.name];
      }
    });
  }

  function same(a, b) {
    var keys = Object.keys(a);
    if (keys.length !== Object.keys(b).length) { return false; }
    return keys.every(function (k) { return a[k] === b[k]; });
  }

  function readStored() {
    try { return JSON.parse(window.localStorage.getItem(storageKey) || "null"); }
    catch (e) { return null; }
  }

  function keep() {
    try {
      window.localStorage.setItem(storageKey, JSON.stringify({
        version: versionInput ? versionInput.value : "",
        at: new Date().toISOString(),
        fields: fields()
      }));
    } catch (e) { /* storage full or disabled: the server save still runs */ }
  }

  function forget() {
    try { window.localStorage.removeItem(storageKey); } catch (e) { /* ignore */ }
  }

  function send() {
    timer = null;
    if (stopped) { return Promise.resolve(); }
    if (inflight) { changedSinceSend = true; return inflight; }
    changedSinceSend = false;
    show(texts.saving || "…");
    var body = new FormData(form);
    body.delete("action");
    inflight = fetch(url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "Accept": "application/json", "X-Requested-With": "XMLHttpRequest" }
    }).then(function (reply) {
      return reply.json().then(function (data) { return { code: reply.status, data: data }; });
    }).then(function (r) {
      if (r.code === 200) {
        if (versionInput) { versionInput.value = r.data.version; }
        if (changedSinceSend) { keep(); } else { forget(); }
        show(r.data.message, "saved");
      } else if (r.code === 409) {
        stopped = true;
        showConflict(r.data);
      } else if (r.code === 403) {
        stopped = true;
        show(r.data.message, "error");
      } else {
        show(r.data.message || texts.unsent, "error");
      }
    }).catch(function () {
      show(texts.unsent, "error");
    }).then(function () {
      inflight = null;
      if (changedSinceSend && !stopped) { schedule(); }
    });
    return inflight;
  }

  function showConflict(data) {
    show(data.message, "error");
    var reload = document.createElement("button");
    reload.type = "button";
    reload.className = "secondary";
    reload.textContent = texts.reload || "↻";
    reload.addEventListener("click", function () { window.location.reload(); });
    status.appendChild(document.createTextNode(" "));
    status.appendChild(reload);
  }

  function schedule() {
    if (stopped) { return; }
    if (timer) { window.clearTimeout(timer); }
    timer = window.setTimeout(send, DELAY);
  }

  function changed() {
    keep();
    changedSinceSend = true;
    schedule();
  }

  function offerRestore(stored) {
    var at = new Date(stored.at);
    var when = isNaN(at) ? stored.at : at.toLocaleString(document.documentElement.lang || undefined);
    show((texts.restore_prompt || "").replace("%(at)s", when), "error");
    var restore = document.createElement("button");
    restore.type = "button";
    restore.textContent = texts.restore || "OK";
    restore.addEventListener("click", function () { apply(stored.fields); changed(); });
    var discard = document.createElement("button");
    discard.type = "button";
    discard.className = "secondary";
    discard.textContent = texts.discard || "×";
    discard.addEventListener("click", function () { forget(); show(""); });
    status.appendChild(document.createTextNode(" "));
    status.appendChild(restore);
    status.appendChild(document.createTextNode(" "));
    status.appendChild(discard);
  }

  function restoreOnLoad() {
    var stored = readStored();
    if (!stored || !stored.fields) { return; }
    if (same(stored.fields, fields())) {
      // the page shows them: saved (a newer version) or re-rendered after an error (kept)
      if (versionInput && String(stored.version) !== String(versionInput.value)) { forget(); }
      return;
    }
    if (versionInput && String(stored.version) === String(versionInput.value)) {
      apply(stored.fields);
      show(texts.restored, "pending");
      changed();
    } else {
      offerRestore(stored);
    }
  }

  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  form.addEventListener("submit", function (event) {
    // a manual save or submit: wait for an autosave in flight so its version is current
    if (timer) { window.clearTimeout(timer); timer = null; }
    if (!inflight && !event.defaultPrevented) {
      // the POST carries every field: the page that answers shows them (saved, or kept with
      // the reasons they were refused), so the copy on this device is no longer needed
      forget();
    }
    if (inflight) {
      event.preventDefault();
      var submitter = event.submitter;
      inflight.then(function () {
        if (form.requestSubmit) { form.requestSubmit(submitter); } else { form.submit(); }
      });
    }
  });

  fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
    .then(function (reply) { return reply.json(); })
    .then(function (data) {
      texts = data.messages || {};
      if (!data.editable) { stopped = true; return; }
      restoreOnLoad();
    })
    .catch(function () { restoreOnLoad(); });
})();
