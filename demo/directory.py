"""The demo organisation's directory: its departments (each coded by its short name), the
tiers' leads, and who holds which role; and one person per role to try the API as."""

from __future__ import annotations

from application.casework import Casework
from application.credentials import Credentials
from demo.organisation import (
    DEPARTMENTS,
    LEGAL_ADVISER,
    PROPOSAL_COMMITTEE,
    TIER_LEADS,
    UNION_CHAIR,
    UNION_STAFF,
    Person,
)
from domain.actors import Actor, Role
from domain.directory_plan import DepartmentEntry, DirectoryPlan, LeadEntry, RoleEntry
from domain.terms import Tier

#: Who fills the demo's directory.
DEMO_ADMIN = Actor("it.admin", Role.ADMIN)

AUDITOR = Person("audit.zhou", "周审", "审计部审计员")
LIAISON = Person("grid.tang", "唐网格", "第3网格联络员")
COMMITTEE = Person("committee.union", "工会委员会", "工会委员会")

#: One person to act as in each role (the demo prints a token for each).
PERSONAS: dict[Role, str] = {
    Role.EMPLOYEE: "",  # filled with an appellant of the demo's appeals
    Role.LIAISON: LIAISON.id,
    Role.UNION_STAFF: UNION_STAFF[0].id,
    Role.DEPARTMENT: DEPARTMENTS[5].handler.id,  # 后勤服务中心
    Role.SUPERVISOR: TIER_LEADS[Tier.WORKERS].id,
    Role.HR: TIER_LEADS[Tier.FUNCTIONAL_OFFICES].id,
    Role.COMMITTEE: COMMITTEE.id,
    Role.AUDITOR: AUDITOR.id,
    Role.ADMIN: DEMO_ADMIN.id,
}

_UNION_STAFF = (
    *UNION_STAFF,
    LEGAL_ADVISER,
    UNION_CHAIR,
    TIER_LEADS[Tier.WORKERS],
    TIER_LEADS[Tier.SAFETY_MONITORS],
)

PLAN = DirectoryPlan(
    departments=tuple(DepartmentEntry(d.name, d.name, d.handler.id) for d in DEPARTMENTS),
    leads=tuple(LeadEntry(tier, person.title, person.id) for tier, person in TIER_LEADS.items()),
    roles=(
        *(RoleEntry(person.id, Role.UNION_STAFF) for person in _UNION_STAFF),
        RoleEntry(COMMITTEE.id, Role.COMMITTEE),
        RoleEntry(PROPOSAL_COMMITTEE.id, Role.COMMITTEE),
        RoleEntry(TIER_LEADS[Tier.FUNCTIONAL_OFFICES].id, Role.HR),
        RoleEntry(AUDITOR.id, Role.AUDITOR),
        RoleEntry(LIAISON.id, Role.LIAISON),
        RoleEntry(DEMO_ADMIN.id, Role.ADMIN),
    ),
)


def fill_directory(casework: Casework) -> list[str]:
    """Brings the store's directory in line with the demo organisation (at the clock's time);
    what changed."""
    changes, _ = casework.directory.apply_plan(PLAN, actor=DEMO_ADMIN)
    return changes


def persona_tokens(credentials: Credentials, employee: str) -> list[str]:
    """A token for one person in each role (the employee given: an appellant of the demo),
    as lines to print: role, person, token."""
    lines = []
    for role, person in PERSONAS.items():
        who = employee if role is Role.EMPLOYEE else person
        issued = credentials.issue(who, role, label="demo")
        lines.append(f"{role.value:<12} {who:<24} {issued.token}")
    return lines
