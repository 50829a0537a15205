"""Page tests: the real app over the session's services, through FastAPI's test client,
signed in as a browser is (a session cookie, the CSRF token read from the page's form)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.bootstrap import Services
from application.clock import ManualClock
from domain.actors import Role
from domain.terms import Tier
from tests.conftest import SETUP

CSRF_INPUT = re.compile(r'name="csrf" value="([0-9a-f]{64})"')


def csrf_of(html: str) -> str:
    """The CSRF token a page's forms carry."""
    found = CSRF_INPUT.search(html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


class Browser:
    """A test client that behaves as a browser on the pages: it keeps cookies, reads each
    page's CSRF token and sends it with the forms it posts."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.csrf = ""

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        """GETs a page (following redirects), remembering its CSRF token."""
        response: httpx.Response = self.client.get(path, **kwargs)
        if (found := CSRF_INPUT.search(response.text)) is not None:
            self.csrf = found.group(1)
        return response

    def post(
        self, path: str, data: dict[str, Any] | None = None, *, follow: bool = False
    ) -> httpx.Response:
        """Posts a form as the page would, with the CSRF token of the last page read."""
        if not self.csrf:
            self.get("/web/sign-in")
        form = {"csrf": self.csrf, **(data or {})}
        response: httpx.Response = self.client.post(path, data=form, follow_redirects=follow)
        if (found := CSRF_INPUT.search(response.text)) is not None:
            self.csrf = found.group(1)
        return response

    def sign_in(self, token: str) -> httpx.Response:
        """Signs in with a token."""
        self.get("/web/sign-in")
        response = self.post("/web/sign-in", {"token": token, "next": "/web/"})
        assert response.status_code == 303, response.text
        self.get("/web/sign-in")  # the session changed the CSRF token
        return response


@pytest.fixture
def web(services: Services, clock: ManualClock) -> Iterator[Browser]:
    """A browser on the pages, signed in as nobody."""
    with TestClient(create_app(services=services)) as client:
        yield Browser(client)


@pytest.fixture
def token_for(services: Services) -> Callable[..., str]:
    """Grants the role in the directory and issues a token for it."""

    def issue(
        actor_id: str = "union-clerk-1",
        role: Role = Role.UNION_STAFF,
        *,
        departments: Sequence[str] = (),
        tiers: Sequence[Tier] = (),
    ) -> str:
        if role is not Role.EMPLOYEE:
            services.casework.directory.grant(
                actor_id, role, departments=tuple(departments), tiers=tuple(tiers), actor=SETUP
            )
        return services.credentials.issue(actor_id, role).token

    return issue


@pytest.fixture
def signed_in(web: Browser, token_for: Callable[..., str]) -> Callable[..., Browser]:
    """The browser, signed in as `actor_id` in `role` (granted in the directory)."""

    def sign_in(
        actor_id: str = "union-clerk-1", role: Role = Role.UNION_STAFF, **scope: Any
    ) -> Browser:
        web.sign_in(token_for(actor_id, role, **scope))
        return web

    return sign_in
