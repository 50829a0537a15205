"""Who is calling, and may they: bearer tokens, throttled failures, and the permission every
route names (`require`), published in the OpenAPI document as `x-permission`.

A route's permission is checked here by role alone (a role without it gets 403 before any
case is read); whether it reaches the case at hand is checked where the case is loaded
(`AggregateAccess.load`) or queried (each view's scope filter).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.deps import ServicesDep
from api.errors import ApiProblem
from domain.actors import Actor
from domain.errors import Unauthenticated
from domain.policy import Permission, check_role

bearer = HTTPBearer(auto_error=False, description="a token from `huiyin token issue`")

#: `x-permission` of routes anyone may call, and of routes any valid token may call.
PUBLIC = "public"
AUTHENTICATED = "authenticated"

CHALLENGE = {"WWW-Authenticate": 'Bearer realm="huiyin"'}
WINDOW_SECONDS = 60.0


class FailureThrottle:
    """Counts failed authentications per client address over a sliding minute."""

    def __init__(self, limit: int, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.clock = clock
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def retry_after(self, address: str) -> int | None:
        """Seconds until `address` may try again, or None if it may now."""
        with self._lock:
            recent = self._recent(address)
            if len(recent) < self.limit:
                return None
            return max(1, int(recent[0] + WINDOW_SECONDS - self.clock() + 0.999))

    def failed(self, address: str) -> None:
        """Notes a failed authentication from `address`."""
        with self._lock:
            self._recent(address).append(self.clock())
            if len(self._failures) > 100_000:  # a flood of addresses: start counting again
                self._failures = {address: self._failures[address]}

    def _recent(self, address: str) -> deque[float]:
        recent = self._failures.setdefault(address, deque())
        while recent and recent[0] <= self.clock() - WINDOW_SECONDS:
            recent.popleft()
        return recent


def _address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _throttle(request: Request, services: ServicesDep) -> FailureThrottle:
    throttle: FailureThrottle | None = getattr(request.app.state, "auth_throttle", None)
    if throttle is None:
        throttle = request.app.state.auth_throttle = FailureThrottle(
            services.settings.auth_failures_per_minute
        )
    return throttle


def get_actor(
    request: Request,
    services: ServicesDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Actor:
    """The actor behind the request's bearer token, with their role's scope; 401 without a
    valid one, 429 after too many bad ones from the same address."""
    throttle = _throttle(request, services)
    address = _address(request)
    wait = throttle.retry_after(address)
    if wait is not None:
        raise ApiProblem(
            429,
            "too-many-failed-logins",
            "Too many failed authentications",
            f"{throttle.limit} bad tokens within a minute came from this address; "
            f"retry in {wait} s",
            {"Retry-After": str(wait)},
        )
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise ApiProblem(
            401,
            "unauthenticated",
            "Authentication required",
            "send 'Authorization: Bearer <token>'",
            CHALLENGE,
        )
    try:
        return services.credentials.authenticate(credentials.credentials)
    except Unauthenticated as refusal:
        throttle.failed(address)
        raise ApiProblem(
            401, "unauthenticated", "Authentication required", refusal.message, CHALLENGE
        ) from None


ActorDep = Annotated[Actor, Depends(get_actor)]


def require(permission: Permission) -> Any:
    """A route's dependency on `permission`: the authenticated actor, if their role holds
    it at all (Forbidden, 403, otherwise)."""

    async def allowed(actor: ActorDep) -> Actor:  # no I/O: not worth a thread hop
        check_role(actor, permission)
        return actor

    allowed.permission = permission  # type: ignore[attr-defined]  # read by `publish`
    return Depends(allowed)


def publish_permissions(router: APIRouter) -> None:
    """Writes each route's permission into its OpenAPI operation as `x-permission`:
    the permission `require` names, `authenticated` for any valid token, else `public`
    (before the router is included in the app)."""
    for route in router.routes:
        if not isinstance(route, APIRoute):
            continue
        named = permission_of(route.dependant)
        extra = dict(route.openapi_extra or {})
        extra.setdefault("x-permission", named or PUBLIC)
        route.openapi_extra = extra


def permission_of(dependant: Any) -> str | None:
    """The permission a route (its dependant) names: `require`'s, `authenticated`, or None."""
    permission = getattr(dependant.call, "permission", None)
    if isinstance(permission, Permission):
        return permission.value
    if dependant.call is get_actor:
        return AUTHENTICATED
    found = [p for d in dependant.dependencies if (p := permission_of(d)) is not None]
    named = [p for p in found if p != AUTHENTICATED]
    if len(set(named)) > 1:
        raise RuntimeError(f"a route names two permissions: {sorted(set(named))}")
    return named[0] if named else (AUTHENTICATED if found else None)
