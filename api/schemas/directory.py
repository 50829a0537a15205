"""Request and response bodies for the organisation directory and for `GET /me`."""

from __future__ import annotations

from pydantic import BaseModel, Field

from api.schemas.bodies import Body, text_field
from domain import limits
from domain.actors import Actor, Role
from domain.directory_plan import DepartmentEntry, DirectoryPlan, LeadEntry, RoleEntry
from domain.organisation import Department, Grant, Organisation
from domain.policy import POLICY
from domain.terms import Tier
from domain.tier_leads import TierLead

CODE = "a stable code: letters, digits, '_', '.', '-' (what events record)"


class DepartmentCreate(Body):
    """A department to add."""

    code: str = Field(min_length=1, max_length=40, examples=["logistics"], description=CODE)
    name: str = text_field(limits.DEPARTMENT, "后勤服务中心")
    head: str | None = Field(default=None, max_length=limits.ACTOR_ID, examples=["liang.hui"])


class RenameIn(Body):
    """A department's new name."""

    name: str = text_field(limits.DEPARTMENT, "后勤保障中心")


class HeadIn(Body):
    """A department's head (null: none)."""

    head: str | None = Field(max_length=limits.ACTOR_ID, examples=["liang.hui"])


class DepartmentCloseIn(Body):
    """Why a department is closed."""

    reason: str = text_field(limits.REASON, "并入后勤保障中心")


class LeadIn(Body):
    """A tier's lead (牵头人): the position and who holds it."""

    position: str = text_field(limits.TITLE, "工会副主席")
    person: str = text_field(limits.ACTOR_ID, "lead-union-vice-chair")


class GrantIn(Body):
    """A role to grant: a department handler names departments, a supervisor may name tiers."""

    person: str = text_field(limits.ACTOR_ID, "zhang.min")
    role: Role = Field(examples=[Role.UNION_STAFF])
    departments: list[str] = Field(default_factory=list, max_length=limits.DEPARTMENTS)
    tiers: list[Tier] = Field(default_factory=list, max_length=len(Tier))


class RevokeIn(Body):
    """A role to end."""

    person: str = text_field(limits.ACTOR_ID, "zhang.min")
    role: Role = Field(examples=[Role.UNION_STAFF])


class LeadEntryIn(LeadIn):
    """A tier's lead, in an import."""

    tier: Tier


class DirectoryImport(Body):
    """Departments, leads and roles to bring the directory in line with (adds and updates;
    nothing left out is closed or revoked)."""

    departments: list[DepartmentCreate] = Field(default_factory=list, max_length=5000)
    tier_leads: list[LeadEntryIn] = Field(default_factory=list, max_length=len(Tier))
    roles: list[GrantIn] = Field(default_factory=list, max_length=50_000)

    def plan(self) -> DirectoryPlan:
        """The import as the domain reads it."""
        return DirectoryPlan(
            departments=tuple(DepartmentEntry(d.code, d.name, d.head) for d in self.departments),
            leads=tuple(LeadEntry(x.tier, x.position, x.person) for x in self.tier_leads),
            roles=tuple(
                RoleEntry(r.person, r.role, tuple(r.departments), tuple(r.tiers))
                for r in self.roles
            ),
        )


class ImportRead(BaseModel):
    """What an import changed (or, a dry run, would change)."""

    changes: list[str]
    dry_run: bool
    version: int | None = None
    position: int | None = None


class DepartmentRead(BaseModel):
    """A department of the directory."""

    code: str
    name: str
    head: str | None
    open: bool
    former_names: list[str]

    @classmethod
    def of(cls, department: Department) -> DepartmentRead:
        """The department as the API shows it."""
        return cls(
            code=department.code,
            name=department.name,
            head=department.head,
            open=department.open,
            former_names=list(department.former_names),
        )


class LeadRead(BaseModel):
    """A tier's lead."""

    tier: Tier
    position: str
    person: str

    @classmethod
    def of(cls, tier: Tier, lead: TierLead) -> LeadRead:
        """The lead as the API shows it."""
        return cls(tier=tier, position=lead.position, person=lead.actor_id)


class DirectoryRead(BaseModel):
    """The directory: departments and the tiers' leads."""

    version: int
    departments: list[DepartmentRead]
    tier_leads: list[LeadRead]

    @classmethod
    def of(cls, org: Organisation, version: int) -> DirectoryRead:
        """The directory as the API shows it."""
        return cls(
            version=version,
            departments=[DepartmentRead.of(d) for d in sorted(org.departments.values(), key=_code)],
            tier_leads=[LeadRead.of(t, org.leads[t]) for t in Tier if t in org.leads],
        )


class GrantRead(BaseModel):
    """A role someone holds."""

    person: str
    role: Role
    departments: list[str]
    tiers: list[Tier]

    @classmethod
    def of(cls, grant: Grant) -> GrantRead:
        """The grant as the API shows it."""
        return cls(
            person=grant.person,
            role=grant.role,
            departments=sorted(grant.departments),
            tiers=sorted(grant.tiers),
        )


class MeRead(BaseModel):
    """Who the token stands for, the scope of their role, and what the policy lets them do."""

    id: str
    role: Role
    departments: list[str]
    tiers: list[Tier]
    permissions: dict[str, list[str]] = Field(
        description="each permission the role holds, and on which cases (its reach)"
    )

    @classmethod
    def of(cls, actor: Actor) -> MeRead:
        """The caller as the API shows them."""
        return cls(
            id=actor.id,
            role=actor.role,
            departments=sorted(actor.departments),
            tiers=sorted(actor.tiers),
            permissions={
                permission.value: sorted(r.value for r in rule.grants[actor.role])
                for permission, rule in POLICY.items()
                if actor.role in rule.grants
            },
        )


def _code(department: Department) -> str:
    return department.code
