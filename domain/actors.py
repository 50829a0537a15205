"""Who acts: every event records the actor's id and role; the actor's scope says on which
cases the role reaches (see `domain.access`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from domain.terms import Tier


class Role(StrEnum):
    """The roles an authenticated actor can hold."""

    EMPLOYEE = "employee"  # 职工
    LIAISON = "liaison"  # 网格/部门联络员: brings in appeals on employees' behalf
    UNION_STAFF = "union_staff"  # 工会工作人员
    DEPARTMENT = "department"  # 责任部门承办人
    SUPERVISOR = "supervisor"  # 督办员 (a tier's lead, 牵头人)
    HR = "hr"  # 人力资源部
    COMMITTEE = "committee"  # 工会委员会
    AUDITOR = "auditor"  # 审计
    ADMIN = "admin"  # keeps the directory and tokens; reads no cases
    SYSTEM = "system"  # the service's own processes; never issued to a person


#: Roles whose scope names departments or tiers, kept in the organisation directory.
SCOPED_ROLES = frozenset({Role.DEPARTMENT, Role.SUPERVISOR})

ANONYMOUS_ACTOR_ID = "anonymous"


@dataclass(frozen=True)
class Actor:
    """An authenticated person (or the system) acting on cases, in one role.

    `departments` and `tiers` are the scope of that role, as the organisation directory
    gives it: a department handler's departments, a supervisor's tiers. An employee's scope
    is their own employee number, which is their id. Events record only `id` and `role`.
    """

    id: str
    role: Role
    departments: frozenset[str] = field(default=frozenset())
    tiers: frozenset[Tier] = field(default=frozenset())

    @classmethod
    def anonymous_appellant(cls) -> Actor:
        """The actor recorded for what an anonymous appellant does: no identity at all."""
        return cls(ANONYMOUS_ACTOR_ID, Role.EMPLOYEE)
