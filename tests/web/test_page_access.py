"""Every page names the permission it needs from the policy table (or is public on
purpose), and the pages obey it as a matrix: each page as each role a person can hold is
shown, or refused with the 403 page, exactly as the policy says; a stranger is sent to sign
in; the header links only to pages the reader's role may open."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from urllib.parse import urlsplit

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from api.app import create_app
from api.auth import permission_of
from api.bootstrap import Services
from api.web.pages import PAGES
from api.web.rendering import NAVIGATION
from application.clock import ManualClock
from domain.actors import Actor, Role
from domain.policy import Permission, reach_of
from domain.terms import Tier
from tests.conftest import SETUP
from tests.web.conftest import Browser

#: Pages anyone may open, signed in or not (the public board, following an anonymous
#: appeal by its receipt code, signing in). Any other page must name a permission.
PUBLIC_PAGES = frozenset(
    {
        "GET /web/sign-in",
        "POST /web/sign-in",
        "POST /web/sign-out",
        "GET /web/language/{language}",
        "GET /web/receipt",
        "POST /web/receipt",
        "POST /web/receipt/rate",
        "POST /web/receipt/withdraw",
        "GET /web/",
        "GET /web/board/{disclosure_id}",
        "GET /web/departments/{code}",
        "GET /web/verify",
    }
)
PERSON_ROLES = [role for role in Role if role is not Role.SYSTEM]
PATH_PARAMETER = re.compile(r"\{[^}]+\}")


def web_routes() -> list[APIRoute]:
    """The app's page routes."""
    return [r for router in PAGES for r in router.routes if isinstance(r, APIRoute)]


def page_permissions() -> dict[str, str | None]:
    """`METHOD /path` → the permission the page names (None: public)."""
    return {
        f"{method} {route.path}": permission_of(route.dependant)
        for route in web_routes()
        for method in sorted(route.methods or ())
    }


def test_every_page_names_a_permission_of_the_policy_or_is_public_on_purpose() -> None:
    named = page_permissions()
    public = {page for page, permission in named.items() if permission is None}
    assert public == PUBLIC_PAGES
    for page, permission in named.items():
        if permission is not None:
            assert permission in {p.value for p in Permission}, page


def plain_pages() -> list[tuple[str, Permission]]:
    """The GET pages with no path parameters, and their permissions."""
    return sorted(
        (page.split(" ", 1)[1], Permission(permission))
        for page, permission in page_permissions().items()
        if permission is not None and page.startswith("GET ") and not PATH_PARAMETER.search(page)
    )


@pytest.fixture(scope="module")
def browsers(services: Services) -> Iterator[Callable[[Role | None], Browser]]:
    """A browser signed in as a person of each role (None: signed in as nobody)."""
    with TestClient(create_app(services=services)) as client:
        signed: dict[Role | None, Browser] = {}

        def as_role(role: Role | None) -> Browser:
            if role not in signed:
                browser = Browser(TestClient(client.app))
                if role is not None:
                    person = f"page-{role.value}"
                    if role is not Role.EMPLOYEE:
                        services.casework.directory.grant(
                            person,
                            role,
                            departments=("Works",) if role is Role.DEPARTMENT else (),
                            tiers=(Tier.WORKERS,) if role is Role.SUPERVISOR else (),
                            actor=SETUP,
                        )
                    browser.sign_in(services.credentials.issue(person, role).token)
                signed[role] = browser
            return signed[role]

        yield as_role


@pytest.mark.parametrize(("path", "permission"), plain_pages())
def test_each_page_opens_for_the_roles_holding_its_permission_and_no_others(
    path: str,
    permission: Permission,
    browsers: Callable[[Role | None], Browser],
    clock: ManualClock,
) -> None:
    stranger = browsers(None).client.get(path, follow_redirects=False)
    assert stranger.status_code == 303
    assert urlsplit(stranger.headers["location"]).path == "/web/sign-in"
    for role in PERSON_ROLES:
        response = browsers(role).get(path)
        expected = 200 if reach_of_role(role, permission) else 403
        assert response.status_code == expected, (role, path, response.text[-500:])


def reach_of_role(role: Role, permission: Permission) -> bool:
    """Whether a person in `role` holds `permission` anywhere."""
    return bool(reach_of(Actor("someone", role), permission))


def test_the_header_links_only_to_pages_the_role_may_open(
    browsers: Callable[[Role | None], Browser], clock: ManualClock
) -> None:
    for role in [None, *PERSON_ROLES]:
        page = browsers(role).get("/web/sign-in").text
        for item in NAVIGATION:
            shown = f'href="{item.path}"' in page.split("</nav>")[0].split("<nav")[-1]
            may = item.permission is None or (
                role is not None and reach_of_role(role, item.permission)
            )
            assert shown == may, (role, item.path)
