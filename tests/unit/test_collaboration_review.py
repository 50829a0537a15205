"""The half-yearly HR–union collaboration review: KPIs at 15% each, both panels at 27.5% each."""

from __future__ import annotations

from decimal import Decimal
from uuid import uuid4

import pytest

from domain.actors import Actor, Role
from domain.collaboration_review import CollaborationReview
from domain.errors import ActionNotAllowed, InvalidInput, NotPermitted
from domain.review_terms import CollaborationKpi, CollaborationReviewStatus, HalfYear
from tests.unit.builders import T0, UNION_STAFF, at
from tests.unit.meeting_builders import assert_refused, replay

H1 = HalfYear(2026, 1)
HR = Actor("HR-chen", Role.HR)
MANAGERS = [Actor("M-gao", Role.HR), Actor("M-he", Role.DEPARTMENT)]
WORKERS = [Actor("E-liu", Role.EMPLOYEE), Actor("E-ma", Role.EMPLOYEE)]
KPIS = {
    CollaborationKpi.SATISFACTION_IMPROVEMENT: Decimal(80),
    CollaborationKpi.JOINT_COMPLETION: Decimal(90),
    CollaborationKpi.TIMELY_RESPONSE: Decimal(100),
}


def opened() -> CollaborationReview:
    """Works' 2026-H1 review, opened by HR at T0 with two managers and two employees."""
    review = CollaborationReview.open(
        id=uuid4(),
        half_year=H1,
        department="Works",
        management=[m.id for m in MANAGERS],
        employees=[w.id for w in WORKERS],
        actor=HR,
        at=T0,
    )
    review.collect_events()
    return review


def rate(review: CollaborationReview, who: Actor, score: str) -> None:
    """`who` rates the department's collaboration."""
    review.rate(score=Decimal(score), actor=who, at=at(24))


def rated(scores: tuple[str, str, str, str] = ("80", "90", "70", "75")) -> CollaborationReview:
    """A review with its KPIs recorded and every representative's rating in."""
    review = opened()
    review.record_kpis(values=KPIS, actor=UNION_STAFF, at=at(2))
    for who, score in zip([*MANAGERS, *WORKERS], scores, strict=True):
        rate(review, who, score)
    review.collect_events()
    return review


def test_half_years_are_written_2026_h1() -> None:
    assert str(HalfYear.parse(" 2026h2 ")) == "2026-H2"
    for text in ("2026-H3", "2026-Q1", "H1"):
        with pytest.raises(InvalidInput) as refused:
            HalfYear.parse(text)
        assert refused.value.field == "half_year"


def test_opening_records_the_panels_and_weights_that_add_up_to_one() -> None:
    review = CollaborationReview.open(
        id=uuid4(),
        half_year=H1,
        department="Works",
        management=["M-gao"],
        employees=["E-liu"],
        actor=HR,
        at=T0,
    )

    [event] = review.collect_events()
    assert isinstance(event, CollaborationReview.Opened)
    assert event.weights == {
        "satisfaction_improvement": Decimal("0.15"),
        "joint_completion": Decimal("0.15"),
        "timely_response": Decimal("0.15"),
        "management": Decimal("0.275"),
        "employees": Decimal("0.275"),
    }
    assert sum(event.weights.values()) == 1
    assert (event.actor_id, event.actor_role, event.timestamp) == ("HR-chen", "hr", T0)
    assert event.half_year == "2026-H1"


