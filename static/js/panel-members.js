// The panel form's members: a filter box over the checkboxes grouped by agency (by name,
// username or agency). Progressive enhancement: without JavaScript the box stays hidden and
// every person is listed; ticked boxes are never hidden by the filter's logic being lost,
// because hiding only changes what is shown, not what is sent.
(function () {
  "use strict";
  var picker = document.querySelector(".member-picker");
  if (!picker) { return; }
  var box = picker.querySelector(".member-filter");
  var input = document.getElementById("member-filter");
  var count = document.getElementById("member-filter-count");
  if (!box || !input) { return; }
  box.hidden = false;
  var rows = picker.querySelectorAll("li[data-filter-text]");
  var groups = picker.querySelectorAll("fieldset.agency-group");

  function apply() {
    var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
    var shown = 0;
    rows.forEach(function (row) {
      var text = row.getAttribute("data-filter-text") || "";
      var match = words.every(function (word) { return text.indexOf(word) !== -1; });
      row.hidden = !match;
      if (match) { shown += 1; }
    });
    groups.forEach(function (group) {
      group.hidden = !group.querySelector("li[data-filter-text]:not([hidden])");
    });
    if (count) {
      count.textContent = words.length
        ? shown + " of " + rows.length + " people shown; ticked people stay ticked"
        : "";
    }
  }

  input.addEventListener("input", apply);
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter") { event.preventDefault(); }  // do not submit the form
  });
  apply();
})();
