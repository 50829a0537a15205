"""A case as it stands now, as it stood at a version, or as it stood at a moment: one reader
per case type (named as the audit trail names it), each the body its JSON route answers
(`GET /appeals/{id}?version=`, `GET /meetings/{id}?as_of=`, …) and the auditor's page shows.

Who may read the case is checked by the use case; who a case names is shown as
`api.personal_data.sees_identity` decides, on the case as it stands now.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from uuid import UUID

from pydantic import BaseModel

from api.bootstrap import Services
from api.errors import ApiProblem
from api.personal_data import sees_identity
from api.schemas.action_items import ActionItemRead, ProposalRead
from api.schemas.appeal_reads import AppealRead
from api.schemas.collaboration_reviews import CollaborationReviewRead
from api.schemas.competitions import CompetitionRead
from api.schemas.idea_reviews import IdeaReviewRead
from api.schemas.meetings import MeetingRead
from domain.action_item import ActionItem
from domain.actors import Actor
from domain.collaboration_review import CollaborationReview
from domain.competition import Competition
from domain.golden_idea import IdeaReview
from domain.meeting import Meeting
from domain.proposal import Proposal

#: A case type's reader: (services, actor, case id, version, as_of) → the case's body.
Reader = Callable[[Services, Actor, UUID, int | None, datetime | None], BaseModel]


def one_of_version_and_as_of(version: int | None, as_of: datetime | None, noun: str) -> None:
    """Refuses asking for both a version and a moment."""
    if version is not None and as_of is not None:
        raise ApiProblem(
            400,
            "invalid-request",
            "Choose one of version and as_of",
            f"ask for the {noun} at a version or as of a time, not both",
        )


def _now_too(version: int | None, as_of: datetime | None) -> bool:
    """Whether an earlier version is read, so the case as it stands now is needed as well."""
    return version is not None or as_of is not None


def appeal_at(
    services: Services, actor: Actor, case_id: UUID, version: int | None, as_of: datetime | None
) -> AppealRead:
    """The appeal now, at a version or as it stood then; its appellant if the reader may."""
    one_of_version_and_as_of(version, as_of, "appeal")
    casework = services.casework
    appeal = casework.read_appeal(case_id, actor, version=version, as_of=as_of)
    now = casework.read_appeal(case_id, actor) if _now_too(version, as_of) else appeal
    return AppealRead.for_reader(appeal, sees_identity(actor, appeal, now))


def meeting_at(
    services: Services, actor: Actor, case_id: UUID, version: int | None, as_of: datetime | None
) -> MeetingRead:
    """The meeting now, at a version or as it stood then; the people it names if the reader
    may see who."""
    one_of_version_and_as_of(version, as_of, "meeting")
    meetings = services.meetings
    meeting = meetings.read(Meeting, case_id, actor, version=version, as_of=as_of)
    now = meetings.read(Meeting, case_id, actor) if _now_too(version, as_of) else meeting
    return MeetingRead.of(meeting, sees_identity(actor, meeting, now))


def action_item_at(
    services: Services, actor: Actor, case_id: UUID, version: int | None, as_of: datetime | None
) -> ActionItemRead:
    """The action item now, at a version or as it stood then."""
    one_of_version_and_as_of(version, as_of, "action item")
    item = services.meetings.read(ActionItem, case_id, actor, version=version, as_of=as_of)
    return ActionItemRead.of(item)


def proposal_at(
    services: Services, actor: Actor, case_id: UUID, version: int | None, as_of: datetime | None
) -> ProposalRead:
    """The congress proposal now, at a version or as it stood then."""
    one_of_version_and_as_of(version, as_of, "proposal")
    proposal = services.meetings.read(Proposal, case_id, actor, version=version, as_of=as_of)
    return ProposalRead.of(proposal, sees_identity(actor, proposal))


def competition_at(
    services: Services, actor: Actor, case_id: UUID, version: int | None, as_of: datetime | None
) -> CompetitionRead:
    """The skill competition now, at a version or as it stood then."""
    one_of_version_and_as_of(version, as_of, "competition")
    competition = services.reviews.read(Competition, case_id, actor, version=version, as_of=as_of)
    return CompetitionRead.of(competition, sees_identity(actor, competition))


def idea_review_at(
    services: Services, actor: Actor, case_id: UUID, version: int | None, as_of: datetime | None
) -> IdeaReviewRead:
    """The golden-idea review now, at a version or as it stood then."""
    one_of_version_and_as_of(version, as_of, "review")
    review = services.reviews.read(IdeaReview, case_id, actor, version=version, as_of=as_of)
    return IdeaReviewRead.of(review)


def collaboration_review_at(
    services: Services, actor: Actor, case_id: UUID, version: int | None, as_of: datetime | None
) -> CollaborationReviewRead:
    """The collaboration review now, at a version or as it stood then."""
    one_of_version_and_as_of(version, as_of, "review")
    review = services.reviews.read(
        CollaborationReview, case_id, actor, version=version, as_of=as_of
    )
    return CollaborationReviewRead.of(review)


#: The case types that can be read at a version or a moment, by the audit trail's name.
READERS: Mapping[str, Reader] = {
    "appeal": appeal_at,
    "meeting": meeting_at,
    "action_item": action_item_at,
    "proposal": proposal_at,
    "competition": competition_at,
    "idea_review": idea_review_at,
    "collaboration_review": collaboration_review_at,
}
