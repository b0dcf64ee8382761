// Start GOV.UK Frontend's components, again inside content htmx swaps in, and draw the charts that
// pages describe with {% chart %} (the same figures are in a table beside each chart). Every script
// of the pages lives in a file like this one: the Content-Security-Policy refuses inline scripts.
import { initAll } from "./dist/govuk-frontend.min.js";

function drawCharts(scope) {
  if (!window.Chart) return;
  scope.querySelectorAll("canvas[data-chart]").forEach((canvas) => {
    if (canvas.dataset.drawn) return;
    const spec = JSON.parse(document.getElementById(canvas.dataset.chart).textContent);
    canvas.dataset.drawn = "1";
    // Counts get whole-number ticks (no "0.5 ratings").
    const counts = spec.datasets.every((dataset) => dataset.data.every(Number.isInteger));
    new window.Chart(canvas, {
      type: spec.type,
      data: { labels: spec.labels, datasets: spec.datasets },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        indexAxis: spec.horizontal ? "y" : "x",
        plugins: { legend: { display: spec.datasets.length > 1 || spec.type === "doughnut" } },
        scales: spec.type === "doughnut" ? {} : { x: { stacked: !!spec.stacked }, y: { stacked: !!spec.stacked, beginAtZero: true, max: spec.max, ticks: counts ? { precision: 0 } : {} } },
      },
    });
  });
}

// Links that print the page ("Print or save this page" on a confirmation); a listener here, not an
// inline script, for the Content-Security-Policy.
function printOnClick(event) {
  if (!event.target.closest("[data-shequ-print]")) return;
  event.preventDefault();
  window.print();
}

function start(scope) {
  initAll({ scope });
  drawCharts(scope);
}

start(document);
document.addEventListener("click", printOnClick);
// Each element htmx swaps in (never the page htmx first processes: started above), so components
// already on the page are not initialised twice.
document.body.addEventListener("htmx:load", (event) => {
  if (event.detail.elt !== document.body) start(event.detail.elt);
});
