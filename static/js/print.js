// The response page's "Print" button, as progressive enhancement (no inline handler, CSP-safe).
// Without JavaScript the button stays hidden and the browser's own Print command does the same:
// the print stylesheet (static/css/print.css) lays the report out for paper either way.
(function () {
  "use strict";
  var buttons = document.querySelectorAll("button.print-button");
  Array.prototype.forEach.call(buttons, function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      window.print();
    });
  });
})();
