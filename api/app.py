"""The FastAPI application; nothing connects to a database until the lifespan starts."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from fastapi import Depends, FastAPI

from api.body_limit import BodyLimit
from api.bootstrap import Services, build_services
from api.deps import refuse_nul
from api.errors import install_error_handlers
from api.routes import (
    accountability,
    action_items,
    appeals,
    audit_trail,
    audit_verify,
    case_lists,
    disclosures,
    health,
    meetings,
    metrics,
    monthly_reports,
    projections,
    proposals,
    receipts,
    reviews,
)
from infrastructure.settings import Settings

DESCRIPTION = """
Huiyin (回音) records every appeal (诉求) employees raise, its transfer to a responsible
department with a working-day deadline, the reply, its publication and the appellant's rating,
as immutable events in PostgreSQL. 事事有回音，件件有着落.

Authenticate with `Authorization: Bearer <token>` (tokens come from `huiyin token issue`).
Commands return the appeal's new `version` and the event's `position`; send
`If-Match: "<version>"` to refuse a stale write (412). Errors are `application/problem+json`.
"""


def create_app(settings: Settings | None = None, services: Services | None = None) -> FastAPI:
    """The API; with `services` given (tests), the caller owns their lifetime."""
    configured = services.settings if services is not None else settings or Settings()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if services is not None:
            app.state.services = services
            yield
            return
        with build_services(configured) as built:
            app.state.services = built
            yield

    app = FastAPI(
        title="Huiyin 回音",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        dependencies=[Depends(refuse_nul)],
    )
    install_error_handlers(app)
    app.add_middleware(BodyLimit, limit=configured.max_body_bytes)
    app.include_router(health.router)
    app.include_router(appeals.router)
    app.include_router(receipts.router)
    app.include_router(meetings.router)
    app.include_router(action_items.router)
    app.include_router(proposals.router)
    app.include_router(reviews.router)
    app.include_router(accountability.router)
    app.include_router(case_lists.router)
    app.include_router(projections.router)
    app.include_router(audit_verify.router)
    app.include_router(audit_trail.router)
    app.include_router(disclosures.router)
    app.include_router(metrics.router)
    app.include_router(monthly_reports.router)
    return app
