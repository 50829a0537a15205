"""An import into the directory: the departments, leads and roles a file (or request) lists,
and the changes that bring the directory in line with it.

An import adds and updates; it never closes a department or revokes a role the file leaves
out (a partial export must not empty the directory): those are done one by one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from domain.actors import Actor, Role
from domain.organisation import Organisation
from domain.terms import Tier


@dataclass(frozen=True)
class DepartmentEntry:
    """A department as the import lists it."""

    code: str
    name: str
    head: str | None = None


@dataclass(frozen=True)
class LeadEntry:
    """A tier's lead as the import lists it."""

    tier: Tier
    position: str
    person: str


@dataclass(frozen=True)
class RoleEntry:
    """A role someone holds, as the import lists it."""

    person: str
    role: Role
    departments: tuple[str, ...] = ()
    tiers: tuple[Tier, ...] = ()


@dataclass(frozen=True)
class DirectoryPlan:
    """What an import says the directory holds."""

    departments: tuple[DepartmentEntry, ...] = ()
    leads: tuple[LeadEntry, ...] = ()
    roles: tuple[RoleEntry, ...] = field(default=())


def apply_plan(org: Organisation, plan: DirectoryPlan, *, actor: Actor, at: datetime) -> list[str]:
    """Changes `org` (a private copy) to hold what the plan lists; returns each change."""
    changes: list[str] = []
    for entry in plan.departments:
        found = org.departments.get(entry.code.strip())
        head = (entry.head or "").strip() or None
        if found is None:
            org.open(code=entry.code, name=entry.name, head=head, actor=actor, at=at)
            changes.append(f"open {entry.code.strip()} {entry.name.strip()}")
            continue
        if found.name != entry.name.strip():
            org.rename(reference=found.code, name=entry.name, actor=actor, at=at)
            changes.append(f"rename {found.code} {found.name} → {entry.name.strip()}")
        if found.head != head:
            org.appoint_head(reference=found.code, head=head, actor=actor, at=at)
            changes.append(f"head of {found.code}: {found.head or '-'} → {head or '-'}")
    for lead in plan.leads:
        now = org.leads.get(lead.tier)
        if now is None or (now.position, now.actor_id) != (lead.position, lead.person):
            org.appoint_lead(
                tier=lead.tier, position=lead.position, person=lead.person, actor=actor, at=at
            )
            changes.append(f"lead of {lead.tier.value}: {lead.person} ({lead.position})")
    for role in plan.roles:
        held = org.grants.get(role.person.strip(), {}).get(role.role)
        departments = {org.open_department(d, "departments").code for d in role.departments}
        if held is None or (held.departments, held.tiers) != (
            frozenset(departments),
            frozenset(role.tiers),
        ):
            org.grant(
                person=role.person,
                role=role.role,
                departments=sorted(departments),
                tiers=role.tiers,
                actor=actor,
                at=at,
            )
            scope = ", ".join([*sorted(departments), *(t.value for t in role.tiers)])
            changes.append(
                f"grant {role.person.strip()} {role.role.value}" + f" ({scope})" * bool(scope)
            )
    return changes
