// Live weighted score on the review form: Σ weight·value ÷ Σ weight·max_score × 100,
// the same formula as reviews/scoring.py. Without JavaScript the form works the same.
(function () {
  "use strict";
  var form = document.getElementById("review-form");
  var output = document.getElementById("weighted-score");
  if (!form || !output) { return; }
  var criteria = form.querySelectorAll("fieldset.criterion");

  function update() {
    var earned = 0, possible = 0, scored = 0;
    criteria.forEach(function (fieldset) {
      var weight = parseFloat(fieldset.getAttribute("data-weight")) || 0;
      var max = parseInt(fieldset.getAttribute("data-max"), 10) || 0;
      var checked = fieldset.querySelector("input[type=radio]:checked");
      if (checked) {
        earned += weight * parseInt(checked.value, 10);
        possible += weight * max;
        scored += 1;
      }
    });
    if (!scored) { output.textContent = "–"; return; }
    var score = (earned / possible * 100).toFixed(2);
    output.textContent = scored === criteria.length
      ? score
      : score + " (so far: " + scored + " of " + criteria.length + " criteria scored)";
  }

  form.addEventListener("change", update);
  update();
})();
