"""The organisation directory (组织目录): departments, the tiers' leads, who holds which role;
and `GET /me`, who the caller is."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response, status

from api.auth import ActorDep, require
from api.deps import ExpectedVersionDep, ServicesDep
from api.routes.meetings import done
from api.schemas.directory import (
    DepartmentCloseIn,
    DepartmentCreate,
    DirectoryImport,
    DirectoryRead,
    GrantIn,
    GrantRead,
    HeadIn,
    ImportRead,
    LeadIn,
    MeRead,
    RenameIn,
    RevokeIn,
)
from api.schemas.meetings import ItemCommandRead
from application.directory import Directory
from domain.actors import Actor
from domain.policy import Permission
from domain.terms import Tier

router = APIRouter(tags=["directory"])

Code = Annotated[str, Path(max_length=100, description="the department's code (or name)")]
Manager = Annotated[Actor, require(Permission.DIRECTORY_MANAGE)]
RoleKeeper = Annotated[Actor, require(Permission.DIRECTORY_ROLES)]


async def get_directory(services: ServicesDep) -> Directory:
    """The directory's use cases."""
    return services.casework.directory


DirectoryDep = Annotated[Directory, Depends(get_directory)]


@router.get("/me", summary="Who the token stands for")
def me(actor: ActorDep) -> MeRead:
    """The caller's id, role, scope (departments, tiers) and the permissions their role holds."""
    return MeRead.of(actor)


@router.get("/directory", summary="Departments and the tiers' leads")
def read_directory(
    actor: Annotated[Actor, require(Permission.DIRECTORY_READ)], directory: DirectoryDep
) -> DirectoryRead:
    """Every department (code, name, head, open or closed) and each tier's lead."""
    org = directory.current()
    return DirectoryRead.of(org, directory.version())


@router.post("/directory/departments", status_code=status.HTTP_201_CREATED)
def open_department(
    body: DepartmentCreate,
    actor: Manager,
    directory: DirectoryDep,
    version: ExpectedVersionDep,
    response: Response,
) -> ItemCommandRead:
    """Add a department under a new code."""
    result = directory.open_department(
        code=body.code, name=body.name, head=body.head, actor=actor, expected_version=version
    )
    return done(result, response)


@router.post("/directory/departments/{code}/rename")
def rename_department(
    code: Code,
    body: RenameIn,
    actor: Manager,
    directory: DirectoryDep,
    version: ExpectedVersionDep,
    response: Response,
) -> ItemCommandRead:
    """Rename a department; its code, cases and figures stay."""
    result = directory.rename_department(
        code, name=body.name, actor=actor, expected_version=version
    )
    return done(result, response)


@router.post("/directory/departments/{code}/head")
def appoint_head(
    code: Code,
    body: HeadIn,
    actor: Manager,
    directory: DirectoryDep,
    version: ExpectedVersionDep,
    response: Response,
) -> ItemCommandRead:
    """Name the department's head: penalties fall on them, and they handle its cases."""
    result = directory.appoint_head(code, head=body.head, actor=actor, expected_version=version)
    return done(result, response)


@router.post("/directory/departments/{code}/close")
def close_department(
    code: Code,
    body: DepartmentCloseIn,
    actor: Manager,
    directory: DirectoryDep,
    version: ExpectedVersionDep,
    response: Response,
) -> ItemCommandRead:
    """Close a department: nothing new is sent to it; its history stays."""
    result = directory.close_department(
        code, reason=body.reason, actor=actor, expected_version=version
    )
    return done(result, response)


@router.post("/directory/tier-leads/{tier}")
def appoint_lead(
    tier: Tier,
    body: LeadIn,
    actor: Manager,
    directory: DirectoryDep,
    version: ExpectedVersionDep,
    response: Response,
) -> ItemCommandRead:
    """Name the lead (牵头人) of a tier's talks; they supervise what is raised there."""
    result = directory.appoint_lead(
        tier, position=body.position, person=body.person, actor=actor, expected_version=version
    )
    return done(result, response)


@router.get("/directory/roles", summary="Who holds which role")
def roles(actor: RoleKeeper, directory: DirectoryDep) -> list[GrantRead]:
    """Every role granted, with its scope, by person."""
    return [GrantRead.of(grant) for grant in directory.current().holders()]


@router.post("/directory/roles")
def grant(
    body: GrantIn,
    actor: RoleKeeper,
    directory: DirectoryDep,
    version: ExpectedVersionDep,
    response: Response,
) -> ItemCommandRead:
    """Grant a role (replacing the scope of the same role held before)."""
    result = directory.grant(
        body.person,
        body.role,
        departments=body.departments,
        tiers=body.tiers,
        actor=actor,
        expected_version=version,
    )
    return done(result, response)


@router.post("/directory/roles/revoke")
def revoke(
    body: RevokeIn,
    actor: RoleKeeper,
    directory: DirectoryDep,
    version: ExpectedVersionDep,
    response: Response,
) -> ItemCommandRead:
    """End a role: the person's tokens for it stop working from the next request."""
    result = directory.revoke(body.person, body.role, actor=actor, expected_version=version)
    return done(result, response)


@router.post("/directory/import")
def import_directory(
    body: DirectoryImport,
    actor: Manager,
    directory: DirectoryDep,
    version: ExpectedVersionDep,
    dry_run: Annotated[bool, Query(description="say what would change; change nothing")] = False,
) -> ImportRead:
    """Bring the directory in line with a list of departments, leads and roles (an HR export):
    adds and updates only; granting roles also needs `directory.roles`."""
    changes, saved = directory.apply_plan(
        body.plan(), actor=actor, dry_run=dry_run, expected_version=version
    )
    return ImportRead(
        changes=changes,
        dry_run=dry_run,
        version=saved.version if saved else None,
        position=saved.position if saved else None,
    )
