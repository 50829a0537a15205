"""The organisation directory's use cases, and what every other use case looks up in it:
departments by code or name, the tiers' leads, and the scope of the role someone acts in.

Requests read the directory on every call (to know who the caller is), so it is kept in
memory as one snapshot and brought up to date only when the store holds newer events:
`current(version)` with the version the request's token lookup returned costs no query at
all while nothing changed. A change builds a new snapshot rather than altering the one
readers share.
"""

from __future__ import annotations

import copy
import threading
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.application import Application

from application.aggregates import AggregateAccess, ItemResult
from domain.access import NOBODY
from domain.actors import Actor, Role
from domain.directory_plan import DirectoryPlan, apply_plan
from domain.errors import InvalidInput, StaleVersion
from domain.organisation import ORGANISATION_ID, Department, Organisation
from domain.policy import Permission, authorise
from domain.terms import Tier
from domain.tier_leads import TierLeads

#: How long a snapshot is trusted without asking the store (outside requests, which ask it
#: with their token lookup).
TRUSTED_SECONDS = 1.0

#: Who an empty directory was read by: nobody (it is never saved).
_NOBODY = Actor("huiyin", Role.SYSTEM)


class Directory:
    """Departments, the tiers' leads and role grants: kept, and looked up."""

    def __init__(self, app: Application[UUID], now: Callable[[], datetime]) -> None:
        self.app = app
        self.now = now
        self._access = AggregateAccess(app, {Organisation: "directory"})
        self._lock = threading.Lock()
        self._snapshot: Organisation | None = None
        self._checked_at = 0.0

    # -- reading -----------------------------------------------------------------------

    def current(self, version: int | None = None) -> Organisation:
        """The directory now. With `version` (the store's, as a request just read it), the
        store is asked only if the snapshot is older; without, when it was last checked
        more than a second ago."""
        snapshot = self._snapshot
        held = snapshot.version if snapshot is not None else 0
        if version is not None and version <= held:
            self._checked_at = time.monotonic()  # the store said so just now
            return snapshot or self._empty()
        if version is None and time.monotonic() - self._checked_at < TRUSTED_SECONDS:
            return snapshot or self._empty()
        return self._refresh()

    def version(self) -> int:
        """The directory's version in the store (0: nothing recorded yet), read now."""
        self._refresh()
        return self._snapshot.version if self._snapshot is not None else 0

    def department(self, reference: str, field: str = "department") -> Department:
        """The department a code or current name refers to (InvalidInput naming `field`)."""
        return self.current().department(reference, field)

    def code(self, reference: str, field: str = "department") -> str:
        """The code of an open department a code or name refers to, for new work."""
        return self.current().open_department(reference, field).code

    def codes(self, references: list[str] | tuple[str, ...], field: str) -> list[str]:
        """The codes of open departments, in the order given."""
        org = self.current()
        return [org.open_department(ref, field).code for ref in references]

    def tier_leads(self) -> TierLeads:
        """The tiers' leads appointed so far."""
        return self.current().tier_leads()

    def actor(self, person: str, role: Role, version: int | None = None) -> Actor | None:
        """`person` in `role` with the role's scope now; None if they do not hold it."""
        return self.current(version).actor(person, role)

    def check_supervisor(self, person: str, field: str = "supervisor") -> None:
        """Refuses a supervisor the directory does not know: they could not follow the case."""
        if self.current().actor(person.strip(), Role.SUPERVISOR) is None:
            raise InvalidInput(
                field,
                f"{person.strip()} is not a supervisor in the directory (a tier's lead, or "
                "granted the supervisor role)",
            )

    # -- changing ----------------------------------------------------------------------

    def open_department(
        self,
        *,
        code: str,
        name: str,
        actor: Actor,
        head: str | None = None,
        expected_version: int | None = None,
    ) -> ItemResult:
        """Adds a department."""
        return self._change(
            actor, "open", expected_version=expected_version, code=code, name=name, head=head
        )

    def rename_department(
        self, reference: str, *, name: str, actor: Actor, expected_version: int | None = None
    ) -> ItemResult:
        """Renames a department; its code, history and figures stay."""
        return self._change(
            actor, "rename", expected_version=expected_version, reference=reference, name=name
        )

    def appoint_head(
        self,
        reference: str,
        *,
        head: str | None,
        actor: Actor,
        expected_version: int | None = None,
    ) -> ItemResult:
        """Names a department's head."""
        return self._change(
            actor, "appoint_head", expected_version=expected_version, reference=reference, head=head
        )

    def close_department(
        self, reference: str, *, reason: str, actor: Actor, expected_version: int | None = None
    ) -> ItemResult:
        """Closes a department: nothing new is sent to it."""
        return self._change(
            actor, "close", expected_version=expected_version, reference=reference, reason=reason
        )

    def appoint_lead(
        self,
        tier: Tier,
        *,
        position: str,
        person: str,
        actor: Actor,
        expected_version: int | None = None,
    ) -> ItemResult:
        """Names the lead of a tier's talks."""
        return self._change(
            actor,
            "appoint_lead",
            expected_version=expected_version,
            tier=tier,
            position=position,
            person=person,
        )

    def grant(
        self,
        person: str,
        role: Role,
        *,
        actor: Actor,
        departments: list[str] | tuple[str, ...] = (),
        tiers: list[Tier] | tuple[Tier, ...] = (),
        expected_version: int | None = None,
    ) -> ItemResult:
        """Lets `person` act in `role`, in the scope given."""
        return self._change(
            actor,
            "grant",
            Permission.DIRECTORY_ROLES,
            expected_version,
            person=person,
            role=role,
            departments=departments,
            tiers=tiers,
        )

    def revoke(
        self, person: str, role: Role, *, actor: Actor, expected_version: int | None = None
    ) -> ItemResult:
        """Ends a role someone holds (their tokens for it stop working on the next request)."""
        return self._change(
            actor, "revoke", Permission.DIRECTORY_ROLES, expected_version, person=person, role=role
        )

    def apply_plan(
        self,
        plan: DirectoryPlan,
        *,
        actor: Actor,
        dry_run: bool = False,
        expected_version: int | None = None,
    ) -> tuple[list[str], ItemResult | None]:
        """Brings the directory in line with an import (departments, leads, roles); returns
        what changed and, unless a dry run or nothing changed, the save."""
        authorise(actor, Permission.DIRECTORY_MANAGE, NOBODY)
        if plan.roles:
            authorise(actor, Permission.DIRECTORY_ROLES, NOBODY)
        org = self._for_change(actor, expected_version)
        changes = apply_plan(org, plan, actor=actor, at=self.now())
        if dry_run or not changes:
            return changes, None
        return changes, self._save(org)

    # -- plumbing ----------------------------------------------------------------------

    def _change(
        self,
        actor: Actor,
        command: str,
        permission: Permission = Permission.DIRECTORY_MANAGE,
        expected_version: int | None = None,
        **arguments: Any,
    ) -> ItemResult:
        authorise(actor, permission, NOBODY)
        org = self._for_change(actor, expected_version)
        getattr(org, command)(**arguments, actor=actor, at=self.now())
        return self._save(org)

    def _for_change(self, actor: Actor, expected_version: int | None = None) -> Organisation:
        """A private copy of the directory to change (a new one, the first time); refused
        if it is not at the version the client expected."""
        self._refresh()
        held = self._snapshot.version if self._snapshot is not None else 0
        if expected_version is not None and expected_version != held:
            raise StaleVersion(expected_version, held, subject="directory")
        if self._snapshot is None:
            return Organisation.establish(actor=actor, at=self.now())
        return copy.deepcopy(self._snapshot)

    def _empty(self) -> Organisation:
        """The directory of a store that holds none yet (never saved)."""
        return Organisation.establish(actor=_NOBODY, at=self.now())

    def _save(self, org: Organisation) -> ItemResult:
        saved = self._access.save(org)
        self._refresh()
        return saved

    def _refresh(self) -> Organisation:
        """Applies the store's newer directory events to a copy of the snapshot."""
        held = self._snapshot.version if self._snapshot is not None else 0
        newer: list[Any] = list(self.app.events.get(ORGANISATION_ID, gt=held))
        with self._lock:
            self._checked_at = time.monotonic()
            org: Any = self._snapshot
            unseen = [e for e in newer if e.originator_version > (org.version if org else 0)]
            if unseen:  # readers keep the snapshot they hold; the new one replaces it
                org = copy.deepcopy(org)
                for event in unseen:
                    org = event.mutate(org)
                self._snapshot = org
        return self._snapshot or self._empty()
