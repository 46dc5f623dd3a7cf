// Tables that scroll inside their box (.table-responsive, .table-scroll): a keyboard user
// must be able to focus the box to scroll it (WCAG 2.1.1), and a screen reader names it.
// Every such box becomes a region labelled by its table's caption, else by the heading of its
// card or section; it takes focus (tabindex="0") only while its content overflows, so a table
// that fits adds no tab stop. One script for every table, present and future, rather than an
// attribute to remember in each template; htmx.onLoad covers content swapped in later.
(function () {
  "use strict";
  var SELECTOR = ".table-responsive, .table-scroll, .table-scroll-short";

  function labelOf(box) {
    var caption = box.querySelector("caption");
    if (caption) return caption.textContent;
    for (var scope = box.closest(".card, section, main"); scope;
         scope = scope.parentElement && scope.parentElement.closest(".card, section, main")) {
      var heading = scope.querySelector("h1, h2, h3, h4, h5, h6");
      if (heading) return heading.textContent;
    }
    return document.title;
  }

  function update(box) {
    var overflows = box.scrollWidth > box.clientWidth || box.scrollHeight > box.clientHeight;
    if (overflows) box.setAttribute("tabindex", "0");
    else box.removeAttribute("tabindex");
  }

  // A box changes size with the window, or when a <details> around it opens.
  var resized = window.ResizeObserver && new ResizeObserver(function (entries) {
    entries.forEach(function (entry) { update(entry.target); });
  });

  function prepare() {
    Array.prototype.forEach.call(document.querySelectorAll(SELECTOR), function (box) {
      if (!box.hasAttribute("role")) {
        box.setAttribute("role", "region");
        if (!box.hasAttribute("aria-label") && !box.hasAttribute("aria-labelledby")) {
          box.setAttribute("aria-label", labelOf(box).replace(/\s+/g, " ").trim());
        }
        if (resized) resized.observe(box);
      }
      update(box);
    });
  }

  if (window.htmx) window.htmx.onLoad(prepare);
  else prepare();
})();
