"""Test support: bringing views to the head with a runner of their own."""

from __future__ import annotations

from api.bootstrap import Services
from infrastructure.database import conninfo
from infrastructure.projection_runner import ViewRunner
from infrastructure.view_registry import VIEWS
from projections.view import APPLICATION_NAME


def run_to_head(services: Services, *names: str) -> int:
    """Runs the named views (their session runners paused by the test) until each has
    applied the newest event, then stops; returns that event's position."""
    head = services.views.head()
    runner = ViewRunner(
        [VIEWS[name] for name in names], services.views._env, conninfo(services.database_url)
    )
    runner.start()
    try:
        for name in names:
            services.views.get(name).wait(APPLICATION_NAME, head, timeout=10)
    finally:
        runner.stop()
    return head
