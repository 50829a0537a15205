"""The quarterly golden-idea review (金点子): candidates, scores, awards, publication, refusals."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import uuid4

import pytest

from domain.actors import Actor, Role
from domain.award_scale import AwardScale
from domain.calendar import CHINA_TZ
from domain.errors import ActionNotAllowed, InvalidInput, NotPermitted
from domain.golden_idea import IdeaReview
from domain.golden_idea_records import AdoptedSuggestion
from domain.meeting_policy import Quarter
from domain.publication import NO_ONE
from domain.review_terms import IdeaReviewStatus
from domain.terms import Kind, Status
from tests.unit.builders import T0, UNION_STAFF, at, close_as_resolved, in_status
from tests.unit.meeting_builders import assert_refused, replay

Q1 = Quarter(2026, 1)
REVIEWERS = [Actor("R-li", Role.COMMITTEE), Actor("R-wang", Role.COMMITTEE)]
HR = Actor("HR-chen", Role.HR)


def suggestion(adopted_at: datetime | None = None) -> AdoptedSuggestion:
    """An adopted suggestion (adopted an hour after T0, by default)."""
    return AdoptedSuggestion.of(in_status(Status.ADOPTED), adopted_at or at(1))


def opened(scale: AwardScale | None = None, reviewers: list[Actor] = REVIEWERS) -> IdeaReview:
    """The 2026-Q1 review, opened at T0 by union staff, events collected."""
    review = IdeaReview.open(
        id=uuid4(),
        quarter=Q1,
        scale=scale or AwardScale.default(),
        reviewers=[r.id for r in reviewers],
        actor=UNION_STAFF,
        at=T0,
    )
    review.collect_events()
    return review


def with_idea(review: IdeaReview | None = None) -> tuple[IdeaReview, AdoptedSuggestion]:
    """A review with one adopted suggestion up for review."""
    review = review or opened()
    idea = suggestion()
    review.add_idea(idea=idea, actor=UNION_STAFF, at=at(24))
    return review, idea


def score(
    review: IdeaReview, idea: AdoptedSuggestion, who: Actor, effect: str, benefit: str
) -> None:
    """`who` scores the idea's effect and benefit."""
    review.score(
        appeal_id=idea.appeal_id,
        effect=Decimal(effect),
        benefit=Decimal(benefit),
        actor=who,
        at=at(48),
    )


# -- opening and the award scale ---------------------------------------------------------------


def test_opening_records_the_quarter_reviewers_and_the_published_scale_with_its_bounds() -> None:
    review = IdeaReview.open(
        id=uuid4(),
        quarter=Q1,
        scale=AwardScale.default(),
        reviewers=["R-li", "R-wang"],
        actor=UNION_STAFF,
        at=T0,
    )

    [event] = review.collect_events()
    assert isinstance(event, IdeaReview.Opened)
    assert (event.actor_id, event.actor_role, event.timestamp) == (
        UNION_STAFF.id,
        "union_staff",
        T0,
    )
    assert event.quarter == "2026-Q1"
    assert (event.award_floor, event.award_ceiling) == (100, 500)
    assert [b["award"] for b in event.scale] == [100, 200, 300, 400, 500]
    assert review.status is IdeaReviewStatus.OPEN
    assert review.reviewers == ["R-li", "R-wang"]


@pytest.mark.parametrize(
    ("score", "award"),
    [
        ("0", 100),
        ("59.99", 100),
        ("60", 200),
        ("75.5", 300),
        ("89.99", 400),
        ("90", 500),
        ("100", 500),
    ],
)
def test_the_default_scale_pays_100_to_500_yuan_by_score_band(score: str, award: int) -> None:
    assert AwardScale.default().award_for(Decimal(score)) == award


def test_below_the_lowest_band_of_a_custom_scale_there_is_no_award() -> None:
    scale = AwardScale.of([(60, 150), (85, 450)])

    assert scale.award_for(Decimal("59.99")) is None
    assert scale.award_for(Decimal("84")) == 150
    assert scale.award_for(Decimal("85")) == 450


