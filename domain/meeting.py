"""The meeting: a talk, joint meeting, congress or council, from scheduling to publishing.

One module although long: every meeting event is stored under its topic in this module
(`domain.meeting:Meeting.Held`), so the events stay nested in the aggregate, and each command
stays beside the events it raises. What is not the aggregate lives beside it: its closed sets
(`domain.meeting_terms`), its state table (`domain.meeting_states`), its deadlines and the
coverage rule (`domain.meeting_policy`), and who came and what was decided
(`domain.meeting_records`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain import limits
from domain.access import Parties
from domain.actors import Actor
from domain.deadlines import Deadline
from domain.errors import ActionNotAllowed, InvalidInput, NotPermitted, RepeatParticipants
from domain.meeting_policy import TALK_PARTICIPANT_LIMIT, Quarter, RecentAttendance
from domain.meeting_records import Attendee, CoverageOverride, Decision
from domain.meeting_states import MEETING_STATES, MeetingCommand
from domain.meeting_terms import MeetingKind
from domain.personal_data import identity
from domain.publication import Withheld, check_public
from domain.terms import Tier
from domain.tier_leads import TierLeads
from domain.values import check_ahead, check_aware, clean_ids, clean_text, clean_url

#: Kinds whose holding leaves something to publish by a due date.
PUBLISH_BY_DEADLINE = frozenset({MeetingKind.JOINT_MEETING, MeetingKind.CONGRESS})


class Meeting(Aggregate):
    """A meeting and its whole lifecycle; every rule about it is checked here."""

    class Event(Aggregate.Event):
        """Every meeting event records who acted, in which role."""

        actor_id: str
        actor_role: str

        def apply(self, aggregate: Any) -> None:
            """Mutates the meeting; subclasses override `apply_to`. The state an event leads
            to is the state table's (`domain.meeting_states`)."""
            meeting = cast(Meeting, aggregate)
            status = MEETING_STATES.status_after(self)
            if status is not None:
                meeting.status = status
            self.apply_to(meeting)

        def apply_to(self, meeting: Meeting) -> None:
            """Changes the meeting's state as this event says."""

    class Scheduled(Aggregate.Created):
        """The meeting was scheduled: when, where, about what, organised and led by whom."""

        actor_id: str
        actor_role: str
        kind: str
        tier: str | None
        topic: str
        scheduled_for: datetime
        place: str
        video_link: str
        organiser: str
        lead: str
        lead_position: str
        quarter: str | None
        holding_deadline: dict[str, Any] | None

        def apply(self, aggregate: Any) -> None:
            """Sets up the new meeting."""
            cast(Meeting, aggregate).start(self)

    class Invited(Event):
        """Participants and departments were asked to attend."""

        personal = (identity("participants[]"), identity("repeat_participants[]"))

        participants: list[str]
        departments: list[str]
        repeat_participants: list[str]
        override_reason: str | None

        def apply_to(self, meeting: Meeting) -> None:
            meeting.participants.extend(self.participants)
            meeting.invited_departments.extend(self.departments)
            if self.override_reason is not None:
                meeting.coverage_overrides.append(
                    CoverageOverride(
                        tuple(self.repeat_participants),
                        self.override_reason,
                        self.actor_id,
                        self.timestamp,
                    )
                )

    class Held(Event):
        """The meeting took place; attendance and absent departments were recorded."""

        personal = (identity("attendees[].person_id"),)

        kind: str
        tier: str | None
        attendees: list[dict[str, str]]
        absent_departments: list[str]
        publication_deadline: dict[str, Any] | None

        def apply_to(self, meeting: Meeting) -> None:
            meeting.attendance = [Attendee.from_record(a) for a in self.attendees]
            meeting.absent_departments = list(self.absent_departments)
            meeting.held_at = self.timestamp
            meeting.publication_deadline = (
                Deadline.from_record(self.publication_deadline)
                if self.publication_deadline
                else None
            )

    class MinutesRecorded(Event):
        """The minutes (纪要) were recorded."""

        minutes: str

        def apply_to(self, meeting: Meeting) -> None:
            meeting.minutes = self.minutes
            meeting.minutes_recorded_at = self.timestamp

    class DecisionsRecorded(Event):
        """Decisions were recorded, each with a reference action items can cite."""

        decisions: list[dict[str, str]]

        def apply_to(self, meeting: Meeting) -> None:
            meeting.decisions.extend(
                Decision(d["ref"], d["text"], self.timestamp) for d in self.decisions
            )

    class DeadlineMissed(Event):
        """Its holding or publication deadline passed without the act; recorded once each."""

        deadline: dict[str, Any]

        def apply_to(self, meeting: Meeting) -> None:
            meeting.missed_deadlines.append(Deadline.from_record(self.deadline))

    class Published(Event):
        """The minutes and decisions (for a joint meeting, its item list) were published."""

        def apply_to(self, meeting: Meeting) -> None:
            meeting.published_at = self.timestamp

    # -- state -------------------------------------------------------------------------

    def start(self, scheduled: Meeting.Scheduled) -> None:
        """Initial state, from the Scheduled event."""
        self.kind = MeetingKind(scheduled.kind)
        self.tier = Tier(scheduled.tier) if scheduled.tier else None
        self.topic = scheduled.topic
        self.scheduled_for = scheduled.scheduled_for
        self.place = scheduled.place
        self.video_link = scheduled.video_link
        self.organiser = scheduled.organiser
        self.lead = scheduled.lead
        self.lead_position = scheduled.lead_position
        self.quarter = Quarter.parse(scheduled.quarter) if scheduled.quarter else None
        self.holding_deadline = (
            Deadline.from_record(scheduled.holding_deadline) if scheduled.holding_deadline else None
        )
        self.missed_deadlines: list[Deadline] = []
        self.status = MEETING_STATES.initial
        self.participants: list[str] = []
        self.invited_departments: list[str] = []
        self.coverage_overrides: list[CoverageOverride] = []
        self.attendance: list[Attendee] = []
        self.absent_departments: list[str] = []
        self.held_at: datetime | None = None
        self.publication_deadline: Deadline | None = None
        self.minutes: str | None = None
        self.minutes_recorded_at: datetime | None = None
        self.decisions: list[Decision] = []
        self.published_at: datetime | None = None

    @property
    def parties(self) -> Parties:
        """Who the meeting concerns, for access: who was invited or came, the departments
        asked to attend, its tier, its lead and organiser."""
        return Parties(
            people=frozenset(self.participants) | {a.person_id for a in self.attendance},
            departments=frozenset(self.invited_departments),
            tiers=frozenset({self.tier} if self.tier else ()),
            leads=frozenset({self.lead, self.organiser}),
        )

    @property
    def public_text(self) -> str:
        """The minutes and decisions as published: the minutes, then `D1: …` for each."""
        parts = [self.minutes] if self.minutes else []
        parts.extend(f"{d.ref}: {d.text}" for d in self.decisions)
        return "\n\n".join(parts)

    def withheld(self, appellants: Withheld) -> Withheld:
        """Whom its public text must not name: the people invited or attending (by person
        id), and `appellants`."""
        came = [a.person_id for a in self.attendance if a.person_id not in self.participants]
        return (
            Withheld.people("a participant", self.participants)
            + Withheld.people("an attendee", came)
            + appellants
        )

    @property
    def held_late(self) -> bool:
        """Whether it was held after its holding deadline (a joint meeting's 5th of the month)."""
        return _late(self.held_at, self.holding_deadline)

    @property
    def published_late(self) -> bool:
        """Whether its minutes, item list or assignment results were published after their due."""
        return _late(self.published_at, self.publication_deadline)

    def holding_overdue(self, moment: datetime) -> bool:
        """Whether at `moment` the meeting is due to have been held and was not."""
        return _overdue(self.held_at, self.holding_deadline, moment)

    def publication_overdue(self, moment: datetime) -> bool:
        """Whether at `moment` the publication is due and not done."""
        return _overdue(self.published_at, self.publication_deadline, moment)

    def missed_at(self, moment: datetime) -> list[Deadline]:
        """Holding or publication deadlines passed undone at `moment`, not yet recorded."""
        missed = []
        if self.holding_overdue(moment) and self.holding_deadline is not None:
            missed.append(self.holding_deadline)
        if self.publication_overdue(moment) and self.publication_deadline is not None:
            missed.append(self.publication_deadline)
        return [d for d in missed if d not in self.missed_deadlines]

    def record_missed_deadline(self, *, actor: Actor, at: datetime) -> list[Deadline]:
        """Records each holding or publication deadline that has passed undone (once each)."""
        missed = self.missed_at(at)
        if not missed:
            raise ActionNotAllowed(
                "record a missed deadline on",
                self.status.value,
                "no holding or publication deadline has passed undone and unrecorded",
                subject="meeting",
            )
        for deadline in missed:
            self._trigger(self.DeadlineMissed, actor, at, deadline=deadline.to_record())
        return missed

    def decision(self, ref: str) -> Decision:
        """The recorded decision with this reference."""
        for decision in self.decisions:
            if decision.ref == ref.strip():
                return decision
        raise InvalidInput("decision_ref", f"the meeting has no decision {ref!r}")

    # -- commands ----------------------------------------------------------------------

    @classmethod
    def schedule(
        cls,
        *,
        id: UUID,
        kind: MeetingKind,
        topic: str,
        scheduled_for: datetime,
        place: str,
        video_link: str,
        tier: Tier | None,
        quarter: Quarter | None,
        holding_deadline: Deadline | None,
        organiser: str,
        lead: str | None,
        leads: TierLeads,
        actor: Actor,
        at: datetime,
    ) -> Meeting:
        """Schedules a meeting; a tier talk is led by its tier's lead."""
        check_aware("time", at)
        check_ahead("scheduled_for", scheduled_for, at)
        if kind is MeetingKind.TIER_TALK and tier is None:
            raise InvalidInput("tier", "a tier talk names one of the eight tiers")
        if tier is not None and not kind.is_talk:
            raise InvalidInput("tier", f"only talks have a tier, not a {kind.value}")
        if kind is MeetingKind.JOINT_MEETING and (quarter is None or holding_deadline is None):
            raise InvalidInput("quarter", "a joint meeting names the quarter it is held for")
        if kind is not MeetingKind.JOINT_MEETING and quarter is not None:
            raise InvalidInput("quarter", "only joint meetings are held for a quarter")
        place_text = clean_text("place", place, limits.PLACE, required=False)
        link = clean_url("video_link", video_link) if video_link.strip() else ""
        if kind is MeetingKind.REMOTE_TALK and not link:
            raise InvalidInput("video_link", "a remote talk (by video) needs its video link")
        if not place_text and not link:
            raise InvalidInput("place", "give a place or a video link")
        organiser_id = clean_text("organiser", organiser, limits.ACTOR_ID)
        lead_id = clean_text("lead", lead, limits.ACTOR_ID, required=False)
        if tier is not None:
            tier_lead = leads.lead_for(tier)
            if lead_id and lead_id != tier_lead.actor_id:
                raise InvalidInput(
                    "lead",
                    f"talks of the {tier.value} tier are led by its lead, "
                    f"the {tier_lead.position} ({tier_lead.actor_id})",
                )
            lead_id, position = tier_lead.actor_id, tier_lead.position
        elif lead_id:
            position = "lead"
        else:
            lead_id, position = organiser_id, "organiser"
        return cls._create(
            cls.Scheduled,
            id=id,
            timestamp=at,
            actor_id=actor.id,
            actor_role=actor.role.value,
            kind=kind.value,
            tier=tier.value if tier else None,
            topic=clean_text("topic", topic, limits.TOPIC),
            scheduled_for=scheduled_for,
            place=place_text,
            video_link=link,
            organiser=organiser_id,
            lead=lead_id,
            lead_position=position,
            quarter=str(quarter) if quarter else None,
            holding_deadline=holding_deadline.to_record() if holding_deadline else None,
        )

    def invite(
        self,
        *,
        participants: Sequence[str],
        departments: Sequence[str],
        recent: RecentAttendance | None,
        override_reason: str | None,
        actor: Actor,
        at: datetime,
    ) -> None:
        """Invites people and asks departments to attend; a tier talk does not repeat people."""
        self._require(MeetingCommand.INVITE)
        people = clean_ids("participants", participants)
        asked = clean_ids("departments", departments, limits.DEPARTMENT)
        if not people and not asked:
            raise InvalidInput("participants", "invite at least one person or department")
        again = sorted(set(people) & set(self.participants))
        if again:
            raise InvalidInput("participants", f"already invited: {', '.join(again)}")
        again = sorted(set(asked) & set(self.invited_departments))
        if again:
            raise InvalidInput("departments", f"already asked to attend: {', '.join(again)}")
        if self.kind.is_talk and len(self.participants) + len(people) > TALK_PARTICIPANT_LIMIT:
            raise InvalidInput(
                "participants",
                f"a talk takes at most {TALK_PARTICIPANT_LIMIT} participants; "
                f"{len(self.participants)} are invited and {len(people)} more were asked",
            )
        reason = clean_text("override_reason", override_reason, limits.REASON, required=False)
        repeats = self._repeat_participants(people, recent)
        if repeats and not reason:
            raise RepeatParticipants(
                repeats,
                f"{', '.join(repeats)} attended a {self.tier} talk since "
                f"{recent.since.date().isoformat() if recent else '?'}; so that everyone is "
                "reached in turn, invite them again only with an override reason",
            )
        if repeats and actor.id not in (self.organiser, self.lead):
            raise NotPermitted("only the organiser or the lead can override the coverage rule")
        self._trigger(
            self.Invited,
            actor,
            at,
            participants=people,
            departments=asked,
            repeat_participants=repeats,
            override_reason=reason if repeats else None,
        )

    def hold(
        self,
        *,
        attendance: Sequence[Attendee],
        publication_deadline: Deadline | None,
        actor: Actor,
        at: datetime,
    ) -> None:
        """Records that the meeting took place, who came, and which asked departments did not."""
        self._require(MeetingCommand.HOLD)
        if not attendance:
            raise InvalidInput("attendance", "record at least one attendee")
        people = clean_ids("attendance", [a.person_id for a in attendance])
        if self.kind.is_talk:
            uninvited = sorted(set(people) - set(self.participants))
            if uninvited:
                raise InvalidInput(
                    "attendance", f"not invited to this talk: {', '.join(uninvited)}"
                )
        if self.kind in PUBLISH_BY_DEADLINE:
            if publication_deadline is None:
                raise InvalidInput("publication_deadline", f"a {self.kind.value} has one")
            check_ahead("publication_deadline", publication_deadline.due, at)
        elif publication_deadline is not None:
            raise InvalidInput("publication_deadline", f"a {self.kind.value} has none")
        came = {a.department.strip() for a in attendance}
        self._trigger(
            self.Held,
            actor,
            at,
            kind=self.kind.value,
            tier=self.tier.value if self.tier else None,
            attendees=[a.to_record() for a in attendance],
            absent_departments=[d for d in self.invited_departments if d not in came],
            publication_deadline=(
                publication_deadline.to_record() if publication_deadline else None
            ),
        )

    def record_minutes(
        self, *, minutes: str, appellants: Withheld, actor: Actor, at: datetime
    ) -> None:
        """Records the meeting's minutes. They are written to be published and cannot be
        changed, so they are checked now as at publication (see `publish`)."""
        self._require(MeetingCommand.RECORD_MINUTES)
        text = clean_text("minutes", minutes, limits.MINUTES)
        self._trigger(
            self.MinutesRecorded,
            actor,
            at,
            minutes=check_public("minutes", text, self.withheld(appellants)),
        )

    def record_decisions(
        self, *, decisions: Sequence[str], appellants: Withheld, actor: Actor, at: datetime
    ) -> None:
        """Records decisions after the minutes; each gets a reference (D1, D2...). Like the
        minutes, each is checked now as at publication."""
        self._require(MeetingCommand.RECORD_DECISIONS)
        if not decisions:
            raise InvalidInput("decisions", "record at least one decision")
        texts = [clean_text("decisions", text, limits.DECISION) for text in decisions]
        withheld = self.withheld(appellants)
        for index, text in enumerate(texts):
            check_public(f"decisions.{index}", text, withheld)
        first = len(self.decisions) + 1
        self._trigger(
            self.DecisionsRecorded,
            actor,
            at,
            decisions=[{"ref": f"D{first + i}", "text": t} for i, t in enumerate(texts)],
        )

    def publish(self, *, appellants: Withheld, actor: Actor, at: datetime) -> None:
        """Publishes minutes and decisions (a joint meeting's item list, a congress's results).
        Each part and the whole carry no personal data of the people the meeting names nor of
        `appellants` (those of named appeals raised at it, which the application reads):
        checked again, as appeals may be raised after the minutes were recorded."""
        self._require(MeetingCommand.PUBLISH)
        if self.kind in PUBLISH_BY_DEADLINE and not self.decisions:
            raise MEETING_STATES.refuse(
                MeetingCommand.PUBLISH,
                self.status,
                f"a {self.kind.value} publishes its decisions; record them first",
            )
        withheld = self.withheld(appellants)
        check_public("minutes", self.minutes or "", withheld)
        for decision in self.decisions:
            check_public(f"decisions.{decision.ref}", decision.text, withheld)
        check_public("minutes_and_decisions", self.public_text, withheld)
        self._trigger(self.Published, actor, at)

    # -- checks other aggregates rely on -----------------------------------------------

    def check_accepts_appeals(self) -> Tier:
        """The tier an appeal raised at this meeting belongs to, if appeals may be raised here."""
        if not self.kind.is_talk or self.tier is None:
            raise MEETING_STATES.refuse(
                MeetingCommand.RAISE_APPEAL,
                self.status,
                "appeals are raised at talks that name their tier",
            )
        self._require(MeetingCommand.RAISE_APPEAL)
        return self.tier

    def check_takes_action_items(self, decision_ref: str) -> Decision:
        """The decision an action item is created from, if the meeting has recorded it."""
        self._require(MeetingCommand.CREATE_ACTION_ITEM)
        return self.decision(decision_ref)

    def check_takes_proposals(self) -> Deadline:
        """The due date of proposal assignments, if this is a congress that has been held."""
        if self.kind is not MeetingKind.CONGRESS:
            raise MEETING_STATES.refuse(
                MeetingCommand.REGISTER_PROPOSAL,
                self.status,
                "proposals belong to a workers' congress",
            )
        self._require(MeetingCommand.REGISTER_PROPOSAL)
        if self.publication_deadline is None:  # pragma: no cover - a held congress has one
            raise InvalidInput("meeting", "the congress has no assignment deadline")
        return self.publication_deadline

    # -- guards ------------------------------------------------------------------------

    def _repeat_participants(self, people: list[str], recent: RecentAttendance | None) -> list[str]:
        if self.kind is not MeetingKind.TIER_TALK:
            return []
        if recent is None or recent.tier is not self.tier:
            raise ValueError(f"inviting to a {self.tier} talk needs that tier's recent attendees")
        return sorted(set(people) & recent.people)

    def _require(self, command: MeetingCommand) -> None:
        """Refuses `command` unless the meeting's state table allows it now."""
        MEETING_STATES.require(command, self.status)

    def _trigger(
        self, event_class: type[Meeting.Event], actor: Actor, at: datetime, **data: Any
    ) -> None:
        check_aware("time", at)
        self.trigger_event(
            event_class, timestamp=at, actor_id=actor.id, actor_role=actor.role.value, **data
        )


def _late(done_at: datetime | None, deadline: Deadline | None) -> bool:
    return done_at is not None and deadline is not None and done_at > deadline.due


def _overdue(done_at: datetime | None, deadline: Deadline | None, moment: datetime) -> bool:
    return done_at is None and deadline is not None and moment > deadline.due
