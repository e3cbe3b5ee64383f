// Recurring Revenue and Utilization pages: show each chart's own legend (the stacks' colours)
// only while the chart draws stacked bars. In Fava's "Single Bars" mode the bars are coloured
// by currency and Fava shows its own legend, so ours would name colours that are not drawn.

// A legend item with `data-drawn` names the colour Fava drew its stack in and (`data-color`)
// the stable colour to paint it with instead: Fava's colours depend on how many stacks a chart
// has, so a client's colour would move when another is added.

/** Paint the stacks of `svg` in the legend's stable colours. */
function repaint(legend, svg) {
  const colors = new Map();
  for (const item of legend.querySelectorAll("[data-drawn]")) {
    colors.set(item.dataset.drawn, item.dataset.color);
  }
  if (colors.size === 0) {
    return;
  }
  for (const rect of svg.querySelectorAll("g.stacks rect[fill]")) {
    const fill = rect.getAttribute("fill");
    if (rect.dataset.painted === fill) {
      continue; // painted already: a stable colour may equal another stack's drawn one
    }
    const color = colors.get(fill);
    if (color !== undefined) {
      rect.dataset.painted = color;
      rect.setAttribute("fill", color);
    }
  }
}

/** Hide or show the legend of one `.rt-chart` by whether its chart has stacks drawn. */
function sync(chart) {
  const legend = chart.querySelector(".rt-legend");
  const svg = chart.querySelector("svelte-component svg");
  if (legend && svg) {
    const stacked = svg.querySelector("g.stacks") !== null;
    if (legend.hidden === stacked) {
      legend.hidden = !stacked;
    }
    repaint(legend, svg);
  }
}

/** Follow every chart of the page: Fava redraws a chart when its mode is switched. */
function watch() {
  for (const chart of document.querySelectorAll(".rt-chart")) {
    sync(chart);
    new MutationObserver(() => sync(chart)).observe(chart, {
      childList: true,
      subtree: true,
      attributeFilter: ["fill"], // Fava redrawing a bar's colour
    });
  }
}

export default {
  onExtensionPageLoad() {
    watch();
  },
};