@pytest.mark.parametrize(
    ("bands", "field"),
    [
        ([(0, 99)], "scale.award"),
        ([(0, 100), (90, 501)], "scale.award"),
        ([(0, 1000)], "scale.award"),
        ([], "scale"),
        ([(60, 200), (60, 300)], "scale"),
        ([(60, 300), (80, 200)], "scale"),
        ([(101, 300)], "scale.min_score"),
    ],
    ids=["below-100", "above-500", "far-above", "empty", "same-band", "falling", "score-101"],
)
def test_a_scale_outside_100_to_500_yuan_or_not_rising_is_refused(
    bands: list[tuple[int, int]], field: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        AwardScale.of(bands)
    assert refused.value.field == field


def test_a_review_needs_reviewers_named_once() -> None:
    for reviewers in ([], ["R-li", "R-li"]):
        with pytest.raises(InvalidInput) as refused:
            IdeaReview.open(
                id=uuid4(),
                quarter=Q1,
                scale=AwardScale.default(),
                reviewers=reviewers,
                actor=UNION_STAFF,
                at=T0,
            )
        assert refused.value.field == "reviewers"


# -- candidate ideas ---------------------------------------------------------------------------


def test_an_adopted_suggestion_becomes_an_idea_with_its_implementing_department() -> None:
    review, idea = with_idea()

    [event] = review.collect_events()
    assert isinstance(event, IdeaReview.IdeaAdded)
    assert event.appeal_id == idea.appeal_id
    assert review.ideas[idea.appeal_id].department == "Safety"
    assert review.ideas[idea.appeal_id].case_number == "HY-2026-0001"


def test_a_suggestion_implemented_and_closed_as_resolved_is_still_an_idea() -> None:
    appeal = in_status(Status.ADOPTED)
    close_as_resolved(appeal)

    assert AdoptedSuggestion.of(appeal, at(1)).department == "Safety"


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (Status.RAISED, Kind.SUGGESTION),
        (Status.CLOSED, Kind.SUGGESTION),
        (Status.WITHDRAWN, Kind.SUGGESTION),
        (Status.RAISED, Kind.COMPLAINT),
    ],
)
def test_only_an_adopted_suggestion_is_an_idea(status: Status, kind: Kind) -> None:
    with pytest.raises(InvalidInput) as refused:
        AdoptedSuggestion.of(in_status(status, kind=kind), at(1))
    assert refused.value.field == "appeal_id"


def test_an_idea_adopted_after_the_quarter_ended_waits_for_a_later_review() -> None:
    review = opened()
    last_minute = datetime(2026, 3, 31, 23, 59, tzinfo=CHINA_TZ)
    review.add_idea(idea=suggestion(last_minute), actor=UNION_STAFF, at=at(24))

    late = suggestion(datetime(2026, 4, 1, 0, 0, tzinfo=CHINA_TZ))
    refused = assert_refused(
        review, lambda: review.add_idea(idea=late, actor=UNION_STAFF, at=at(24)), InvalidInput
    )
    assert "after 2026-Q1 ended" in str(refused)


def test_the_same_idea_is_not_added_twice() -> None:
    review, idea = with_idea()

    assert_refused(
        review, lambda: review.add_idea(idea=idea, actor=UNION_STAFF, at=at(25)), InvalidInput
    )


# -- scores ------------------------------------------------------------------------------------


def test_each_reviewer_scores_effect_and_benefit_once_and_is_recorded_by_name() -> None:
    review, idea = with_idea()
    score(review, idea, REVIEWERS[0], "80", "90")

    event = review.collect_events()[-1]
    assert isinstance(event, IdeaReview.IdeaScored)
    assert (event.actor_id, event.actor_role) == ("R-li", "committee")
    assert review.ideas[idea.appeal_id].scores["R-li"].total == Decimal(85)
    refused = assert_refused(
        review, lambda: score(review, idea, REVIEWERS[0], "70", "70"), ActionNotAllowed
    )
    assert "correct the score instead" in str(refused)