@pytest.mark.parametrize(
    ("management", "employees", "field"),
    [([], ["E"], "management"), (["M"], [], "employees"), (["M", "E"], ["E"], "employees")],
)
def test_both_panels_have_members_and_nobody_sits_on_both(
    management: list[str], employees: list[str], field: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        CollaborationReview.open(
            id=uuid4(),
            half_year=H1,
            department="Works",
            management=management,
            employees=employees,
            actor=HR,
            at=T0,
        )
    assert refused.value.field == field


def test_kpis_are_recorded_as_percentages_all_three_at_once() -> None:
    review = opened()
    review.record_kpis(values=KPIS, actor=UNION_STAFF, at=at(2))

    [event] = review.collect_events()
    assert isinstance(event, CollaborationReview.KpisRecorded)
    assert event.values["timely_response"] == Decimal(100)
    partial = {CollaborationKpi.JOINT_COMPLETION: Decimal(50)}
    assert_refused(
        review,
        lambda: review.record_kpis(values=partial, actor=UNION_STAFF, at=at(3)),
        InvalidInput,
    )
    too_high = {**KPIS, CollaborationKpi.TIMELY_RESPONSE: Decimal("100.1")}
    refused = assert_refused(
        review,
        lambda: review.record_kpis(values=too_high, actor=UNION_STAFF, at=at(3), reason="Fix"),
        InvalidInput,
    )
    assert isinstance(refused, InvalidInput)
    assert refused.field == "kpis.timely_response"


def test_recording_the_kpis_again_needs_a_reason() -> None:
    review = opened()
    review.record_kpis(values=KPIS, actor=UNION_STAFF, at=at(2))
    changed = {**KPIS, CollaborationKpi.JOINT_COMPLETION: Decimal(85)}

    assert_refused(
        review,
        lambda: review.record_kpis(values=changed, actor=UNION_STAFF, at=at(3)),
        InvalidInput,
    )
    review.record_kpis(values=changed, actor=UNION_STAFF, at=at(3), reason="Audit correction")
    assert review.kpis[CollaborationKpi.JOINT_COMPLETION] == Decimal(85)


def test_each_representative_rates_once_on_their_own_panel() -> None:
    review = opened()
    rate(review, MANAGERS[0], "88")

    [event] = review.collect_events()
    assert isinstance(event, CollaborationReview.Rated)
    assert (event.side, event.score, event.actor_id) == ("management", Decimal(88), "M-gao")
    assert_refused(review, lambda: rate(review, MANAGERS[0], "90"), ActionNotAllowed)
    assert_refused(review, lambda: rate(review, UNION_STAFF, "90"), NotPermitted)
    refused = assert_refused(review, lambda: rate(review, WORKERS[0], "101"), InvalidInput)
    assert isinstance(refused, InvalidInput)
    assert refused.field == "score"


def test_a_representative_corrects_their_rating_with_a_reason() -> None:
    review = opened()
    assert_refused(
        review,
        lambda: review.correct_rating(score=Decimal(70), reason="r", actor=WORKERS[0], at=at(25)),
        ActionNotAllowed,
    )
    rate(review, WORKERS[0], "60")
    review.correct_rating(score=Decimal(70), reason="Misread the form", actor=WORKERS[0], at=at(25))

    corrected = review.collect_events()[-1]
    assert isinstance(corrected, CollaborationReview.RatingCorrected)
    assert (corrected.previous, corrected.score) == (Decimal(60), Decimal(70))
    assert corrected.side == "employees"
    assert review.ratings["E-liu"].score == Decimal(70)
    assert_refused(
        review,
        lambda: review.correct_rating(score=Decimal(80), reason=" ", actor=WORKERS[0], at=at(26)),
        InvalidInput,
    )


def test_closing_records_the_weighted_score_component_by_component() -> None:
    review = rated(("80", "90", "70", "75"))
    review.close(actor=HR, at=at(48))

    [closed] = review.collect_events()
    assert isinstance(closed, CollaborationReview.Closed)
    points = {c["name"]: c["points"] for c in closed.components}
    # KPIs: 0.15 × (80 + 90 + 100) = 40.5; managers 0.275 × 85 = 23.375; employees 0.275 × 72.5
    assert points["satisfaction_improvement"] == Decimal("12.00")
    assert points["management"] == Decimal("23.375")
    assert points["employees"] == Decimal("19.9375")
    managers = next(c for c in closed.components if c["name"] == "management")
    assert managers["ratings"] == {"M-gao": Decimal(80), "M-he": Decimal(90)}
    assert managers["value"] == Decimal("85.00")
    # 40.5 + 23.375 + 19.9375 = 83.8125 → 83.81
    assert closed.score == Decimal("83.81")
    assert review.status is CollaborationReviewStatus.CLOSED
    assert review.score == Decimal("83.81")


def test_closing_needs_the_kpis_and_every_rating() -> None:
    review = opened()
    assert_refused(review, lambda: review.close(actor=HR, at=at(48)), ActionNotAllowed)
    review.record_kpis(values=KPIS, actor=UNION_STAFF, at=at(2))
    rate(review, MANAGERS[0], "80")

    refused = assert_refused(review, lambda: review.close(actor=HR, at=at(48)), ActionNotAllowed)
    assert "M-he, E-liu, E-ma" in str(refused)


def test_a_closed_review_takes_no_more_ratings_or_kpis() -> None:
    review = rated()
    review.close(actor=HR, at=at(48))
    review.collect_events()

    assert_refused(
        review,
        lambda: review.correct_rating(score=Decimal(10), reason="r", actor=WORKERS[0], at=at(49)),
        ActionNotAllowed,
    )
    assert_refused(
        review,
        lambda: review.record_kpis(values=KPIS, actor=HR, at=at(49), reason="late"),
        ActionNotAllowed,
    )
    assert_refused(review, lambda: review.close(actor=HR, at=at(49)), ActionNotAllowed)


def test_the_review_is_rebuilt_from_its_events_alone() -> None:
    review = CollaborationReview.open(
        id=uuid4(),
        half_year=H1,
        department="Works",
        management=["M-gao"],
        employees=["E-liu"],
        actor=HR,
        at=T0,
    )
    review.record_kpis(values=KPIS, actor=HR, at=at(1))
    rate(review, MANAGERS[0], "90")
    rate(review, WORKERS[0], "80")
    review.close(actor=HR, at=at(48))

    rebuilt: CollaborationReview = replay(review, review.collect_events())
    assert rebuilt.score == review.score == Decimal("87.25")
    assert rebuilt.closed_at == at(48)
