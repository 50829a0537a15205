"""Request and response bodies for meetings, with examples for the OpenAPI docs."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from pydantic import BaseModel, Field

from api.personal_data import shown_event, shown_id, shown_ids
from api.schemas.appeals import AppellantIn
from api.schemas.bodies import AwareDatetime, Body, text_field
from api.schemas.case_reads import ActorRead, DeadlineRead, EventRead
from application.aggregates import ItemResult
from domain import limits
from domain.appeal import Appellant
from domain.meeting import Meeting
from domain.meeting_policy import Coverage
from domain.meeting_records import Attendee
from domain.meeting_terms import MeetingKind, MeetingStatus
from domain.terms import Kind, Tier, Urgency


class MeetingCreate(Body):
    """A meeting to schedule: a tier talk names its tier, a joint meeting its quarter."""

    kind: MeetingKind = Field(examples=[MeetingKind.TIER_TALK])
    topic: str = text_field(limits.TOPIC, "夜班职工就餐与通勤")
    scheduled_for: AwareDatetime = Field(examples=["2026-12-01T15:00:00+08:00"])
    place: str = text_field(limits.PLACE, "综合楼三楼会议室", required=False)
    video_link: str = text_field(limits.URL, "https://meet.example.com/abc", required=False)
    tier: Tier | None = Field(default=None, examples=[Tier.WORKERS])
    quarter: str | None = Field(
        default=None, max_length=10, examples=[None], description="joint meetings: e.g. 2026-Q2"
    )
    organiser: str | None = Field(
        default=None, max_length=limits.ACTOR_ID, examples=[None], description="default: you"
    )
    lead: str | None = Field(
        default=None,
        max_length=limits.ACTOR_ID,
        examples=[None],
        description="tier talks are led by the tier's lead; others default to the organiser",
    )


class InviteIn(Body):
    """People and departments to invite; a repeat tier-talk attendee needs an override reason."""

    participants: list[str] = Field(
        default_factory=list, max_length=limits.PEOPLE, examples=[["E10234", "E10235"]]
    )
    departments: list[str] = Field(
        default_factory=list, max_length=limits.DEPARTMENTS, examples=[["后勤服务中心"]]
    )
    override_reason: str | None = Field(
        default=None, max_length=limits.REASON, examples=[None], description="coverage override"
    )


class AttendeeIn(Body):
    """Someone who attended, and the department they came for."""

    person_id: str = text_field(limits.PERSON_ID, "E10234")
    department: str = text_field(limits.DEPARTMENT, "后勤服务中心", required=False)

    def value(self) -> Attendee:
        """The domain attendee."""
        return Attendee(self.person_id, self.department)


class HoldIn(Body):
    """Who attended the meeting; asked departments with nobody here are recorded as absent."""

    attendance: list[AttendeeIn] = Field(
        min_length=1,
        max_length=limits.PEOPLE,
        examples=[[{"person_id": "E10234", "department": "后勤服务中心"}]],
    )


class MinutesIn(Body):
    """The minutes (纪要)."""

    minutes: str = text_field(
        limits.MINUTES, "与会职工反映夜班就餐时间不足，后勤服务中心说明情况。"
    )


class DecisionsIn(Body):
    """Decisions (决议); each gets a reference D1, D2... for action items to cite."""

    decisions: list[str] = Field(
        min_length=1, max_length=limits.DECISIONS, examples=[["夜班供餐时间延长至40分钟"]]
    )


class MeetingAppealIn(Body):
    """An appeal raised at a talk: channel, meeting and tier come from the talk."""

    kind: Kind = Field(examples=[Kind.COMPLAINT])
    category: str = text_field(limits.CATEGORY, "canteen")
    title: str = text_field(limits.TITLE, "夜班食堂供餐时间太短")
    text: str = text_field(limits.TEXT, "夜班下井前食堂只开放20分钟，来不及吃饭。")
    department: str = text_field(limits.DEPARTMENT, "后勤服务中心", required=False)
    urgency: Urgency = Urgency.NORMAL
    appellant: AppellantIn | None = None

    def appellant_value(self) -> Appellant | None:
        """The domain appellant, if named."""
        a = self.appellant
        return Appellant(a.name, a.employee_no, a.contact) if a else None


class ItemCommandRead(BaseModel):
    """What a command did: the new version and the event's global position."""

    id: UUID
    version: int = Field(examples=[3])
    position: int = Field(examples=[1234], description="position in the global event sequence")

    @classmethod
    def of(cls, result: ItemResult) -> ItemCommandRead:
        """The command's result."""
        return cls(id=result.id, version=result.version, position=result.position)


