"""The skill competition (工匠杯): judges, weighted totals, ranking and its tie-breaks, refusals."""

from __future__ import annotations

from decimal import Decimal
from uuid import uuid4

import pytest

from domain.actors import Actor, Role
from domain.competition import Competition
from domain.competition_records import Weights
from domain.errors import ActionNotAllowed, InvalidInput, NotPermitted
from domain.review_terms import CompetitionPart, CompetitionStatus
from tests.unit.builders import T0, UNION_STAFF, at
from tests.unit.meeting_builders import assert_refused, replay

THEORY, PRACTICE, INNOVATION = CompetitionPart
JUDGE_A = Actor("J-zhou", Role.COMMITTEE)
JUDGE_B = Actor("J-sun", Role.HR)
EMPLOYEE = Actor("E0042", Role.EMPLOYEE)


def opened(*judges: Actor) -> Competition:
    """A competition opened at T0 by union staff, judged by `judges` (default: judge A)."""
    competition = Competition.open(
        id=uuid4(),
        name="2026 工匠杯 electricians",
        judges=[j.id for j in judges or (JUDGE_A,)],
        weights=Weights(),
        actor=UNION_STAFF,
        at=T0,
    )
    competition.collect_events()
    return competition


def register(competition: Competition, *people: str) -> None:
    """Registers each person for the Works department."""
    for person in people:
        competition.register(contestant=person, department="Works", actor=UNION_STAFF, at=at(1))


def judge(
    competition: Competition, who: Actor, person: str, theory: str, practice: str, innovation: str
) -> None:
    """`who` scores all three parts of `person`."""
    competition.submit_scores(
        contestant=person,
        scores={
            THEORY: Decimal(theory),
            PRACTICE: Decimal(practice),
            INNOVATION: Decimal(innovation),
        },
        actor=who,
        at=at(2),
    )


def ranking(competition: Competition) -> list[str]:
    """The contestants in the order the final ranking records."""
    return [standing.contestant for standing in competition.ranking]


# -- opening -----------------------------------------------------------------------------------


def test_opening_records_judges_the_weights_30_50_20_and_the_prize_places() -> None:
    competition = Competition.open(
        id=uuid4(),
        name="2026 工匠杯",
        judges=["J-zhou", "J-sun"],
        weights=Weights(),
        actor=UNION_STAFF,
        at=T0,
    )

    [event] = competition.collect_events()
    assert isinstance(event, Competition.Opened)
    assert event.weights == {
        "theory": Decimal("0.30"),
        "practice": Decimal("0.50"),
        "innovation": Decimal("0.20"),
    }
    assert (event.title_places, event.industry_contest_places) == (20, 5)
    assert (event.actor_id, event.actor_role, event.timestamp) == ("U-li", "union_staff", T0)
    assert competition.status is CompetitionStatus.OPEN


