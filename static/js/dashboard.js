// The progress dashboard's charts. The data comes from a JSON block written by the server
// (no inline script: the Content-Security-Policy forbids it); every chart has its table
// beside it, so the figures are readable without the chart.
(function () {
  "use strict";
  const source = document.getElementById("dashboard-data");
  if (!source || typeof Chart === "undefined") {
    return;
  }
  const data = JSON.parse(source.textContent);
  const charts = [];
  Chart.defaults.animation = false;
  Chart.defaults.maintainAspectRatio = false;
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;

  function config(canvas, chart) {
    const type = canvas.dataset.chartType;
    const picked = canvas.dataset.datasets
      ? canvas.dataset.datasets.split(",").map(Number).filter((i) => i < chart.datasets.length)
      : chart.datasets.map((_, i) => i);
    const datasets = picked.map((i) => ({ ...chart.datasets[i] }));
    if (type === "monthly") {
      // Bars for each month, lines for the running totals on their own axis.
      return {
        type: "bar",
        data: {
          labels: chart.labels,
          datasets: chart.datasets.map((set, i) => ({
            ...set,
            type: i % 2 === 1 ? "line" : "bar",
            yAxisID: i % 2 === 1 ? "total" : "y",
          })),
        },
        options: {
          scales: {
            y: { beginAtZero: true, position: "left", ticks: { precision: 0 } },
            total: {
              beginAtZero: true,
              position: "right",
              grid: { drawOnChartArea: false },
              ticks: { precision: 0 },
            },
          },
        },
      };
    }
    if (type === "doughnut") {
      return { type: "doughnut", data: { labels: chart.labels, datasets } };
    }
    const horizontal = type === "horizontal" || type === "funnel";
    // Counts of firms: whole-number ticks; every category named (no skipped labels).
    const counts = { beginAtZero: true, ticks: { precision: 0 } };
    const categories = { ticks: { autoSkip: false } };
    return {
      type: "bar",
      data: { labels: chart.labels, datasets },
      options: {
        indexAxis: horizontal ? "y" : "x",
        plugins: { legend: { display: datasets.length > 1 } },
        scales: horizontal ? { x: counts, y: categories } : { x: categories, y: counts },
      },
    };
  }

  document.querySelectorAll("canvas[data-chart]").forEach((canvas) => {
    const chart = data[canvas.dataset.chart];
    if (chart) {
      charts.push(new Chart(canvas, config(canvas, chart)));
    }
  });

  // Charts redraw at the paper's width when printed.
  window.addEventListener("beforeprint", () => charts.forEach((chart) => chart.resize()));
  window.addEventListener("afterprint", () => charts.forEach((chart) => chart.resize()));
  document.querySelectorAll("[data-print]").forEach((button) => {
    button.addEventListener("click", () => window.print());
  });
})();
