/* Small behaviours of forms, without inline handlers (the pages' Content-Security-Policy
   allows scripts from this site only):
   - <select data-autosubmit> submits its form when changed;
   - <button data-confirm="question"> asks before submitting, and submits only on OK (the
     only handler of data-confirm: a second one would ask twice);
   - printing opens every closed part and section of a report form (details.part,
     details.section) so that the paper shows the answers, and closes them again after
     (static/css/print.css opens them too where the browser supports ::details-content). */
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field.matches && field.matches("select[data-autosubmit]") && field.form) {
      field.form.submit();
    }
  });
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-confirm]") : null;
    if (button && !window.confirm(button.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });
  var opened = [];
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details.part:not([open]), details.section:not([open])")
      .forEach(function (details) {
        details.open = true;
        opened.push(details);
      });
  });
  window.addEventListener("afterprint", function () {
    opened.forEach(function (details) { details.open = false; });
    opened = [];
  });
})();