def test_only_a_named_reviewer_scores() -> None:
    review, idea = with_idea()

    assert_refused(review, lambda: score(review, idea, HR, "80", "80"), NotPermitted)


@pytest.mark.parametrize(
    ("effect", "benefit", "field"),
    [("100.01", "50", "effect"), ("50", "-1", "benefit"), ("80.125", "50", "effect")],
)
def test_scores_lie_between_0_and_100_with_two_decimals_at_most(
    effect: str, benefit: str, field: str
) -> None:
    review, idea = with_idea()

    refused = assert_refused(
        review, lambda: score(review, idea, REVIEWERS[0], effect, benefit), InvalidInput
    )
    assert isinstance(refused, InvalidInput)
    assert refused.field == field


def test_an_idea_not_under_review_cannot_be_scored() -> None:
    review, _ = with_idea()
    stranger = suggestion()

    assert_refused(review, lambda: score(review, stranger, REVIEWERS[0], "80", "80"), InvalidInput)


def test_a_reviewer_corrects_their_own_score_with_a_reason_keeping_the_old_one() -> None:
    review, idea = with_idea()
    score(review, idea, REVIEWERS[0], "80", "90")
    review.correct_score(
        appeal_id=idea.appeal_id,
        effect=Decimal(60),
        benefit=Decimal(70),
        reason="Misread the savings figure",
        actor=REVIEWERS[0],
        at=at(50),
    )

    events = review.collect_events()
    corrected = events[-1]
    assert isinstance(corrected, IdeaReview.ScoreCorrected)
    assert (corrected.previous_effect, corrected.previous_benefit) == (Decimal(80), Decimal(90))
    assert review.ideas[idea.appeal_id].scores["R-li"].total == Decimal(65)


def test_a_correction_needs_a_score_to_correct_a_reason_and_a_change() -> None:
    review, idea = with_idea()

    def correct(who: Actor, effect: int, reason: str = "Typo") -> None:
        review.correct_score(
            appeal_id=idea.appeal_id,
            effect=Decimal(effect),
            benefit=Decimal(90),
            reason=reason,
            actor=who,
            at=at(50),
        )

    assert_refused(review, lambda: correct(REVIEWERS[0], 70), ActionNotAllowed)
    score(review, idea, REVIEWERS[0], "80", "90")
    assert_refused(review, lambda: correct(REVIEWERS[0], 70, reason=" "), InvalidInput)
    assert_refused(review, lambda: correct(REVIEWERS[0], 80), InvalidInput)


# -- the decision and publication --------------------------------------------------------------


def test_the_decision_awards_by_the_mean_of_all_reviewers_shown_reviewer_by_reviewer() -> None:
    review, good = with_idea()
    _, fair = with_idea(review)
    score(review, good, REVIEWERS[0], "80", "90")  # 85
    score(review, good, REVIEWERS[1], "90", "91")  # 90.5
    score(review, fair, REVIEWERS[0], "60", "60")  # 60
    score(review, fair, REVIEWERS[1], "55", "60")  # 57.5
    review.collect_events()

    review.decide(actor=UNION_STAFF, at=at(72))

    [decided] = review.collect_events()
    assert isinstance(decided, IdeaReview.Decided)
    awards = {a["appeal_id"]: a for a in decided.awards}
    assert awards[good.appeal_id]["score"] == Decimal("87.75")
    assert awards[good.appeal_id]["award"] == 400
    assert [r["reviewer"] for r in awards[good.appeal_id]["reviewers"]] == ["R-li", "R-wang"]
    assert [r["total"] for r in awards[good.appeal_id]["reviewers"]] == [85, Decimal("90.5")]
    assert awards[fair.appeal_id]["score"] == Decimal("58.75")
    assert awards[fair.appeal_id]["award"] == 100
    assert decided.total_awarded == 500
    assert review.status is IdeaReviewStatus.DECIDED
    assert review.ideas[good.appeal_id].award == 400


