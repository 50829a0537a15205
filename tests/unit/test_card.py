"""Red and yellow cards (红黄牌预警): thresholds, rectification deadlines, clearing, escalation."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from uuid import UUID, uuid4

import pytest

from domain.accountability_rules import RuleCode
from domain.actors import Actor, Role
from domain.calendar import CHINA_TZ, WorkingCalendar
from domain.card import (
    Card,
    CardColour,
    CardMeasure,
    CardPolicy,
    CardStatus,
    EscalatedTo,
    Finding,
    PenaltyRecord,
    Period,
    card_id,
    tally,
)
from domain.errors import ActionNotAllowed, InvalidInput
from tests.unit.meeting_builders import assert_refused, replay

POLICY = CardPolicy()
CALENDAR = WorkingCalendar()
COMMITTEE = Actor("C-wu", Role.COMMITTEE)
HEAD = Actor("D-logistics-head", Role.DEPARTMENT)
WATCHER = Actor("deadline-watcher", Role.SYSTEM)
MARCH = Period(date(2026, 3, 2), date(2026, 3, 31))
#: Monday 30 March 2026, 10:00: ten working days later is Tuesday 14 April (清明 is 4–6 April).
ISSUED_AT = datetime(2026, 3, 30, 10, 0, tzinfo=CHINA_TZ)


def penalties(
    rule: RuleCode, points: int, n: int, *, reversed_: bool = False
) -> list[PenaltyRecord]:
    """`n` penalties under `rule`."""
    return [PenaltyRecord(uuid4(), rule, points, reversed_) for _ in range(n)]


def issued(colour: CardColour = CardColour.YELLOW) -> Card:
    """A card issued at ISSUED_AT for March, on three perfunctory-handling points."""
    finding = Finding(colour, CardMeasure.PENALTY_POINTS, 3, 3, (uuid4(), uuid4(), uuid4()))
    card = Card.issue(
        finding=finding,
        department="Logistics",
        period=MARCH,
        rectification_deadline=POLICY.rectification_deadline(CALENDAR, ISSUED_AT),
        actor=COMMITTEE,
        at=ISSUED_AT,
    )
    card.collect_events()
    return card


def after_deadline(card: Card) -> datetime:
    """A moment just after the card's rectification deadline."""
    return card.rectification_deadline + timedelta(seconds=1)


# -- thresholds --------------------------------------------------------------------------


def test_three_penalty_points_in_a_period_call_for_a_yellow_card() -> None:
    records = penalties(RuleCode.PERFUNCTORY_HANDLING, -1, 3)

    finding = POLICY.finding(records)

    assert finding is not None
    assert (finding.colour, finding.measure) == (CardColour.YELLOW, CardMeasure.PENALTY_POINTS)
    assert (finding.value, finding.threshold) == (3, 3)
    assert set(finding.evidence) == {r.id for r in records}


def test_two_points_call_for_no_card() -> None:
    assert POLICY.finding(penalties(RuleCode.ABSENT_FROM_TALK, -1, 2)) is None


def test_six_points_call_for_a_red_card_straight_away() -> None:
    finding = POLICY.finding(penalties(RuleCode.OVERDUE_REPLY, -2, 3))

    assert finding is not None
    assert (finding.colour, finding.measure, finding.value) == (
        CardColour.RED,
        CardMeasure.PENALTY_POINTS,
        6,
    )


def test_overdue_replies_are_counted_on_their_own_threshold() -> None:
    policy = CardPolicy(yellow_penalty_points=10, red_penalty_points=20)
    records = penalties(RuleCode.OVERDUE_REPLY, -2, 2) + penalties(RuleCode.ABSENT_FROM_TALK, -1, 1)

    finding = policy.finding(records)

    assert finding is not None
    assert (finding.colour, finding.measure, finding.value, finding.threshold) == (
        CardColour.YELLOW,
        CardMeasure.OVERDUE_COUNT,
        2,
        2,
    )
    assert len(finding.evidence) == 2


def test_reversed_penalties_do_not_count() -> None:
    records = penalties(RuleCode.OVERDUE_REPLY, -2, 1) + penalties(
        RuleCode.OVERDUE_REPLY, -2, 3, reversed_=True
    )

    assert tally(records) == (2, 1)
    assert POLICY.finding(records) is None


def test_a_policy_with_red_not_above_yellow_is_refused() -> None:
    with pytest.raises(ValueError, match="red card"):
        CardPolicy(yellow_penalty_points=3, red_penalty_points=3)
    with pytest.raises(ValueError, match="at least 1"):
        CardPolicy(rectification_working_days=0)


def test_periods_are_fixed_steps_so_evaluating_again_finds_the_same_period() -> None:
    first = POLICY.period_containing(date(2026, 3, 5))

    assert first == POLICY.period_containing(date(2026, 3, 20))
    assert (first.end - first.start).days == 29
    assert POLICY.previous_period(first).end == first.start - timedelta(days=1)
    with pytest.raises(InvalidInput):
        Period(date(2026, 3, 31), date(2026, 3, 1))


# -- issuing -----------------------------------------------------------------------------


