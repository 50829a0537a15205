"""What a page depends on: the signed-in actor (or a redirect to sign in), the permission
the page names from the policy table, and the CSRF check of every form.

A page names its permission as a JSON route does (`page_requires(Permission.X)`), so the
access test lists the pages beside the operations; what the actor's role may not do is not
shown to it (`rendering.may_use`), and whatever is posted is checked again by the use case.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request

from api.deps import ServicesDep
from api.web.session import CSRF_FIELD, CSRF_HEADER, csrf_valid, session_actor
from domain.actors import Actor
from domain.policy import Permission, check_role

UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class SignInRequired(Exception):
    """The page needs a signed-in reader; they are sent to sign in, and back."""

    def __init__(self, back_to: str) -> None:
        super().__init__(back_to)
        self.back_to = back_to


class CsrfRefused(Exception):
    """A form came without this browser's CSRF token (another site's page, or an old one)."""


async def web_actor(request: Request, services: ServicesDep) -> Actor | None:
    """The signed-in actor, or None; a page anyone may read."""
    cached: Actor | None = getattr(request.state, "web_actor", None)
    if cached is None:
        cached = request.state.web_actor = session_actor(request, services)
    return cached


WebActorDep = Annotated[Actor | None, Depends(web_actor)]


async def signed_in(request: Request, actor: WebActorDep) -> Actor:
    """The signed-in actor; a reader who is not is sent to sign in."""
    if actor is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise SignInRequired(target if request.method == "GET" else request.url.path)
    return actor


SignedInDep = Annotated[Actor, Depends(signed_in)]


def page_requires(permission: Permission) -> Any:
    """A page's dependency on `permission`: the signed-in actor, if their role holds it
    (403 page otherwise). Which case it reaches is checked by the use case or the query."""

    async def allowed(actor: SignedInDep) -> Actor:
        check_role(actor, permission)
        return actor

    allowed.permission = permission  # type: ignore[attr-defined]  # read by `permission_of`
    return Depends(allowed)


async def check_csrf(request: Request) -> None:
    """Refuses an unsafe request without the CSRF token of this browser's session."""
    if request.method not in UNSAFE:
        return
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if not csrf_valid(request, sent):
        raise CsrfRefused
