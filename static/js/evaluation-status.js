// Shows how far the evaluation PDF has come, without reloading the page: polls the status address
// named by #evaluation-progress until the build is done (then shows the download link) or failed
// (then shows the error); either way the build button comes back, as "Build again" or "Try again".
(function () {
  "use strict";
  var box = document.getElementById("evaluation-progress");
  if (!box) { return; }
  var part = function (role) { return box.querySelector("[data-role=" + role + "]"); };
  var bar = box.querySelector("progress");
  var label = part("label");
  var url = box.getAttribute("data-status-url");
  var form = document.querySelector("form[data-role=build]");

  function offerBuild(outcome) {
    if (!form) { return; }
    var button = form.querySelector("button");
    button.textContent = button.getAttribute("data-label-" + outcome);
    form.hidden = false;
  }

  function show(state) {
    bar.max = state.steps;
    bar.value = state.step;
    label.textContent = state.stage_label || state.status_label;
    if (state.status === "done") {
      part("running").hidden = true;
      if (state.download_url) { part("download").setAttribute("href", state.download_url); }
      part("done").hidden = false;
      offerBuild("done");
      return;
    }
    if (state.status === "failed") {
      part("running").hidden = true;
      part("error").textContent = state.error;
      part("failed").hidden = false;
      offerBuild("failed");
      return;
    }
    window.setTimeout(poll, 1000);
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(response.status); }
        return response.json();
      })
      .then(show)
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 500);
})();
