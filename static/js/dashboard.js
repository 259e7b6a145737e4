// Draw the server-built Plotly figure (JSON in a <script type="application/json">) with the
// plotly.js served from static/ (no CDN).
(function () {
  var holder = document.getElementById("category-chart");
  var data = document.getElementById("category-figure");
  if (!holder || !data || !window.Plotly) return;
  var fig = JSON.parse(JSON.parse(data.textContent));
  window.Plotly.newPlot(holder, fig.data, fig.layout, {responsive: true, displaylogo: false});
})();
