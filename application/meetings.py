"""Meetings: the meeting, action item and proposal use cases, each one load → call → save.

`Meetings` wraps the one `Casework` application: the same event store, clock, calendar and
cipher. Every command returns an `ItemResult` (id, new version, global position); every
command on an existing aggregate takes `expected_version` and refuses a stale one.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from functools import partial
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.domain import Aggregate

from application.aggregates import AggregateAccess, ItemResult
from application.attendance import tier_talk_attendees
from application.casework import AppealDraft, Casework, CommandResult
from application.withheld import MeetingAppeals
from domain.access import Parties
from domain.action_item import ActionItem
from domain.actors import Actor
from domain.appeal import Appellant
from domain.meeting import Meeting
from domain.meeting_policy import Coverage, MeetingPolicy, Quarter, RecentAttendance
from domain.meeting_records import Attendee
from domain.meeting_terms import MeetingKind
from domain.policy import Permission, authorise
from domain.proposal import Proposal
from domain.publication import Withheld
from domain.terms import Channel, Kind, Tier, Urgency

__all__ = ["ItemResult", "Meetings"]

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


class Meetings:
    """Meetings, their decisions' action items, and congress proposals."""

    def __init__(
        self,
        app: Casework,
        coverage_window_days: int = 365,
        policy: MeetingPolicy | None = None,
    ) -> None:
        if coverage_window_days < 1:
            raise ValueError("the coverage window is at least one day")
        self.app = app
        self.coverage_window = timedelta(days=coverage_window_days)
        self.policy = policy or MeetingPolicy()
        self._access = AggregateAccess(app, _NOUNS)
        self._appeals = MeetingAppeals(app)

    # -- meetings ----------------------------------------------------------------------

    def schedule(
        self,
        *,
        kind: MeetingKind,
        topic: str,
        scheduled_for: datetime,
        actor: Actor,
        place: str = "",
        video_link: str = "",
        tier: Tier | None = None,
        quarter: Quarter | None = None,
        organiser: str | None = None,
        lead: str | None = None,
        key: str | None = None,
    ) -> ItemResult:
        """Schedules a meeting; a joint meeting names its quarter, a tier talk its tier (with
        an idempotency `key`, once: see `AggregateAccess.create`)."""
        tiers = frozenset({tier} if tier else ())
        authorise(actor, Permission.MEETING_SCHEDULE, Parties(tiers=tiers))
        request = {
            "kind": kind,
            "topic": topic,
            "scheduled_for": scheduled_for,
            "place": place,
            "video_link": video_link,
            "tier": tier,
            "quarter": quarter,
            "organiser": organiser,
            "lead": lead,
        }
        claim = self.app.claim(key, actor, "schedule_meeting", request)
        build = partial(
            Meeting.schedule,
            kind=kind,
            topic=topic,
            scheduled_for=scheduled_for,
            place=place,
            video_link=video_link,
            tier=tier,
            quarter=quarter,
            holding_deadline=self.policy.holding_deadline(kind, quarter, self.app.calendar),
            organiser=organiser or actor.id,
            lead=lead,
            leads=self.app.directory.tier_leads(),
            actor=actor,
            at=self.app.now(),
        )
        return self._access.create(Meeting, lambda new_id: build(id=new_id), claim).result

    def invite(
        self,
        meeting_id: UUID,
        *,
        actor: Actor,
        participants: Sequence[str] = (),
        departments: Sequence[str] = (),
        override_reason: str | None = None,
        expected_version: int | None = None,
    ) -> ItemResult:
        """Invites people and departments (from the directory); tier talks refuse recent
        attendees unless overridden."""
        meeting = self._run(meeting_id, expected_version, actor)
        at = self.app.now()
        recent = None
        if meeting.kind is MeetingKind.TIER_TALK and meeting.tier is not None:
            recent = self.recent_attendees(meeting.tier, at)
        meeting.invite(
            participants=participants,
            departments=self.app.directory.codes(tuple(departments), "departments"),
            recent=recent,
            override_reason=override_reason,
            actor=actor,
            at=at,
        )
        return self._save(meeting)

    def hold(
        self,
        meeting_id: UUID,
        *,
        attendance: Sequence[Attendee],
        actor: Actor,
        expected_version: int | None = None,
    ) -> ItemResult:
        """Records that the meeting took place now, with who attended (and for which
        department of the directory)."""
        meeting = self._run(meeting_id, expected_version, actor)
        at = self.app.now()
        directory = self.app.directory
        meeting.hold(
            attendance=[
                Attendee(a.person_id, directory.department(a.department, "attendance").code)
                if a.department.strip()
                else a
                for a in attendance
            ],
            publication_deadline=self.policy.publication_deadline(
                meeting.kind, at, self.app.calendar
            ),
            actor=actor,
            at=at,
        )
        return self._save(meeting)

    def record_minutes(
        self, meeting_id: UUID, *, minutes: str, actor: Actor, expected_version: int | None = None
    ) -> ItemResult:
        """Records the minutes of a held meeting."""
        meeting = self._run(meeting_id, expected_version, actor)
        meeting.record_minutes(
            minutes=minutes,
            appellants=self.appellants_at(meeting_id),
            actor=actor,
            at=self.app.now(),
        )
        return self._save(meeting)

    def record_decisions(
        self,
        meeting_id: UUID,
        *,
        decisions: Sequence[str],
        actor: Actor,
        expected_version: int | None = None,
    ) -> ItemResult:
        """Records decisions; each gets a reference (D1, D2...) for action items to cite."""
        meeting = self._run(meeting_id, expected_version, actor)
        meeting.record_decisions(
            decisions=decisions,
            appellants=self.appellants_at(meeting_id),
            actor=actor,
            at=self.app.now(),
        )
        return self._save(meeting)

    def publish(
        self, meeting_id: UUID, *, actor: Actor, expected_version: int | None = None
    ) -> ItemResult:
        """Publishes the minutes and decisions (the item list, the assignment results); they
        carry no personal data of the people it names or of appellants raised at it."""
        meeting = self._run(meeting_id, expected_version, actor)
        meeting.publish(appellants=self.appellants_at(meeting_id), actor=actor, at=self.app.now())
        return self._save(meeting)

    def appellants_at(self, meeting_id: UUID) -> Withheld:
        """The appellants of named appeals raised at the meeting, whom its public text and
        disclosures withhold."""
        return self._appeals.appellants(meeting_id)

    # -- appeals raised at a talk ------------------------------------------------------

    def raise_appeal(
        self,
        meeting_id: UUID,
        *,
        kind: Kind,
        category: str,
        title: str,
        text: str,
        actor: Actor,
        appellant: Appellant | None = None,
        department: str = "",
        urgency: Urgency = Urgency.NORMAL,
        key: str | None = None,
    ) -> CommandResult:
        """Raises an appeal at a talk: channel talk session, the talk's id and tier (with an
        idempotency `key`, once: see `Casework.raise_appeal`)."""
        tier = self.get_meeting(meeting_id).check_accepts_appeals()
        draft = AppealDraft(
            channel=Channel.TALK_SESSION,
            kind=kind,
            category=category,
            title=title,
            text=text,
            department=department,
            tier=tier,
            urgency=urgency,
            appellant=appellant,
            meeting_id=meeting_id,
        )
        return self.app.raise_appeal(draft, actor, key=key)

    # -- action items ------------------------------------------------------------------

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

    def record_missed_meeting_deadline(self, meeting_id: UUID, *, actor: Actor) -> ItemResult:
        """Records the meeting's holding or publication deadlines passed undone (the watcher)."""
        meeting = self._access.load(
            Meeting, meeting_id, None, actor=actor, permission=Permission.DEADLINE_RECORD_MISSED
        )
        meeting.record_missed_deadline(actor=actor, at=self.app.now())
        return self._save(meeting)

    def record_missed_assignment(self, proposal_id: UUID, *, actor: Actor) -> ItemResult:
        """Records that a proposal's assignment result was not published in time (the watcher)."""
        proposal = self._access.load(
            Proposal, proposal_id, None, actor=actor, permission=Permission.DEADLINE_RECORD_MISSED
        )
        proposal.record_missed_assignment(actor=actor, at=self.app.now())
        return self._save(proposal)

    # -- congress proposals ------------------------------------------------------------

    def register_proposal(
        self,
        meeting_id: UUID,
        *,
        problem: str,
        solution: str,
        department: str,
        deadline: datetime,
        actor: Actor,
        proposer: str = "",
        key: str | None = None,
    ) -> ItemResult:
        """Registers a proposal of a held congress; its assignment is due with the congress's
        (with an idempotency `key`, once)."""
        authorise(actor, Permission.PROPOSAL_REGISTER, Parties())
        due = self.get_meeting(meeting_id).check_takes_proposals()
        code = self.app.directory.code(department)
        request = {
            "meeting_id": meeting_id,
            "proposer": proposer,
            "problem": problem,
            "solution": solution,
            "department": department,
            "deadline": deadline,
        }
        claim = self.app.claim(key, actor, "register_proposal", request)
        build = partial(
            Proposal.register,
            meeting_id=meeting_id,
            proposer=proposer,
            problem=problem,
            solution=solution,
            department=code,
            deadline=deadline,
            assignment_deadline=due,
            actor=actor,
            at=self.app.now(),
        )
        return self._access.create(Proposal, lambda new_id: build(id=new_id), claim).result

    def publish_assignment(
        self, proposal_id: UUID, *, result: str, actor: Actor, expected_version: int | None = None
    ) -> ItemResult:
        """Publishes a proposal's assignment result."""
        proposal = self._access.load(
            Proposal,
            proposal_id,
            expected_version,
            actor=actor,
            permission=Permission.PROPOSAL_ASSIGN,
        )
        proposal.publish_assignment(result=result, actor=actor, at=self.app.now())
        return self._save(proposal)

    def report_completion(
        self,
        proposal_id: UUID,
        *,
        text: str,
        evidence_links: Sequence[str],
        actor: Actor,
        expected_version: int | None = None,
    ) -> ItemResult:
        """Reports a proposal's completion back to the congress, with evidence links."""
        proposal = self._access.load(
            Proposal,
            proposal_id,
            expected_version,
            actor=actor,
            permission=Permission.PROPOSAL_REPORT,
        )
        proposal.report_completion(
            text=text, evidence_links=evidence_links, actor=actor, at=self.app.now()
        )
        return self._save(proposal)

    # -- queries -----------------------------------------------------------------------

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

    def get_meeting(self, meeting_id: UUID, version: int | None = None) -> Meeting:
        """The meeting now, or as it stood at `version`."""
        return self._access.get(Meeting, meeting_id, version)

    def get_action_item(self, item_id: UUID, version: int | None = None) -> ActionItem:
        """The action item now, or as it stood at `version`."""
        return self._access.get(ActionItem, item_id, version)

    def get_proposal(self, proposal_id: UUID, version: int | None = None) -> Proposal:
        """The proposal now, or as it stood at `version`."""
        return self._access.get(Proposal, proposal_id, version)

    def meeting_as_of(self, meeting_id: UUID, moment: datetime) -> Meeting:
        """The meeting as it stood at `moment`."""
        return self._access.as_of(Meeting, meeting_id, moment)

    def action_item_as_of(self, item_id: UUID, moment: datetime) -> ActionItem:
        """The action item as it stood at `moment`."""
        return self._access.as_of(ActionItem, item_id, moment)

    def proposal_as_of(self, proposal_id: UUID, moment: datetime) -> Proposal:
        """The proposal as it stood at `moment`."""
        return self._access.as_of(Proposal, proposal_id, moment)

    def history(self, aggregate_id: UUID) -> Sequence[Any]:
        """Every event of a meeting, action item or proposal, in order."""
        return self._access.history(
            aggregate_id, (Meeting.Scheduled, ActionItem.Created, Proposal.Registered)
        )

    def recent_attendees(self, tier: Tier, at: datetime | None = None) -> RecentAttendance:
        """Who attended a talk of `tier` within the coverage window before `at` (now)."""
        since = (at or self.app.now()) - self.coverage_window
        return RecentAttendance(tier, since, tier_talk_attendees(self.app, tier, since))

    def coverage(
        self, tier: Tier, population: int, since: datetime | None = None, *, actor: Actor
    ) -> Coverage:
        """Distinct people reached by `tier`'s talks since `since` (default: the window)."""
        authorise(actor, Permission.MEETING_READ, Parties(tiers=frozenset({tier})))
        start = since or self.app.now() - self.coverage_window
        reached = tier_talk_attendees(self.app, tier, start)
        return Coverage(tier, start, len(reached), population)

    # -- plumbing ----------------------------------------------------------------------

    def _run(self, meeting_id: UUID, expected_version: int | None, actor: Actor) -> Meeting:
        return self._access.load(
            Meeting, meeting_id, expected_version, actor=actor, permission=Permission.MEETING_RUN
        )

    def _item(
        self, item_id: UUID, expected_version: int | None, actor: Actor, permission: Permission
    ) -> ActionItem:
        return self._access.load(
            ActionItem, item_id, expected_version, actor=actor, permission=permission
        )

    def _save(self, aggregate: Aggregate) -> ItemResult:
        return self._access.save(aggregate)
