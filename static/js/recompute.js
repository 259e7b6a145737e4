/* "Recompute every park": follows the active run's progress through the API every 2 s and
   reloads the page once it has finished. The texts come from the page's data attributes
   (translated there); the page works without this script (a reload shows the progress). */
(function () {
  "use strict";
  var box = document.querySelector(".recompute");
  if (!box || box.dataset.active !== "1") return;
  var labels = {
    queued: box.dataset.labelQueued, running: box.dataset.labelRunning,
    done: box.dataset.labelDone, failed: box.dataset.labelFailed
  };
  var parks = box.dataset.labelParks;
  function tick() {
    fetch(box.dataset.api, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { return r.json(); })
      .then(function (run) {
        document.getElementById("recompute-progress").value = run.percent;
        box.querySelector('[data-field="status"]').textContent = labels[run.status] || run.status;
        box.querySelector('[data-field="parks"]').textContent =
          parks.replace("{done}", run.done_parks).replace("{total}", run.total_parks);
        box.querySelector('[data-field="percent"]').textContent = run.percent + " %";
        box.querySelector('[data-field="written"]').textContent = run.written_parks;
        if (run.status === "queued" || run.status === "running") { setTimeout(tick, 2000); }
        else { window.location.reload(); }
      })
      .catch(function () { setTimeout(tick, 5000); });
  }
  setTimeout(tick, 2000);
})();
