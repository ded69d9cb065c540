/* The menu button of the layout (issue 15). Loaded in <head> without `defer`, so that the
   class it puts on <html> is there before the first paint and a phone never shows the whole
   navigation only to fold it a moment later.

   On a narrow screen (site.css, max-width 40rem) the navigation folds behind "Menu", a
   disclosure button with aria-expanded; Escape folds it again and returns to the button.
   Without script the button stays hidden and the navigation is shown whole; on a wide screen
   the button is hidden and the navigation shown whatever the button says. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function setUpMenu() {
    var button = document.querySelector(".nav-toggle");
    var nav = button && button.closest(".site-nav");
    if (!nav) {
      return;
    }
    function show(open) {
      nav.classList.toggle("is-open", open);
      button.setAttribute("aria-expanded", open ? "true" : "false");
    }
    button.addEventListener("click", function () {
      show(button.getAttribute("aria-expanded") !== "true");
    });
    nav.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && nav.classList.contains("is-open")) {
        show(false);
        button.focus();
      }
    });
  }

  function start() {
    setUpMenu();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