def test_the_combined_score_is_rounded_half_up_to_two_places() -> None:
    single = [REVIEWERS[0]]
    review, idea = with_idea(opened(reviewers=single))
    score(review, idea, REVIEWERS[0], "85.25", "85")  # 85.125
    review.decide(actor=UNION_STAFF, at=at(72))

    assert review.ideas[idea.appeal_id].combined_score == Decimal("85.13")


def test_the_decision_waits_for_every_reviewer_to_score_every_idea() -> None:
    review, idea = with_idea()
    score(review, idea, REVIEWERS[0], "80", "80")

    refused = assert_refused(
        review, lambda: review.decide(actor=UNION_STAFF, at=at(72)), ActionNotAllowed
    )
    assert "HY-2026-0001 by R-wang" in str(refused)


def test_a_review_without_ideas_cannot_be_decided() -> None:
    review = opened()

    assert_refused(review, lambda: review.decide(actor=UNION_STAFF, at=at(72)), ActionNotAllowed)


def decided() -> tuple[IdeaReview, AdoptedSuggestion]:
    """A review of one idea, scored by both reviewers and decided three days after T0."""
    review, idea = with_idea()
    for reviewer in REVIEWERS:
        score(review, idea, reviewer, "90", "90")
    review.decide(actor=UNION_STAFF, at=at(72))
    review.collect_events()
    return review, idea


def test_after_the_decision_nothing_is_scored_corrected_or_added() -> None:
    review, idea = decided()

    assert_refused(review, lambda: score(review, idea, REVIEWERS[0], "10", "10"), ActionNotAllowed)
    assert_refused(
        review,
        lambda: review.correct_score(
            appeal_id=idea.appeal_id,
            effect=Decimal(10),
            benefit=Decimal(10),
            reason="Second thoughts",
            actor=REVIEWERS[0],
            at=at(80),
        ),
        ActionNotAllowed,
    )
    assert_refused(
        review,
        lambda: review.add_idea(idea=suggestion(), actor=UNION_STAFF, at=at(80)),
        ActionNotAllowed,
    )
    assert_refused(review, lambda: review.decide(actor=UNION_STAFF, at=at(80)), ActionNotAllowed)


def test_publication_follows_the_decision_and_records_its_time() -> None:
    review = opened()
    assert_refused(
        review,
        lambda: review.publish(appellants=NO_ONE, actor=UNION_STAFF, at=at(1)),
        ActionNotAllowed,
    )

    review, _ = decided()
    review.publish(appellants=NO_ONE, actor=UNION_STAFF, at=at(96))

    [published] = review.collect_events()
    assert isinstance(published, IdeaReview.Published)
    assert review.published_at == at(96)
    assert review.status is IdeaReviewStatus.PUBLISHED
    assert_refused(
        review,
        lambda: review.publish(appellants=NO_ONE, actor=UNION_STAFF, at=at(97)),
        ActionNotAllowed,
    )


def test_a_time_without_zone_is_refused() -> None:
    review, idea = with_idea()
    naive: Any = datetime(2026, 3, 3, 9, 0)

    assert_refused(
        review,
        lambda: review.score(
            appeal_id=idea.appeal_id,
            effect=Decimal(1),
            benefit=Decimal(1),
            actor=REVIEWERS[0],
            at=naive,
        ),
        InvalidInput,
    )


def test_the_review_is_rebuilt_from_its_events_alone() -> None:
    review = IdeaReview.open(
        id=uuid4(),
        quarter=Q1,
        scale=AwardScale.default(),
        reviewers=[r.id for r in REVIEWERS],
        actor=UNION_STAFF,
        at=T0,
    )
    idea = suggestion()
    review.add_idea(idea=idea, actor=UNION_STAFF, at=at(24))
    for reviewer in REVIEWERS:
        score(review, idea, reviewer, "70", "75")
    review.decide(actor=UNION_STAFF, at=at(72))
    events = review.collect_events()

    rebuilt: IdeaReview = replay(review, events)
    assert rebuilt.status is IdeaReviewStatus.DECIDED
    assert rebuilt.ideas[idea.appeal_id].combined_score == Decimal("72.50")
    assert rebuilt.total_awarded == 300
