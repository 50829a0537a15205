"""Skill competitions (工匠杯): one POST per command, and reads of a competition."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Response, status

from api.auth import require
from api.case_versions import competition_at
from api.deps import ExpectedVersionDep, IdempotencyKeyDep, ReviewsDep, ServicesDep, etag
from api.personal_data import sees_identity
from api.routes.meetings import done
from api.routes.reviews import AsOf, Version, review_history
from api.schemas.competitions import (
    CompetitionCreate,
    CompetitionRead,
    CompetitionScoreCorrection,
    CompetitionScoresIn,
    ContestantIn,
)
from api.schemas.meetings import ItemCommandRead, ItemHistoryRead
from domain.actors import Actor
from domain.competition import Competition
from domain.policy import Permission

router = APIRouter(tags=["reviews"])

CompetitionId = Annotated[UUID, "the competition's id"]


@router.post("/competitions", status_code=status.HTTP_201_CREATED)
def open_competition(
    body: CompetitionCreate,
    actor: Annotated[Actor, require(Permission.COMPETITION_MANAGE)],
    reviews: ReviewsDep,
    response: Response,
    key: IdempotencyKeyDep,
) -> ItemCommandRead:
    """Open a skill competition with its judges; weights default to 30/50/20."""
    result = reviews.open_competition(
        name=body.name,
        judges=body.judges,
        weights=body.weights.value() if body.weights else None,
        actor=actor,
        key=key,
    )
    response.headers["Location"] = f"/competitions/{result.id}"
    return done(result, response)


@router.post("/competitions/{competition_id}/contestants")
def register_contestant(
    competition_id: CompetitionId,
    body: ContestantIn,
    actor: Annotated[Actor, require(Permission.COMPETITION_MANAGE)],
    reviews: ReviewsDep,
    version: ExpectedVersionDep,
    response: Response,
) -> ItemCommandRead:
    """Register a contestant for the department they represent."""
    result = reviews.register_contestant(
        competition_id,
        contestant=body.contestant,
        department=body.department,
        actor=actor,
        expected_version=version,
    )
    return done(result, response)


@router.post("/competitions/{competition_id}/scores")
def submit_scores(
    competition_id: CompetitionId,
    body: CompetitionScoresIn,
    actor: Annotated[Actor, require(Permission.COMPETITION_SCORE)],
    reviews: ReviewsDep,
    version: ExpectedVersionDep,
    response: Response,
) -> ItemCommandRead:
    """Score a contestant's parts (0–100 each), as one of the judges; each part once."""
    result = reviews.submit_scores(
        competition_id,
        contestant=body.contestant,
        scores=body.scores(),
        actor=actor,
        expected_version=version,
    )
    return done(result, response)


@router.post("/competitions/{competition_id}/scores/correct")
def correct_competition_score(
    competition_id: CompetitionId,
    body: CompetitionScoreCorrection,
    actor: Annotated[Actor, require(Permission.COMPETITION_SCORE)],
    reviews: ReviewsDep,
    version: ExpectedVersionDep,
    response: Response,
) -> ItemCommandRead:
    """Correct your own score of one part before finalising, with a reason."""
    result = reviews.correct_competition_score(
        competition_id,
        contestant=body.contestant,
        part=body.part,
        score=body.score,
        reason=body.reason,
        actor=actor,
        expected_version=version,
    )
    return done(result, response)


@router.post("/competitions/{competition_id}/finalise")
def finalise_competition(
    competition_id: CompetitionId,
    actor: Annotated[Actor, require(Permission.COMPETITION_MANAGE)],
    reviews: ReviewsDep,
    version: ExpectedVersionDep,
    response: Response,
) -> ItemCommandRead:
    """Record the ranking: the top 20 earn the title, the top 5 go on to industry contests."""
    result = reviews.finalise_competition(competition_id, actor=actor, expected_version=version)
    return done(result, response)


@router.get("/competitions/{competition_id}")
def get_competition(
    competition_id: CompetitionId,
    actor: Annotated[Actor, require(Permission.COMPETITION_READ)],
    services: ServicesDep,
    response: Response,
    version: Version = None,
    as_of: AsOf = None,
) -> CompetitionRead:
    """The competition now, at a version, or as it stood at a moment; ETag is its version."""
    competition = competition_at(services, actor, competition_id, version, as_of)
    response.headers["ETag"] = etag(competition.version)
    return competition


@router.get("/competitions/{competition_id}/history")
def competition_history(
    competition_id: CompetitionId,
    actor: Annotated[Actor, require(Permission.COMPETITION_READ)],
    reviews: ReviewsDep,
) -> ItemHistoryRead:
    """Every event of the competition in order: type, time, actor and data (contestants
    only for those who may see who)."""
    identity = sees_identity(actor, reviews.read(Competition, competition_id, actor))
    return review_history(competition_id, reviews.history(competition_id), identity)
