"""The FastAPI application; nothing connects to a database until the lifespan starts."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator

from fastapi import APIRouter, Depends, FastAPI
from fastapi.routing import APIRoute
from starlette.routing import Route

from api.auth import publish_permissions
from api.body_limit import BodyLimit
from api.bootstrap import Services, build_services
from api.deps import refuse_nul
from api.docs_page import install_docs
from api.errors import install_error_handlers
from api.openapi_contract import install_contract
from api.rate_limit import RateLimit
from api.routes import (
    accountability,
    action_items,
    appeal_reads,
    appeals,
    audit_trail,
    audit_verify,
    collaboration_reviews,
    competitions,
    directory,
    disclosures,
    erasures,
    health,
    idea_reviews,
    meetings,
    metrics,
    monthly_reports,
    projections,
    proposals,
    receipts,
    webhooks,
)
from api.web.install import install_web
from api.web.pages import PAGES
from infrastructure.keys import CipherKeyError
from infrastructure.settings import Settings

log = logging.getLogger("huiyin")

DESCRIPTION = """
Huiyin (回音) records every appeal (诉求) employees raise, its transfer to a responsible
department with a working-day deadline, the reply, its publication and the appellant's rating,
as immutable events in PostgreSQL. 事事有回音，件件有着落.

Authenticate with `Authorization: Bearer <token>` (tokens come from `huiyin token issue`).
Each operation names the permission it needs as `x-permission` (`public`: no token); who
holds which permission, on which cases, is the policy table in `docs/access.md`. A role
without it gets `403` naming the permission.
Commands return the appeal's new `version` and the event's `position`; send
`If-Match: "<version>"` to refuse a stale write (412). Errors are `application/problem+json`.

Exports: every CSV export is also an .xlsx workbook, asked for the same way with `xlsx` in place
of `csv` (`/audit/export.xlsx` beside `/audit/export.csv`, `format=xlsx` beside `format=csv`);
both hold the same rows. CSV is UTF-8 with a byte-order mark, so Excel and WPS read its Chinese.
"""


#: The routers the app includes, in the order it matches them.
ROUTERS: tuple[APIRouter, ...] = tuple(
    module.router
    for module in (
        health,
        appeals,
        appeal_reads,
        receipts,
        meetings,
        action_items,
        proposals,
        idea_reviews,
        competitions,
        collaboration_reviews,
        accountability,
        projections,
        audit_verify,
        audit_trail,
        disclosures,
        metrics,
        monthly_reports,
        directory,
        erasures,
        webhooks,
    )
)


def operation_id(route: APIRoute) -> str:
    """An operation's id is its route function's name (`raise_appeal`, `transfer`): what a
    generated client calls its functions. Route names are unique across the app."""
    return route.name


def create_app(settings: Settings | None = None, services: Services | None = None) -> FastAPI:
    """The API; with `services` given (tests), the caller owns their lifetime."""
    configured = services.settings if services is not None else settings or Settings()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if services is not None:
            app.state.services = services
            yield
            return
        try:
            with build_services(configured, calendar_warning=True) as built:
                app.state.services = built
                yield
        except CipherKeyError as error:  # weak, or not this store's: one line says which
            log.error("refusing to start: %s", error)
            raise

    app = FastAPI(
        title="Huiyin 回音",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        dependencies=[Depends(refuse_nul)],
        generate_unique_id_function=operation_id,
        docs_url=None,  # served from the package by `install_docs`, never from a CDN
        redoc_url=None,  # one documentation page is enough; ReDoc too would need a CDN
    )
    install_error_handlers(app)
    app.add_middleware(BodyLimit, limit=configured.max_body_bytes)
    app.add_middleware(
        RateLimit,
        per_token=configured.requests_per_minute_per_token,
        per_address=configured.requests_per_minute_per_address,
    )
    for router in ROUTERS:
        publish_permissions(router)
        app.include_router(router)
    install_contract(app, ROUTERS)
    install_docs(app)
    install_web(app)
    return app


def route_templates(app: FastAPI) -> list[str]:
    """Every path template the app answers, in the order it matches them: FastAPI's own
    (the docs and the schema), then its routers' (`/receipts/{code}` …), then the pages'."""
    own = [route.path for route in app.routes if isinstance(route, Route)]
    routers = (*ROUTERS, *PAGES)
    routed = [r.path for router in routers for r in router.routes if isinstance(r, Route)]
    return list(dict.fromkeys(own + routed))
