/* Saves a draft while it is being written: the form (data-autosave-url) is sent to the
   draft's autosave address a moment after a changed field is left, every half minute while
   typing goes on, and when the page is hidden, and the answer ("Draft saved at 14:32.") is read out in the status region
   (data-autosave-status, aria-live). The one-time form token stays with the "Save draft"
   button; the CSRF token goes with the form. If the session has ended, the server keeps what
   was sent and gives it back after signing in again.
   Progressive enhancement: without this script "Save draft" saves, as before. */
(function () {
  "use strict";
  var EVERY_MS = 30000;

  document.querySelectorAll("form[data-autosave-url]").forEach(function (form) {
    var url = form.getAttribute("data-autosave-url");
    var status = form.querySelector("[data-autosave-status]");
    var changed = false;
    var sending = false;
    var stopped = false;

    function say(text) {
      if (status) {
        status.textContent = text;
      }
    }

    function body() {
      var data = new FormData(form);
      data.delete("form_token");
      return data;
    }

    function csrf() {
      var input = form.querySelector("input[name=csrfmiddlewaretoken]");
      return input ? input.value : "";
    }

    function save() {
      if (!changed || sending || stopped) {
        return;
      }
      sending = true;
      changed = false;
      fetch(url, {
        method: "POST",
        body: body(),
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrf(), Accept: "application/json" }
      }).then(function (response) {
        if (response.redirected) {
          stopped = true;
          say("You have been signed out. What you typed is kept: press “Save draft” and sign in again to carry on.");
          return null;
        }
        if (response.status === 403 || response.status === 401) {
          // The CSRF token or the session changed (signed out, or signed in again in another
          // tab): trying again cannot succeed, so stop and say what to do.
          stopped = true;
          say("Your session changed (signed out or signed in again elsewhere). Copy anything you typed since the last save, then reload this page.");
          return null;
        }
        return response.json().then(function (data) {
          say(data.message || "");
          var version = form.querySelector("[data-autosave-version]");
          if (data.saved && data.version && version) {
            // The next save (this script's or "Save draft") replaces this version only.
            version.value = data.version;
          }
          if (response.status === 409) {
            stopped = true;
          }
        });
      }).catch(function () {
        changed = true;
        say("Not saved automatically: the connection failed. It will be tried again; “Save draft” saves too.");
      }).then(function () {
        sending = false;
      });
    }

    form.addEventListener("input", function () { changed = true; });
    form.addEventListener("change", function () {
      // A field left after a change (or a choice made) is saved a moment later.
      changed = true;
      window.setTimeout(save, 1500);
    });
    form.addEventListener("submit", function () { stopped = true; });
    window.setInterval(save, EVERY_MS);
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden") {
        save();
      }
    });
  });
})();
