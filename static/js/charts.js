// Draw every server-built Plotly figure of a dashboard page with the plotly.js served from
// static/ (no CDN). A chart is <div class="chart" data-figure="ID"> with its figure JSON in
// <script type="application/json" id="ID">. A map's basemap topojson is loaded from the URL in
// data-topojson (static/vendor/topojson/) into PlotlyGeoAssets before drawing, so plotly.js
// never fetches it from its CDN.
(function () {
  if (!window.Plotly) return;
  var config = {responsive: true, displaylogo: false, topojsonURL: "/static/vendor/topojson/"};

  function figureOf(holder) {
    var script = document.getElementById(holder.getAttribute("data-figure"));
    if (!script) return null;
    var value = JSON.parse(script.textContent);
    return typeof value === "string" ? JSON.parse(value) : value;
  }

  function draw(holder, fig) {
    window.Plotly.newPlot(holder, fig.data, fig.layout, config);
  }

  function withTopojson(holder, fig) {
    var url = holder.getAttribute("data-topojson");
    var name = holder.getAttribute("data-topojson-name");
    window.PlotlyGeoAssets = window.PlotlyGeoAssets || {topojson: {}};
    window.PlotlyGeoAssets.topojson = window.PlotlyGeoAssets.topojson || {};
    if (!url || !name || window.PlotlyGeoAssets.topojson[name]) return draw(holder, fig);
    fetch(url, {credentials: "same-origin"})
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (topo) { window.PlotlyGeoAssets.topojson[name] = topo; })
      .catch(function () {
        // no basemap: draw the parks on an empty frame rather than nothing
        fig.layout.geo = Object.assign({}, fig.layout.geo, {
          showland: false, showcoastlines: false, showocean: false, showcountries: false,
          showlakes: false, showrivers: false
        });
      })
      .then(function () { draw(holder, fig); });
  }

  var holders = document.querySelectorAll(".chart[data-figure]");
  for (var i = 0; i < holders.length; i++) {
    var fig = figureOf(holders[i]);
    if (!fig) continue;
    if (fig.layout && fig.layout.geo) withTopojson(holders[i], fig);
    else draw(holders[i], fig);
  }
})();
