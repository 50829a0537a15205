"""Action items (协作事项): created from a meeting's recorded decision, worked on by their
department and accepted against their criteria; each use case load → call → save."""

from __future__ import annotations

from datetime import datetime
from functools import partial
from uuid import UUID

from application.aggregates import ItemResult
from application.meeting_cases import MeetingCases
from domain.access import Parties
from domain.action_item import ActionItem
from domain.actors import Actor
from domain.policy import Permission, authorise


class ActionItems(MeetingCases):
    """The action items a meeting's decisions produce."""

    def create_action_item(
        self,
        meeting_id: UUID,
        *,
        decision_ref: str,
        task: str,
        department: str,
        deadline: datetime,
        acceptance_criteria: str,
        actor: Actor,
        key: str | None = None,
    ) -> ItemResult:
        """Creates an action item from a recorded decision of the meeting (with an
        idempotency `key`, once)."""
        authorise(actor, Permission.ACTION_ITEM_CREATE, Parties())
        decision = self.get_meeting(meeting_id).check_takes_action_items(decision_ref)
        code = self.app.directory.code(department)
        request = {
            "meeting_id": meeting_id,
            "decision_ref": decision_ref,
            "task": task,
            "department": department,
            "deadline": deadline,
            "acceptance_criteria": acceptance_criteria,
        }
        claim = self.app.claim(key, actor, "create_action_item", request)
        build = partial(
            ActionItem.create,
            meeting_id=meeting_id,
            decision_ref=decision.ref,
            task=task,
            department=code,
            deadline=deadline,
            acceptance_criteria=acceptance_criteria,
            actor=actor,
            at=self.app.now(),
        )
        return self._access.create(ActionItem, lambda new_id: build(id=new_id), claim).result

    def report_progress(
        self, item_id: UUID, *, note: str, actor: Actor, expected_version: int | None = None
    ) -> ItemResult:
        """Records progress on an action item."""
        item = self._item(item_id, expected_version, actor, Permission.ACTION_ITEM_WORK)
        item.report_progress(note=note, actor=actor, at=self.app.now())
        return self._save(item)

    def submit_for_acceptance(
        self, item_id: UUID, *, note: str, actor: Actor, expected_version: int | None = None
    ) -> ItemResult:
        """Submits an action item's work for acceptance."""
        item = self._item(item_id, expected_version, actor, Permission.ACTION_ITEM_WORK)
        item.submit_for_acceptance(note=note, actor=actor, at=self.app.now())
        return self._save(item)

    def accept_item(
        self, item_id: UUID, *, actor: Actor, note: str = "", expected_version: int | None = None
    ) -> ItemResult:
        """Accepts an action item's work as meeting its criteria."""
        item = self._item(item_id, expected_version, actor, Permission.ACTION_ITEM_ACCEPT)
        item.accept(note=note, actor=actor, at=self.app.now())
        return self._save(item)

    def reject_item(
        self, item_id: UUID, *, reason: str, actor: Actor, expected_version: int | None = None
    ) -> ItemResult:
        """Rejects an action item's work with a reason; it goes back in progress."""
        item = self._item(item_id, expected_version, actor, Permission.ACTION_ITEM_ACCEPT)
        item.reject(reason=reason, actor=actor, at=self.app.now())
        return self._save(item)

    def mark_item_overdue(
        self, item_id: UUID, *, actor: Actor, expected_version: int | None = None
    ) -> ItemResult:
        """Marks an action item overdue (its deadline passed with the work unaccepted)."""
        item = self._item(item_id, expected_version, actor, Permission.ACTION_ITEM_MARK_OVERDUE)
        item.mark_overdue(actor=actor, at=self.app.now())
        return self._save(item)

    def get_action_item(self, item_id: UUID, version: int | None = None) -> ActionItem:
        """The action item now, or as it stood at `version`."""
        return self._access.get(ActionItem, item_id, version)

    def action_item_as_of(self, item_id: UUID, moment: datetime) -> ActionItem:
        """The action item as it stood at `moment`."""
        return self._access.as_of(ActionItem, item_id, moment)

    def _item(
        self, item_id: UUID, expected_version: int | None, actor: Actor, permission: Permission
    ) -> ActionItem:
        return self._access.load(
            ActionItem, item_id, expected_version, actor=actor, permission=permission
        )
