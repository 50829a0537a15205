// Huiyin's pages work without this file; it adds copying a receipt code, the charts and
// the as-of slider's live label. No inline scripts (the pages' CSP forbids them).
"use strict";

document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const source = document.getElementById(button.dataset.copy);
  if (!source || !navigator.clipboard) return;
  navigator.clipboard.writeText(source.textContent.trim()).then(() => {
    const done = button.dataset.copied;
    if (done) button.textContent = done;
  });
});

// A chart: <div class="chart" data-chart="ID"></div> beside
// <script type="application/json" id="ID">{ECharts option}</script>.
function drawCharts(root) {
  if (typeof echarts === "undefined") return;
  root.querySelectorAll("[data-chart]").forEach((element) => {
    const data = document.getElementById(element.dataset.chart);
    if (!data) return;
    const chart = echarts.init(element, null, { renderer: "svg" });
    const option = JSON.parse(data.textContent);
    if (window.matchMedia("(prefers-reduced-motion: reduce)").matches) option.animation = false;
    chart.setOption(option);
    window.addEventListener("resize", () => chart.resize());
  });
}

// A range input with data-label="ID" shows its value's label in the element ID.
document.addEventListener("input", (event) => {
  const input = event.target;
  if (!input.matches || !input.matches("input[type=range][data-labels]")) return;
  const labels = JSON.parse(input.dataset.labels);
  const out = document.getElementById(input.dataset.output);
  if (out) out.textContent = labels[Number(input.value) - Number(input.min)] || input.value;
});

document.addEventListener("DOMContentLoaded", () => drawCharts(document));
document.addEventListener("htmx:afterSwap", (event) => drawCharts(event.target));
