"""The organisation directory (组织目录): departments, the tiers' leads, and who holds which
role in which scope. One aggregate for the whole organisation, so that codes and names stay
unique; every change is an event like any other, with who made it and when.

Longer than most modules: its eight events, the questions others ask of it (a department by
code or name, an actor's scope) and its commands belong together, since the rules that keep
codes, names and grants consistent read all three.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast
from uuid import NAMESPACE_URL, uuid5

from eventsourcing.domain import Aggregate

from domain import limits
from domain.actors import Actor, Role
from domain.errors import InvalidInput
from domain.terms import Tier
from domain.tier_leads import TierLead, TierLeads
from domain.values import check_aware, clean_text

#: The directory's one aggregate id.
ORGANISATION_ID = uuid5(NAMESPACE_URL, "https://huiyin.local/organisation")

#: A department code: letters (any script), digits, `_`, `.` and `-`; no spaces or symbols.
CODE = re.compile(r"\w[\w.-]{0,39}")

#: A person's id (an employee number, an account name), as tokens carry it and events record
#: it: letters of any script, digits, `.`, `_`, `-`, `@`; starting with a letter or digit.
PERSON = re.compile(r"\w[\w.@-]{0,99}")

#: Roles the directory grants; employees need no grant, the system is no person.
GRANTED_ROLES = frozenset(Role) - {Role.EMPLOYEE, Role.SYSTEM}


@dataclass(frozen=True)
class Department:
    """A department: a stable code (what events record), its name now, its head."""

    code: str
    name: str
    head: str | None = None
    open: bool = True
    former_names: tuple[str, ...] = ()


@dataclass(frozen=True)
class Grant:
    """A role someone holds, with its scope: departments (handlers) or tiers (supervisors)."""

    person: str
    role: Role
    departments: frozenset[str] = field(default=frozenset())
    tiers: frozenset[Tier] = field(default=frozenset())


class Organisation(Aggregate):
    """The directory; `department`, `tier_leads` and `actor` answer what others ask of it."""

    class Event(Aggregate.Event):
        """Every directory event records who changed it, in which role."""

        actor_id: str
        actor_role: str

        def apply(self, aggregate: Any) -> None:
            """Changes the directory; subclasses override `apply_to`."""
            self.apply_to(cast(Organisation, aggregate))

        def apply_to(self, org: Organisation) -> None:
            """Changes the directory as this event says."""

    class Established(Aggregate.Created):
        """The directory was started (with its first change)."""

        actor_id: str
        actor_role: str

    class DepartmentOpened(Event):
        """A department was added."""

        code: str
        name: str
        head: str | None

        def apply_to(self, org: Organisation) -> None:
            org.departments[self.code] = Department(self.code, self.name, self.head)

    class DepartmentRenamed(Event):
        """A department got a new name; its code, cases and figures stay."""

        code: str
        name: str

        def apply_to(self, org: Organisation) -> None:
            old = org.departments[self.code]
            org.departments[self.code] = Department(
                old.code, self.name, old.head, old.open, (*old.former_names, old.name)
            )

    class HeadAppointed(Event):
        """A department's head changed (None: nobody)."""

        code: str
        head: str | None

        def apply_to(self, org: Organisation) -> None:
            old = org.departments[self.code]
            org.departments[self.code] = Department(
                old.code, old.name, self.head, old.open, old.former_names
            )

    class DepartmentClosed(Event):
        """A department was closed: its history stays, nothing new is sent to it."""

        code: str
        reason: str

        def apply_to(self, org: Organisation) -> None:
            old = org.departments[self.code]
            org.departments[self.code] = Department(
                old.code, old.name, old.head, False, old.former_names
            )

    class TierLeadAppointed(Event):
        """A tier's talks got a lead (牵头人), who supervises what is raised there."""

        tier: str
        position: str
        person: str

        def apply_to(self, org: Organisation) -> None:
            org.leads[Tier(self.tier)] = TierLead(self.position, self.person)

    class RoleGranted(Event):
        """Someone holds a role now, in this scope (replacing the role's earlier scope)."""

        person: str
        role: str
        departments: list[str]
        tiers: list[str]

        def apply_to(self, org: Organisation) -> None:
            grant = Grant(
                self.person,
                Role(self.role),
                frozenset(self.departments),
                frozenset(Tier(t) for t in self.tiers),
            )
            org.grants.setdefault(self.person, {})[grant.role] = grant

    class RoleRevoked(Event):
        """Someone no longer holds a role."""

        person: str
        role: str

        def apply_to(self, org: Organisation) -> None:
            held = org.grants.get(self.person, {})
            held.pop(Role(self.role), None)
            if not held:
                org.grants.pop(self.person, None)

    # -- state -------------------------------------------------------------------------

    def __init__(self) -> None:
        self.departments: dict[str, Department] = {}
        self.leads: dict[Tier, TierLead] = {}
        self.grants: dict[str, dict[Role, Grant]] = {}

    @classmethod
    def establish(cls, *, actor: Actor, at: datetime) -> Organisation:
        """An empty directory, started by `actor`."""
        check_aware("time", at)
        return cls._create(
            cls.Established,
            id=ORGANISATION_ID,
            timestamp=at,
            actor_id=actor.id,
            actor_role=actor.role.value,
        )

    # -- queries -----------------------------------------------------------------------

    def department(self, reference: str, field: str = "department") -> Department:
        """The department a code or current name refers to; InvalidInput naming `field`."""
        ref = reference.strip()
        found = self.departments.get(ref) or next(
            (d for d in self.departments.values() if d.name == ref), None
        )
        if found is not None:
            return found
        renamed = next((d for d in self.departments.values() if ref in d.former_names), None)
        if renamed is not None:
            raise InvalidInput(
                field, f"{ref!r} was renamed: it is {renamed.name!r} now (code {renamed.code})"
            )
        raise InvalidInput(field, f"no department {ref!r} in the directory (a code or a name)")

    def open_department(self, reference: str, field: str = "department") -> Department:
        """The department, if new work may still go to it."""
        found = self.department(reference, field)
        if not found.open:
            raise InvalidInput(field, f"department {found.code} ({found.name}) is closed")
        return found

    def tier_leads(self) -> TierLeads:
        """The tiers' leads appointed so far."""
        return TierLeads(dict(self.leads))

    def offices_of(self, person: str) -> list[str]:
        """What `person` holds here: roles granted, departments headed, tiers led."""
        held = [f"the {role.value} role" for role in sorted(self.grants.get(person, {}))]
        held += [
            f"the head of {d.code}"
            for d in self.departments.values()
            if d.head == person and d.open
        ]
        held += [
            f"the lead of {t.value} talks"
            for t, lead in self.leads.items()
            if lead.actor_id == person
        ]
        return held

    def actor(self, person: str, role: Role) -> Actor | None:
        """`person` acting in `role`, with the role's scope; None if they do not hold it."""
        if role is Role.SYSTEM:
            return None
        if role is Role.EMPLOYEE:
            return Actor(person, role)
        grant = self.grants.get(person, {}).get(role)
        if role is Role.DEPARTMENT:
            headed = {d.code for d in self.departments.values() if d.head == person and d.open}
            departments = headed | (grant.departments if grant else set())
            return Actor(person, role, departments=frozenset(departments)) if departments else None
        if role is Role.SUPERVISOR:
            led = {tier for tier, lead in self.leads.items() if lead.actor_id == person}
            if grant is None and not led:
                return None
            return Actor(person, role, tiers=frozenset(led | (grant.tiers if grant else set())))
        return Actor(person, role) if grant is not None else None

    def holders(self) -> list[Grant]:
        """Every role granted, by person and role."""
        return [g for person in sorted(self.grants) for g in self.grants[person].values()]

    # -- commands ----------------------------------------------------------------------

    def open(self, *, code: str, name: str, head: str | None, actor: Actor, at: datetime) -> None:
        """Adds a department under a new code and a name no other department has."""
        code = _code(code)
        name = clean_text("name", name, limits.DEPARTMENT)
        if code in self.departments or self._named(code):
            raise InvalidInput("code", f"{code!r} is already a department's code or name")
        self._check_name_free(name, code)
        self._trigger(self.DepartmentOpened, actor, at, code=code, name=name, head=_person(head))

    def rename(self, *, reference: str, name: str, actor: Actor, at: datetime) -> None:
        """Gives a department a new name; its code, history and figures stay."""
        found = self.department(reference, "code")
        name = clean_text("name", name, limits.DEPARTMENT)
        if name == found.name:
            raise InvalidInput("name", f"{found.code} is already called {name!r}")
        self._check_name_free(name, found.code)
        self._trigger(self.DepartmentRenamed, actor, at, code=found.code, name=name)

    def appoint_head(self, *, reference: str, head: str | None, actor: Actor, at: datetime) -> None:
        """Names a department's head (penalties fall on them; they handle its cases)."""
        found = self.department(reference, "code")
        self._trigger(self.HeadAppointed, actor, at, code=found.code, head=_person(head))

    def close(self, *, reference: str, reason: str, actor: Actor, at: datetime) -> None:
        """Closes a department; its cases and figures keep its code and name."""
        found = self.open_department(reference, "code")
        reason = clean_text("reason", reason, limits.REASON)
        self._trigger(self.DepartmentClosed, actor, at, code=found.code, reason=reason)

    def appoint_lead(
        self, *, tier: Tier, position: str, person: str, actor: Actor, at: datetime
    ) -> None:
        """Names the lead of a tier's talks."""
        lead = TierLead(position.strip(), person_id("person", person))
        self._trigger(
            self.TierLeadAppointed,
            actor,
            at,
            tier=tier.value,
            position=lead.position,
            person=lead.actor_id,
        )

    def grant(
        self,
        *,
        person: str,
        role: Role,
        departments: Iterable[str] = (),
        tiers: Iterable[Tier] = (),
        actor: Actor,
        at: datetime,
    ) -> None:
        """Lets `person` act in `role`; a handler names departments, a supervisor may name
        tiers (a tier's lead supervises it without a grant)."""
        person = person_id("person", person)
        if role not in GRANTED_ROLES:
            raise InvalidInput(
                "role",
                "every employee number may act as an employee without a grant"
                if role is Role.EMPLOYEE
                else "the system role is for the service's own processes",
            )
        codes = sorted({self.open_department(d, "departments").code for d in departments})
        tier_values = sorted({tier.value for tier in tiers})
        if role is Role.DEPARTMENT and not codes:
            raise InvalidInput("departments", "a department handler names their department(s)")
        if codes and role is not Role.DEPARTMENT:
            raise InvalidInput("departments", f"the {role.value} role has no departments")
        if tier_values and role is not Role.SUPERVISOR:
            raise InvalidInput("tiers", f"the {role.value} role has no tiers")
        if len(codes) > limits.DEPARTMENTS:
            raise InvalidInput("departments", f"at most {limits.DEPARTMENTS}")
        self._trigger(
            self.RoleGranted,
            actor,
            at,
            person=person,
            role=role.value,
            departments=codes,
            tiers=tier_values,
        )

    def revoke(self, *, person: str, role: Role, actor: Actor, at: datetime) -> None:
        """Ends a role someone holds; their tokens for it stop working at once."""
        person = person.strip()
        if role not in self.grants.get(person, {}):
            raise InvalidInput("role", f"{person} holds no {role.value} role in the directory")
        self._trigger(self.RoleRevoked, actor, at, person=person, role=role.value)

    # -- guards ------------------------------------------------------------------------

    def _named(self, name: str) -> Department | None:
        return next((d for d in self.departments.values() if d.name == name), None)

    def _check_name_free(self, name: str, code: str) -> None:
        other = self._named(name) or self.departments.get(name)
        if other is not None and other.code != code:
            raise InvalidInput("name", f"{name!r} is already department {other.code}'s")

    def _trigger(
        self, event_class: type[Organisation.Event], actor: Actor, at: datetime, **data: Any
    ) -> None:
        check_aware("time", at)
        self.trigger_event(
            event_class, timestamp=at, actor_id=actor.id, actor_role=actor.role.value, **data
        )


def _code(value: str) -> str:
    code = clean_text("code", value, 40)
    if not CODE.fullmatch(code):
        raise InvalidInput(
            "code",
            f"{code!r}: letters, digits, '_', '.' and '-' only, starting with a letter "
            "or digit (at most 40)",
        )
    return code


def _person(value: str | None) -> str | None:
    return person_id("head", value) if value and value.strip() else None


def person_id(field: str, value: str) -> str:
    """A person's id, trimmed, if it has the form ids have (`PERSON`)."""
    person = clean_text(field, value, limits.ACTOR_ID)
    if not PERSON.fullmatch(person):
        raise InvalidInput(
            field,
            f"{person!r}: a person's id is letters, digits, '.', '_', '-' or '@', starting "
            "with a letter or digit",
        )
    return person
