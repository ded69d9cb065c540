/* Totals the budget lines as they are typed and compares them with the requested amount.
   Counts in whole cents (integers) so that 0.1 + 0.2 is 0.30, never 0.30000000000000004.
   Progressive enhancement: without this script the server shows the saved total. */
(function () {
  "use strict";

  function cents(text) {
    var clean = String(text || "").trim().replace(/^(BTN|Nu\.?)/i, "").replace(/[,\s]/g, "");
    if (!/^\d+(\.\d{0,2})?$/.test(clean)) {
      return null;
    }
    var parts = clean.split(".");
    var fraction = ((parts[1] || "") + "00").slice(0, 2);
    return parseInt(parts[0], 10) * 100 + parseInt(fraction, 10);
  }

  function money(amount) {
    var whole = Math.floor(amount / 100).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    var fraction = amount % 100;
    return "BTN " + whole + "." + (fraction < 10 ? "0" : "") + fraction;
  }

  function update(form, output, check) {
    var total = 0;
    var unreadable = 0;
    var negative = 0;
    form.querySelectorAll("[data-budget-amount]").forEach(function (input) {
      var row = input.closest(".formset-row");
      var removed = row && row.querySelector('input[name$="-DELETE"]');
      if ((removed && removed.checked) || input.value.trim() === "") {
        return;
      }
      var value = cents(input.value);
      if (/^\s*-/.test(input.value)) {
        negative += 1;
      } else if (value === null) {
        unreadable += 1;
      } else {
        total += value;
      }
    });
    output.textContent = money(total);

    var requestedInput = form.querySelector("[data-requested-amount]");
    var requested = requestedInput && requestedInput.value.trim() !== "" ? cents(requestedInput.value) : null;
    var text = "";
    if (negative) {
      text = negative === 1 ? "An amount is below zero: every amount must be more than zero." :
        negative + " amounts are below zero: every amount must be more than zero.";
    } else if (unreadable) {
      text = unreadable === 1 ? "One amount is not written in figures (e.g. 125,000)." :
        unreadable + " amounts are not written in figures (e.g. 125,000).";
    } else if (requested !== null) {
      if (requested === total) {
        text = "This matches the requested amount.";
      } else if (total < requested) {
        text = money(requested - total) + " less than the requested amount.";
      } else {
        text = money(total - requested) + " more than the requested amount.";
      }
    }
    check.textContent = text;
    check.className = requested !== null && requested === total && !unreadable && !negative ? "budget-ok" : "budget-off";
  }

  document.querySelectorAll("[data-budget-form]").forEach(function (form) {
    var output = form.querySelector("[data-budget-total]");
    var check = form.querySelector("[data-budget-check]");
    if (!output || !check) {
      return;
    }
    var refresh = function () { update(form, output, check); };
    form.addEventListener("input", refresh);
    form.addEventListener("change", refresh);
    form.addEventListener("click", function (event) {
      if (event.target && event.target.hasAttribute && event.target.hasAttribute("data-add-row")) {
        window.setTimeout(refresh, 0);
      }
    });
    refresh();
  });
})();
