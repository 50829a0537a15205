"""Meeting commands (one POST each) and reads (current, at a version or a time, history)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Response, status

from api.auth import require
from api.case_pages import Cursor, Department, Limit, OpenedBefore, OpenedFrom, case_page
from api.case_versions import meeting_at
from api.deps import (
    AfterQuery,
    ExpectedVersionDep,
    IdempotencyKeyDep,
    MeetingsDep,
    ServicesDep,
    etag,
    replayed,
)
from api.personal_data import sees_identity
from api.schemas.appeals import CommandRead
from api.schemas.bodies import AwareDatetime
from api.schemas.lists import CasePageRead
from api.schemas.meetings import (
    CoverageRead,
    DecisionsIn,
    HoldIn,
    InviteIn,
    ItemCommandRead,
    ItemHistoryRead,
    MeetingAppealIn,
    MeetingCreate,
    MeetingRead,
    MinutesIn,
    event_read,
)
from application.aggregates import ItemResult
from domain.actors import Actor
from domain.meeting import Meeting
from domain.meeting_policy import Quarter
from domain.meeting_terms import MeetingKind, MeetingStatus
from domain.policy import Permission
from domain.terms import Tier
from projections.case_index import CaseType

router = APIRouter(prefix="/meetings", tags=["meetings"])

MeetingId = Annotated[UUID, "the meeting's id"]


def done(result: ItemResult, response: Response) -> ItemCommandRead:
    """The command's result, with the new version as ETag (and `Idempotent-Replayed` on
    the answer to a creating request sent again with its key)."""
    response.headers["ETag"] = etag(result.version)
    replayed(response, result.replayed)
    return ItemCommandRead.of(result)


@router.post("", status_code=status.HTTP_201_CREATED)
def schedule(
    body: MeetingCreate,
    actor: Annotated[Actor, require(Permission.MEETING_SCHEDULE)],
    meetings: MeetingsDep,
    response: Response,
    key: IdempotencyKeyDep,
) -> ItemCommandRead:
    """Schedule a meeting: a tier talk (八级慧谈), special talk, joint meeting or congress."""
    result = meetings.schedule(
        kind=body.kind,
        topic=body.topic,
        scheduled_for=body.scheduled_for,
        place=body.place,
        video_link=body.video_link,
        tier=body.tier,
        quarter=Quarter.parse(body.quarter) if body.quarter is not None else None,
        organiser=body.organiser,
        lead=body.lead,
        actor=actor,
        key=key,
    )
    response.headers["Location"] = f"/meetings/{result.id}"
    return done(result, response)


@router.post("/{meeting_id}/invite")
def invite(
    meeting_id: MeetingId,
    body: InviteIn,
    actor: Annotated[Actor, require(Permission.MEETING_RUN)],
    meetings: MeetingsDep,
    version: ExpectedVersionDep,
    response: Response,
) -> ItemCommandRead:
    """Invite people and ask departments to attend; a talk takes at most 10 participants."""
    result = meetings.invite(
        meeting_id,
        participants=body.participants,
        departments=body.departments,
        override_reason=body.override_reason,
        actor=actor,
        expected_version=version,
    )
    return done(result, response)


@router.post("/{meeting_id}/hold")
def hold(
    meeting_id: MeetingId,
    body: HoldIn,
    actor: Annotated[Actor, require(Permission.MEETING_RUN)],
    meetings: MeetingsDep,
    version: ExpectedVersionDep,
    response: Response,
) -> ItemCommandRead:
    """Record that the meeting took place now, with who attended."""
    result = meetings.hold(
        meeting_id,
        attendance=[a.value() for a in body.attendance],
        actor=actor,
        expected_version=version,
    )
    return done(result, response)


@router.post("/{meeting_id}/minutes")
def record_minutes(
    meeting_id: MeetingId,
    body: MinutesIn,
    actor: Annotated[Actor, require(Permission.MEETING_RUN)],
    meetings: MeetingsDep,
    version: ExpectedVersionDep,
    response: Response,
) -> ItemCommandRead:
    """Record the minutes (纪要) of a held meeting."""
    result = meetings.record_minutes(
        meeting_id, minutes=body.minutes, actor=actor, expected_version=version
    )
    return done(result, response)


@router.post("/{meeting_id}/decisions")
def record_decisions(
    meeting_id: MeetingId,
    body: DecisionsIn,
    actor: Annotated[Actor, require(Permission.MEETING_RUN)],
    meetings: MeetingsDep,
    version: ExpectedVersionDep,
    response: Response,
) -> ItemCommandRead:
    """Record decisions (决议); each gets a reference D1, D2... for action items."""
    result = meetings.record_decisions(
        meeting_id, decisions=body.decisions, actor=actor, expected_version=version
    )
    return done(result, response)


@router.post("/{meeting_id}/publish")
def publish_meeting(
    meeting_id: MeetingId,
    actor: Annotated[Actor, require(Permission.MEETING_RUN)],
    meetings: MeetingsDep,
    version: ExpectedVersionDep,
    response: Response,
) -> ItemCommandRead:
    """Publish the minutes and decisions (a joint meeting's item list)."""
    result = meetings.publish(meeting_id, actor=actor, expected_version=version)
    return done(result, response)


@router.post("/{meeting_id}/appeals", status_code=status.HTTP_201_CREATED)
def raise_appeal_at_meeting(
    meeting_id: MeetingId,
    body: MeetingAppealIn,
    actor: Annotated[Actor, require(Permission.APPEAL_RAISE)],
    meetings: MeetingsDep,
    response: Response,
    key: IdempotencyKeyDep,
) -> CommandRead:
    """Raise an appeal at a talk: channel talk session, with the talk's id and tier (an
    `Idempotency-Key` makes a retry safe, as for `POST /appeals`)."""
    result = meetings.raise_appeal(
        meeting_id,
        kind=body.kind,
        category=body.category,
        title=body.title,
        text=body.text,
        department=body.department,
        urgency=body.urgency,
        appellant=body.appellant_value(),
        actor=actor,
        key=key,
    )
    response.headers["Location"] = f"/appeals/{result.id}"
    replayed(response, result.replayed)
    response.headers["ETag"] = etag(result.version)
    return CommandRead(**result.__dict__)


@router.get("/coverage/{tier}")
def coverage(
    tier: Tier,
    population: Annotated[int, Query(ge=0, description="how many people the tier has")],
    actor: Annotated[Actor, require(Permission.MEETING_READ)],
    meetings: MeetingsDep,
    since: Annotated[
        AwareDatetime | None, Query(description="count talks from then on; default: the window")
    ] = None,
) -> CoverageRead:
    """Coverage (全覆盖) of a tier: distinct people its talks reached / people in the tier."""
    return CoverageRead.of(meetings.coverage(tier, population, since, actor=actor))


@router.get("", summary="List meetings")
def list_meetings(
    services: ServicesDep,
    actor: Annotated[Actor, require(Permission.MEETING_READ)],
    kind: MeetingKind | None = None,
    tier: Tier | None = None,
    status: MeetingStatus | None = None,
    department: Department = None,
    opened_from: OpenedFrom = None,
    opened_before: OpenedBefore = None,
    cursor: Cursor = None,
    limit: Limit = 50,
    after: AfterQuery = None,
) -> CasePageRead:
    """Meetings, latest scheduled first, filtered by kind, tier, status, invited department
    and scheduled time (`from`/`to`)."""
    return case_page(
        services,
        actor,
        CaseType.MEETING,
        cursor=cursor,
        limit=limit,
        after=after,
        kind=kind,
        tier=tier,
        status=status,
        department=department,
        opened_from=opened_from,
        opened_before=opened_before,
    )


@router.get("/{meeting_id}")
def get_meeting(
    meeting_id: MeetingId,
    actor: Annotated[Actor, require(Permission.MEETING_READ)],
    services: ServicesDep,
    response: Response,
    version: Annotated[int | None, Query(ge=1, description="the meeting at this version")] = None,
    as_of: Annotated[
        AwareDatetime | None,
        Query(description="the meeting as it stood then (ISO 8601, with zone)"),
    ] = None,
) -> MeetingRead:
    """The meeting now, at a version, or as it stood at a moment; ETag is its version."""
    meeting = meeting_at(services, actor, meeting_id, version, as_of)
    response.headers["ETag"] = etag(meeting.version)
    return meeting


@router.get("/{meeting_id}/history")
def meeting_history(
    meeting_id: MeetingId,
    actor: Annotated[Actor, require(Permission.MEETING_READ)],
    meetings: MeetingsDep,
) -> ItemHistoryRead:
    """Every event of the meeting in order: type, time, actor and data (the people it
    names only for those who may see who)."""
    identity = sees_identity(actor, meetings.read(Meeting, meeting_id, actor))
    events = [event_read(e, identity) for e in meetings.history(meeting_id)]
    return ItemHistoryRead(id=meeting_id, events=events)
