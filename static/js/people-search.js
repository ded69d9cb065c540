/* Finds colleagues by name or agency as they are typed, and offers them in a <datalist>.
   The form element says where to search (data-people-url); each input marked
   data-people-search gets its own list of choices, rows added later too.
   Progressive enhancement: without this script the field takes a name, a part of one (the
   page then offers the people who match) or an employee ID. */
(function () {
  "use strict";
  var WAIT = 250;
  var MIN = 2;

  function choicesFor(input) {
    var id = input.id + "-choices";
    var list = document.getElementById(id);
    if (!list) {
      list = document.createElement("datalist");
      list.id = id;
      input.insertAdjacentElement("afterend", list);
      input.setAttribute("list", id);
    }
    return list;
  }

  function statusFor(input) {
    var id = input.id + "-found";
    var status = document.getElementById(id);
    if (!status) {
      status = document.createElement("p");
      status.id = id;
      status.className = "visually-hidden";
      status.setAttribute("role", "status");
      status.setAttribute("aria-live", "polite");
      input.insertAdjacentElement("afterend", status);
    }
    return status;
  }

  document.querySelectorAll("[data-people-url]").forEach(function (form) {
    var url = form.getAttribute("data-people-url");
    var timers = {};
    form.addEventListener("input", function (event) {
      var input = event.target;
      if (!input || !input.hasAttribute || !input.hasAttribute("data-people-search")) {
        return;
      }
      var query = input.value.trim();
      window.clearTimeout(timers[input.id]);
      if (query.length < MIN) {
        return;
      }
      timers[input.id] = window.setTimeout(function () {
        fetch(url + "?q=" + encodeURIComponent(query), {
          credentials: "same-origin",
          headers: { Accept: "application/json" }
        }).then(function (response) {
          return response.ok ? response.json() : { results: [] };
        }).then(function (data) {
          if (input.value.trim() !== query) {
            return;  // typed on meanwhile: a newer search follows
          }
          var list = choicesFor(input);
          list.textContent = "";
          (data.results || []).forEach(function (person) {
            var option = document.createElement("option");
            option.value = person.label;
            option.textContent = person.agency ? person.name + ", " + person.agency : person.name;
            list.appendChild(option);
          });
          var count = (data.results || []).length;
          statusFor(input).textContent = count === 0 ? "Nobody found yet: type more of the name." :
            (count === 1 ? "One person found: choose them from the list." :
              count + " people found: choose one from the list.");
        }).catch(function () { /* the form still takes the typed name */ });
      }, WAIT);
    });
  });
})();
