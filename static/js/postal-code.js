// 郵便番号 → 都道府県 and 住所 (registrations.views.PostalCodeView): once the 7 digits are
// typed, an empty prefecture select and an empty address field are filled in (or what this
// script filled in before, for an earlier code); what the person chose or typed is never
// replaced. What was filled is said in a polite live region under the
// postal code. Without JavaScript the form works the same, without the help.
(function () {
  "use strict";
  var input = document.querySelector("input[data-postal-lookup]");
  if (!input || !window.fetch) return;
  var form = input.form;
  var prefecture = form.querySelector("select[name$='prefecture']");
  var address = form.querySelector("input[name$='address']");
  var status = document.createElement("div");
  status.id = input.id + "_lookup";
  status.className = "form-text text-success-emphasis";
  status.setAttribute("role", "status");
  status.setAttribute("aria-live", "polite");
  status.setAttribute("data-testid", "postal-code-status");
  input.insertAdjacentElement("afterend", status);
  var described = input.getAttribute("aria-describedby");
  input.setAttribute("aria-describedby", (described ? described + " " : "") + status.id);
  var asked = "";
  var ours = { prefecture: null, address: null }; // what this script last filled in

  function digits(value) {
    return value
      .replace(/[０-９]/g, function (c) {
        return String.fromCharCode(c.charCodeAt(0) - 0xfee0);
      })
      .replace(/[^0-9]/g, "");
  }

  function free(field, name) {
    return field && (!field.value.trim() || field.value === ours[name]);
  }

  function fill(body) {
    var filled = [];
    if (free(prefecture, "prefecture") && body.prefecture) {
      prefecture.value = ours.prefecture = body.prefecture;
      filled.push("prefecture");
    }
    if (free(address, "address") && body.address) {
      address.value = ours.address = body.address;
      filled.push("address");
    }
    return filled.length === 2 ? "both" : filled[0] || "none";
  }

  function lookup() {
    var code = digits(input.value);
    if (code.length !== 7 || code === asked) return;
    asked = code;
    fetch(input.getAttribute("data-postal-lookup").replace("0000000", code), {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    })
      .then(function (response) {
        return response.json().then(function (body) {
          return { ok: response.ok, body: body };
        });
      })
      .then(function (result) {
        if (digits(input.value) !== code) return; // the person typed on meanwhile
        status.textContent = result.ok ? result.body.messages[fill(result.body)] : result.body.message;
      })
      .catch(function () {
        asked = ""; // offline: try again on the next change
      });
  }

  input.addEventListener("input", lookup);
  input.addEventListener("change", lookup);
})();
