"""The skill competition (工匠杯): judges score three parts; weighted totals rank contestants.

Its part weights, the judges' scores, its contestants and their standings are
`domain.competition_records`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any, cast
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain import limits
from domain.access import Parties
from domain.actors import Actor
from domain.competition_records import Contestant, JudgeScore, Standing, Weights
from domain.competition_states import COMPETITION_STATES, CompetitionCommand
from domain.errors import InvalidInput, NotPermitted
from domain.personal_data import identity
from domain.review_terms import CompetitionPart, clean_score, panel
from domain.values import check_aware, clean_text

#: The top places that earn the title of craftsman (工匠) and go on to industry contests.
TITLE_PLACES = 20
INDUSTRY_CONTEST_PLACES = 5


class Competition(Aggregate):
    """One skill competition, from its opening to the final ranking."""

    class Event(Aggregate.Event):
        """Every competition event records who acted, in which role."""

        actor_id: str
        actor_role: str

        def apply(self, aggregate: Any) -> None:
            """Mutates the competition; subclasses override `apply_to`. The state an event
            leads to is the state table's (`domain.competition_states`)."""
            competition = cast(Competition, aggregate)
            status = COMPETITION_STATES.status_after(self)
            if status is not None:
                competition.status = status
            self.apply_to(competition)

        def apply_to(self, competition: Competition) -> None:
            """Changes the competition's state as this event says."""

    class Opened(Aggregate.Created):
        """The competition was opened: its name, judges, part weights and prize places."""

        actor_id: str
        actor_role: str
        name: str
        judges: list[str]
        weights: dict[str, Decimal]
        title_places: int
        industry_contest_places: int

        def apply(self, aggregate: Any) -> None:
            """Sets up the new competition."""
            cast(Competition, aggregate).start(self)

    class ContestantRegistered(Event):
        """A contestant was registered; `order` breaks the last ties."""

        personal = (identity("contestant"),)

        contestant: str
        department: str
        order: int

        def apply_to(self, competition: Competition) -> None:
            competition.contestants[self.contestant] = Contestant(
                self.contestant, self.department, self.order
            )

    class ScoresSubmitted(Event):
        """A judge submitted scores of one contestant, for one or more parts."""

        personal = (identity("contestant"),)

        contestant: str
        scores: dict[str, Decimal]

        def apply_to(self, competition: Competition) -> None:
            entry = competition.contestants[self.contestant]
            for part_name, score in self.scores.items():
                part = CompetitionPart(part_name)
                entry.scores[(self.actor_id, part)] = JudgeScore(
                    self.actor_id, part, score, self.timestamp
                )

    class ScoreCorrected(Event):
        """A judge corrected their score of one part before finalising, with a reason."""

        personal = (identity("contestant"),)

        contestant: str
        part: str
        score: Decimal
        previous: Decimal
        reason: str

        def apply_to(self, competition: Competition) -> None:
            part = CompetitionPart(self.part)
            competition.contestants[self.contestant].scores[(self.actor_id, part)] = JudgeScore(
                self.actor_id, part, self.score, self.timestamp
            )

    class Finalised(Event):
        """The ranking was recorded: who earns the title, who goes on to industry contests."""

        personal = (identity("ranking[].contestant"),)

        ranking: list[dict[str, Any]]

        def apply_to(self, competition: Competition) -> None:
            competition.finalised_at = self.timestamp
            competition.ranking = [Standing.from_record(r) for r in self.ranking]

    # -- state -------------------------------------------------------------------------

    def start(self, opened: Competition.Opened) -> None:
        """Initial state, from the Opened event."""
        self.name = opened.name
        self.judges = list(opened.judges)
        self.weights = Weights.from_record(opened.weights)
        self.title_places = opened.title_places
        self.industry_contest_places = opened.industry_contest_places
        self.opened_by = opened.actor_id
        self.status = COMPETITION_STATES.initial
        self.contestants: dict[str, Contestant] = {}
        self.ranking: list[Standing] = []
        self.finalised_at: datetime | None = None

    @property
    def parties(self) -> Parties:
        """Who the competition concerns, for access: its contestants and its judges."""
        return Parties(people=frozenset(self.contestants), panel=frozenset(self.judges))

    def missing_scores(self) -> list[str]:
        """Every score still owed, as `contestant/part by judge`."""
        return [
            f"{entry.contestant}/{part.value} by {judge}"
            for entry in self.contestants.values()
            for part in CompetitionPart
            for judge in self.judges
            if (judge, part) not in entry.scores
        ]

    def standings(self) -> list[Standing]:
        """The ranking the scores give: total, then practice, then theory, then who came first."""
        rows = []
        for entry in self.contestants.values():
            means = entry.means()
            rows.append((entry, means, self.weights.total(means)))
        rows.sort(
            key=lambda row: (
                -row[2],
                -row[1][CompetitionPart.PRACTICE],
                -row[1][CompetitionPart.THEORY],
                row[0].order,
            )
        )
        return [
            Standing(
                rank=rank,
                contestant=entry.contestant,
                department=entry.department,
                order=entry.order,
                means=means,
                total=total,
                title=rank <= self.title_places,
                industry_contest=rank <= self.industry_contest_places,
            )
            for rank, (entry, means, total) in enumerate(rows, start=1)
        ]

    # -- commands ----------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        *,
        id: UUID,
        name: str,
        judges: Sequence[str],
        weights: Weights,
        actor: Actor,
        at: datetime,
    ) -> Competition:
        """Opens a competition with its judges; the part weights are recorded as they stand."""
        check_aware("time", at)
        return cls._create(
            cls.Opened,
            id=id,
            timestamp=at,
            actor_id=actor.id,
            actor_role=actor.role.value,
            name=clean_text("name", name, limits.TOPIC),
            judges=panel("judges", judges, limits.ACTOR_ID),
            weights=weights.to_record(),
            title_places=TITLE_PLACES,
            industry_contest_places=INDUSTRY_CONTEST_PLACES,
        )

    def register(self, *, contestant: str, department: str, actor: Actor, at: datetime) -> None:
        """Registers a contestant (by employee number) for the department they represent."""
        self._require(CompetitionCommand.REGISTER)
        person = clean_text("contestant", contestant, limits.PERSON_ID)
        if person in self.contestants:
            raise InvalidInput("contestant", f"{person} is registered already")
        if person in self.judges:
            raise InvalidInput("contestant", f"{person} is a judge of this competition")
        self._trigger(
            self.ContestantRegistered,
            actor,
            at,
            contestant=person,
            department=clean_text("department", department, limits.DEPARTMENT),
            order=len(self.contestants) + 1,
        )

    def submit_scores(
        self,
        *,
        contestant: str,
        scores: Mapping[CompetitionPart, Decimal],
        actor: Actor,
        at: datetime,
    ) -> None:
        """A judge scores one contestant's parts (0–100 each); each part once per judge."""
        entry = self._scorable(contestant, actor, CompetitionCommand.SCORE)
        if not scores:
            raise InvalidInput("scores", "score at least one part")
        again = [p.value for p in CompetitionPart if p in scores and (actor.id, p) in entry.scores]
        if again:
            raise COMPETITION_STATES.refuse(
                CompetitionCommand.SCORE,
                self.status,
                f"{actor.id} has scored {entry.contestant} in {', '.join(again)} already; "
                "correct the score instead",
            )
        checked = {
            part.value: clean_score(f"scores.{part.value}", scores[part])
            for part in CompetitionPart
            if part in scores
        }
        self._trigger(self.ScoresSubmitted, actor, at, contestant=entry.contestant, scores=checked)

    def correct_score(
        self,
        *,
        contestant: str,
        part: CompetitionPart,
        score: Decimal,
        reason: str,
        actor: Actor,
        at: datetime,
    ) -> None:
        """A judge corrects their own score of one part before finalising, with a reason."""
        entry = self._scorable(contestant, actor, CompetitionCommand.CORRECT_SCORE)
        previous = entry.scores.get((actor.id, part))
        if previous is None:
            raise COMPETITION_STATES.refuse(
                CompetitionCommand.CORRECT_SCORE,
                self.status,
                f"{actor.id} has not scored {entry.contestant} in {part.value} yet",
            )
        new = clean_score("score", score)
        if new == previous.score:
            raise InvalidInput("score", f"the score is {new} already")
        self._trigger(
            self.ScoreCorrected,
            actor,
            at,
            contestant=entry.contestant,
            part=part.value,
            score=new,
            previous=previous.score,
            reason=clean_text("reason", reason, limits.REASON),
        )

    def finalise(self, *, actor: Actor, at: datetime) -> None:
        """Records the ranking; refused while any judge owes any score."""
        self._require(CompetitionCommand.FINALISE)
        if not self.contestants:
            raise COMPETITION_STATES.refuse(
                CompetitionCommand.FINALISE, self.status, "nobody is registered"
            )
        missing = self.missing_scores()
        if missing:
            raise COMPETITION_STATES.refuse(
                CompetitionCommand.FINALISE,
                self.status,
                f"{len(missing)} scores are missing: {', '.join(missing[:10])}",
            )
        self._trigger(self.Finalised, actor, at, ranking=[s.to_record() for s in self.standings()])

    # -- guards ------------------------------------------------------------------------

    def _scorable(self, contestant: str, actor: Actor, command: CompetitionCommand) -> Contestant:
        self._require(command)
        if actor.id not in self.judges:
            raise NotPermitted(f"{actor.id} is not a judge of {self.name}")
        entry = self.contestants.get(contestant.strip())
        if entry is None:
            raise InvalidInput("contestant", f"{contestant!r} is not registered")
        return entry

    def _require(self, command: CompetitionCommand) -> None:
        """Refuses `command` unless the state table allows it now."""
        COMPETITION_STATES.require(command, self.status)

    def _trigger(
        self, event_class: type[Competition.Event], actor: Actor, at: datetime, **data: Any
    ) -> None:
        check_aware("time", at)
        self.trigger_event(
            event_class, timestamp=at, actor_id=actor.id, actor_role=actor.role.value, **data
        )
