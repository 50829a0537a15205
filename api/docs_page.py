"""`/docs`: Swagger UI served from the package itself, so the API's documentation works on
an intranet with no way out (FastAPI's default page loads it from a CDN, and was blank there).

The assets are swagger-ui-dist from the npm registry, copied unchanged into
`api/static/swagger-ui/` (which `api/static/VENDORED.md` lists with their checksums).
Swagger UI's online validator badge is turned off: it would call validator.swagger.io.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

STATIC = Path(__file__).parent / "static"
ASSETS = "/static/swagger-ui"


def install_docs(app: FastAPI) -> None:
    """Mounts the packaged assets under /static and answers /docs with a page using them."""
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=f"{app.title} — API",
            swagger_js_url=f"{ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{ASSETS}/favicon-32x32.png",
            swagger_ui_parameters={"validatorUrl": None, "persistAuthorization": True},
        )

    app.add_api_route("/docs", docs, methods=["GET"], include_in_schema=False)
