/* The API's docs page: Swagger UI from the platform's own files, started here (no inline script). */
(function () {
  "use strict";
  function start() {
    window.ui = window.SwaggerUIBundle({
      url: document.body.dataset.openapiUrl,
      dom_id: "#swagger-ui",
      deepLinking: true,
      presets: [window.SwaggerUIBundle.presets.apis],
      layout: "BaseLayout",
      validatorUrl: null,
      tryItOutEnabled: false,
      persistAuthorization: false,
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
