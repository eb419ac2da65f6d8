"""The API reference: the OpenAPI document, with every error answer documented, and the page
that shows it (Swagger UI, served by this node: no CDN, so it works on a closed network)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse

from liaison.api.errors import Problem

# The API reference; until the web interface exists, `/` redirects here.
DOCS_PATH = "/api/v1/docs"

# What an error means on any route; a route that cannot answer one never does.
ERRORS = {
    "400": "The request is not well formed.",
    "401": "Not signed in, or the token is not valid.",
    "403": "Signed in, without the permission this route declares.",
    "404": "Nothing of that id that you may see (the same answer whether it exists or not).",
    "409": "The state does not allow this now (a transition, a duplicate, an offset).",
    "413": "The body is larger than this route accepts.",
    "422": "The input is not valid: each problem listed with where it is.",
    "429": "Too many attempts; Retry-After says when to try again.",
    "503": "The node is not ready: no directory imported yet.",
}
# tus 1.0 (resumable uploads) answers in its own terms besides.
TUS_ERRORS = {
    "410": "The upload expired or was terminated.",
    "412": "Tus-Resumable is missing or names a version this server does not speak.",
    "415": "A PATCH body must be application/offset+octet-stream.",
    "460": "The body does not match its Upload-Checksum; nothing of it was kept.",
}
_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Liaison API</title>
<link rel="stylesheet" href="/static/vendor/swagger-ui-dist/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/static/vendor/swagger-ui-dist/swagger-ui-bundle.js"></script>
<script src="/static/api-docs.js"></script></body></html>
"""


def install(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = documented(
                get_openapi(
                    title=app.title,
                    version=app.version,
                    summary=app.summary,
                    routes=app.routes,
                )
            )
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]

    @app.get(DOCS_PATH, include_in_schema=False, response_class=HTMLResponse)
    def reference_page() -> HTMLResponse:
        """The API reference (public: the OpenAPI document is public too)."""
        return HTMLResponse(_PAGE)


def documented(schema: dict[str, Any]) -> dict[str, Any]:
    """Every operation documents the error answers in the one shape they all have."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for name, model in Problem.model_json_schema(ref_template="#/components/schemas/{model}")[
        "$defs"
    ].items():
        components[name] = model
    problem = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    problem.pop("$defs", None)
    components["Problem"] = problem
    components.pop("HTTPValidationError", None)
    components.pop("ValidationError", None)
    content = {"application/json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for path, operations in schema.get("paths", {}).items():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            errors = ERRORS | (TUS_ERRORS if path.startswith("/api/v1/uploads") else {})
            for code, description in errors.items():
                entry = responses.setdefault(code, {"description": description})
                entry["content"] = content
            for parameter in operation.get("parameters", []):
                # Checked by the route (412, as tus wants), so optional in the signature; but
                # a client must send it, and the document says so.
                if parameter.get("in") == "header" and parameter.get("name") == "tus-resumable":
                    parameter["required"] = True
    return schema