@pytest.mark.parametrize(
    ("theory", "practice", "innovation", "field"),
    [
        ("0.30", "0.50", "0.30", "weights"),
        ("0", "0.80", "0.20", "weights.theory"),
        ("-0.1", "0.90", "0.20", "weights.theory"),
    ],
)
def test_weights_are_positive_and_add_up_to_one(
    theory: str, practice: str, innovation: str, field: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        Weights(Decimal(theory), Decimal(practice), Decimal(innovation))
    assert refused.value.field == field


# -- contestants -------------------------------------------------------------------------------


def test_contestants_are_registered_in_order_once_each() -> None:
    competition = opened()
    register(competition, "E1", "E2")

    assert [c.order for c in competition.contestants.values()] == [1, 2]
    assert_refused(competition, lambda: register(competition, "E1"), InvalidInput)
    assert_refused(competition, lambda: register(competition, JUDGE_A.id), InvalidInput)


# -- scores ------------------------------------------------------------------------------------


def test_a_judge_scores_parts_one_submission_at_a_time_each_part_once() -> None:
    competition = opened()
    register(competition, "E1")
    competition.submit_scores(
        contestant="E1", scores={THEORY: Decimal(80)}, actor=JUDGE_A, at=at(2)
    )
    competition.submit_scores(
        contestant="E1",
        scores={PRACTICE: Decimal(90), INNOVATION: Decimal(70)},
        actor=JUDGE_A,
        at=at(3),
    )

    events = competition.collect_events()
    assert isinstance(events[-1], Competition.ScoresSubmitted)
    assert events[-1].scores == {"practice": Decimal(90), "innovation": Decimal(70)}
    assert events[-1].actor_id == JUDGE_A.id
    refused = assert_refused(
        competition,
        lambda: competition.submit_scores(
            contestant="E1", scores={THEORY: Decimal(85)}, actor=JUDGE_A, at=at(4)
        ),
        ActionNotAllowed,
    )
    assert "theory already" in str(refused)


@pytest.mark.parametrize(
    ("part", "value"), [(THEORY, "100.5"), (PRACTICE, "-1"), (INNOVATION, "9.999")]
)
def test_a_score_outside_0_to_100_is_refused_naming_its_part(
    part: CompetitionPart, value: str
) -> None:
    competition = opened()
    register(competition, "E1")

    refused = assert_refused(
        competition,
        lambda: competition.submit_scores(
            contestant="E1", scores={part: Decimal(value)}, actor=JUDGE_A, at=at(2)
        ),
        InvalidInput,
    )
    assert isinstance(refused, InvalidInput)
    assert refused.field == f"scores.{part.value}"


def test_scores_need_a_judge_of_the_competition_a_registered_contestant_and_a_part() -> None:
    competition = opened()
    register(competition, "E1")

    assert_refused(
        competition, lambda: judge(competition, JUDGE_B, "E1", "1", "1", "1"), NotPermitted
    )
    assert_refused(
        competition, lambda: judge(competition, JUDGE_A, "E9", "1", "1", "1"), InvalidInput
    )
    assert_refused(
        competition,
        lambda: competition.submit_scores(contestant="E1", scores={}, actor=JUDGE_A, at=at(2)),
        InvalidInput,
    )


def test_a_judge_corrects_their_own_score_with_a_reason_before_finalising() -> None:
    competition = opened()
    register(competition, "E1")
    judge(competition, JUDGE_A, "E1", "80", "90", "70")

    def correct(value: str, reason: str = "Added up the sheet wrongly") -> None:
        competition.correct_score(
            contestant="E1",
            part=PRACTICE,
            score=Decimal(value),
            reason=reason,
            actor=JUDGE_A,
            at=at(3),
        )

    correct("92")
    corrected = competition.collect_events()[-1]
    assert isinstance(corrected, Competition.ScoreCorrected)
    assert (corrected.previous, corrected.score) == (Decimal(90), Decimal(92))
    assert competition.contestants["E1"].means()[PRACTICE] == Decimal(92)
    assert_refused(competition, lambda: correct("93", reason=""), InvalidInput)
    assert_refused(competition, lambda: correct("92"), InvalidInput)

    register(competition, "E2")
    assert_refused(
        competition,
        lambda: competition.correct_score(
            contestant="E2", part=THEORY, score=Decimal(1), reason="r", actor=JUDGE_A, at=at(3)
        ),
        ActionNotAllowed,
    )


# -- finalising and the ranking ----------------------------------------------------------------


def test_the_total_weighs_each_parts_mean_over_the_judges_and_every_judge_score_is_kept() -> None:
    competition = opened(JUDGE_A, JUDGE_B)
    register(competition, "E1")
    judge(competition, JUDGE_A, "E1", "80", "90.25", "70")
    judge(competition, JUDGE_B, "E1", "85", "90", "75")
    competition.finalise(actor=UNION_STAFF, at=at(5))

    [standing] = competition.ranking
    # practice 90.125 → 90.13 (half-up); 0.3 × 82.5 + 0.5 × 90.13 + 0.2 × 72.5 = 84.315 → 84.32
    assert standing.means == {
        THEORY: Decimal("82.50"),
        PRACTICE: Decimal("90.13"),
        INNOVATION: Decimal("72.50"),
    }
    assert standing.total == Decimal("84.32")
    assert {s.judge for s in competition.contestants["E1"].part_scores(PRACTICE)} == {
        "J-zhou",
        "J-sun",
    }
    finalised = competition.collect_events()[-1]
    assert isinstance(finalised, Competition.Finalised)
    assert finalised.ranking[0]["total"] == Decimal("84.32")


def test_ties_go_to_higher_practice_then_theory_then_earlier_registration() -> None:
    competition = opened()
    register(
        competition, "theory-strong", "practice-strong", "all-round", "all-round-later", "best"
    )
    judge(competition, JUDGE_A, "theory-strong", "100", "80", "65")  # 83, practice 80
    judge(competition, JUDGE_A, "practice-strong", "80", "90", "70")  # 83, practice 90, theory 80
    judge(competition, JUDGE_A, "all-round", "70", "90", "85")  # 83, practice 90, theory 70
    judge(competition, JUDGE_A, "all-round-later", "70", "90", "85")  # the same, registered later
    judge(competition, JUDGE_A, "best", "90", "90", "90")  # 90
    competition.finalise(actor=UNION_STAFF, at=at(5))

    assert ranking(competition) == [
        "best",
        "practice-strong",
        "all-round",
        "all-round-later",
        "theory-strong",
    ]
    assert [s.rank for s in competition.ranking] == [1, 2, 3, 4, 5]
    assert {s.total for s in competition.ranking[1:]} == {Decimal("83.00")}


def test_the_top_20_earn_the_title_and_the_top_5_go_on_to_industry_contests() -> None:
    competition = opened()
    people = [f"E{n:02d}" for n in range(1, 23)]
    register(competition, *people)
    for n, person in enumerate(people):
        judge(competition, JUDGE_A, person, "50", str(99 - n), "50")
    competition.finalise(actor=UNION_STAFF, at=at(5))

    assert ranking(competition) == people
    assert [s.contestant for s in competition.ranking if s.industry_contest] == people[:5]
    assert [s.contestant for s in competition.ranking if s.title] == people[:20]


def test_finalising_waits_for_every_judge_to_score_every_part_of_everyone() -> None:
    competition = opened(JUDGE_A, JUDGE_B)
    assert_refused(
        competition, lambda: competition.finalise(actor=UNION_STAFF, at=at(5)), ActionNotAllowed
    )
    register(competition, "E1")
    judge(competition, JUDGE_A, "E1", "80", "80", "80")
    competition.submit_scores(
        contestant="E1", scores={THEORY: Decimal(80)}, actor=JUDGE_B, at=at(3)
    )

    refused = assert_refused(
        competition, lambda: competition.finalise(actor=UNION_STAFF, at=at(5)), ActionNotAllowed
    )
    assert "E1/practice by J-sun" in str(refused)
    assert "E1/innovation by J-sun" in str(refused)


def test_after_finalising_the_ranking_stands() -> None:
    competition = opened()
    register(competition, "E1")
    judge(competition, JUDGE_A, "E1", "80", "80", "80")
    competition.finalise(actor=UNION_STAFF, at=at(5))
    competition.collect_events()

    assert competition.status is CompetitionStatus.FINALISED
    assert_refused(competition, lambda: register(competition, "E2"), ActionNotAllowed)
    assert_refused(
        competition,
        lambda: competition.correct_score(
            contestant="E1", part=THEORY, score=Decimal(90), reason="r", actor=JUDGE_A, at=at(6)
        ),
        ActionNotAllowed,
    )
    assert_refused(
        competition, lambda: competition.finalise(actor=UNION_STAFF, at=at(6)), ActionNotAllowed
    )


def test_the_competition_is_rebuilt_from_its_events_alone() -> None:
    competition = Competition.open(
        id=uuid4(), name="Cup", judges=[JUDGE_A.id], weights=Weights(), actor=UNION_STAFF, at=T0
    )
    register(competition, "E1", "E2")
    judge(competition, JUDGE_A, "E1", "70", "70", "70")
    judge(competition, JUDGE_A, "E2", "90", "90", "90")
    competition.finalise(actor=UNION_STAFF, at=at(5))

    rebuilt: Competition = replay(competition, competition.collect_events())
    assert ranking(rebuilt) == ["E2", "E1"]
    assert rebuilt.weights == Weights()
    assert rebuilt.finalised_at == at(5)