class AttendeeRead(BaseModel):
    """Someone who attended."""

    person_id: str
    department: str


class DecisionRead(BaseModel):
    """A recorded decision."""

    ref: str = Field(examples=["D1"])
    text: str
    at: datetime


class CoverageOverrideRead(BaseModel):
    """People invited again within the coverage window, and why."""

    people: list[str]
    reason: str
    by: str
    at: datetime


class MeetingRead(BaseModel):
    """A meeting as it stands (or stood)."""

    id: UUID
    version: int
    kind: MeetingKind
    tier: Tier | None
    topic: str
    scheduled_for: datetime
    place: str
    video_link: str
    organiser: str
    lead: str
    lead_position: str
    quarter: str | None
    status: MeetingStatus
    participants: list[str]
    invited_departments: list[str]
    coverage_overrides: list[CoverageOverrideRead]
    attendance: list[AttendeeRead]
    absent_departments: list[str]
    held_at: datetime | None
    holding_deadline: DeadlineRead | None
    held_late: bool
    minutes: str | None
    minutes_recorded_at: datetime | None
    decisions: list[DecisionRead]
    publication_deadline: DeadlineRead | None
    published_at: datetime | None
    published_late: bool
    modified_at: datetime

    @classmethod
    def of(cls, meeting: Meeting, identity: bool = True) -> MeetingRead:
        """The read model of a meeting; the people it names only for those who may see
        who (`api.personal_data`)."""
        return cls(
            id=meeting.id,
            version=meeting.version,
            kind=meeting.kind,
            tier=meeting.tier,
            topic=meeting.topic,
            scheduled_for=meeting.scheduled_for,
            place=meeting.place,
            video_link=meeting.video_link,
            organiser=meeting.organiser,
            lead=meeting.lead,
            lead_position=meeting.lead_position,
            quarter=str(meeting.quarter) if meeting.quarter else None,
            status=meeting.status,
            participants=shown_ids(meeting.participants, identity),
            invited_departments=list(meeting.invited_departments),
            coverage_overrides=[
                CoverageOverrideRead(
                    people=shown_ids(o.people, identity), reason=o.reason, by=o.by, at=o.at
                )
                for o in meeting.coverage_overrides
            ],
            attendance=[
                AttendeeRead(person_id=shown_id(a.person_id, identity), department=a.department)
                for a in meeting.attendance
            ],
            absent_departments=list(meeting.absent_departments),
            held_at=meeting.held_at,
            holding_deadline=DeadlineRead.of(meeting.holding_deadline),
            held_late=meeting.held_late,
            minutes=meeting.minutes,
            minutes_recorded_at=meeting.minutes_recorded_at,
            decisions=[DecisionRead(ref=d.ref, text=d.text, at=d.at) for d in meeting.decisions],
            publication_deadline=DeadlineRead.of(meeting.publication_deadline),
            published_at=meeting.published_at,
            published_late=meeting.published_late,
            modified_at=meeting.modified_on,
        )


class CoverageRead(BaseModel):
    """How much of a tier its talks reached (全覆盖)."""

    tier: Tier
    since: datetime | None
    reached: int = Field(examples=[120])
    population: int = Field(examples=[400])
    ratio: Decimal = Field(examples=["0.3000"])
    complete: bool

    @classmethod
    def of(cls, coverage: Coverage) -> CoverageRead:
        """The read model of a coverage figure."""
        return cls(
            tier=coverage.tier,
            since=coverage.since,
            reached=coverage.reached,
            population=coverage.population,
            ratio=coverage.ratio,
            complete=coverage.complete,
        )


class ItemHistoryRead(BaseModel):
    """Every event of a meeting, action item or proposal, in order."""

    id: UUID
    events: list[EventRead]


def event_read(event: Any, identity: bool = True) -> EventRead:
    """One event as read over HTTP; the people it names only with `identity`."""
    data, actor_id = shown_event(event, identity=identity, appeal=False)
    return EventRead(
        version=event.originator_version,
        type=type(event).__name__,
        time=event.timestamp,
        actor=ActorRead(id=actor_id, role=event.actor_role),
        data=data,
    )
