// The error summary (templates/includes/error_summary.html): on a failed submit, focus moves
// to it so a screen reader reads it and the page shows it; each link moves focus to its field.
(function () {
  "use strict";
  var summary = document.querySelector("[data-error-summary]");
  if (!summary) return;
  // After the load too: going to the form's own section (the URL's #fragment) moves focus.
  summary.focus();
  window.addEventListener("load", function () {
    summary.focus();
  });
  summary.addEventListener("click", function (event) {
    var link = event.target.closest("a[href^='#']");
    var input = link && document.getElementById(link.getAttribute("href").slice(1));
    if (!input) return;
    event.preventDefault();
    var label = document.querySelector("label[for='" + input.id + "']");
    (label || input).scrollIntoView();
    input.focus({ preventScroll: true });
  });
})();
