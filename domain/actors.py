"""Who acts: every event records the actor's id and role."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    """The roles an authenticated actor can hold."""

    EMPLOYEE = "employee"  # 职工
    UNION_STAFF = "union_staff"  # 工会工作人员
    DEPARTMENT = "department"  # 责任部门承办人
    SUPERVISOR = "supervisor"  # 督办员
    HR = "hr"  # 人力资源部
    COMMITTEE = "committee"  # 工会委员会
    AUDITOR = "auditor"  # 审计
    ADMIN = "admin"
    SYSTEM = "system"


#: Roles allowed to see who raised a named appeal.
IDENTITY_READERS = frozenset({Role.UNION_STAFF, Role.SUPERVISOR, Role.ADMIN})

ANONYMOUS_ACTOR_ID = "anonymous"


@dataclass(frozen=True)
class Actor:
    """An authenticated person (or the system) acting on a case."""

    id: str
    role: Role

    @classmethod
    def anonymous_appellant(cls) -> Actor:
        """The actor recorded for what an anonymous appellant does: no identity at all."""
        return cls(ANONYMOUS_ACTOR_ID, Role.EMPLOYEE)

    @property
    def may_read_identity(self) -> bool:
        """Whether this actor may see the name behind a named appeal."""
        return self.role in IDENTITY_READERS
