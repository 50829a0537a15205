"""The accountability demo after the appeals and meetings demos, on PostgreSQL: overdue
appeals and their penalties, a reversed penalty, a yellow and a red card, a golden-idea review
and a skill competition."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from api.bootstrap import Services
from application.accountability import AUTOMATIC
from application.clock import ManualClock
from demo.accountability import AccountabilitySummary, populate_accountability
from demo.appeals import DemoSummary, populate
from demo.meetings import populate_meetings
from domain.accountability_rules import RuleCode, penalty_id
from domain.appeal import Appeal
from domain.award_scale import AWARD_CEILING, AWARD_FLOOR
from domain.calendar import CHINA_TZ
from domain.card import CardColour, CardStatus, EscalatedTo
from domain.deadlines import DeadlineAct
from domain.penalty import Penalty, PenaltyStatus
from domain.review_terms import CompetitionStatus, IdeaReviewStatus

#: A Friday; the appeals span the four months before it, so the first quarter lies inside.
END = datetime(2026, 6, 26, 10, 0, tzinfo=CHINA_TZ)


@pytest.fixture(scope="module")
def appeals(services: Services, session_clock: ManualClock) -> DemoSummary:
    """The appeals demo at a reduced size."""
    return populate(services.casework, session_clock, appeals=60, months=4, seed=5, end=END)


@pytest.fixture(scope="module")
def summary(
    services: Services, session_clock: ManualClock, appeals: DemoSummary
) -> AccountabilitySummary:
    """Meetings, then accountability and reviews, as `huiyin demo` runs them."""
    meetings = populate_meetings(services.meetings, session_clock, months=12, seed=11, end=END)
    return populate_accountability(services, session_clock, demo=appeals, meetings=meetings, seed=5)


def test_overdue_appeals_get_a_missed_deadline_and_a_two_point_penalty(
    services: Services, summary: AccountabilitySummary
) -> None:
    assert summary.sweeps >= 5
    assert summary.overdue_appeals
    for appeal_id in summary.overdue_appeals:
        missed = [
            e
            for e in services.casework.history(appeal_id)
            if isinstance(e, Appeal.DeadlineMissed) and e.deadline["act"] == DeadlineAct.REPLY
        ]
        assert len(missed) == 1
        due = datetime.fromisoformat(missed[0].deadline["due"])
        penalty = services.accountability.get_penalty(
            penalty_id(RuleCode.OVERDUE_REPLY, appeal_id, f"reply-due:{due.isoformat()}")
        )
        assert penalty.points == -2
        assert penalty.case.id == appeal_id
        assert (penalty.recorded_by, penalty.recorded_role) == (AUTOMATIC.id, "system")
        assert due < penalty.recorded_at == missed[0].timestamp < END


def test_one_perfunctory_penalty_is_reversed_and_stays_in_history(
    services: Services, summary: AccountabilitySummary
) -> None:
    assert len(summary.perfunctory) >= 2
    assert summary.reversed_penalty in summary.perfunctory
    assert summary.reversed_penalty is not None
    penalty = services.accountability.get_penalty(summary.reversed_penalty)
    assert penalty.status is PenaltyStatus.REVERSED
    assert penalty.reversal is not None
    assert penalty.reversal.role == "committee"
    assert penalty.reversal.reason
    history = services.accountability.history(penalty.id)
    assert [type(e).__name__ for e in history] == ["Recorded", "Contested", "Reversed"]
    recorded = history[0]
    assert isinstance(recorded, Penalty.Recorded)
    assert (recorded.points, recorded.actor_role) == (-1, "supervisor")
    assert recorded.rule_code == RuleCode.PERFUNCTORY_HANDLING
    assert history[1].actor_role == "department"


def test_one_department_rectifies_a_yellow_card_another_is_escalated_to_red(
    services: Services, summary: AccountabilitySummary
) -> None:
    cards = {c.id: services.accountability.get_card(c.id) for c in summary.cards}
    cleared = [c for c in cards.values() if c.status is CardStatus.CLEARED]
    assert any(c.colour is CardColour.YELLOW for c in cleared)
    assert all(c.rectified_at and c.rectified_at <= c.rectification_deadline for c in cleared)
    reds = [c for c in cards.values() if c.colour is CardColour.RED]
    assert reds
    escalated = [c for c in cards.values() if c.status is CardStatus.ESCALATED]
    for yellow in escalated:
        assert yellow.escalated_to is EscalatedTo.RED_CARD
        assert yellow.red_card_id in cards
        assert yellow.escalated_at
        assert yellow.escalated_at > yellow.rectification_deadline
    assert {c.department for c in cleared}.isdisjoint({c.department for c in reds})
    period = summary.card_period
    assert period is not None
    assert period.end < END.date()


def test_a_quarters_golden_ideas_are_decided_and_published_within_the_scale(
    services: Services, summary: AccountabilitySummary
) -> None:
    assert summary.idea_review is not None
    review = services.reviews.get_idea_review(summary.idea_review)
    assert review.status is IdeaReviewStatus.PUBLISHED
    assert review.ideas
    assert summary.ideas == len(review.ideas)
    for idea in review.ideas.values():
        assert idea.award is not None
        assert AWARD_FLOOR <= idea.award <= AWARD_CEILING
        assert set(idea.scores) == set(review.reviewers)
    assert summary.awarded == review.total_awarded >= AWARD_FLOOR * len(review.ideas)
    assert review.published_at is not None
    assert review.published_at < END


def test_the_competition_ranks_25_contestants_20_titled_and_5_advancing(
    services: Services, summary: AccountabilitySummary
) -> None:
    assert summary.competition is not None
    competition = services.reviews.get_competition(summary.competition)
    assert competition.status is CompetitionStatus.FINALISED
    assert len(competition.judges) == 3
    assert len(competition.ranking) == summary.contestants == 25
    assert sum(s.title for s in competition.ranking) == summary.titled == 20
    assert sum(s.industry_contest for s in competition.ranking) == summary.advancing == 5
    totals = [s.total for s in competition.ranking]
    assert totals == sorted(totals, reverse=True)


def test_everything_happened_before_the_end_and_the_clock_runs_again(
    services: Services, summary: AccountabilitySummary, session_clock: ManualClock
) -> None:
    assert not summary.skipped
    assert len(summary.lines()) == 5
    assert summary.idea_review is not None
    assert summary.competition is not None
    events = [
        *services.reviews.history(summary.idea_review),
        *services.reviews.history(summary.competition),
        *(e for card in summary.cards for e in services.accountability.history(card.id)),
        *(e for p in summary.perfunctory for e in services.accountability.history(p)),
    ]
    assert events
    for event in events:
        assert event.timestamp.tzinfo is not None
        assert event.timestamp < END
        assert event.actor_id
        assert event.actor_role
    assert abs(session_clock() - datetime.now(UTC)) < timedelta(minutes=1)
