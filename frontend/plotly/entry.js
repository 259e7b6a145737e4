'use strict';
// plotly.js with only the traces ecopark draws (dashboards/figures.py,
// dashboards/figures_registers.py): bar, scatter (part of the core), scattergeo (the national
// map) and sankey (industrial symbiosis exchanges). Built by `make plotly` into
// static/vendor/plotly-ecopark.min.js; see frontend/README.md.
var Plotly = require('plotly.js/lib/core');

Plotly.register([
    require('plotly.js/lib/bar'),
    require('plotly.js/lib/scattergeo'),
    require('plotly.js/lib/sankey'),
]);

module.exports = Plotly;
