"""What the meeting, action item and proposal use cases share: the one `Casework`
application (its event store, clock, calendar and cipher), the meeting policy, and reads of
any of the three cases.

Every command returns an `ItemResult` (id, new version, global position); every command on
an existing aggregate takes `expected_version` and refuses a stale one.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.domain import Aggregate

from application.aggregates import AggregateAccess, ItemResult
from application.casework import Casework
from application.withheld import MeetingAppeals
from domain.action_item import ActionItem
from domain.actors import Actor
from domain.meeting import Meeting
from domain.meeting_policy import MeetingPolicy
from domain.policy import Permission
from domain.proposal import Proposal

Case = TypeVar("Case", Meeting, ActionItem, Proposal)

#: What reading each kind of case needs.
_READ: dict[type[Aggregate], Permission] = {
    Meeting: Permission.MEETING_READ,
    ActionItem: Permission.ACTION_ITEM_READ,
    Proposal: Permission.PROPOSAL_READ,
}

#: The word each aggregate is called by in errors.
_NOUNS: dict[type[Aggregate], str] = {
    Meeting: "meeting",
    ActionItem: "action item",
    Proposal: "proposal",
}


class MeetingCases:
    """The store and reads that meetings, their action items and proposals share."""

    def __init__(self, app: Casework, policy: MeetingPolicy | None = None) -> None:
        self.app = app
        self.policy = policy or MeetingPolicy()
        self._access = AggregateAccess(app, _NOUNS)
        self._appeals = MeetingAppeals(app)

    def read(
        self,
        cls: type[Case],
        aggregate_id: UUID,
        actor: Actor,
        *,
        version: int | None = None,
        as_of: datetime | None = None,
    ) -> Case:
        """A meeting, action item or proposal now, at a version or as of a moment, if
        `actor` may read it."""
        return self._access.read(
            cls,
            aggregate_id,
            actor=actor,
            permission=_READ[cls],
            version=version,
            as_of=as_of,
        )

    def read_history(self, cls: type[Case], aggregate_id: UUID, actor: Actor) -> Sequence[Any]:
        """Every event of a meeting, action item or proposal, if `actor` may read it."""
        self.read(cls, aggregate_id, actor)
        return self.history(aggregate_id)

    def history(self, aggregate_id: UUID) -> Sequence[Any]:
        """Every event of a meeting, action item or proposal, in order."""
        return self._access.history(
            aggregate_id, (Meeting.Scheduled, ActionItem.Created, Proposal.Registered)
        )

    def get_meeting(self, meeting_id: UUID, version: int | None = None) -> Meeting:
        """The meeting now, or as it stood at `version`."""
        return self._access.get(Meeting, meeting_id, version)

    def _save(self, aggregate: Aggregate) -> ItemResult:
        return self._access.save(aggregate)
