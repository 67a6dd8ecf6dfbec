// Shows how far the evaluation PDF has come, without reloading the page: polls the status address
// named by the progress element until the build is done or failed.
(function () {
  "use strict";
  var box = document.getElementById("evaluation-progress");
  if (!box) { return; }
  var bar = box.querySelector("progress");
  var label = box.querySelector("[data-role=label]");
  var url = box.getAttribute("data-status-url");
  function show(state) {
    bar.max = state.steps;
    bar.value = state.step;
    label.textContent = state.stage_label || state.status_label;
    if (state.status === "done" || state.status === "failed") {
      window.location.reload();
      return;
    }
    window.setTimeout(poll, 1000);
  }
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.json(); })
      .then(show)
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 500);
})();
