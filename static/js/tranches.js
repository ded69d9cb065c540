/* The award form's tranche plan: totals the tranche amounts as they are typed and compares
   them with the award amount. Counts in whole cents so that 0.1 + 0.2 is 0.30.
   Progressive enhancement: without this script the server shows the total when the page is
   drawn and after every error (fund.award_views.tranche_total). */
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

  function money(amount, currency) {
    var whole = Math.floor(amount / 100).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    var fraction = amount % 100;
    return (currency || "BTN") + " " + whole + "." + (fraction < 10 ? "0" : "") + fraction;
  }

  function update(form, output, check) {
    var currency = form.getAttribute("data-currency");
    var total = 0;
    var unreadable = 0;
    form.querySelectorAll("[data-tranche-amount]").forEach(function (input) {
      if (input.value.trim() === "") {
        return;
      }
      var value = cents(input.value);
      if (value === null) {
        unreadable += 1;
      } else {
        total += value;
      }
    });
    output.textContent = money(total, currency);
    var amountInput = form.querySelector("[data-award-amount]");
    var amount = amountInput ? cents(amountInput.value) : null;
    var text = "";
    if (unreadable) {
      text = unreadable === 1 ? "One tranche amount is not an amount in figures."
        : unreadable + " tranche amounts are not amounts in figures.";
    } else if (amount !== null) {
      if (amount === total) {
        text = "This matches the award amount.";
      } else if (total < amount) {
        text = money(amount - total, currency) + " less than the award amount: plan the rest.";
      } else {
        text = money(total - amount, currency) + " more than the award amount.";
      }
    }
    check.textContent = text;
    check.className = amount !== null && amount === total && !unreadable ? "budget-ok" : "budget-off";
  }

  document.querySelectorAll("[data-tranche-form]").forEach(function (form) {
    var output = form.querySelector("[data-tranche-total]");
    var check = form.querySelector("[data-tranche-check]");
    if (!output || !check) {
      return;
    }
    var refresh = function () { update(form, output, check); };
    form.addEventListener("input", refresh);
    form.addEventListener("change", refresh);
    refresh();
  });
})();
