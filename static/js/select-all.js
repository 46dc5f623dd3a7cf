// A header checkbox with data-select-all="NAME" ticks or clears every checkbox named NAME in
// its form (the office queue). A separate file: the CSP forbids inline scripts.
(function () {
  "use strict";
  function boxes(master) {
    return Array.from(master.form.querySelectorAll(
      'input[type="checkbox"][name="' + master.dataset.selectAll + '"]'));
  }
  function sync(master) {
    var all = boxes(master);
    var ticked = all.filter(function (box) { return box.checked; }).length;
    master.checked = all.length > 0 && ticked === all.length;
    master.indeterminate = ticked > 0 && ticked < all.length;
  }
  document.querySelectorAll("input[data-select-all]").forEach(function (master) {
    master.addEventListener("change", function () {
      boxes(master).forEach(function (box) { box.checked = master.checked; });
    });
    master.form.addEventListener("change", function (event) {
      if (event.target !== master && event.target.name === master.dataset.selectAll) {
        sync(master);
      }
    });
  });
})();
