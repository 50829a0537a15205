"""Puts the web pages on the app: their routes, their static assets and their errors."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from api.web.errors import install_web_errors
from api.web.pages import PAGES

STATIC = Path(__file__).parent / "static"


def install_web(app: FastAPI) -> None:
    """Mounts `/web/static` and includes every page's router."""
    install_web_errors(app)
    app.mount("/web/static", StaticFiles(directory=STATIC), name="web-static")
    for router in PAGES:
        app.include_router(router)
