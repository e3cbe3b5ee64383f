// Recurring Revenue and Utilization pages: show each chart's own legend (the stacks' colours)
// only while the chart draws stacked bars. In Fava's "Single Bars" mode the bars are coloured
// by currency and Fava shows its own legend, so ours would name colours that are not drawn.

/** Hide or show the legend of one `.rt-chart` by whether its chart has stacks drawn. */
function sync(chart) {
  const legend = chart.querySelector(".rt-legend");
  const svg = chart.querySelector("svelte-component svg");
  if (legend && svg) {
    const stacked = svg.querySelector("g.stacks") !== null;
    if (legend.hidden === stacked) {
      legend.hidden = !stacked;
    }
  }
}

/** Follow every chart of the page: Fava redraws a chart when its mode is switched. */
function watch() {
  for (const chart of document.querySelectorAll(".rt-page .rt-chart")) {
    sync(chart);
    new MutationObserver(() => sync(chart)).observe(chart, { childList: true, subtree: true });
  }
}

export default {
  onExtensionPageLoad() {
    watch();
  },
};
