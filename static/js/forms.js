/* Small behaviours of forms, without inline handlers (the pages' Content-Security-Policy
   allows scripts from this site only):
   - <select data-autosubmit> submits its form when changed;
   - <button data-confirm="question"> asks before submitting, and submits only on OK. */
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
})();
