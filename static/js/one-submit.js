/* One request, one effect: a form being sent cannot be sent again by a second click.
   Its submit buttons are disabled once the browser has taken the form's data (so the
   clicked button's name and value still go with it), and enabled again when the page is
   shown from the back-forward cache or after a while (a download leaves the page in place).
   The server holds the rule on its own (workflow/one_effect.py); this only spares the wait. */
(function () {
  "use strict";
  var AGAIN_AFTER_MS = 15000;

  function buttons(form) {
    var inside = Array.prototype.slice.call(
      form.querySelectorAll("button:not([type]), button[type=submit], input[type=submit], input[type=image]")
    );
    if (form.id) {
      inside = inside.concat(Array.prototype.slice.call(
        document.querySelectorAll('[form="' + form.id + '"][type=submit]')
      ));
    }
    return inside;
  }

  function release(form) {
    delete form.dataset.sending;
    buttons(form).forEach(function (button) {
      if (button.dataset.disabledWhileSending) {
        delete button.dataset.disabledWhileSending;
        button.disabled = false;
        button.removeAttribute("aria-busy");
      }
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || (form.method || "").toLowerCase() !== "post") {
      return;
    }
    if (form.dataset.sending) {
      event.preventDefault(); // already on its way
      return;
    }
    window.setTimeout(function () {
      if (event.defaultPrevented) {
        return; // another script stopped it: nothing is being sent
      }
      form.dataset.sending = "true";
      buttons(form).forEach(function (button) {
        if (!button.disabled) {
          button.dataset.disabledWhileSending = "true";
          button.disabled = true;
          button.setAttribute("aria-busy", "true");
        }
      });
      window.setTimeout(function () { release(form); }, AGAIN_AFTER_MS);
    }, 0);
  });

  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {
      Array.prototype.forEach.call(document.querySelectorAll("form[data-sending]"), release);
    }
  });
})();
