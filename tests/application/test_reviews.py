"""Golden ideas, the skill competition and collaboration reviews via the application."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from decimal import Decimal
from uuid import UUID, uuid4

import pytest

from application.casework import AppealDraft, Casework
from application.clock import ManualClock
from application.reviews import Reviews
from domain.actors import Actor, Role
from domain.appeal import Appellant
from domain.award_scale import AwardScale
from domain.calendar import CHINA_TZ
from domain.errors import ActionNotAllowed, InvalidInput, NotFound, StaleVersion
from domain.meeting_policy import Quarter
from domain.review_terms import (
    CollaborationKpi,
    CollaborationReviewStatus,
    CompetitionPart,
    CompetitionStatus,
    HalfYear,
    IdeaReviewStatus,
)
from domain.terms import Channel, Kind
from tests.conftest import open_department

CLERK = Actor("U-reviews", Role.UNION_STAFF)
HR = Actor("HR-reviews", Role.HR)
REVIEWERS = [Actor("R-li", Role.COMMITTEE), Actor("R-wang", Role.COMMITTEE)]
JUDGES = [Actor("J-zhou", Role.COMMITTEE), Actor("J-sun", Role.HR)]

#: Quarters no other test of the session opens a review for (one review per quarter).
_QUARTERS = (Quarter(year, n) for year in itertools.count(2030) for n in (1, 2, 3, 4))


@pytest.fixture
def reviews(casework: Casework) -> Reviews:
    """The review use cases over the test database's Casework."""
    return Reviews(casework)


def suggestion(
    casework: Casework,
    *,
    adopt: bool = True,
    kind: Kind = Kind.SUGGESTION,
    title: str = "井口增设照明",
) -> UUID:
    """A named appeal raised now (a suggestion, by default adopted at once)."""
    raised = casework.raise_appeal(
        AppealDraft(
            channel=Channel.GRID_LIAISON,
            kind=kind,
            category="safety",
            title=title,
            text="夜班井口照明不足，建议增设两处照明。",
            appellant=Appellant("王建国", "E10234"),
        ),
        CLERK,
    )
    if adopt:
        casework.adopt(raised.id, department="机电科", plan="两处照明年底前装好", actor=CLERK)
    return raised.id


def test_a_quarter_review_takes_adopted_suggestions_scores_decides_and_publishes(
    reviews: Reviews, casework: Casework
) -> None:
    quarter = next(_QUARTERS)
    opened = reviews.open_idea_review(
        quarter=quarter, reviewers=[r.id for r in REVIEWERS], actor=CLERK
    )
    assert opened.id == Reviews.idea_review_id(quarter)
    good, fair = suggestion(casework), suggestion(casework)
    reviews.add_idea(opened.id, appeal_id=good, actor=CLERK, expected_version=1)
    reviews.add_idea(opened.id, appeal_id=fair, actor=CLERK)
    for reviewer, (effect, benefit) in zip(REVIEWERS, [("92", "88"), ("95", "90.5")], strict=True):
        reviews.score_idea(
            opened.id,
            appeal_id=good,
            effect=Decimal(effect),
            benefit=Decimal(benefit),
            actor=reviewer,
        )
        reviews.score_idea(
            opened.id, appeal_id=fair, effect=Decimal(60), benefit=Decimal(50), actor=reviewer
        )
    reviews.correct_idea_score(
        opened.id,
        appeal_id=fair,
        effect=Decimal(70),
        benefit=Decimal(60),
        reason="Savings were confirmed by finance",
        actor=REVIEWERS[0],
    )
    reviews.decide_ideas(opened.id, actor=CLERK)
    published = reviews.publish_awards(opened.id, actor=CLERK)

    review = reviews.get_idea_review(opened.id)
    assert review.version == published.version == 10
    assert review.status is IdeaReviewStatus.PUBLISHED
    # good: (90 + 92.75) / 2 = 91.375 → 91.38 → 500; fair: (65 + 55) / 2 = 60 → 200
    assert review.ideas[good].combined_score == Decimal("91.38")
    assert review.ideas[good].award == 500
    assert review.ideas[fair].award == 200
    assert review.total_awarded == 700
    assert review.published_at is not None
    assert [type(e).__name__ for e in reviews.history(opened.id)][-3:] == [
        "ScoreCorrected",
        "Decided",
        "Published",
    ]
    assert reviews.get_idea_review(opened.id, version=3).status is IdeaReviewStatus.OPEN


def test_a_quarter_has_one_golden_idea_review(reviews: Reviews) -> None:
    quarter = next(_QUARTERS)
    reviews.open_idea_review(quarter=quarter, reviewers=["R-li"], actor=CLERK)

    with pytest.raises(ActionNotAllowed, match=f"{quarter} has its review already"):
        reviews.open_idea_review(
            quarter=quarter, reviewers=["R-li"], actor=CLERK, scale=AwardScale.of([(0, 500)])
        )


def test_only_adopted_suggestions_that_exist_are_taken(
    reviews: Reviews, casework: Casework
) -> None:
    review_id = reviews.open_idea_review(
        quarter=next(_QUARTERS), reviewers=["R-li"], actor=CLERK
    ).id
    for appeal_id in (
        suggestion(casework, kind=Kind.COMPLAINT, adopt=False),
        suggestion(casework, adopt=False),
        uuid4(),
    ):
        with pytest.raises(InvalidInput) as refused:
            reviews.add_idea(review_id, appeal_id=appeal_id, actor=CLERK)
        assert refused.value.field == "appeal_id"
    assert reviews.get_idea_review(review_id).version == 1


