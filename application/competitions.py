"""Skill competitions (工匠杯): contestants registered, scored by the judges part by part,
and ranked; each use case load → call → save."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from functools import partial
from uuid import UUID

from application.aggregates import ItemResult
from application.review_cases import ReviewCases
from domain.access import NOBODY
from domain.actors import Actor
from domain.competition import Competition
from domain.competition_records import Weights
from domain.policy import Permission, authorise
from domain.review_terms import CompetitionPart


class Competitions(ReviewCases):
    """The skill competitions."""

    def open_competition(
        self,
        *,
        name: str,
        judges: Sequence[str],
        actor: Actor,
        weights: Weights | None = None,
        key: str | None = None,
    ) -> ItemResult:
        """Opens a competition with its judges (weights default to 30/50/20; with an
        idempotency `key`, once)."""
        authorise(actor, Permission.COMPETITION_MANAGE, NOBODY)
        weights = weights or Weights()
        request = {"name": name, "judges": list(judges), "weights": weights}
        claim = self.app.claim(key, actor, "open_competition", request)
        build = partial(
            Competition.open,
            name=name,
            judges=judges,
            weights=weights,
            actor=actor,
            at=self.app.now(),
        )
        return self._access.create(Competition, lambda new_id: build(id=new_id), claim).result

    def register_contestant(
        self,
        competition_id: UUID,
        *,
        contestant: str,
        department: str,
        actor: Actor,
        expected_version: int | None = None,
    ) -> ItemResult:
        """Registers a contestant; registration order breaks the last ties."""
        competition = self._load(
            Competition, competition_id, expected_version, actor, Permission.COMPETITION_MANAGE
        )
        competition.register(
            contestant=contestant,
            department=self.app.directory.code(department),
            actor=actor,
            at=self.app.now(),
        )
        return self._access.save(competition)

    def submit_scores(
        self,
        competition_id: UUID,
        *,
        contestant: str,
        scores: Mapping[CompetitionPart, Decimal],
        actor: Actor,
        expected_version: int | None = None,
    ) -> ItemResult:
        """A judge scores a contestant's parts."""
        competition = self._load(
            Competition, competition_id, expected_version, actor, Permission.COMPETITION_SCORE
        )
        competition.submit_scores(
            contestant=contestant, scores=scores, actor=actor, at=self.app.now()
        )
        return self._access.save(competition)

    def correct_competition_score(
        self,
        competition_id: UUID,
        *,
        contestant: str,
        part: CompetitionPart,
        score: Decimal,
        reason: str,
        actor: Actor,
        expected_version: int | None = None,
    ) -> ItemResult:
        """A judge corrects their score of one part before finalising."""
        competition = self._load(
            Competition, competition_id, expected_version, actor, Permission.COMPETITION_SCORE
        )
        competition.correct_score(
            contestant=contestant,
            part=part,
            score=score,
            reason=reason,
            actor=actor,
            at=self.app.now(),
        )
        return self._access.save(competition)

    def finalise_competition(
        self, competition_id: UUID, *, actor: Actor, expected_version: int | None = None
    ) -> ItemResult:
        """Records the final ranking."""
        competition = self._load(
            Competition, competition_id, expected_version, actor, Permission.COMPETITION_MANAGE
        )
        competition.finalise(actor=actor, at=self.app.now())
        return self._access.save(competition)

    def get_competition(self, competition_id: UUID, version: int | None = None) -> Competition:
        """The competition now, or as it stood at `version`."""
        return self._access.get(Competition, competition_id, version)

    def competition_as_of(self, competition_id: UUID, moment: datetime) -> Competition:
        """The competition as it stood at `moment`."""
        return self._access.as_of(Competition, competition_id, moment)
