// The country picker (core/widgets.py): a filter box over the list of countries and the
// chosen ones as removable chips. Without JavaScript the list of boxes works as it is.
(function () {
  "use strict";
  if (window.countryPickerLoaded) return; // one script tag per picker on the page
  window.countryPickerLoaded = true;

  // 「タイ」, 「たい」 and 「ﾀｲ」 find the same country; so do 「Thailand」 and 「thailand」.
  function fold(text) {
    return text
      .normalize("NFKC")
      .toLowerCase()
      .replace(/[\u30a1-\u30f6]/g, function (c) {
        return String.fromCharCode(c.charCodeAt(0) - 0x60);
      })
      .trim();
  }

  function setUp(picker) {
    var inputs = Array.prototype.slice.call(picker.querySelectorAll(".country-picker-option input"));
    var chips = picker.querySelector(".country-picker-chips");
    var searchBox = picker.querySelector(".country-picker-search");
    var search = searchBox.querySelector("input");
    var count = searchBox.querySelector("[aria-live]");
    var empty = picker.querySelector(".country-picker-empty");
    var form = picker.closest("form");
    var exclusiveName = picker.getAttribute("data-exclusive-with");
    var exclusive = exclusiveName && form ? form.elements[exclusiveName] : null;
    var labelOf = function (input) {
      return picker.querySelector("label[for='" + input.id + "']").textContent.trim();
    };
    var folded = inputs.map(function (input) {
      return fold(input.getAttribute("data-search") || "");
    });
    // Chips in the order the countries were chosen (those already ticked first, as listed).
    var chosen = inputs.filter(function (input) {
      return input.checked;
    });

    function renderChips() {
      chosen = chosen.filter(function (input) {
        return input.checked;
      });
      chips.textContent = "";
      chosen.forEach(function (input) {
        var name = labelOf(input);
        var chip = document.createElement("li");
        var text = document.createElement("span");
        text.textContent = name;
        var remove = document.createElement("button");
        remove.type = "button";
        // The name a screen reader reads (「米国を外す」) is the button's own text, out of sight.
        var cross = document.createElement("span");
        cross.setAttribute("aria-hidden", "true");
        cross.textContent = "×";
        var spoken = document.createElement("span");
        spoken.className = "visually-hidden";
        spoken.textContent = picker.getAttribute("data-remove-label").replace("{name}", name);
        remove.appendChild(cross);
        remove.appendChild(spoken);
        remove.addEventListener("click", function () {
          var index = chosen.indexOf(input);
          input.checked = false;
          renderChips();
          var buttons = chips.querySelectorAll("button");
          (buttons[Math.min(index, buttons.length - 1)] || search).focus();
        });
        chip.appendChild(text);
        chip.appendChild(remove);
        chips.appendChild(chip);
      });
      chips.hidden = chosen.length === 0;
    }

    function filter() {
      var query = fold(search.value);
      var shown = 0;
      inputs.forEach(function (input, index) {
        var match = !query || folded[index].indexOf(query) !== -1;
        input.closest(".country-picker-option").hidden = !match;
        if (match) shown += 1;
      });
      picker.querySelectorAll(".country-picker-group").forEach(function (group) {
        group.hidden = !group.querySelector(".country-picker-option:not([hidden])");
      });
      empty.hidden = shown > 0;
      count.textContent = query
        ? shown
          ? picker.getAttribute("data-count-label").replace("{count}", shown)
          : picker.getAttribute("data-none-label")
        : "";
    }

    inputs.forEach(function (input) {
      input.addEventListener("change", function () {
        if (input.checked) {
          if (input.type === "radio") chosen = [];
          chosen.push(input);
          if (exclusive) exclusive.checked = false;
        }
        renderChips();
      });
    });
    if (exclusive) {
      exclusive.addEventListener("change", function () {
        if (!exclusive.checked) return;
        inputs.forEach(function (input) {
          input.checked = false;
        });
        renderChips();
      });
    }
    search.addEventListener("input", filter);
    search.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && search.value) {
        event.preventDefault();
        search.value = "";
        filter();
      } else if (event.key === "Enter") {
        // Enter chooses the first match instead of sending the form.
        event.preventDefault();
        var first = inputs.find(function (input) {
          return !input.closest(".country-picker-option").hidden;
        });
        if (first && search.value.trim() && !first.checked) {
          first.checked = true;
          first.dispatchEvent(new Event("change"));
          search.value = "";
          filter();
        }
      }
    });
    searchBox.hidden = false;
    renderChips();
  }

  function setUpAll() {
    document.querySelectorAll("[data-country-picker]:not([data-ready])").forEach(function (picker) {
      picker.setAttribute("data-ready", "");
      setUp(picker);
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUpAll);
  } else {
    setUpAll();
  }
  document.addEventListener("htmx:afterSettle", setUpAll);
})();
