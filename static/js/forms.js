// Progressive enhancement for forms; everything also works without JavaScript.
(function () {
  "use strict";
  // One click, one submission: disable the submit button once a form is sent.
  document.querySelectorAll("form[data-once]").forEach(function (form) {
    form.addEventListener("submit", function () {
      form.querySelectorAll("[type=submit]").forEach(function (button) {
        button.disabled = true;
      });
    });
  });
  // Corporations give a corporate number and capital; sole proprietors do not.
  var form = document.getElementById("registration-form");
  if (!form) return;
  var toggled = ["div_id_capital_yen"];
  function update() {
    var checked = form.querySelector("input[name=entity_type]:checked");
    var sole = checked && checked.value === "sole_proprietor";
    toggled.forEach(function (id) {
      var block = document.getElementById(id);
      if (block) block.hidden = sole;
    });
  }
  form.querySelectorAll("input[name=entity_type]").forEach(function (radio) {
    radio.addEventListener("change", update);
  });
  update();
})();
