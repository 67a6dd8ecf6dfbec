// Swagger UI for the open-data API, from our own static files; no validator or other host is contacted.
window.addEventListener("DOMContentLoaded", function () {
  var element = document.getElementById("swagger-ui");
  window.SwaggerUIBundle({
    url: element.dataset.schemaUrl,
    dom_id: "#swagger-ui",
    validatorUrl: null,
    deepLinking: true,
    supportedSubmitMethods: ["get"],
    presets: [window.SwaggerUIBundle.presets.apis],
  });
});
