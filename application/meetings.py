"""Meetings: the meeting use cases (scheduling, inviting, holding, minutes, decisions,
publishing, the appeals raised at a talk, coverage), each one load → call → save.

`Meetings` also holds the use cases of the cases its decisions produce, one module per
aggregate: action items (`application.action_items`) and congress proposals
(`application.proposals`), on the store and reads they share (`application.meeting_cases`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from functools import partial
from uuid import UUID

from application.action_items import ActionItems
from application.aggregates import ItemResult
from application.attendance import tier_talk_attendees
from application.casework import AppealDraft, Casework, CommandResult
from application.proposals import Proposals
from domain.access import Parties
from domain.actors import Actor
from domain.appeal import Appellant
from domain.meeting import Meeting
from domain.meeting_policy import Coverage, MeetingPolicy, Quarter, RecentAttendance
from domain.meeting_records import Attendee
from domain.meeting_terms import MeetingKind
from domain.policy import Permission, authorise
from domain.publication import Withheld
from domain.terms import Channel, Kind, Tier, Urgency

__all__ = ["ItemResult", "Meetings"]


class Meetings(ActionItems, Proposals):
    """Meetings, their decisions' action items, and congress proposals."""

    def __init__(
        self,
        app: Casework,
        coverage_window_days: int = 365,
        policy: MeetingPolicy | None = None,
    ) -> None:
        if coverage_window_days < 1:
            raise ValueError("the coverage window is at least one day")
        super().__init__(app, policy)
        self.coverage_window = timedelta(days=coverage_window_days)

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

    def record_missed_meeting_deadline(self, meeting_id: UUID, *, actor: Actor) -> ItemResult:
        """Records the meeting's holding or publication deadlines passed undone (the watcher)."""
        meeting = self._access.load(
            Meeting, meeting_id, None, actor=actor, permission=Permission.DEADLINE_RECORD_MISSED
        )
        meeting.record_missed_deadline(actor=actor, at=self.app.now())
        return self._save(meeting)

    def meeting_as_of(self, meeting_id: UUID, moment: datetime) -> Meeting:
        """The meeting as it stood at `moment`."""
        return self._access.as_of(Meeting, meeting_id, moment)

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