def test_a_card_gets_a_rectification_deadline_ten_working_days_on_across_a_holiday() -> None:
    card = issued()

    # 31 Mar, 1–3 Apr, (4–6 Apr 清明), 7–10 Apr, 13–14 Apr: the tenth working day is 14 April.
    assert card.rectification_deadline == datetime(2026, 4, 14, 23, 59, 59, tzinfo=CHINA_TZ)
    assert card.status is CardStatus.OPEN
    assert card.id == card_id("Logistics", CardColour.YELLOW, MARCH.start)
    assert card.period == MARCH
    assert len(card.evidence) == 3


def test_a_card_records_who_issued_it_and_when() -> None:
    finding = Finding(CardColour.YELLOW, CardMeasure.OVERDUE_COUNT, 2, 2, (uuid4(), uuid4()))
    card = Card.issue(
        finding=finding,
        department="Works",
        period=MARCH,
        rectification_deadline=POLICY.rectification_deadline(CALENDAR, ISSUED_AT),
        actor=WATCHER,
        at=ISSUED_AT,
    )

    [event] = card.collect_events()
    assert isinstance(event, Card.Issued)
    assert (event.actor_id, event.actor_role, event.timestamp) == (WATCHER.id, "system", ISSUED_AT)
    assert (event.measure, event.value, event.threshold) == ("overdue_count", 2, 2)


def test_a_card_without_evidence_or_below_its_threshold_is_refused() -> None:
    deadline = POLICY.rectification_deadline(CALENDAR, ISSUED_AT)
    for finding, field in [
        (Finding(CardColour.YELLOW, CardMeasure.PENALTY_POINTS, 3, 3, ()), "evidence"),
        (Finding(CardColour.YELLOW, CardMeasure.PENALTY_POINTS, 2, 3, (uuid4(),)), "measure"),
    ]:
        with pytest.raises(InvalidInput) as refused:
            Card.issue(
                finding=finding,
                department="Works",
                period=MARCH,
                rectification_deadline=deadline,
                actor=COMMITTEE,
                at=ISSUED_AT,
            )
        assert refused.value.field == field


# -- rectifying and escalating -----------------------------------------------------------


def test_rectifying_before_the_deadline_clears_the_card() -> None:
    card = issued()
    card.rectify(note="Reply backlog cleared", actor=HEAD, at=card.rectification_deadline)

    assert card.status is CardStatus.CLEARED
    assert card.rectification_note == "Reply backlog cleared"
    [event] = card.collect_events()
    assert isinstance(event, Card.Rectified)
    assert (event.actor_id, event.actor_role) == (HEAD.id, "department")


def test_rectifying_after_the_deadline_is_refused() -> None:
    card = issued()

    assert_refused(
        card,
        lambda: card.rectify(note="Late", actor=HEAD, at=after_deadline(card)),
        ActionNotAllowed,
    )
    assert card.overdue_at_moment(after_deadline(card))


def test_clearing_twice_is_refused() -> None:
    card = issued()
    card.rectify(note="Done", actor=HEAD, at=ISSUED_AT + timedelta(days=1))

    assert_refused(
        card,
        lambda: card.rectify(note="Again", actor=HEAD, at=ISSUED_AT + timedelta(days=2)),
        ActionNotAllowed,
    )
    assert_refused(
        card, lambda: card.escalate(actor=COMMITTEE, at=after_deadline(card)), ActionNotAllowed
    )


def test_rectifying_needs_a_note() -> None:
    card = issued()
    moment = ISSUED_AT + timedelta(days=1)

    assert_refused(card, lambda: card.rectify(note="", actor=HEAD, at=moment), InvalidInput)


def test_escalating_before_the_deadline_is_refused() -> None:
    card = issued()

    assert_refused(
        card,
        lambda: card.escalate(actor=COMMITTEE, at=card.rectification_deadline),
        ActionNotAllowed,
    )


def test_an_unrectified_yellow_card_escalates_to_the_red_card_of_its_period() -> None:
    card = issued()
    card.escalate(actor=WATCHER, at=after_deadline(card))

    assert card.status is CardStatus.ESCALATED
    assert card.escalated_to is EscalatedTo.RED_CARD
    assert card.red_card_id == card_id("Logistics", CardColour.RED, MARCH.start)
    red = card.red_card_finding()
    assert (red.colour, red.value, red.evidence) == (CardColour.RED, 3, tuple(card.evidence))


def test_an_unrectified_red_card_escalates_to_the_committee_once() -> None:
    card = issued(CardColour.RED)
    card.escalate(actor=WATCHER, at=after_deadline(card))

    assert card.escalated_to is EscalatedTo.COMMITTEE
    assert card.red_card_id is None
    assert_refused(
        card, lambda: card.escalate(actor=WATCHER, at=after_deadline(card)), ActionNotAllowed
    )


def test_a_card_replays_from_its_events() -> None:
    finding = Finding(CardColour.YELLOW, CardMeasure.PENALTY_POINTS, 4, 3, (UUID(int=1),))
    card = Card.issue(
        finding=finding,
        department="Works",
        period=MARCH,
        rectification_deadline=POLICY.rectification_deadline(CALENDAR, ISSUED_AT),
        actor=COMMITTEE,
        at=ISSUED_AT,
    )
    card.rectify(note="Fixed", actor=HEAD, at=ISSUED_AT + timedelta(days=3))

    rebuilt = replay(card, card.collect_events())

    assert rebuilt.status is CardStatus.CLEARED
    assert rebuilt.period == MARCH
    assert rebuilt.evidence == [UUID(int=1)]
