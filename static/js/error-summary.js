/* Takes the reader to what went wrong: when a page comes back with an error summary (or a
   message a link points at with #...), it is focused, so that it is seen and read out, not
   left above or below the screen. The summary's links then move the focus to each field.
   Progressive enhancement: without this script the summary is at the top of the form and
   the #fragment of the address scrolls to the part concerned. */
(function () {
  "use strict";
  var target = null;
  if (window.location.hash) {
    try {
      target = document.querySelector(window.location.hash + " .error-summary, " +
        window.location.hash + ".error-summary");
    } catch (ignored) {
      target = null;
    }
  }
  target = target || document.querySelector(".error-summary[tabindex='-1']");
  function take() {
    target.focus();
    if (target.scrollIntoView) {
      target.scrollIntoView({ block: "start" });
    }
  }
  if (target) {
    take();
    if (window.location.hash) {
      // The browser moves to the #fragment once the page has loaded, which takes the focus
      // away: it is given back then.
      window.addEventListener("load", function () { window.setTimeout(take, 0); });
    }
  }
  document.querySelectorAll(".error-summary a[href^='#']").forEach(function (link) {
    link.addEventListener("click", function (event) {
      var field = document.getElementById(link.getAttribute("href").slice(1));
      if (field && field.focus) {
        event.preventDefault();
        field.focus();
        if (field.scrollIntoView) {
          field.scrollIntoView({ block: "center" });
        }
      }
    });
  });
})();
