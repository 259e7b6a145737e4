// Draw the register figures (Sankey of exchanges, RECP savings) from the JSON the server
// built (<script type="application/json">), with the plotly.js served from static/ (no CDN);
// plotly.js is loaded here when the page has not loaded it already.
(function () {
  var me = document.currentScript;
  var holders = document.querySelectorAll("[data-registers-figure]");
  if (!holders.length) return;
  function draw() {
    holders.forEach(function (holder) {
      var data = document.getElementById(holder.getAttribute("data-registers-figure"));
      if (!data) return;
      var fig = JSON.parse(JSON.parse(data.textContent));
      window.Plotly.newPlot(holder, fig.data, fig.layout, {responsive: true, displaylogo: false});
    });
  }
  if (window.Plotly) { draw(); return; }
  var s = document.createElement("script");
  s.src = me && me.getAttribute("data-plotly");
  s.onload = draw;
  document.head.appendChild(s);
})();
