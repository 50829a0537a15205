"""Web sessions and CSRF tokens.

Signing in exchanges a bearer token (or, behind an intranet's single sign-on, the person the
proxy names) for a session: a new token for the same person and role, lasting
`HUIYIN_WEB_SESSION_HOURS`, labelled "web session", kept in an HttpOnly SameSite=Lax cookie
(Secure when the page came over HTTPS). Each request checks it exactly as a bearer token is
checked (`Credentials.authenticate`), so revoking a token, a role in the directory or the
person ends the session from the next request; signing out revokes it.

CSRF: every form carries a token derived (HMAC-SHA256) from a random HttpOnly cookie and the
session, checked on every unsafe request (`check_csrf`) — a page on another site can neither
read the cookie nor compute the token.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from starlette.requests import Request
from starlette.responses import Response

from api.bootstrap import Services
from domain.actors import Actor, Role
from domain.errors import Unauthenticated

SESSION_COOKIE = "huiyin_session"
CSRF_COOKIE = "huiyin_csrf"
CSRF_FIELD = "csrf"
CSRF_HEADER = "x-csrf-token"
SESSION_LABEL = "web session"
COOKIE_PATH = "/web"


def session_actor(request: Request, services: Services) -> Actor | None:
    """The signed-in actor, or None (no session, or one that has ended)."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    try:
        return services.credentials.authenticate(token)
    except Unauthenticated:
        return None


def start_session(services: Services, actor: Actor) -> tuple[str, int]:
    """A new session token for `actor` and its lifetime in seconds."""
    hours = services.settings.web_session_hours
    until = services.credentials.now() + timedelta(hours=hours)
    issued = services.credentials.issue(actor.id, actor.role, expires_at=until, label=SESSION_LABEL)
    return issued.token, hours * 3600


def sign_in_with_token(services: Services, token: str) -> tuple[str, int]:
    """A session for the person and role a bearer token stands for (Unauthenticated if it
    stands for none)."""
    return start_session(services, services.credentials.authenticate(token.strip()))


def sign_in_as(services: Services, person: str, role: Role) -> tuple[str, int]:
    """A session for `person` in `role`, named by the intranet's single sign-on; the
    directory must give them the role."""
    actor = services.casework.directory.actor(person, role)
    if actor is None:
        raise Unauthenticated(f"the directory gives {person} no {role.value} role")
    return start_session(services, actor)


def end_session(request: Request, services: Services) -> None:
    """Revokes the request's session token, if any."""
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        services.credentials.revoke(token)


def set_session_cookie(request: Request, response: Response, token: str, seconds: int) -> None:
    """Keeps the session token in the browser."""
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=seconds,
        path=COOKIE_PATH,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )


def clear_session_cookie(response: Response) -> None:
    """Forgets the session in the browser."""
    response.delete_cookie(SESSION_COOKIE, path=COOKIE_PATH)


# -- CSRF -------------------------------------------------------------------------------------


def csrf_seed(request: Request) -> str:
    """The browser's CSRF cookie, or a new one (`ensure_csrf_cookie` sets it)."""
    seed = request.cookies.get(CSRF_COOKIE) or getattr(request.state, "csrf_seed", None)
    if not seed:
        seed = request.state.csrf_seed = secrets.token_urlsafe(32)
    return str(seed)


def csrf_token(request: Request, session: str | None = None) -> str:
    """The token a form on this page carries."""
    session = request.cookies.get(SESSION_COOKIE, "") if session is None else session
    key = csrf_seed(request).encode()
    return hmac.new(key, b"huiyin-csrf:" + session.encode(), hashlib.sha256).hexdigest()


def csrf_valid(request: Request, sent: str | None) -> bool:
    """Whether `sent` is this browser's token for its session."""
    if not sent or not request.cookies.get(CSRF_COOKIE):
        return False
    return hmac.compare_digest(sent, csrf_token(request))


def ensure_csrf_cookie(request: Request, response: Response) -> None:
    """Sets the CSRF cookie if this request made a new one."""
    seed = getattr(request.state, "csrf_seed", None)
    if seed and not request.cookies.get(CSRF_COOKIE):
        response.set_cookie(
            CSRF_COOKIE,
            seed,
            path=COOKIE_PATH,
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
        )