def test_a_suggestion_adopted_after_the_quarter_waits_for_the_next_review(
    reviews: Reviews, casework: Casework, clock: ManualClock
) -> None:
    clock.set(datetime(2029, 4, 1, 9, 0, tzinfo=CHINA_TZ))
    late = suggestion(casework)
    review_id = reviews.open_idea_review(
        quarter=Quarter(2029, 1), reviewers=["R-li"], actor=CLERK
    ).id

    with pytest.raises(InvalidInput, match="after 2029-Q1 ended"):
        reviews.add_idea(review_id, appeal_id=late, actor=CLERK)


def test_a_stale_version_and_an_unknown_review_are_refused(reviews: Reviews) -> None:
    review_id = reviews.open_idea_review(
        quarter=next(_QUARTERS), reviewers=["R-li"], actor=CLERK
    ).id

    with pytest.raises(StaleVersion):
        reviews.decide_ideas(review_id, actor=CLERK, expected_version=2)
    with pytest.raises(NotFound):
        reviews.decide_ideas(uuid4(), actor=CLERK)
    with pytest.raises(NotFound):
        reviews.get_competition(review_id)
    with pytest.raises(NotFound):
        reviews.history(uuid4())


def test_a_competition_is_judged_ranked_and_finalised(reviews: Reviews, clock: ManualClock) -> None:
    clock.set(datetime(2026, 9, 7, 9, 0, tzinfo=CHINA_TZ))
    competition_id = reviews.open_competition(
        name="2026 工匠杯 电钳工", judges=[j.id for j in JUDGES], actor=CLERK
    ).id
    for person in ("E1", "E2", "E3"):
        reviews.register_contestant(
            competition_id, contestant=person, department="机电科", actor=CLERK
        )
    marks = {"E1": ("80", "85", "90"), "E2": ("90", "90", "90"), "E3": ("70", "95", "60")}
    clock.advance(timedelta(days=1))
    for judge in JUDGES:
        for person, (theory, practice, innovation) in marks.items():
            reviews.submit_scores(
                competition_id,
                contestant=person,
                scores={
                    CompetitionPart.THEORY: Decimal(theory),
                    CompetitionPart.PRACTICE: Decimal(practice),
                    CompetitionPart.INNOVATION: Decimal(innovation),
                },
                actor=judge,
            )
    reviews.correct_competition_score(
        competition_id,
        contestant="E3",
        part=CompetitionPart.PRACTICE,
        score=Decimal("96.5"),
        reason="Time bonus left out",
        actor=JUDGES[1],
    )
    scored_at = clock()
    clock.advance(timedelta(hours=2))
    reviews.finalise_competition(competition_id, actor=CLERK)

    competition = reviews.get_competition(competition_id)
    assert competition.status is CompetitionStatus.FINALISED
    assert [s.contestant for s in competition.ranking] == ["E2", "E1", "E3"]
    # E3: 0.3 × 70 + 0.5 × 95.75 + 0.2 × 60 = 80.875 → 80.88
    assert competition.ranking[2].total == Decimal("80.88")
    assert all(s.title and s.industry_contest for s in competition.ranking)
    before = reviews.competition_as_of(competition_id, scored_at)
    assert before.status is CompetitionStatus.OPEN
    assert before.ranking == []


def test_a_department_has_one_collaboration_review_per_half_year_closed_with_its_score(
    reviews: Reviews, casework: Casework
) -> None:
    department = open_department(casework, "Works")
    half = HalfYear(2026, 1)
    review_id = reviews.open_collaboration_review(
        half_year=half, department=department, management=["M-gao"], employees=["E-liu"], actor=HR
    ).id
    with pytest.raises(ActionNotAllowed, match="has its 2026-H1 review already"):
        reviews.open_collaboration_review(
            half_year=half, department=department, management=["M"], employees=["E"], actor=HR
        )
    reviews.open_collaboration_review(
        half_year=HalfYear(2026, 2),
        department=department,
        management=["M"],
        employees=["E"],
        actor=HR,
    )

    reviews.record_kpis(
        review_id,
        values={
            CollaborationKpi.SATISFACTION_IMPROVEMENT: Decimal(80),
            CollaborationKpi.JOINT_COMPLETION: Decimal("92.5"),
            CollaborationKpi.TIMELY_RESPONSE: Decimal(98),
        },
        actor=CLERK,
    )
    reviews.rate_collaboration(review_id, score=Decimal(85), actor=Actor("M-gao", Role.HR))
    reviews.rate_collaboration(review_id, score=Decimal(70), actor=Actor("E-liu", Role.EMPLOYEE))
    reviews.correct_collaboration_rating(
        review_id, score=Decimal(75), reason="Mis-ticked box", actor=Actor("E-liu", Role.EMPLOYEE)
    )
    reviews.close_collaboration_review(review_id, actor=HR)

    review = reviews.get_collaboration_review(review_id)
    assert review.status is CollaborationReviewStatus.CLOSED
    # 0.15 × (80 + 92.5 + 98) + 0.275 × 85 + 0.275 × 75 = 40.575 + 44 = 84.575 → 84.58
    assert review.score == Decimal("84.58")
    assert review.weights["management"] == Decimal("0.275")
    assert [type(e).__name__ for e in reviews.history(review_id)][-2:] == [
        "RatingCorrected",
        "Closed",
    ]
