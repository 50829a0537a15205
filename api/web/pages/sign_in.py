"""Signing in and out, and the choice of language.

Sign in with a token from `huiyin token issue` (or, where a reverse proxy does the intranet's
single sign-on and names the person in `HUIYIN_WEB_IDENTITY_HEADER`, as one of the roles the
directory gives them). Either becomes a session cookie (`api.web.session`).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from starlette.responses import RedirectResponse, Response

from api.deps import ServicesDep
from api.web.deps import WebActorDep, check_csrf
from api.web.i18n import LANGUAGE_COOKIE, Language
from api.web.rendering import redirect_after, render
from api.web.session import (
    clear_session_cookie,
    end_session,
    set_session_cookie,
    sign_in_as,
    sign_in_with_token,
)
from domain.actors import Role
from domain.errors import Unauthenticated

router = APIRouter(prefix="/web", include_in_schema=False, dependencies=[Depends(check_csrf)])

#: The roles a person may sign in as through single sign-on (never the service's own).
PERSON_ROLES = tuple(role for role in Role if role is not Role.SYSTEM)

Next = Annotated[str, Query(max_length=2000)]


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a page of this site only (never another host)."""
    if target and target.startswith("/web") and not target.startswith("//"):
        return target
    return "/web/"


def _sso_person(request: Request, services: ServicesDep) -> str | None:
    header = services.settings.web_identity_header
    person = request.headers.get(header) if header else None
    return person.strip() if person and person.strip() else None


def _roles_of(services: ServicesDep, person: str) -> list[Role]:
    directory = services.casework.directory
    return [role for role in PERSON_ROLES if directory.actor(person, role) is not None]


@router.get("/sign-in")
def sign_in_page(
    request: Request, services: ServicesDep, actor: WebActorDep, next: Next = "/web/"
) -> Response:
    """The sign-in form (public)."""
    person = _sso_person(request, services)
    context = {
        "next": safe_next(next),
        "person": person,
        "roles": _roles_of(services, person) if person else [],
        "error": None,
    }
    return render(request, "sign_in.html", context, actor=actor)


@router.post("/sign-in")
def sign_in(
    request: Request,
    services: ServicesDep,
    token: Annotated[str, Form(max_length=200)] = "",
    role: Annotated[str, Form(max_length=40)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/web/",
) -> Response:
    """Exchanges a token (or the single sign-on's person and a role) for a session (public)."""
    person = _sso_person(request, services)
    try:
        if token.strip():
            session, seconds = sign_in_with_token(services, token)
        elif person and role in {r.value for r in PERSON_ROLES}:
            session, seconds = sign_in_as(services, person, Role(role))
        else:
            raise Unauthenticated("enter a token")
    except Unauthenticated as refusal:
        context = {
            "next": safe_next(next),
            "person": person,
            "roles": _roles_of(services, person) if person else [],
            "error": str(refusal),
        }
        return render(request, "sign_in.html", context, status=401)
    response = redirect_after(safe_next(next), "已登录")
    set_session_cookie(request, response, session, seconds)
    return response


@router.post("/sign-out")
def sign_out(request: Request, services: ServicesDep) -> Response:
    """Ends the session (its token is revoked) and forgets the cookie."""
    end_session(request, services)
    response = redirect_after("/web/", "已退出登录")
    clear_session_cookie(response)
    return response


@router.get("/language/{language}")
def choose_language(language: Language, next: Next = "/web/") -> Response:
    """Switches the pages' language (a cookie; nothing else changes) and goes back."""
    response = RedirectResponse(safe_next(next), status_code=303)
    response.set_cookie(
        LANGUAGE_COOKIE, language.value, max_age=365 * 86400, path="/web", samesite="lax"
    )
    return response
