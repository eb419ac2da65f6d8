// The API reference page: Swagger UI (vendored, served by this node) on this node's OpenAPI.
// A file of its own, not an inline script, so the page runs under a CSP without 'unsafe-inline'.
window.addEventListener("DOMContentLoaded", function () {
  window.ui = SwaggerUIBundle({
    url: "/api/v1/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
  });
});
