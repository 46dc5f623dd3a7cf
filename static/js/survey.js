// The survey's questions that follow an answer (outcomes.forms.CONDITIONS, e.g. the export's
// details after "Yes, we have exported"): hidden until that answer is chosen. Without
// JavaScript every question shows with a note saying when it applies, and the server ignores
// those that do not. Each radio of the question names the block it opens in aria-controls;
// aria-expanded is not used, since ARIA does not allow it on a radio button.
(function () {
  "use strict";
  document.querySelectorAll("[data-if]").forEach(function (block) {
    var form = block.closest("form");
    var selector = "input[name='" + block.dataset.if + "']";
    var note = block.querySelector("[data-if-note]");
    if (note) note.hidden = true;
    function update() {
      var checked = form.querySelector(selector + ":checked");
      block.hidden = !(checked && checked.value === block.dataset.ifValue);
    }
    form.querySelectorAll(selector).forEach(function (radio) {
      radio.setAttribute("aria-controls", block.id);
      radio.addEventListener("change", update);
    });
    update();
  });
})();
