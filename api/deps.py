"""Typed dependencies: the services, the authenticated actor, version preconditions."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.bootstrap import Services
from api.errors import ApiProblem
from application.casework import Casework
from application.meetings import Meetings
from domain.actors import Actor
from infrastructure.store import SupportStore

bearer = HTTPBearer(auto_error=False, description="a token from `huiyin token issue`")


async def get_services(request: Request) -> Services:
    """The services built by the app's lifespan."""
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


async def get_casework(services: ServicesDep) -> Casework:
    """The Casework application."""
    return services.casework


async def get_store(services: ServicesDep) -> SupportStore:
    """Huiyin's own tables (tokens, case numbers)."""
    return services.store


async def get_meetings(services: ServicesDep) -> Meetings:
    """The meeting, action item and proposal use cases."""
    return services.meetings


CaseworkDep = Annotated[Casework, Depends(get_casework)]
MeetingsDep = Annotated[Meetings, Depends(get_meetings)]
StoreDep = Annotated[SupportStore, Depends(get_store)]


def get_actor(
    store: StoreDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Actor:
    """The actor behind the request's bearer token; 401 without a valid one."""
    challenge = {"WWW-Authenticate": 'Bearer realm="huiyin"'}
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise ApiProblem(
            401,
            "unauthenticated",
            "Authentication required",
            "send 'Authorization: Bearer <token>'",
            challenge,
        )
    actor = store.authenticate(credentials.credentials)
    if actor is None:
        raise ApiProblem(
            401,
            "unauthenticated",
            "Authentication required",
            "the token is unknown or revoked",
            challenge,
        )
    return actor


ActorDep = Annotated[Actor, Depends(get_actor)]


async def expected_version(
    if_match: Annotated[
        str | None,
        Header(description='the ETag of the version you acted on, e.g. "3"; a stale one is 412'),
    ] = None,
) -> int | None:
    """The version named by an If-Match header, if any."""
    if if_match is None or if_match.strip() == "*":
        return None
    tag = if_match.strip().removeprefix("W/").strip('"')
    if not tag.isdigit():
        raise ApiProblem(
            400,
            "invalid-if-match",
            "Malformed If-Match header",
            f'If-Match must be an ETag such as "3", got {if_match!r}',
        )
    return int(tag)


ExpectedVersionDep = Annotated[int | None, Depends(expected_version)]


def etag(version: int) -> str:
    """The ETag of a version (of an appeal, meeting, action item or proposal)."""
    return f'"{version}"'
